/*
 * What the files of the tickets module share. Each file owns one feature and exports its
 * routes, statements and jobs as tables that tickets.c lists in the descriptor:
 *
 *   seatmap.c    venues, seat-map XML import (schema/seatmap.rng), the SVG seat map
 *   catalog.c    events, performances, categories, ticket types, prices, GA quotas, merchandise
 *   shop.c       the public pages: browse, pick seats, cart, checkout (through core/cart, order)
 *   api.c        the public JSON API v1 (docs/api.md), the same functions as the pages
 *   eticket.c    ticket codes signed with the tenant's Ed25519 key, the printable QR ticket
 *   checkin.c    the gate: check-in page and JSON endpoint
 *   orders.c     back office: orders, box office, cancel/refund, sales, CSV
 *
 * A module reaches the core only through core/module.h.
 */
#ifndef TICKETS_H
#define TICKETS_H

#include <string.h>

#include "core/module.h"

/* Inventory kinds the module sells (core/inventory), namespaced "<module>.<kind>". */
#define TICKETS_KIND_SEAT "tickets.seat"   /* resource: performance id, unit: seat_no */
#define TICKETS_KIND_GA "tickets.ga"     /* resource: tickets_ga_quota id, unit: 1..capacity */
#define TICKETS_KIND_MERCH "tickets.merch" /* resource: tickets_merch id, unit: 1..stock */
#define TICKETS_KIND_PREFIX "tickets."

/* The kind as buyers' forms and API clients see it ("seat", "ga", "merch"): the inventory
 * kind without the module's namespace, as it was before kinds were namespaced. */
static inline const char *tickets_public_kind(const char *kind)
{
	size_t n = sizeof(TICKETS_KIND_PREFIX) - 1;
	return strncmp(kind, TICKETS_KIND_PREFIX, n) == 0 ? kind + n : kind;
}

#endif
