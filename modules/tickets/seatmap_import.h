/*
 * Seat-map XML → a list of seats (issue 4, item 2). Pure: libxml2 and the arena, no database,
 * so it is unit-tested (tests/unit/test_seatmap.c) and fuzzed (tests/fuzz/fuzz_seatmap.c).
 * The format is schema/seatmap.rng, explained with an example in docs/seatmap.md.
 *
 * The text is parsed without the network, without DTDs or entity declarations (a document
 * with a DOCTYPE is refused), within TICKETS_SEATMAP_MAX_BYTES and TICKETS_SEATMAP_MAX_SEATS.
 * Our own checks run first and name the line of the usual mistakes in words ("line 12: a seat
 * needs the attribute x"); the RelaxNG schema is then the last word on the structure.
 *
 * Then each seat gets
 *   seat_no   1..N in the map's order (the inventory unit of the seat in every performance);
 *   row_order 1..k left to right (by x) within its section and row (adjacency for "best
 *             available");
 *   best      its rank, lower is better: the map's own best="" ranks come first as written;
 *             the other seats follow, front rows first (rows nearest the stage, by the row's
 *             mean y; the stage is on the side of y = 0 unless <stage> says where), then the
 *             seats nearest the centre line of the stage (or of the map), then map order.
 */
#ifndef TICKETS_SEATMAP_IMPORT_H
#define TICKETS_SEATMAP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/module.h"

enum {
	TICKETS_SEATMAP_MAX_BYTES = 4 * 1024 * 1024,
	TICKETS_SEATMAP_MAX_SEATS = 50000,
	TICKETS_SEATMAP_MAX_EXTENT = 100000,
};

struct tickets_seat {
	uint32_t seat_no;
	const char *section, *row, *number; /* as in the map: the seat's place, unique together */
	const char *label;                  /* as printed: the map's label, else "1階 A列 12番" */
	const char *category;
	int x, y;
	uint32_t best, row_order;
	bool wheelchair, companion, restricted_view;
	unsigned line; /* where the seat is in the XML */
};

struct tickets_seatmap {
	unsigned width, height;
	const char *name;             /* may be "" */
	bool has_stage;
	int stage_x, stage_y, stage_width, stage_height;
	const char *stage_label;      /* may be "" */
	size_t nseats;
	struct tickets_seat *seats;   /* in seat_no order; in the arena */
};

/*
 * Why a map was refused: msgid is an English message with {placeholders} among {line},
 * {name}, {value} and {other} (ready for gettext), the fields their values. line is 0 when
 * the problem is the whole text (empty, too large).
 */
struct tickets_seatmap_problem {
	const char *msgid;
	unsigned line;
	const char *name, *value, *other; /* never NULL once set; in the arena */
};

/* The RelaxNG schema, parsed once; opaque. */
struct tickets_seatmap_schema;

/* Parses schema/seatmap.rng from path; NULL (after a log line) when it cannot. Free with
 * tickets_seatmap_schema_free(). */
struct tickets_seatmap_schema *tickets_seatmap_schema_load(const char *path);
void tickets_seatmap_schema_free(struct tickets_seatmap_schema *schema);

/*
 * Reads a seat map from len bytes of XML. MG_OK fills *out (everything in the arena);
 * MG_ERR_INPUT (or MG_ERR_TOO_LARGE) fills *problem instead. schema may be NULL (our own
 * checks only: the fuzz harness and tests that do not exercise the schema).
 */
enum mg_err tickets_seatmap_import(struct mg_arena *arena, const char *xml, size_t len,
				   const struct tickets_seatmap_schema *schema, struct tickets_seatmap *out,
				   struct tickets_seatmap_problem *problem);

/* The message with its placeholders filled: text is msgid or its translation. In the arena. */
const char *tickets_seatmap_problem_text(struct mg_arena *arena, const char *text,
					 const struct tickets_seatmap_problem *problem);

#endif
