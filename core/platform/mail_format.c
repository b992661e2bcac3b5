/*
 * The pure part of mail: normalising addresses, RFC 2047 encoded-words, RFC 5322 messages.
 * Base64 is OpenSSL's (EVP_EncodeBlock); nothing here touches the database or the network.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "form.h"
#include "input.h"
#include "mail.h"
#include "tz.h"

enum { LINE_MAX_CHARS = 76, WORD_OVERHEAD = 12 /* "=?UTF-8?B?" and "?=" */ };

/* --- addresses --- */

static bool local_part_ok(const char *s, size_t len)
{
	static const char specials[] = "!#$%&'*+/=?^_`{|}~-";
	if (len < 1 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' && s[i + 1] == '.')
			return false;
		if (!isalnum(c) && c != '.' && strchr(specials, c) == NULL)
			return false;
	}
	return true;
}

static bool domain_ok(const char *s)
{
	size_t labels = 0, len = strlen(s);
	if (len < 3 || len > 253)
		return false;
	for (const char *label = s; *label != '\0'; labels++) {
		size_t n = strcspn(label, ".");
		if (n < 1 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)label[i]) && label[i] != '-')
				return false;
		label += n;
		if (*label == '.' && *++label == '\0')
			return false; /* a trailing dot */
	}
	return labels >= 2;
}

bool mg_email_normalise(const char *typed, char *out, size_t outlen)
{
	char plain[MG_EMAIL_MAX + 1];
	if (outlen > 0)
		out[0] = '\0';
	if (!mg_text_ascii(typed, plain, sizeof(plain))) /* NFKC: what a Japanese IME types */
		return false;
	char *start = plain, *end = plain + strlen(plain);
	for (char *c = start; c < end; c++)
		*c = (char)tolower((unsigned char)*c);
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		*--end = '\0';
	char *at = strchr(start, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL || !local_part_ok(start, (size_t)(at - start)) ||
	    !domain_ok(at + 1) || (size_t)(end - start) >= outlen)
		return false;
	memcpy(out, start, (size_t)(end - start) + 1);
	return true;
}

void mg_mail_address_of(const char *from, char *out, size_t outlen)
{
	const char *open = strrchr(from, '<'), *close = open ? strchr(open, '>') : NULL;
	if (open != NULL && close != NULL)
		snprintf(out, outlen, "%.*s", (int)(close - open - 1), open + 1);
	else
		snprintf(out, outlen, "%s", from);
	for (char *c = out; *c != '\0'; c++)
		if (isspace((unsigned char)*c)) {
			out[0] = '\0';
			return;
		}
}

/* --- headers --- */

static size_t utf8_char_len(unsigned char lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xf0 && lead <= 0xf7)
		return 4;
	if (lead >= 0xe0)
		return 3;
	if (lead >= 0xc0)
		return 2;
	return 1; /* a stray continuation byte: never split further */
}

/* The column after the last line break of out (where the next byte would go). */
static size_t column(const struct mg_buf *out)
{
	size_t col = 0;
	while (col < out->len && out->data[out->len - 1 - col] != '\n')
		col++;
	return col;
}

/* Always as encoded-words, starting at column used. */
static void encode_words(const char *text, size_t used, struct mg_buf *out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left = strlen(text);
	bool first = true;
	while (left > 0) {
		size_t room = LINE_MAX_CHARS - (first ? used : 1);
		size_t max_bytes = room > WORD_OVERHEAD + 16 ? (room - WORD_OVERHEAD) / 4 * 3 : 12;
		size_t n = 0;
		while (n < left) {
			size_t clen = utf8_char_len(p[n]);
			if (clen > left - n)
				clen = left - n;
			if (n + clen > max_bytes && n > 0)
				break;
			n += clen;
		}
		unsigned char b64[4 * ((64 + 2) / 3) + 1];
		EVP_EncodeBlock(b64, p, (int)n);
		if (!first)
			mg_buf_puts(out, "\r\n ");
		mg_buf_printf(out, "=?UTF-8?B?%s?=", (const char *)b64);
		p += n;
		left -= n;
		first = false;
	}
}

void mg_mail_encode_header(const char *text, size_t name_len, struct mg_buf *out)
{
	size_t used = name_len + 2, len = strlen(text);
	bool plain = used + len <= LINE_MAX_CHARS && strstr(text, "=?") == NULL;
	for (size_t i = 0; plain && i < len; i++)
		plain = text[i] >= 0x20 && text[i] < 0x7f;
	if (plain)
		mg_buf_puts(out, text);
	else
		encode_words(text, used, out);
}

/* A display name that may stand unquoted (atoms and spaces). */
static bool phrase_plain(const char *s, size_t len)
{
	static const char atext[] = "!#$%&'*+/=?^_`{|}~- ";
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(atext, s[i]) == NULL)
			return false;
	return strstr(s, "=?") == NULL;
}

static void from_header(const char *from, struct mg_buf *out)
{
	char address[MG_EMAIL_MAX + 1];
	mg_mail_address_of(from, address, sizeof(address));
	const char *open = strrchr(from, '<');
	size_t name_len = open ? (size_t)(open - from) : 0;
	while (name_len > 0 && isspace((unsigned char)from[name_len - 1]))
		name_len--;
	mg_buf_puts(out, "From: ");
	if (name_len == 0) {
		mg_buf_puts(out, address);
		return;
	}
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)name_len, from);
	if (phrase_plain(name, strlen(name)))
		mg_buf_puts(out, name);
	else
		encode_words(name, strlen("From: "), out);
	if (column(out) + strlen(address) + 3 > LINE_MAX_CHARS)
		mg_buf_puts(out, "\r\n");
	mg_buf_printf(out, " <%s>", address);
}

static bool one_line(const char *s)
{
	if (s == NULL)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* RFC 5322 date in the platform's zone with its offset, English names whatever the process locale. */
static void date_header(time_t when, struct mg_buf *out)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	if (mg_tz_local(mg_tz_platform(), when, &tm) != MG_OK)
		gmtime_r(&when, &tm);
	long off = tm.tm_gmtoff, aoff = off < 0 ? -off : off;
	mg_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld\r\n", days[tm.tm_wday], tm.tm_mday,
		      months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		      aoff / 3600, aoff / 60 % 60);
}

/* The body with every line end as CRLF, then base64 in lines of 76 characters. */
static void body_base64(const char *body, struct mg_buf *out)
{
	struct mg_buf canonical;
	mg_buf_init(&canonical);
	for (const char *c = body; *c != '\0'; c++) {
		if (*c == '\r' && c[1] == '\n')
			continue; /* the '\n' writes the pair */
		mg_buf_append(&canonical, *c == '\n' || *c == '\r' ? "\r\n" : c, *c == '\n' || *c == '\r' ? 2 : 1);
	}
	unsigned char line[LINE_MAX_CHARS + 1];
	for (size_t at = 0; at < canonical.len; at += 57) {
		size_t n = canonical.len - at < 57 ? canonical.len - at : 57;
		EVP_EncodeBlock(line, (const unsigned char *)canonical.data + at, (int)n);
		mg_buf_printf(out, "%s\r\n", (const char *)line);
	}
	mg_buf_free(&canonical);
}

enum mg_err mg_mail_compose(const struct mg_mail_message *m, struct mg_buf *out)
{
	char address[MG_EMAIL_MAX + 1];
	if (!one_line(m->from) || !one_line(m->to) || !one_line(m->subject) || !one_line(m->message_id) ||
	    m->body == NULL || !mg_utf8_valid(m->subject, strlen(m->subject)) ||
	    !mg_utf8_valid(m->from, strlen(m->from)) || !mg_utf8_valid(m->body, strlen(m->body)))
		return MG_ERR_INPUT;
	mg_mail_address_of(m->from, address, sizeof(address));
	if (strchr(address, '@') == NULL || strchr(m->to, '@') == NULL || strchr(m->to, ' ') != NULL)
		return MG_ERR_INPUT;
	date_header(m->date, out);
	from_header(m->from, out);
	mg_buf_printf(out, "\r\nTo: %s\r\nSubject: ", m->to);
	mg_mail_encode_header(m->subject, strlen("Subject"), out);
	mg_buf_printf(out, "\r\nMessage-ID: %s\r\n", m->message_id);
	mg_buf_puts(out, "MIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=UTF-8\r\n"
			 "Content-Transfer-Encoding: base64\r\n"
			 "Auto-Submitted: auto-generated\r\n"
			 "\r\n");
	body_base64(m->body, out);
	return MG_OK;
}
