/*
 * libFuzzer harness for the seat-map XML import (modules/tickets/seatmap_import.c); run it
 * with scripts/fuzz (from the top of the tree, so that schema/seatmap.rng is found).
 *
 * Each input is imported with and without the shipped RelaxNG schema. Beyond the sanitizers it
 * checks what seatmap_import.h promises: a refusal carries a message id and its placeholders;
 * an accepted map has 1..N seats numbered in order, inside the map, with distinct places, a
 * rank and a row order; and the schema, checked after our own checks, may refuse more but
 * never lets through what they refused.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "modules/tickets/seatmap_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static struct tickets_seatmap_schema *schema;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	xmlInitParser();
	schema = tickets_seatmap_schema_load("schema/seatmap.rng");
	return 0;
}

static void check_refusal(struct mg_arena *arena, const struct tickets_seatmap_problem *p)
{
	CHECK(p->msgid != NULL && p->name != NULL && p->value != NULL && p->other != NULL);
	CHECK(tickets_seatmap_problem_text(arena, p->msgid, p) != NULL);
	/* placeholders are filled once: a value holding "{line}" stays as it is */
	char line[16];
	snprintf(line, sizeof(line), "%u", p->line);
	CHECK(strcmp(tickets_seatmap_problem_text(arena, "{line}", p), line) == 0);
	CHECK(strcmp(tickets_seatmap_problem_text(arena, "{value}", p), p->value) == 0);
}

static void check_map(const struct tickets_seatmap *m)
{
	CHECK(m->nseats >= 1 && m->nseats <= TICKETS_SEATMAP_MAX_SEATS);
	for (size_t i = 0; i < m->nseats; i++) {
		const struct tickets_seat *s = &m->seats[i];
		CHECK(s->seat_no == i + 1);
		CHECK(s->x >= 0 && (unsigned)s->x <= m->width && s->y >= 0 && (unsigned)s->y <= m->height);
		CHECK(s->label != NULL && s->category != NULL && s->row_order >= 1 && s->best >= 1);
		for (size_t j = 0; j < i && m->nseats <= 200; j++) /* quadratic: small maps only */
			CHECK(strcasecmp(s->section, m->seats[j].section) != 0 || strcasecmp(s->row, m->seats[j].row) != 0 ||
			      strcasecmp(s->number, m->seats[j].number) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_arena *arena = mg_arena_new();
	struct tickets_seatmap map, with_schema;
	struct tickets_seatmap_problem problem, schema_problem;
	enum mg_err ours = tickets_seatmap_import(arena, (const char *)data, size, NULL, &map, &problem);
	if (ours == MG_OK)
		check_map(&map);
	else
		check_refusal(arena, &problem);
	if (schema != NULL) {
		enum mg_err both = tickets_seatmap_import(arena, (const char *)data, size, schema, &with_schema,
							  &schema_problem);
		/* the schema is the last word, after our checks: it may refuse more, never less */
		CHECK(ours != MG_OK ? both == ours : true);
		if (both == MG_OK)
			CHECK(with_schema.nseats == map.nseats);
		else
			check_refusal(arena, &schema_problem);
	}
	mg_arena_free(arena);
	return 0;
}
