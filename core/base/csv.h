/*
 * A CSV writer for exports that open correctly in Excel (audit log, orders, purge records):
 * UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting, and a guard against
 * formula injection. Pure: it only appends to an mg_buf, so it is tested without a server.
 *
 *     struct mg_buf out;
 *     struct mg_csv csv;
 *     mg_buf_init(&out);
 *     mg_csv_begin(&csv, &out);             // the BOM
 *     mg_csv_field(&csv, "seq");            // text, guarded and quoted as needed
 *     mg_csv_field(&csv, "=1+1");           // written as '=1+1
 *     mg_csv_end_row(&csv);                 // CRLF
 *     ...
 *     mg_buf_free(&out);                    // the caller owns the buffer
 */
#ifndef MG_CSV_H
#define MG_CSV_H

#include <stddef.h>

#include "buf.h"

struct mg_csv {
	struct mg_buf *out; /* not owned */
	size_t fields;      /* fields written in the current row */
	size_t rows;        /* rows ended so far (the header counts) */
};

/* Starts a file in out: writes the UTF-8 byte-order mark (EF BB BF). */
void mg_csv_begin(struct mg_csv *csv, struct mg_buf *out);

/*
 * Appends one text cell (NULL is an empty cell). A cell that a spreadsheet would read as a
 * formula — starting with =, +, -, @, TAB or CR, or their full-width forms ＝ ＋ － ＠ — gets a
 * leading apostrophe, so it shows as the text it is. A cell holding a comma, a double quote, CR
 * or LF is put in double quotes, with quotes doubled (RFC 4180).
 */
void mg_csv_field(struct mg_csv *csv, const char *text);

/* Appends an integer cell as decimal digits (a negative number is not a formula: no guard). */
void mg_csv_int(struct mg_csv *csv, long long value);

/* Ends the current row with CRLF. */
void mg_csv_end_row(struct mg_csv *csv);

/* Whether a cell of this text would get the formula guard (exposed for the tests). */
int mg_csv_needs_guard(const char *text);

#endif
