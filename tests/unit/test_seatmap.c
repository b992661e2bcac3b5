/*
 * Seat-map import (modules/tickets/seatmap_import.c): every refusal names its line, seats are
 * numbered in map order, rows ordered left to right, ranks front-then-centre after the map's
 * own, and the schema shipped in schema/ agrees with the examples in docs/seatmap.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "modules/tickets/seatmap_import.h"

static struct mg_arena *arena;
static struct tickets_seatmap map;
static struct tickets_seatmap_problem problem;
static struct tickets_seatmap_schema *schema;
static char schema_path[512];

static void quiet(void *arg, xmlErrorPtr error)
{
	(void)arg, (void)error;
}

static int setup(void **state)
{
	(void)state;
	arena = mg_arena_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mg_arena_free(arena);
	return 0;
}

static enum mg_err import_with(const struct tickets_seatmap_schema *with, const char *xml)
{
	return tickets_seatmap_import(arena, xml, strlen(xml), with, &map, &problem);
}

static enum mg_err import(const char *xml)
{
	return import_with(schema, xml);
}

/* The English message of the last refusal, placeholders filled. */
static const char *message(void)
{
	return tickets_seatmap_problem_text(arena, problem.msgid, &problem);
}

#define HEAD "<?xml version=\"1.0\"?>\n<seatmap width=\"400\" height=\"300\">\n"

static const char small[] = HEAD
	"  <stage x=\"100\" y=\"0\" width=\"200\" height=\"20\" label=\"舞台\"/>\n"
	"  <section name=\"1階\" category=\"S\">\n"
	"    <row name=\"A\" y=\"50\">\n"
	"      <seat number=\"2\" x=\"220\"/>\n"
	"      <seat number=\"1\" x=\"180\" wheelchair=\"true\"/>\n"
	"      <seat number=\"3\" x=\"380\" category=\"A\" restricted-view=\"1\"/>\n"
	"    </row>\n"
	"    <row name=\"B\" category=\"A\">\n"
	"      <seat number=\"1\" x=\"200\" y=\"80\" companion=\"true\" label=\"B-1 (付き添い)\"/>\n"
	"      <seat number=\"2\" x=\"240\" y=\"80\" best=\"1\"/>\n"
	"    </row>\n"
	"  </section>\n"
	"</seatmap>\n";

static void a_small_map_is_numbered_in_map_order(void **state)
{
	(void)state;
	assert_int_equal(import(small), MG_OK);
	assert_int_equal(map.width, 400);
	assert_int_equal(map.height, 300);
	assert_true(map.has_stage);
	assert_string_equal(map.stage_label, "舞台");
	assert_int_equal(map.nseats, 5);
	for (size_t i = 0; i < map.nseats; i++)
		assert_int_equal(map.seats[i].seat_no, i + 1);
	assert_string_equal(map.seats[0].label, "1階 A列 2番");
	assert_string_equal(map.seats[0].category, "S");
	assert_int_equal(map.seats[0].y, 50); /* from the row */
	assert_true(map.seats[1].wheelchair);
	assert_string_equal(map.seats[2].category, "A");
	assert_true(map.seats[2].restricted_view);
	assert_string_equal(map.seats[3].label, "B-1 (付き添い)");
	assert_string_equal(map.seats[3].category, "A"); /* from the row over the section */
	assert_true(map.seats[3].companion);
	assert_int_equal(map.seats[3].line, 11);
}

static void rows_are_ordered_left_to_right(void **state)
{
	(void)state;
	assert_int_equal(import(small), MG_OK);
	assert_int_equal(map.seats[0].row_order, 2); /* A2 at x 220 */
	assert_int_equal(map.seats[1].row_order, 1); /* A1 at x 180 */
	assert_int_equal(map.seats[2].row_order, 3);
	assert_int_equal(map.seats[3].row_order, 1);
	assert_int_equal(map.seats[4].row_order, 2);
}

static void ranks_keep_the_maps_own_then_front_rows_and_the_centre(void **state)
{
	(void)state;
	assert_int_equal(import(small), MG_OK);
	assert_int_equal(map.seats[4].best, 1);  /* best="1" */
	/* row A (nearer the stage at y 10) before row B; within A, the centre (x 200) first:
	 * A2 (20 off) and A1 (20 off) tie, map order decides; A3 (180 off) last of the row */
	assert_int_equal(map.seats[0].best, 2);
	assert_int_equal(map.seats[1].best, 3);
	assert_int_equal(map.seats[2].best, 4);
	assert_int_equal(map.seats[3].best, 5);
}

static void expect_refusal(const char *xml, unsigned line, const char *text)
{
	enum mg_err err = import(xml);
	if (err == MG_OK)
		fail_msg("accepted: %s", xml);
	assert_int_equal(problem.line, line);
	const char *got = message();
	if (strstr(got, text) == NULL)
		fail_msg("\"%s\" not in \"%s\"", text, got);
}

static void a_seat_without_x_names_its_line(void **state)
{
	(void)state;
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\"/>\n"
			    "<seat number=\"2\"/>\n</row></section></seatmap>",
		       6, "line 6: seat needs x.");
}

static void refusals_name_their_lines(void **state)
{
	(void)state;
	expect_refusal("<seatmap width=\"10\" height=\"10\">\n<section name=\"s\" category=\"S\">\n<row name=\"A\" y=\"1\">\n"
		       "<seat number=\"1\" x=\"11\"/>\n</row></section></seatmap>",
		       4, "line 4: the seat s A列 1番 (x 11, y 1) is outside the map.");
	expect_refusal(HEAD "<section name=\"1階\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\"/>\n</row></section></seatmap>",
		       5, "has no category");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\">\n<seat number=\"1\" x=\"1\"/>\n</row></section></seatmap>",
		       5, "has no y");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\"/>\n"
			    "<seat number=\"1\" x=\"2\"/>\n</row></section></seatmap>",
		       6, "line 6: the seat 1階 A列 1番 is already on line 5.");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"-1\"/>\n"
			    "</row></section></seatmap>",
		       5, "x=\"-1\" must be a whole number");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\" wheelchair=\"yes\"/>\n"
			    "</row></section></seatmap>",
		       5, "must be true or false");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\" colour=\"red\"/>\n"
			    "</row></section></seatmap>",
		       5, "<seat> cannot have the attribute colour");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<chair number=\"1\" x=\"1\"/>\n"
			    "</row></section></seatmap>",
		       5, "<chair> is not allowed inside <row>");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n</row></section></seatmap>",
		       4, "<row> needs at least one <seat>");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\"/>\n"
			    "</row></section></seatmap>",
		       3, "the category \"S S\"");
	expect_refusal("<map/>", 1, "must start with <seatmap>");
	expect_refusal(HEAD "<section name=\"1階\" category=\"S\">\n<row name=\"A\" y=\"5\">\n<seat number=\"1\" x=\"1\">\n"
			    "</row></section></seatmap>",
		       6, "not well-formed");
	expect_refusal("<?xml version=\"1.0\"?>\n<!DOCTYPE seatmap [<!ENTITY a \"aaaa\">]>\n<seatmap/>", 2, "DOCTYPE");
	expect_refusal("   \n", 0, "empty");
}

static void too_many_seats_are_refused_at_the_first_one_over(void **state)
{
	(void)state;
	size_t cap = 64 * (TICKETS_SEATMAP_MAX_SEATS + 10) + 256;
	char *xml = malloc(cap);
	size_t o = (size_t)snprintf(xml, cap, "<seatmap width=\"100000\" height=\"100\">\n<section name=\"s\" category=\"S\">\n"
						"<row name=\"A\" y=\"1\">\n");
	for (int i = 1; i <= TICKETS_SEATMAP_MAX_SEATS + 1; i++)
		o += (size_t)snprintf(xml + o, cap - o, "<seat number=\"%d\" x=\"%d\"/>\n", i, i % 100000);
	snprintf(xml + o, cap - o, "</row></section></seatmap>\n");
	expect_refusal(xml, 3 + TICKETS_SEATMAP_MAX_SEATS + 1, "more than 50000 seats");
	free(xml);
}

static void a_huge_text_is_refused_before_parsing(void **state)
{
	(void)state;
	size_t len = TICKETS_SEATMAP_MAX_BYTES + 1;
	char *xml = malloc(len + 1);
	memset(xml, ' ', len);
	xml[len] = '\0';
	assert_int_equal(tickets_seatmap_import(arena, xml, len, schema, &map, &problem), MG_ERR_TOO_LARGE);
	free(xml);
}

static void placeholders_are_filled_in_a_translation(void **state)
{
	(void)state;
	struct tickets_seatmap_problem p = { "x", 12, "seat", "x", "" };
	assert_string_equal(tickets_seatmap_problem_text(arena, "{line}行目: {name} には {value} 属性が必要です。", &p),
			    "12行目: seat には x 属性が必要です。");
}

/* The shipped schema accepts what the import accepts and, used on its own, refuses a seat
 * without x (so it is no empty backstop). */
static void the_shipped_schema_agrees(void **state)
{
	(void)state;
	if (schema_path[0] == '\0')
		skip();
	assert_int_equal(import_with(NULL, small), MG_OK);
	assert_int_equal(import(small), MG_OK);
	static const char no_x[] = "<seatmap width=\"10\" height=\"10\"><section name=\"s\" category=\"S\">"
				   "<row name=\"A\" y=\"5\"><seat number=\"1\"/></row></section></seatmap>";
	xmlDocPtr doc = xmlReadMemory(no_x, sizeof(no_x) - 1, "t.xml", NULL, XML_PARSE_NONET);
	xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(schema_path);
	xmlRelaxNGPtr rng = xmlRelaxNGParse(pctxt);
	xmlRelaxNGValidCtxtPtr v = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(v, quiet, NULL);
	assert_int_not_equal(xmlRelaxNGValidateDoc(v, doc), 0);
	xmlRelaxNGFreeValidCtxt(v);
	xmlRelaxNGFree(rng);
	xmlRelaxNGFreeParserCtxt(pctxt);
	xmlFreeDoc(doc);
}

int main(void)
{
	const char *srcdir = getenv("srcdir");
	xmlInitParser();
	struct stat st;
	snprintf(schema_path, sizeof(schema_path), "%s/schema/seatmap.rng", srcdir != NULL ? srcdir : ".");
	schema = stat(schema_path, &st) == 0 ? tickets_seatmap_schema_load(schema_path) : NULL;
	if (schema == NULL)
		schema_path[0] = '\0';
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_small_map_is_numbered_in_map_order, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_are_ordered_left_to_right, setup, teardown),
		cmocka_unit_test_setup_teardown(ranks_keep_the_maps_own_then_front_rows_and_the_centre, setup, teardown),
		cmocka_unit_test_setup_teardown(a_seat_without_x_names_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_name_their_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_seats_are_refused_at_the_first_one_over, setup, teardown),
		cmocka_unit_test_setup_teardown(a_huge_text_is_refused_before_parsing, setup, teardown),
		cmocka_unit_test_setup_teardown(placeholders_are_filled_in_a_translation, setup, teardown),
		cmocka_unit_test_setup_teardown(the_shipped_schema_agrees, setup, teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	tickets_seatmap_schema_free(schema);
	xmlCleanupParser();
	return failed;
}
