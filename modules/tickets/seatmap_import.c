/*
 * Seat-map XML → seats: parse (no network, no DTD), walk with our own checks that name the
 * line, validate with schema/seatmap.rng, then number and rank the seats. See seatmap_import.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "seatmap_import.h"

struct tickets_seatmap_schema {
	xmlRelaxNGPtr rng;
};

struct tickets_seatmap_schema *tickets_seatmap_schema_load(const char *path)
{
	struct tickets_seatmap_schema *schema = NULL;
	xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
	xmlRelaxNGPtr rng = pctxt ? xmlRelaxNGParse(pctxt) : NULL;
	if (pctxt != NULL)
		xmlRelaxNGFreeParserCtxt(pctxt);
	if (rng == NULL) {
		mg_log_error("seatmap: cannot load the RelaxNG schema %s", path);
		return NULL;
	}
	schema = calloc(1, sizeof(*schema));
	if (schema == NULL) {
		xmlRelaxNGFree(rng);
		return NULL;
	}
	schema->rng = rng;
	return schema;
}

void tickets_seatmap_schema_free(struct tickets_seatmap_schema *schema)
{
	if (schema == NULL)
		return;
	xmlRelaxNGFree(schema->rng);
	free(schema);
}

/* ---- problems ---- */

struct walk {
	struct mg_arena *arena;
	struct tickets_seatmap *map;
	struct tickets_seatmap_problem *problem;
	size_t cap;
};

static bool refuse(struct walk *w, unsigned line, const char *msgid, const char *name, const char *value,
		   const char *other)
{
	w->problem->msgid = msgid;
	w->problem->line = line;
	w->problem->name = mg_arena_strdup(w->arena, name ? name : "");
	w->problem->value = mg_arena_strdup(w->arena, value ? value : "");
	w->problem->other = mg_arena_strdup(w->arena, other ? other : "");
	return false;
}

const char *tickets_seatmap_problem_text(struct mg_arena *arena, const char *text,
					 const struct tickets_seatmap_problem *problem)
{
	static const char *const keys[] = { "{line}", "{name}", "{value}", "{other}" };
	char line[24];
	snprintf(line, sizeof(line), "%u", problem->line);
	const char *values[] = { line, problem->name, problem->value, problem->other };
	size_t cap = strlen(text) + 1;
	for (size_t k = 0; k < 4; k++)
		cap += strlen(values[k] ? values[k] : "") * 4; /* each placeholder at most a few times */
	char *out = mg_arena_alloc(arena, cap), *o = out;
	while (*text != '\0') {
		size_t k = 0;
		while (k < 4 && strncmp(text, keys[k], strlen(keys[k])) != 0)
			k++;
		const char *v = k < 4 ? (values[k] ? values[k] : "") : NULL;
		if (v != NULL && (size_t)(o - out) + strlen(v) + strlen(text) < cap) {
			o = stpcpy(o, v);
			text += strlen(keys[k]);
		} else {
			*o++ = *text++;
		}
	}
	*o = '\0';
	return out;
}

/* ---- attributes ---- */

static unsigned line_of(const xmlNode *node)
{
	long line = xmlGetLineNo(node);
	return line > 0 ? (unsigned)line : 0;
}

static const char *node_name(const xmlNode *node)
{
	return (const char *)node->name;
}

/* The attribute's value in the arena, or NULL when absent. */
static const char *attr(struct walk *w, xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
	if (v == NULL)
		return NULL;
	const char *copy = mg_arena_strdup(w->arena, (const char *)v);
	xmlFree(v);
	return copy;
}

static bool only_known_attributes(struct walk *w, xmlNode *node, const char *const *known)
{
	for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
		size_t i = 0;
		while (known[i] != NULL && (a->ns != NULL || strcmp(known[i], (const char *)a->name) != 0))
			i++;
		if (known[i] == NULL)
			return refuse(w, line_of(node), N_("line {line}: <{name}> cannot have the attribute {value}."),
				      node_name(node), (const char *)a->name, NULL);
	}
	return true;
}

static bool required(struct walk *w, xmlNode *node, const char *name, const char **out)
{
	if ((*out = attr(w, node, name)) == NULL)
		return refuse(w, line_of(node), N_("line {line}: {name} needs {value}."), node_name(node), name, NULL);
	return true;
}

static size_t characters(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A text attribute of 1..max characters, or absent (NULL). */
static bool text_ok(struct walk *w, xmlNode *node, const char *name, const char *value, size_t max)
{
	if (value == NULL)
		return true;
	if (value[0] == '\0' || strspn(value, " \t\r\n") == strlen(value))
		return refuse(w, line_of(node), N_("line {line}: {name} must not be empty."), name, NULL, NULL);
	if (characters(value) > max) {
		char limit[16];
		snprintf(limit, sizeof(limit), "%zu", max);
		return refuse(w, line_of(node), N_("line {line}: {name}=\"{value}\" is too long (at most {other} characters)."),
			      name, value, limit);
	}
	return true;
}

/* A whole number in min..max, written in plain digits. */
static bool number_ok(struct walk *w, xmlNode *node, const char *name, const char *value, long min, long max, long *out)
{
	size_t len = strlen(value);
	if (len == 0 || len > 6 || strspn(value, "0123456789") != len || (*out = strtol(value, NULL, 10)) < min ||
	    *out > max) {
		char range[48];
		snprintf(range, sizeof(range), "%ld–%ld", min, max);
		return refuse(w, line_of(node), N_("line {line}: {name}=\"{value}\" must be a whole number from {other}."),
			      name, value, range);
	}
	return true;
}

static bool flag_ok(struct walk *w, xmlNode *node, const char *name, bool *out)
{
	const char *v = attr(w, node, name);
	*out = false;
	if (v == NULL)
		return true;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
		return refuse(w, line_of(node), N_("line {line}: {name}=\"{value}\" must be true or false."), name, v, NULL);
	return true;
}

static bool category_ok(struct walk *w, xmlNode *node, const char *value)
{
	if (value == NULL)
		return true;
	size_t len = strlen(value);
	if (len == 0 || len > 16 ||
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != len)
		return refuse(w, line_of(node),
			      N_("line {line}: the category \"{value}\" may hold only letters, digits, '-' and '_' (at most 16)."),
			      NULL, value, NULL);
	return true;
}

/* ---- elements ---- */

/* The element children of node, refusing text, entity references and foreign elements. Calls
 * each for the ones named child; anything else is refused. */
typedef bool (*child_fn)(struct walk *w, xmlNode *child, void *arg);

static bool each_child(struct walk *w, xmlNode *node, const char *child, child_fn each, void *arg, size_t *count)
{
	*count = 0;
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type == XML_TEXT_NODE) {
			const char *t = (const char *)c->content;
			if (t != NULL && strspn(t, " \t\r\n") != strlen(t))
				return refuse(w, line_of(c), N_("line {line}: text is not allowed inside <{name}>."),
					      node_name(node), NULL, NULL);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || c->ns != NULL || strcmp(node_name(c), child) != 0)
			return refuse(w, line_of(c), N_("line {line}: <{name}> is not allowed inside <{other}>."),
				      c->type == XML_ELEMENT_NODE ? node_name(c) : "?", NULL, node_name(node));
		if (!each(w, c, arg))
			return false;
		(*count)++;
	}
	return true;
}

struct place {
	const char *section, *section_category;
	const char *row, *row_category;
	long row_y;
	bool row_has_y;
};

static bool seat(struct walk *w, xmlNode *node, void *arg)
{
	static const char *const known[] = { "number", "x", "y", "category", "label", "best", "wheelchair",
					     "companion", "restricted-view", NULL };
	const struct place *p = arg;
	struct tickets_seatmap *map = w->map;
	if (map->nseats >= TICKETS_SEATMAP_MAX_SEATS) {
		char limit[16];
		snprintf(limit, sizeof(limit), "%d", TICKETS_SEATMAP_MAX_SEATS);
		return refuse(w, line_of(node), N_("line {line}: the map has more than {value} seats."), NULL, limit, NULL);
	}
	const char *number, *x_text, *y_text, *category, *label, *best_text;
	long x, y = p->row_y, best = 0;
	if (!only_known_attributes(w, node, known) || !required(w, node, "number", &number) ||
	    !text_ok(w, node, "number", number, 16) || !required(w, node, "x", &x_text) ||
	    !number_ok(w, node, "x", x_text, 0, TICKETS_SEATMAP_MAX_EXTENT, &x))
		return false;
	const char *name = mg_arena_printf(w->arena, "%s %s列 %s番", p->section, p->row, number);
	y_text = attr(w, node, "y");
	if (y_text == NULL && !p->row_has_y)
		return refuse(w, line_of(node), N_("line {line}: the seat {value} has no y (give one on the seat or its row)."),
			      NULL, name, NULL);
	if (y_text != NULL && !number_ok(w, node, "y", y_text, 0, TICKETS_SEATMAP_MAX_EXTENT, &y))
		return false;
	category = attr(w, node, "category");
	if (!category_ok(w, node, category))
		return false;
	if (category == NULL)
		category = p->row_category ? p->row_category : p->section_category;
	if (category == NULL)
		return refuse(w, line_of(node),
			      N_("line {line}: the seat {value} has no category (give one on the seat, its row or its section)."),
			      NULL, name, NULL);
	label = attr(w, node, "label");
	if (!text_ok(w, node, "label", label, 120))
		return false;
	if ((best_text = attr(w, node, "best")) != NULL &&
	    !number_ok(w, node, "best", best_text, 1, TICKETS_SEATMAP_MAX_SEATS * 10L, &best))
		return false;
	if (x > (long)map->width || y > (long)map->height) {
		char size[48];
		snprintf(size, sizeof(size), "%u×%u", map->width, map->height);
		return refuse(w, line_of(node), N_("line {line}: the seat {value} (x {name}, y {other}) is outside the map."),
			      mg_arena_printf(w->arena, "%ld", x), name, mg_arena_printf(w->arena, "%ld", y));
	}
	if (map->nseats == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct tickets_seat *seats = mg_arena_alloc(w->arena, cap * sizeof(*seats));
		if (map->nseats > 0)
			memcpy(seats, map->seats, map->nseats * sizeof(*seats));
		map->seats = seats;
		w->cap = cap;
	}
	struct tickets_seat *s = &map->seats[map->nseats++];
	*s = (struct tickets_seat){ .seat_no = (uint32_t)map->nseats, .section = p->section, .row = p->row,
				    .number = number, .label = label ? label : name, .category = category,
				    .x = (int)x, .y = (int)y, .best = (uint32_t)best, .line = line_of(node) };
	return flag_ok(w, node, "wheelchair", &s->wheelchair) && flag_ok(w, node, "companion", &s->companion) &&
	       flag_ok(w, node, "restricted-view", &s->restricted_view);
}

static bool row(struct walk *w, xmlNode *node, void *arg)
{
	static const char *const known[] = { "name", "category", "y", NULL };
	struct place p = *(const struct place *)arg;
	const char *y_text;
	size_t count;
	if (!only_known_attributes(w, node, known) || !required(w, node, "name", &p.row) ||
	    !text_ok(w, node, "name", p.row, 16))
		return false;
	p.row_category = attr(w, node, "category");
	if (!category_ok(w, node, p.row_category))
		return false;
	p.row_has_y = (y_text = attr(w, node, "y")) != NULL;
	if (p.row_has_y && !number_ok(w, node, "y", y_text, 0, TICKETS_SEATMAP_MAX_EXTENT, &p.row_y))
		return false;
	if (!each_child(w, node, "seat", seat, &p, &count))
		return false;
	if (count == 0)
		return refuse(w, line_of(node), N_("line {line}: <{name}> needs at least one <{value}>."), "row", "seat", NULL);
	return true;
}

static bool section(struct walk *w, xmlNode *node, void *arg)
{
	(void)arg;
	static const char *const known[] = { "name", "category", NULL };
	struct place p = { 0 };
	size_t count;
	if (!only_known_attributes(w, node, known) || !required(w, node, "name", &p.section) ||
	    !text_ok(w, node, "name", p.section, 64))
		return false;
	p.section_category = attr(w, node, "category");
	if (!category_ok(w, node, p.section_category) || !each_child(w, node, "row", row, &p, &count))
		return false;
	if (count == 0)
		return refuse(w, line_of(node), N_("line {line}: <{name}> needs at least one <{value}>."), "section", "row",
			      NULL);
	return true;
}

static bool stage(struct walk *w, xmlNode *node)
{
	static const char *const known[] = { "x", "y", "width", "height", "label", NULL };
	struct tickets_seatmap *map = w->map;
	const char *x, *y, *width, *height;
	long vx, vy, vw, vh;
	if (!only_known_attributes(w, node, known) || !required(w, node, "x", &x) ||
	    !number_ok(w, node, "x", x, 0, TICKETS_SEATMAP_MAX_EXTENT, &vx) || !required(w, node, "y", &y) ||
	    !number_ok(w, node, "y", y, 0, TICKETS_SEATMAP_MAX_EXTENT, &vy) || !required(w, node, "width", &width) ||
	    !number_ok(w, node, "width", width, 1, TICKETS_SEATMAP_MAX_EXTENT, &vw) ||
	    !required(w, node, "height", &height) ||
	    !number_ok(w, node, "height", height, 1, TICKETS_SEATMAP_MAX_EXTENT, &vh))
		return false;
	const char *label = attr(w, node, "label");
	if (label != NULL && characters(label) > 200)
		return text_ok(w, node, "label", label, 200);
	if (vx + vw > (long)map->width || vy + vh > (long)map->height)
		return refuse(w, line_of(node), N_("line {line}: the stage is outside the map."), NULL, NULL, NULL);
	map->has_stage = true;
	map->stage_x = (int)vx, map->stage_y = (int)vy, map->stage_width = (int)vw, map->stage_height = (int)vh;
	map->stage_label = label ? label : "";
	return true;
}

static bool root(struct walk *w, xmlNode *node)
{
	static const char *const known[] = { "width", "height", "name", NULL };
	struct tickets_seatmap *map = w->map;
	const char *width, *height;
	long vw, vh;
	if (node == NULL)
		return refuse(w, 1, N_("The seat map is empty."), NULL, NULL, NULL);
	if (node->ns != NULL || strcmp(node_name(node), "seatmap") != 0)
		return refuse(w, line_of(node), N_("line {line}: the map must start with <seatmap>, not <{name}>."),
			      node_name(node), NULL, NULL);
	if (!only_known_attributes(w, node, known) || !required(w, node, "width", &width) ||
	    !number_ok(w, node, "width", width, 1, TICKETS_SEATMAP_MAX_EXTENT, &vw) ||
	    !required(w, node, "height", &height) ||
	    !number_ok(w, node, "height", height, 1, TICKETS_SEATMAP_MAX_EXTENT, &vh))
		return false;
	map->width = (unsigned)vw, map->height = (unsigned)vh;
	map->name = attr(w, node, "name");
	if (map->name == NULL)
		map->name = "";
	else if (characters(map->name) > 200)
		return text_ok(w, node, "name", map->name, 200);
	/* an optional <stage> first, then the sections */
	size_t sections = 0;
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type == XML_TEXT_NODE) {
			const char *t = (const char *)c->content;
			if (t != NULL && strspn(t, " \t\r\n") != strlen(t))
				return refuse(w, line_of(c), N_("line {line}: text is not allowed inside <{name}>."),
					      node_name(node), NULL, NULL);
			continue;
		}
		bool element = c->type == XML_ELEMENT_NODE && c->ns == NULL;
		if (element && sections == 0 && !map->has_stage && strcmp(node_name(c), "stage") == 0) {
			if (!stage(w, c))
				return false;
		} else if (element && strcmp(node_name(c), "section") == 0) {
			if (!section(w, c, NULL))
				return false;
			sections++;
		} else {
			return refuse(w, line_of(c), N_("line {line}: <{name}> is not allowed inside <{other}>."),
				      c->type == XML_ELEMENT_NODE ? node_name(c) : "?", NULL, node_name(node));
		}
	}
	if (sections == 0)
		return refuse(w, line_of(node), N_("line {line}: <{name}> needs at least one <{value}>."), "seatmap",
			      "section", NULL);
	return true;
}

/* ---- duplicates, order and rank ---- */

static int by_place(const void *a, const void *b)
{
	const struct tickets_seat *x = *(const struct tickets_seat *const *)a, *y = *(const struct tickets_seat *const *)b;
	int c;
	/* ASCII case is folded as the database's collation folds it (its unique key is the judge) */
	if ((c = strcasecmp(x->section, y->section)) != 0 || (c = strcasecmp(x->row, y->row)) != 0)
		return c;
	if ((c = strcasecmp(x->number, y->number)) != 0)
		return c;
	return x->seat_no < y->seat_no ? -1 : x->seat_no > y->seat_no;
}

static bool no_duplicates(struct walk *w, const struct tickets_seat **sorted, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct tickets_seat *a = sorted[i - 1], *b = sorted[i];
		if (strcasecmp(a->section, b->section) == 0 && strcasecmp(a->row, b->row) == 0 &&
		    strcasecmp(a->number, b->number) == 0)
			return refuse(w, b->line, N_("line {line}: the seat {value} is already on line {other}."), NULL,
				      mg_arena_printf(w->arena, "%s %s列 %s番", b->section, b->row, b->number),
				      mg_arena_printf(w->arena, "%u", a->line));
	}
	return true;
}

struct ranked {
	struct tickets_seat *seat;
	double front, centre;
};

static int by_row_then_x(const void *a, const void *b)
{
	const struct tickets_seat *x = *(const struct tickets_seat *const *)a, *y = *(const struct tickets_seat *const *)b;
	int c;
	if ((c = strcasecmp(x->section, y->section)) != 0 || (c = strcasecmp(x->row, y->row)) != 0)
		return c;
	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	return x->seat_no < y->seat_no ? -1 : x->seat_no > y->seat_no;
}

static int by_goodness(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->front != y->front)
		return x->front < y->front ? -1 : 1;
	if (x->centre != y->centre)
		return x->centre < y->centre ? -1 : 1;
	return x->seat->seat_no < y->seat->seat_no ? -1 : x->seat->seat_no > y->seat->seat_no;
}

static void rank_seats(struct mg_arena *arena, struct tickets_seatmap *map, struct tickets_seat **sorted)
{
	size_t n = map->nseats;
	double stage_y = map->has_stage ? map->stage_y + map->stage_height / 2.0 : 0.0;
	double centre_x = map->has_stage ? map->stage_x + map->stage_width / 2.0 : map->width / 2.0;
	struct ranked *r = mg_arena_alloc(arena, n * sizeof(*r));
	size_t nr = 0;
	uint32_t max_explicit = 0;
	qsort(sorted, n, sizeof(*sorted), by_row_then_x);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double sum_y = 0;
		while (j < n && strcasecmp(sorted[j]->section, sorted[i]->section) == 0 &&
		       strcasecmp(sorted[j]->row, sorted[i]->row) == 0) {
			sorted[j]->row_order = (uint32_t)(j - i + 1);
			sum_y += sorted[j]->y;
			j++;
		}
		double front = sum_y / (double)(j - i) - stage_y;
		for (size_t k = i; k < j; k++) {
			struct tickets_seat *s = sorted[k];
			if (s->best > 0) {
				max_explicit = s->best > max_explicit ? s->best : max_explicit;
				continue;
			}
			double centre = s->x - centre_x;
			r[nr++] = (struct ranked){ s, front < 0 ? -front : front, centre < 0 ? -centre : centre };
		}
		i = j;
	}
	qsort(r, nr, sizeof(*r), by_goodness);
	for (size_t i = 0; i < nr; i++)
		r[i].seat->best = max_explicit + (uint32_t)i + 1;
}

/* ---- the whole import ---- */

struct first_error {
	unsigned line;
	char message[256];
	bool set;
};

static void keep_first_error(void *arg, xmlErrorPtr error)
{
	struct first_error *first = arg;
	if (first->set || error == NULL || error->level < XML_ERR_ERROR)
		return;
	first->set = true;
	first->line = error->line > 0 ? (unsigned)error->line : 0;
	snprintf(first->message, sizeof(first->message), "%s", error->message ? error->message : "");
	size_t len = strlen(first->message);
	while (len > 0 && (first->message[len - 1] == '\n' || first->message[len - 1] == ' '))
		first->message[--len] = '\0';
}

static unsigned line_at(const char *xml, const char *at)
{
	unsigned line = 1;
	for (const char *p = xml; p < at; p++)
		line += *p == '\n';
	return line;
}

static bool parse_document(struct walk *w, const char *xml, size_t len, xmlDocPtr *doc)
{
	const char *doctype = memmem(xml, len, "<!DOCTYPE", 9);
	if (doctype == NULL)
		doctype = memmem(xml, len, "<!ENTITY", 8);
	if (doctype != NULL)
		return refuse(w, line_at(xml, doctype),
			      N_("line {line}: a DOCTYPE or entity declaration is not allowed in a seat map."), NULL, NULL,
			      NULL);
	struct first_error first = { 0 };
	xmlSetStructuredErrorFunc(&first, keep_first_error);
	*doc = xmlReadMemory(xml, (int)len, "seatmap.xml", NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (*doc == NULL || first.set)
		return refuse(w, first.line, N_("line {line}: the XML is not well-formed: {value}"), NULL,
			      first.set ? first.message : "?", NULL);
	if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL)
		return refuse(w, 1, N_("line {line}: a DOCTYPE or entity declaration is not allowed in a seat map."), NULL,
			      NULL, NULL);
	return true;
}

static bool schema_valid(struct walk *w, const struct tickets_seatmap_schema *schema, xmlDocPtr doc)
{
	if (schema == NULL)
		return true;
	struct first_error first = { 0 };
	xmlRelaxNGValidCtxtPtr v = xmlRelaxNGNewValidCtxt(schema->rng);
	if (v == NULL)
		return refuse(w, 0, N_("line {line}: the seat map does not follow the schema: {value}"), NULL, "?", NULL);
	xmlRelaxNGSetValidStructuredErrors(v, keep_first_error, &first);
	int rc = xmlRelaxNGValidateDoc(v, doc);
	xmlRelaxNGFreeValidCtxt(v);
	if (rc != 0)
		return refuse(w, first.line, N_("line {line}: the seat map does not follow the schema: {value}"), NULL,
			      first.set ? first.message : "?", NULL);
	return true;
}

/* True when the len bytes at s (not NUL-terminated: a fuzzer's or a file's) are all white space. */
static bool only_blanks(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

enum mg_err tickets_seatmap_import(struct mg_arena *arena, const char *xml, size_t len,
				   const struct tickets_seatmap_schema *schema, struct tickets_seatmap *out,
				   struct tickets_seatmap_problem *problem)
{
	struct walk w = { arena, out, problem, 0 };
	xmlDocPtr doc = NULL;
	enum mg_err err = MG_ERR_INPUT;
	memset(out, 0, sizeof(*out));
	memset(problem, 0, sizeof(*problem));
	if (len > TICKETS_SEATMAP_MAX_BYTES) {
		char limit[24];
		snprintf(limit, sizeof(limit), "%d", TICKETS_SEATMAP_MAX_BYTES);
		refuse(&w, 0, N_("The seat map is larger than {value} bytes."), NULL, limit, NULL);
		return MG_ERR_TOO_LARGE;
	}
	if (xml == NULL || only_blanks(xml, len)) {
		refuse(&w, 0, N_("The seat map is empty."), NULL, NULL, NULL);
		return MG_ERR_INPUT;
	}
	/* our checks first: they say the usual mistakes in plainer words than the schema's */
	if (!parse_document(&w, xml, len, &doc) || !root(&w, xmlDocGetRootElement(doc)) ||
	    !schema_valid(&w, schema, doc))
		goto out;
	struct tickets_seat **sorted = mg_arena_alloc(arena, out->nseats * sizeof(*sorted));
	for (size_t i = 0; i < out->nseats; i++)
		sorted[i] = &out->seats[i];
	qsort(sorted, out->nseats, sizeof(*sorted), by_place);
	if (!no_duplicates(&w, (const struct tickets_seat **)sorted, out->nseats))
		goto out;
	rank_seats(arena, out, sorted);
	err = MG_OK;
out:
	xmlFreeDoc(doc);
	if (err != MG_OK)
		memset(out, 0, sizeof(*out));
	return err;
}
