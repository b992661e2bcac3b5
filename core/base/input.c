#include <string.h>
#include <stdlib.h>
#include <uninorm.h>
#include <unistr.h>

#include "input.h"

enum mg_err mg_parse_id(const char *text, uint64_t *out)
{
	*out = 0;
	if (text == NULL || text[0] < '1' || text[0] > '9')
		return MG_ERR_INPUT;
	uint64_t value = 0;
	for (const char *c = text; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return MG_ERR_INPUT;
		unsigned digit = (unsigned)(*c - '0');
		if (value > (MG_ID_MAX - digit) / 10)
			return MG_ERR_INPUT;
		value = value * 10 + digit;
	}
	*out = value;
	return MG_OK;
}

enum mg_err mg_text_nfkc(struct mg_arena *arena, const char *in, const char **out)
{
	size_t len = 0;
	*out = NULL;
	if (in[0] == '\0') {
		*out = in;
		return MG_OK;
	}
	/* u8_normalize does not check its input; the decoders already refused bad UTF-8 */
	if (u8_check((const uint8_t *)in, strlen(in)) != NULL)
		return MG_ERR_INPUT;
	uint8_t *normal = u8_normalize(UNINORM_NFKC, (const uint8_t *)in, strlen(in), NULL, &len);
	if (normal == NULL)
		return MG_ERR_NOMEM;
	/* NFKC of text without NUL has no NUL; checked anyway, a value must stay one C string */
	enum mg_err err = memchr(normal, '\0', len) == NULL ? MG_OK : MG_ERR_INPUT;
	if (err == MG_OK)
		*out = mg_arena_strndup(arena, (const char *)normal, len);
	free(normal);
	return err;
}

bool mg_text_ascii(const char *in, char *out, size_t outlen)
{
	size_t len = 0;
	if (outlen == 0)
		return false;
	out[0] = '\0';
	if (in[0] == '\0')
		return true;
	if (u8_check((const uint8_t *)in, strlen(in)) != NULL)
		return false;
	uint8_t *normal = u8_normalize(UNINORM_NFKC, (const uint8_t *)in, strlen(in), NULL, &len);
	if (normal == NULL)
		return false;
	bool ok = len < outlen;
	for (size_t i = 0; ok && i < len; i++)
		ok = normal[i] != 0 && normal[i] < 0x80;
	if (ok) {
		memcpy(out, normal, len);
		out[len] = '\0';
	}
	free(normal);
	return ok;
}

/* "1,234" "12,345,678": one to three digits, then groups of a comma and three digits. */
static int thousands_grouped(const char *s)
{
	size_t lead = strspn(s, "0123456789");
	if (lead < 1 || lead > 3 || s[lead] != ',')
		return 0;
	for (s += lead; *s == ','; s += 4)
		if (strspn(s + 1, "0123456789") < 3)
			return 0;
	return *s == '\0';
}

enum mg_err mg_text_amount(struct mg_arena *arena, const char *in, const char **out)
{
	const char *normal;
	enum mg_err err = mg_text_nfkc(arena, in, &normal);
	if (err != MG_OK)
		return err;
	if (!thousands_grouped(normal)) {
		*out = normal;
		return MG_OK;
	}
	char *plain = mg_arena_alloc(arena, strlen(normal) + 1), *o = plain;
	for (const char *c = normal; *c != '\0'; c++)
		if (*c != ',')
			*o++ = *c;
	*o = '\0';
	*out = plain;
	return MG_OK;
}
