/*
 * Per-request arena: everything a request allocates comes from here and is released at
 * once after the response (nginx r->pool). Allocation failure aborts the process after a
 * log line: a worker that cannot allocate a few kilobytes cannot answer anyway, and the
 * master starts a fresh one (kcgi kmalloc does the same).
 */
#ifndef MG_ARENA_H
#define MG_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct mg_arena;

/* A new arena; free it with mg_arena_free(). */
struct mg_arena *mg_arena_new(void);
void mg_arena_free(struct mg_arena *arena);
/* Forget every allocation but keep the first block for reuse. */
void mg_arena_reset(struct mg_arena *arena);

/* Zeroed memory, aligned for any type, owned by the arena. */
void *mg_arena_alloc(struct mg_arena *arena, size_t size);
/* Copies owned by the arena, always NUL-terminated. */
char *mg_arena_strdup(struct mg_arena *arena, const char *s);
char *mg_arena_strndup(struct mg_arena *arena, const char *s, size_t len);
char *mg_arena_printf(struct mg_arena *arena, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *mg_arena_vprintf(struct mg_arena *arena, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* n in decimal with a comma between each group of three digits ("1,234,567"), as amounts of
 * money are written; owned by the arena. */
char *mg_arena_thousands(struct mg_arena *arena, unsigned long long n);

#endif
