#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

/* Under AddressSanitizer the unused tail of every block is poisoned, so an overrun of one
 * arena allocation into the next is reported like a heap overflow. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { BLOCK_SIZE = 16384, ALIGN = 16 };

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct mg_arena {
	struct block *head; /* newest block first; the last one is kept by reset */
};

static struct block *block_new(size_t size)
{
	struct block *b = malloc(sizeof(*b) + size);
	if (b == NULL) {
		mg_log_error("arena: out of memory allocating %zu bytes", size);
		abort();
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	POISON(b->data, size);
	return b;
}

struct mg_arena *mg_arena_new(void)
{
	struct mg_arena *arena = malloc(sizeof(*arena));
	if (arena == NULL) {
		mg_log_error("arena: out of memory");
		abort();
	}
	arena->head = block_new(BLOCK_SIZE);
	return arena;
}

void mg_arena_reset(struct mg_arena *arena)
{
	while (arena->head->next != NULL) {
		struct block *next = arena->head->next;
		UNPOISON(arena->head->data, arena->head->size);
		free(arena->head);
		arena->head = next;
	}
	arena->head->used = 0;
	POISON(arena->head->data, arena->head->size);
}

void mg_arena_free(struct mg_arena *arena)
{
	if (arena == NULL)
		return;
	mg_arena_reset(arena);
	UNPOISON(arena->head->data, arena->head->size);
	free(arena->head);
	free(arena);
}

void *mg_arena_alloc(struct mg_arena *arena, size_t size)
{
	size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct block *b = arena->head;
	if (need < size) {
		mg_log_error("arena: allocation size overflow");
		abort();
	}
	if (b->size - b->used < need) {
		size_t block_size = need > BLOCK_SIZE ? need : BLOCK_SIZE;
		b = block_new(block_size);
		b->next = arena->head;
		arena->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	UNPOISON(p, size);
	memset(p, 0, size);
	return p;
}

char *mg_arena_strndup(struct mg_arena *arena, const char *s, size_t len)
{
	char *copy = mg_arena_alloc(arena, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *mg_arena_strdup(struct mg_arena *arena, const char *s)
{
	return mg_arena_strndup(arena, s, strlen(s));
}

char *mg_arena_vprintf(struct mg_arena *arena, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		return mg_arena_strdup(arena, "");
	char *out = mg_arena_alloc(arena, (size_t)len + 1);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	return out;
}

char *mg_arena_printf(struct mg_arena *arena, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = mg_arena_vprintf(arena, fmt, ap);
	va_end(ap);
	return out;
}

char *mg_arena_thousands(struct mg_arena *arena, unsigned long long n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", n), o = 0;
	char *out = mg_arena_alloc(arena, (size_t)len + (size_t)len / 3 + 1);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}
