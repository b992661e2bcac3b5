/*
 * Checked reading of what people type, before any validator sees it: NFKC normalisation
 * (libunistring's u8_normalize, so full-width digits, Latin letters, hyphens and the
 * ideographic space become their ASCII forms), amounts with a thousands comma, and ids.
 * Pure functions over text, unit-tested in tests/unit/test_input.c.
 */
#ifndef MG_INPUT_H
#define MG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* The largest id accepted: ids are BIGINT columns, bound as signed 64-bit integers. */
#define MG_ID_MAX ((uint64_t)INT64_MAX)

/* The PCRE2 pattern of an id field of a form or query: what mg_parse_id accepts, at most 18
 * digits so that every value it lets through parses (a handler reading a field validated with
 * it never meets a bad id; 18 digits are far more than any table will count). */
#define MG_ID_PATTERN "[1-9][0-9]{0,17}"

/*
 * Parses an id: ASCII digits only, no sign, no space, no leading zero, from 1 to MG_ID_MAX.
 * MG_OK and *out, or MG_ERR_INPUT (and *out = 0) for NULL, "", "0", "007", "-1", "+1", " 1",
 * "1 ", "1e3", "１" and anything too large. Never yields 0.
 */
enum mg_err mg_parse_id(const char *text, uint64_t *out);

/* The NFKC form of the UTF-8 text in (arena). MG_ERR_INPUT when in is not valid UTF-8. */
enum mg_err mg_text_nfkc(struct mg_arena *arena, const char *in, const char **out);

/* in made ASCII by NFKC (full-width forms, the ideographic space, …) into out; false (and
 * out empty) when a character has no ASCII form or the result does not fit outlen. For text
 * that must be ASCII in the end: e-mail addresses, phone numbers. */
bool mg_text_ascii(const char *in, char *out, size_t outlen);

/* An amount as typed: NFKC, then the commas of "2,500" or "１，２３４，５６７" dropped when
 * they group thousands exactly; anything else is left for the field's pattern to refuse. */
enum mg_err mg_text_amount(struct mg_arena *arena, const char *in, const char **out);

#endif
