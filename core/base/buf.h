/* A growable byte buffer on the heap; the owner calls mg_buf_free(). */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stddef.h>

struct mg_buf {
	char *data; /* NUL-terminated when len > 0 */
	size_t len, cap;
};

void mg_buf_init(struct mg_buf *buf);
void mg_buf_free(struct mg_buf *buf);
void mg_buf_reset(struct mg_buf *buf);
void mg_buf_append(struct mg_buf *buf, const void *data, size_t len);
void mg_buf_puts(struct mg_buf *buf, const char *s);
void mg_buf_printf(struct mg_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of a hexadecimal digit, either case ('a' and 'A' are 10), or -1 for any other byte. */
int mg_hex_digit(int c);
/* The len bytes at data as 2 * len lowercase hexadecimal digits and a NUL, written to out. */
void mg_hex_encode(const void *data, size_t len, char *out);

#endif
