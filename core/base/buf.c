#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

void mg_buf_init(struct mg_buf *buf)
{
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

void mg_buf_free(struct mg_buf *buf)
{
	free(buf->data);
	mg_buf_init(buf);
}

void mg_buf_reset(struct mg_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

static void buf_reserve(struct mg_buf *buf, size_t extra)
{
	if (buf->cap - buf->len > extra)
		return;
	size_t cap = buf->cap ? buf->cap : 256;
	while (cap - buf->len <= extra)
		cap *= 2;
	char *data = realloc(buf->data, cap);
	if (data == NULL) {
		mg_log_error("buf: out of memory growing to %zu bytes", cap);
		abort();
	}
	buf->data = data;
	buf->cap = cap;
}

void mg_buf_append(struct mg_buf *buf, const void *data, size_t len)
{
	buf_reserve(buf, len);
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void mg_buf_puts(struct mg_buf *buf, const char *s)
{
	mg_buf_append(buf, s, strlen(s));
}

void mg_buf_printf(struct mg_buf *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len <= 0)
		return;
	buf_reserve(buf, (size_t)len);
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)len + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)len;
}

int mg_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void mg_hex_encode(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
