/*
 * The rentals module's parts (rentals.c holds the descriptor): the JSON API (api.c) and the
 * pure rules (fees.h).
 */
#ifndef RENTALS_H
#define RENTALS_H

#include "core/module.h"
#include "fees.h"

enum mg_err rentals_api_rooms(struct mg_ctx *ctx);

#define RENTALS_API_ROUTES                                                                                            \
	{ "GET", "/api/v1/rooms", rentals_api_rooms, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS,                             \
	  "API: the rooms that can be booked, with their parts" },

#define RENTALS_API_STATEMENTS                                                                                        \
	[RENTALS_SQL_API_ROOMS] = { "rentals.api_rooms",                                                              \
	  "SELECT r.id, r.name, r.capacity, r.parent_room_id FROM rentals_room r"                                     \
	  " JOIN rentals_facility f ON f.tenant_id = r.tenant_id AND f.id = r.facility_id"                           \
	  " WHERE r.tenant_id = ? AND r.active = 1"                                                                   \
	  " ORDER BY f.id, COALESCE(r.parent_room_id, r.id), r.parent_room_id IS NOT NULL, r.sort_order, r.id" },

/* The statements of rentals_statements (rentals.c); a call names one as &rentals_statements[<constant>]. */
enum rentals_sql {
	RENTALS_SQL_API_ROOMS,
	RENTALS_SQL__MAX
};
extern const struct mg_sql rentals_statements[RENTALS_SQL__MAX + 1];

#endif
