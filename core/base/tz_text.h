/*
 * Times as text in the request arena (tz.h does the conversion). Apart from tz.h because the
 * arena logs (arena → log → tz), and tz must not include the arena back.
 */
#ifndef MG_TZ_TEXT_H
#define MG_TZ_TEXT_H

#include <time.h>

#include "arena.h"
#include "tz.h"

/* mg_tz_format's text in the arena; an unknown zone falls back to the platform's zone. */
const char *mg_tz_text(struct mg_arena *arena, const char *zone, time_t t, enum mg_tz_style style, const char *lang);

/* The same for a UNIX_TIMESTAMP() cell ("1797586200"): "" when the cell is NULL, empty or "0"
 * (a time never set). */
const char *mg_tz_text_cell(struct mg_arena *arena, const char *zone, const char *unix_seconds,
			    enum mg_tz_style style, const char *lang);

#endif
