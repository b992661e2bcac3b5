/* Times as text in an arena (see tz_text.h). */
#include <stdlib.h>

#include "tz_text.h"

const char *mg_tz_text(struct mg_arena *arena, const char *zone, time_t t, enum mg_tz_style style, const char *lang)
{
	char text[96];
	if (mg_tz_format(zone, t, style, lang, text, sizeof(text)) == 0)
		mg_tz_format(mg_tz_platform(), t, style, lang, text, sizeof(text));
	return mg_arena_strdup(arena, text);
}

const char *mg_tz_text_cell(struct mg_arena *arena, const char *zone, const char *unix_seconds,
			    enum mg_tz_style style, const char *lang)
{
	char *end = NULL;
	long long t = unix_seconds != NULL ? strtoll(unix_seconds, &end, 10) : 0;
	if (t <= 0 || end == unix_seconds)
		return "";
	return mg_tz_text(arena, zone, (time_t)t, style, lang);
}
