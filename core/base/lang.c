/*
 * Picks the page language. Accept-Language comes from any client, so the parser below
 * accepts any bytes: an element it cannot read is skipped, never an error, and it reads
 * the header once without allocating.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lang.h"

const char *const mg_languages[] = { "ja", "en", NULL };

enum { LANG_COUNT = sizeof(mg_languages) / sizeof(mg_languages[0]) - 1, Q_ONE = 1000 };

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void trim(const char **start, const char **end)
{
	while (*start < *end && is_space(**start))
		(*start)++;
	while (*end > *start && is_space((*end)[-1]))
		(*end)--;
}

/*
 * RFC 9110 qvalue: "0" [ "." 0*3DIGIT ] or "1" [ "." 0*3"0" ], as thousandths. Returns -1
 * for anything else, so "q=1.5" or "q=0.1234" make the element unreadable.
 */
static int parse_qvalue(const char *s, const char *end)
{
	if (s == end || (*s != '0' && *s != '1'))
		return -1;
	int q = (*s - '0') * Q_ONE;
	s++;
	if (s == end)
		return q;
	if (*s != '.')
		return -1;
	s++;
	int scale = Q_ONE / 10;
	for (int digits = 0; s < end; s++, digits++) {
		if (digits == 3 || *s < '0' || *s > '9')
			return -1;
		q += (*s - '0') * scale;
		scale /= 10;
	}
	return q <= Q_ONE ? q : -1;
}

/*
 * The weight of one element's parameters (";q=0.5"); Q_ONE when there is none, -1 when
 * the weight is unreadable. Spaces around '=' are tolerated ("q = 0.5") rather than
 * silently ignored, which would turn a low weight into 1. Other parameters are not
 * defined for Accept-Language and are skipped.
 */
static int element_weight(const char *params, const char *end)
{
	int q = Q_ONE;

	while (params < end && q >= 0) {
		const char *semi = memchr(params, ';', (size_t)(end - params));
		const char *param_end = semi != NULL ? semi : end;
		const char *eq = memchr(params, '=', (size_t)(param_end - params));
		const char *name = params, *name_end = eq != NULL ? eq : param_end;

		trim(&name, &name_end);
		if (name_end - name == 1 && lower(*name) == 'q') {
			const char *value = eq != NULL ? eq + 1 : param_end, *value_end = param_end;
			trim(&value, &value_end);
			q = parse_qvalue(value, value_end);
		}
		params = semi != NULL ? semi + 1 : end;
	}
	return q;
}

/* Index in mg_languages of the language a range names ("en", "EN-us"), or -1. */
static int range_language(const char *range, const char *end)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		const char *lang = mg_languages[i];
		size_t n = strlen(lang);
		if ((size_t)(end - range) < n)
			continue;
		size_t k = 0;
		while (k < n && lower(range[k]) == lang[k])
			k++;
		/* '_' is not BCP 47, but some clients send "en_US" and meaning it is harmless */
		if (k == n && (range + n == end || range[n] == '-' || range[n] == '_'))
			return i;
	}
	return -1;
}

/* A language range is "*" or letters, digits, '-' (and '_', see above); anything else is garbage. */
static bool range_well_formed(const char *range, const char *end)
{
	if (range == end)
		return false;
	for (const char *p = range; p < end; p++) {
		char c = lower(*p);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (c == '*' && end - range == 1)))
			return false;
	}
	return true;
}

/*
 * "*" stands for any language the client did not name (RFC 4647 section 2.3), so
 * "ja;q=0, *" means English; we take the first such language in mg_languages order, which
 * makes a bare "*" mean the default, Japanese.
 */
static const char *pick_accept_language(const char *header)
{
	bool named[LANG_COUNT] = { false };
	int best = -1, best_q = 0;
	int star_q = -1; /* q of the first "*", -1 when absent */
	size_t star_pos = 0, best_pos = 0, pos = 0;
	const char *end = header + strlen(header);

	for (const char *elem = header; elem < end; pos++) {
		const char *comma = memchr(elem, ',', (size_t)(end - elem));
		const char *elem_end = comma != NULL ? comma : end;
		const char *semi = memchr(elem, ';', (size_t)(elem_end - elem));
		const char *range = elem, *range_end = semi != NULL ? semi : elem_end;

		trim(&range, &range_end);
		int q = element_weight(semi != NULL ? semi + 1 : elem_end, elem_end);
		if (q >= 0 && range_well_formed(range, range_end)) {
			if (range_end - range == 1 && *range == '*') {
				if (star_q < 0) {
					star_q = q;
					star_pos = pos;
				}
			} else {
				int lang = range_language(range, range_end);
				if (lang >= 0) {
					named[lang] = true;
					if (q > best_q) {
						best = lang;
						best_q = q;
						best_pos = pos;
					}
				}
			}
		}
		elem = comma != NULL ? comma + 1 : end;
	}

	if (star_q > 0 && (star_q > best_q || (star_q == best_q && star_pos < best_pos))) {
		for (int i = 0; i < LANG_COUNT; i++)
			if (!named[i])
				return mg_languages[i];
	}
	return best >= 0 ? mg_languages[best] : NULL;
}

const char *mg_lang_pick(const char *cookie, const char *accept_language)
{
	const char *lang = NULL;

	if (cookie != NULL)
		for (int i = 0; i < LANG_COUNT && lang == NULL; i++)
			if (strcmp(cookie, mg_languages[i]) == 0)
				lang = mg_languages[i];
	if (lang == NULL && accept_language != NULL)
		lang = pick_accept_language(accept_language);
	return lang != NULL ? lang : mg_languages[0];
}
