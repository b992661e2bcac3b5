/*
 * Strict decoding of what a client sends: query strings, application/x-www-form-urlencoded
 * bodies and Cookie headers. Pure functions over bytes, so they are unit-tested and fuzzed
 * without a server. Every decoded key and value is valid UTF-8 without NUL bytes; anything
 * else is refused with a problem code the caller turns into a 400 page in the user's language.
 */
#ifndef MG_FORM_H
#define MG_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "err.h"

struct mg_kv {
	const char *key;   /* decoded, NUL-terminated, owned by the arena */
	const char *value; /* decoded, NUL-terminated, owned by the arena */
	size_t value_len;
};

struct mg_kvlist {
	struct mg_kv *items; /* in the order they were sent; owned by the arena */
	size_t n;
};

struct mg_limits {
	size_t max_fields; /* pairs per query string, body or cookie header */
	size_t max_key;    /* bytes per decoded key */
	size_t max_value;  /* bytes per decoded value */
};

/* Why an input was refused; mg_input_problem_msgid() gives the English msgid for gettext. */
enum mg_input_problem {
	MG_INPUT_OK = 0,
	MG_INPUT_BAD_ESCAPE,     /* '%' not followed by two hex digits */
	MG_INPUT_BAD_UTF8,       /* decoded bytes are not valid UTF-8 */
	MG_INPUT_NUL,            /* a decoded NUL byte */
	MG_INPUT_CONTROL,        /* a control character where none may be (cookies) */
	MG_INPUT_TOO_MANY_FIELDS,
	MG_INPUT_KEY_TOO_LONG,
	MG_INPUT_VALUE_TOO_LONG,
	MG_INPUT_EMPTY_KEY,      /* "=value" */
	MG_INPUT_BAD_COOKIE,     /* a cookie pair without '=' or with a bad name */
	MG_INPUT__MAX
};

/*
 * Decodes "a=1&b=x%20y" (query strings and urlencoded bodies; '+' is a space). A pair
 * without '=' has the empty value; empty pairs ("a=1&&b=2") are skipped. On failure
 * returns MG_ERR_INPUT (or MG_ERR_TOO_LARGE for the *_TOO_* problems) and sets *problem;
 * *out is then undefined.
 */
enum mg_err mg_form_parse(struct mg_arena *arena, const char *data, size_t len, const struct mg_limits *limits,
			  struct mg_kvlist *out, enum mg_input_problem *problem);

/* Splits a Cookie header ("a=1; b=2"); values are not percent-decoded but must be UTF-8
 * without control characters; surrounding double quotes are removed. Same errors. */
enum mg_err mg_cookie_parse(struct mg_arena *arena, const char *header, const struct mg_limits *limits,
			    struct mg_kvlist *out, enum mg_input_problem *problem);

/* First value for key, or NULL. */
const char *mg_kv_get(const struct mg_kvlist *list, const char *key);

/* True when the len bytes are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool mg_utf8_valid(const char *s, size_t len);
/* The number of characters (code points) of valid UTF-8 text. */
size_t mg_utf8_chars(const char *s);

const char *mg_input_problem_msgid(enum mg_input_problem problem);

#endif
