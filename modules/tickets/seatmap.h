/*
 * Venues, seat maps and the seat map as a picture (issue 4, items 2 and 6):
 *
 *   seatmap.c         back office: venues, a venue's maps, uploading a map (a textarea with
 *                     the XML: the core's body parser takes urlencoded forms), its preview; the
 *                     `madoguchi tickets import-map` command; loading a map; the SVG renderer
 *   seatmap_import.c  XML → seats (pure; schema/seatmap.rng)
 *   seatmap_chart.c   the staff's live seat chart of a performance, blocking and releasing seats
 *
 * How the seat map is drawn and picked (for the public seat picker and for staff):
 *
 *   The picture is an SVG (template tickets/seatmap_svg) made for seeing: each seat is a shape
 *   with a <title> "label — category — state", and the state shows in the shape as well as in
 *   the colour (free: an open circle; selected: a filled circle with a ring; held: a hatched
 *   circle; sold: a filled square; blocked: a crossed square; a wheelchair space has an outer
 *   ring, a restricted view a dashed edge), with a legend drawn under the map. It needs no
 *   JavaScript.
 *
 *   Choosing is done with real form controls beside it (template tickets/seatmap_picker): one
 *   fieldset per section, a group per row, and a checkbox (name "seat", value seat_no) for each
 *   free or already selected seat, labelled with the seat's label and category. Sold, held and
 *   blocked seats have no control. So a keyboard or screen-reader user tabs through the free
 *   seats of a row in order and submits the form; nothing depends on pointing at the SVG.
 *   A page includes both inside its own <form>, with its data holding the result of
 *   tickets_seatmap_json() under "seatmap":
 *
 *       <div m:include="tickets/seatmap_svg"/>   <div m:include="tickets/seatmap_picker"/>
 */
#ifndef TICKETS_SEATMAP_H
#define TICKETS_SEATMAP_H

#include "seatmap_import.h"
#include "tickets.h"

/* ---- for the other tickets features (shop, api, catalog, orders) ---- */

/* A stored map: its seats in seat_no order (seat i is unit i+1), in the arena. */
struct tickets_map {
	uint64_t id, venue_id;
	const char *venue_name;
	struct tickets_seatmap map; /* width, height, name, stage, seats */
};

/* Loads one map of the tenant; MG_ERR_NOT_FOUND when the tenant has none with that id. */
enum mg_err tickets_seatmap_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, uint64_t seat_map_id,
				 struct tickets_map *out);

/*
 * The data tickets/seatmap_svg and tickets/seatmap_picker read (put it under "seatmap").
 * states: each unit's state now (mg_inventory_view of kind "seat", resource = the
 * performance), or NULL for a plain map (every seat drawn free, no controls). A seat with no
 * unit counts as blocked. selected: seat_nos the viewer holds (drawn selected, checked in the
 * picker). selectable: whether the picker has controls. Never NULL (aborts on no memory, as
 * jansson's callers here do).
 */
json_t *tickets_seatmap_json(struct mg_ctx *ctx, const struct tickets_map *map, const struct mg_unit_view *states,
			     const uint32_t *selected, size_t nselected, bool selectable);

/* The map as a standalone SVG document (image/svg+xml) into out, same arguments as above. */
enum mg_err tickets_seatmap_svg(struct mg_ctx *ctx, uint64_t seat_map_id, const struct mg_unit_view *states,
				const uint32_t *selected, size_t nselected, bool selectable, struct mg_buf *out);

/* The RelaxNG schema of the worker (parsed on first use from mg_schema_dir()/seatmap.rng);
 * NULL if it cannot be read (then imports are refused). */
const struct tickets_seatmap_schema *tickets_seatmap_schema(void);

/* ---- for tickets.c's tables (routes, fields, the command) ---- */
#define TICKETS_VENUE "/tickets/venues/" MG_ID_GROUP("venue")
#define TICKETS_MAP "/tickets/maps/" MG_ID_GROUP("map")
#define TICKETS_CHART "/tickets/performances/" MG_ID_GROUP("performance") "/seats"
enum mg_err tickets_seatmap_venues_page(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_venue_create(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_venue_page(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_map_upload(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_map_page(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_map_svg(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_chart_page(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_chart_change(struct mg_ctx *ctx);
enum mg_err tickets_seatmap_picker_preview(struct mg_ctx *ctx);
extern const struct mg_field tickets_venue_fields[], tickets_seatmap_fields[], tickets_seatmap_chart_query[],
	tickets_seatmap_chart_fields[], tickets_seatmap_picker_query[];
/* `madoguchi tickets import-map --tenant SLUG (--venue ID | --venue-name NAME) [--name NAME] FILE` */
int tickets_seatmap_import_command(struct mg_db *db, int argc, char **argv);
/* The staff chart's data: like tickets_seatmap_json, with controls on free and blocked seats. */
json_t *tickets_seatmap_chart_json(struct mg_ctx *ctx, const struct tickets_map *map, const struct mg_unit_view *states);

#endif
