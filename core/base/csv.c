#include <stdio.h>
#include <string.h>

#include "csv.h"

/* Full-width forms Japanese input methods produce, which some spreadsheets read like their
 * ASCII originals: ＝ U+FF1D, ＋ U+FF0B, － U+FF0D, ＠ U+FF20 (UTF-8). */
static const char *const fullwidth_leads[] = { "\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d", "\xef\xbc\xa0", NULL };

int mg_csv_needs_guard(const char *text)
{
	if (text == NULL || text[0] == '\0')
		return 0;
	if (strchr("=+-@\t\r", text[0]) != NULL)
		return 1;
	for (const char *const *lead = fullwidth_leads; *lead != NULL; lead++)
		if (strncmp(text, *lead, strlen(*lead)) == 0)
			return 1;
	return 0;
}

void mg_csv_begin(struct mg_csv *csv, struct mg_buf *out)
{
	csv->out = out;
	csv->fields = 0;
	csv->rows = 0;
	mg_buf_append(out, "\xef\xbb\xbf", 3);
}

static void separator(struct mg_csv *csv)
{
	if (csv->fields++ > 0)
		mg_buf_append(csv->out, ",", 1);
}

void mg_csv_field(struct mg_csv *csv, const char *text)
{
	separator(csv);
	if (text == NULL)
		return;
	int guard = mg_csv_needs_guard(text);
	int quote = strpbrk(text, ",\"\r\n") != NULL;
	if (quote)
		mg_buf_append(csv->out, "\"", 1);
	if (guard)
		mg_buf_append(csv->out, "'", 1);
	if (!quote) {
		mg_buf_puts(csv->out, text);
		return;
	}
	for (const char *run = text;;) {
		const char *q = strchr(run, '"');
		if (q == NULL) {
			mg_buf_puts(csv->out, run);
			break;
		}
		mg_buf_append(csv->out, run, (size_t)(q - run) + 1);
		mg_buf_append(csv->out, "\"", 1); /* the quote, doubled */
		run = q + 1;
	}
	mg_buf_append(csv->out, "\"", 1);
}

void mg_csv_int(struct mg_csv *csv, long long value)
{
	separator(csv);
	mg_buf_printf(csv->out, "%lld", value);
}

void mg_csv_end_row(struct mg_csv *csv)
{
	mg_buf_append(csv->out, "\r\n", 2);
	csv->fields = 0;
	csv->rows++;
}
