/*
 * Strict decoding of query strings, urlencoded bodies and Cookie headers (see form.h).
 *
 * Every parser here reads its input once, left to right, and reports the first problem it
 * meets; nothing is ever rescanned, so the cost is linear in the input however many fields
 * it holds. Memory is bounded by the limits, not by the input: a value is decoded into at
 * most max_value + 1 bytes and the field array holds at most max_fields entries.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "form.h"

/* Marks the msgids for xgettext (--keyword=N_); they are translated where they are shown. */
#define N_(msgid) msgid

static const char *const problem_msgids[MG_INPUT__MAX] = {
	[MG_INPUT_OK] = N_("The request could not be understood."),
	[MG_INPUT_BAD_ESCAPE] =
		/* xgettext:no-c-format ("'%' t" would pass for a printf directive) */
		N_("The page address or form data contains a '%' that is not followed by two hexadecimal digits."),
	[MG_INPUT_BAD_UTF8] = N_("The request contains text that is not valid UTF-8."),
	[MG_INPUT_NUL] = N_("The request contains a null character, which is not allowed."),
	[MG_INPUT_CONTROL] = N_("A cookie sent by your browser contains a control character. "
			       "Deleting this site's cookies may help."),
	[MG_INPUT_TOO_MANY_FIELDS] = N_("The request contains too many fields."),
	[MG_INPUT_KEY_TOO_LONG] = N_("A field name in the request is too long."),
	[MG_INPUT_VALUE_TOO_LONG] = N_("A value in the request is too long."),
	[MG_INPUT_EMPTY_KEY] = N_("The request contains a value without a field name."),
	[MG_INPUT_BAD_COOKIE] = N_("A cookie sent by your browser is malformed. "
				  "Deleting this site's cookies may help."),
};

/*
 * The generic text doubles as the answer for MG_INPUT_OK and out-of-range values, so a
 * caller that shows the msgid of a problem it did not check never shows an empty string
 * (and never the gettext header, which is what msgid "" would translate to).
 */
const char *mg_input_problem_msgid(enum mg_input_problem problem)
{
	if ((unsigned)problem >= MG_INPUT__MAX)
		return problem_msgids[MG_INPUT_OK];
	return problem_msgids[problem];
}

static enum mg_err problem_err(enum mg_input_problem problem)
{
	switch (problem) {
	case MG_INPUT_OK:
		return MG_OK;
	case MG_INPUT_TOO_MANY_FIELDS:
	case MG_INPUT_KEY_TOO_LONG:
	case MG_INPUT_VALUE_TOO_LONG:
		return MG_ERR_TOO_LARGE;
	default:
		return MG_ERR_INPUT;
	}
}

/*
 * Unicode 15, table 3-7 "Well-Formed UTF-8 Byte Sequences": the second byte's range is what
 * excludes overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
 */
bool mg_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		/* most form data is ASCII: skip it eight bytes at a time */
		while (len - i >= 8) {
			uint64_t word;
			memcpy(&word, s + i, sizeof(word));
			if (word & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i == len)
			break;

		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}

		size_t need;
		unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false; /* 80..C1 (continuation or overlong lead) and F5..FF */
		}

		if (len - i - 1 < need)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static size_t count_byte(const char *s, size_t len, char c)
{
	size_t n = 0;
	const char *end = s + len;
	const char *p;

	while (s < end && (p = memchr(s, c, (size_t)(end - s))) != NULL) {
		n++;
		s = p + 1;
	}
	return n;
}

/*
 * Percent-decodes src into a fresh arena string. The output never exceeds max bytes: we
 * stop with too_long as soon as one more byte would not fit, so a megabyte of "%41" costs
 * max bytes of arena, not a megabyte.
 */
static enum mg_input_problem url_decode(struct mg_arena *arena, const char *src, size_t len, size_t max,
					enum mg_input_problem too_long, char **out, size_t *out_len)
{
	char *dst = mg_arena_alloc(arena, min_size(len, max) + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == '%') {
			int h = len - i > 2 ? mg_hex_digit((unsigned char)src[i + 1]) : -1;
			int l = h >= 0 ? mg_hex_digit((unsigned char)src[i + 2]) : -1;
			if (l < 0)
				return MG_INPUT_BAD_ESCAPE;
			c = (unsigned char)(h << 4 | l);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (n == max)
			return too_long;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	*out = dst;
	*out_len = n;
	return MG_INPUT_OK;
}

/* NUL first: a NUL is valid UTF-8, and it is the more specific complaint. */
static enum mg_input_problem check_text(const char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL)
		return MG_INPUT_NUL;
	if (!mg_utf8_valid(s, len))
		return MG_INPUT_BAD_UTF8;
	return MG_INPUT_OK;
}

/*
 * Within one pair the checks run in reading order: the key's escapes and length, the empty
 * key, the key's NUL and UTF-8, then the same for the value. The field count is checked
 * before a pair is decoded, so an oversized form is refused without decoding its tail.
 */
static enum mg_input_problem form_pair(struct mg_arena *arena, const char *pair, size_t len,
				       const struct mg_limits *limits, struct mg_kv *kv)
{
	const char *eq = memchr(pair, '=', len);
	size_t key_raw = eq != NULL ? (size_t)(eq - pair) : len;
	char *key, *value;
	size_t key_len, value_len;
	enum mg_input_problem p;

	p = url_decode(arena, pair, key_raw, limits->max_key, MG_INPUT_KEY_TOO_LONG, &key, &key_len);
	if (p != MG_INPUT_OK)
		return p;
	if (key_len == 0)
		return MG_INPUT_EMPTY_KEY;
	if ((p = check_text(key, key_len)) != MG_INPUT_OK)
		return p;

	if (eq != NULL) {
		p = url_decode(arena, eq + 1, len - key_raw - 1, limits->max_value, MG_INPUT_VALUE_TOO_LONG,
			       &value, &value_len);
		if (p != MG_INPUT_OK)
			return p;
		if ((p = check_text(value, value_len)) != MG_INPUT_OK)
			return p;
	} else {
		value = mg_arena_strndup(arena, "", 0); /* a fresh copy: the header promises arena memory */
		value_len = 0;
	}

	kv->key = key;
	kv->value = value;
	kv->value_len = value_len;
	return MG_INPUT_OK;
}

enum mg_err mg_form_parse(struct mg_arena *arena, const char *data, size_t len, const struct mg_limits *limits,
			  struct mg_kvlist *out, enum mg_input_problem *problem)
{
	enum mg_input_problem p = MG_INPUT_OK;
	const char *end;
	size_t cap;

	out->items = NULL;
	out->n = 0;
	if (data == NULL || len == 0)
		goto out;
	end = data + len;

	/* every pair but the last ends in '&': this bounds the array without a second pass */
	cap = min_size(count_byte(data, len, '&') + 1, limits->max_fields);
	if (cap > 0)
		out->items = mg_arena_alloc(arena, cap * sizeof(*out->items));

	for (const char *pair = data; pair <= end;) {
		const char *amp = memchr(pair, '&', (size_t)(end - pair));
		const char *pair_end = amp != NULL ? amp : end;
		size_t pair_len = (size_t)(pair_end - pair);

		if (pair_len > 0) {
			if (out->n == limits->max_fields) {
				p = MG_INPUT_TOO_MANY_FIELDS;
				goto out;
			}
			p = form_pair(arena, pair, pair_len, limits, &out->items[out->n]);
			if (p != MG_INPUT_OK)
				goto out;
			out->n++;
		}
		if (amp == NULL)
			break;
		pair = amp + 1;
	}

out:
	if (problem != NULL)
		*problem = p;
	return problem_err(p);
}

/* RFC 9110 section 5.6.2 tchar, which RFC 6265 uses for cookie names. */
static bool is_token_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool has_control_char(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/*
 * One "name=value" with the surrounding spaces already trimmed. Only spaces are trimmed:
 * a tab is a control character and refused like the others. Names are strict RFC 6265
 * tokens (so "a =1" is refused); values may hold anything printable and UTF-8, which is
 * looser than RFC 6265 cookie-octet but what browsers actually send.
 */
static enum mg_input_problem cookie_pair(struct mg_arena *arena, const char *pair, size_t len,
					 const struct mg_limits *limits, struct mg_kv *kv)
{
	if (has_control_char(pair, len))
		return MG_INPUT_CONTROL;

	const char *eq = memchr(pair, '=', len);
	if (eq == NULL)
		return MG_INPUT_BAD_COOKIE;

	size_t name_len = (size_t)(eq - pair);
	if (name_len == 0)
		return MG_INPUT_BAD_COOKIE;
	for (size_t i = 0; i < name_len; i++)
		if (!is_token_char((unsigned char)pair[i]))
			return MG_INPUT_BAD_COOKIE;
	if (name_len > limits->max_key)
		return MG_INPUT_KEY_TOO_LONG;

	const char *value = eq + 1;
	size_t value_len = len - name_len - 1;
	if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
		value++;
		value_len -= 2;
	}
	if (value_len > limits->max_value)
		return MG_INPUT_VALUE_TOO_LONG;
	if (!mg_utf8_valid(value, value_len))
		return MG_INPUT_BAD_UTF8;

	kv->key = mg_arena_strndup(arena, pair, name_len);
	kv->value = mg_arena_strndup(arena, value, value_len);
	kv->value_len = value_len;
	return MG_INPUT_OK;
}

enum mg_err mg_cookie_parse(struct mg_arena *arena, const char *header, const struct mg_limits *limits,
			    struct mg_kvlist *out, enum mg_input_problem *problem)
{
	enum mg_input_problem p = MG_INPUT_OK;
	size_t len = header != NULL ? strlen(header) : 0;
	const char *end;
	size_t cap;

	out->items = NULL;
	out->n = 0;
	if (len == 0)
		goto out;
	end = header + len;

	cap = min_size(count_byte(header, len, ';') + 1, limits->max_fields);
	if (cap > 0)
		out->items = mg_arena_alloc(arena, cap * sizeof(*out->items));

	for (const char *pair = header; pair <= end;) {
		const char *semi = memchr(pair, ';', (size_t)(end - pair));
		const char *pair_end = semi != NULL ? semi : end;
		const char *start = pair;

		while (start < pair_end && *start == ' ')
			start++;
		while (pair_end > start && pair_end[-1] == ' ')
			pair_end--;

		if (pair_end > start) {
			if (out->n == limits->max_fields) {
				p = MG_INPUT_TOO_MANY_FIELDS;
				goto out;
			}
			p = cookie_pair(arena, start, (size_t)(pair_end - start), limits, &out->items[out->n]);
			if (p != MG_INPUT_OK)
				goto out;
			out->n++;
		}
		if (semi == NULL)
			break;
		pair = semi + 1;
	}

out:
	if (problem != NULL)
		*problem = p;
	return problem_err(p);
}

const char *mg_kv_get(const struct mg_kvlist *list, const char *key)
{
	if (list == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return list->items[i].value;
	return NULL;
}

size_t mg_utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}
