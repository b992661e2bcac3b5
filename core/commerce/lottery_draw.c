/*
 * The pure part of the lottery (core/commerce/lottery.h): canonical order, canonical document,
 * entries hash and the draw itself. No database and no clock, so the unit tests and anyone
 * re-implementing docs/lottery.md get the same answer from the same seed and entries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "lottery.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_item(const void *a, const void *b)
{
	return cmp_u64(&((const struct mg_lottery_item *)a)->id, &((const struct mg_lottery_item *)b)->id);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct mg_lottery_entry *x = a, *y = b;
	if (x->applicant != y->applicant)
		return x->applicant < y->applicant ? -1 : 1;
	return x->member < y->member ? -1 : x->member > y->member;
}

static const struct mg_lottery_item *find_item(const struct mg_lottery_item *items, size_t n, uint64_t id)
{
	struct mg_lottery_item key = { id, 0 };
	return bsearch(&key, items, n, sizeof(*items), cmp_item);
}

enum mg_err mg_lottery_canonicalise(struct mg_lottery_item *items, size_t nitems, struct mg_lottery_entry *entries,
				    size_t nentries)
{
	qsort(items, nitems, sizeof(*items), cmp_item);
	for (size_t i = 1; i < nitems; i++)
		if (items[i].id == items[i - 1].id)
			return MG_ERR_INPUT;
	qsort(entries, nentries, sizeof(*entries), cmp_entry);
	for (size_t i = 0; i < nentries; i++) {
		struct mg_lottery_entry *e = &entries[i];
		if (i > 0 && cmp_entry(e, &entries[i - 1]) == 0)
			return MG_ERR_INPUT;
		if (e->nchoices == 0 || e->nchoices > MG_LOTTERY_MAX_CHOICES || e->max_wins == 0)
			return MG_ERR_INPUT;
		for (unsigned r = 0; r < e->nchoices; r++) {
			struct mg_lottery_choice *c = &e->choices[r];
			if (c->nitems == 0 || c->nitems > MG_LOTTERY_MAX_BUNDLE)
				return MG_ERR_INPUT;
			qsort(c->items, c->nitems, sizeof(c->items[0]), cmp_u64);
			for (unsigned k = 0; k < c->nitems; k++) {
				if (k > 0 && c->items[k] == c->items[k - 1])
					return MG_ERR_INPUT;
				if (find_item(items, nitems, c->items[k]) == NULL)
					return MG_ERR_INPUT;
			}
		}
	}
	return MG_OK;
}

char *mg_lottery_choices_text(struct mg_arena *arena, const struct mg_lottery_entry *e)
{
	struct mg_buf b;
	mg_buf_init(&b);
	for (unsigned r = 0; r < e->nchoices; r++) {
		for (unsigned k = 0; k < e->choices[r].nitems; k++) {
			char num[24];
			int n = snprintf(num, sizeof(num), "%s%" PRIu64, k > 0 ? "," : (r > 0 ? ";" : ""),
					 e->choices[r].items[k]);
			mg_buf_append(&b, num, (size_t)n);
		}
	}
	char *out = mg_arena_strdup(arena, b.data != NULL ? b.data : "");
	mg_buf_free(&b);
	return out;
}

enum mg_err mg_lottery_choices_parse(const char *text, struct mg_lottery_entry *e)
{
	e->nchoices = 0;
	const char *p = text;
	if (p == NULL || *p == '\0')
		return MG_ERR_INPUT;
	struct mg_lottery_choice *c = &e->choices[0];
	memset(c, 0, sizeof(*c));
	e->nchoices = 1;
	for (;;) {
		if (*p < '0' || *p > '9')
			return MG_ERR_INPUT;
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return MG_ERR_INPUT;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		if (v == 0 || c->nitems >= MG_LOTTERY_MAX_BUNDLE)
			return MG_ERR_INPUT;
		c->items[c->nitems++] = v;
		if (*p == '\0')
			return MG_OK;
		if (*p == ';') {
			if (e->nchoices >= MG_LOTTERY_MAX_CHOICES)
				return MG_ERR_INPUT;
			c = &e->choices[e->nchoices++];
			memset(c, 0, sizeof(*c));
		} else if (*p != ',') {
			return MG_ERR_INPUT;
		}
		p++;
	}
}

char *mg_lottery_document(struct mg_arena *arena, uint64_t draw_id, const struct mg_lottery_item *items,
			  size_t nitems, const struct mg_lottery_entry *entries, size_t nentries, size_t *len)
{
	struct mg_buf b;
	mg_buf_init(&b);
	char line[128];
	int n = snprintf(line, sizeof(line), "madoguchi-lottery-v1\ndraw %" PRIu64 "\n", draw_id);
	mg_buf_append(&b, line, (size_t)n);
	for (size_t i = 0; i < nitems; i++) {
		n = snprintf(line, sizeof(line), "item %" PRIu64 " %" PRIu32 "\n", items[i].id, items[i].capacity);
		mg_buf_append(&b, line, (size_t)n);
	}
	for (size_t i = 0; i < nentries; i++) {
		const struct mg_lottery_entry *e = &entries[i];
		n = snprintf(line, sizeof(line), "entry %" PRIu64 ".%" PRIu32 " %" PRIu32 " ", e->applicant, e->member,
			     e->max_wins);
		mg_buf_append(&b, line, (size_t)n);
		const char *choices = mg_lottery_choices_text(arena, e);
		mg_buf_append(&b, choices, strlen(choices));
		mg_buf_append(&b, "\n", 1);
	}
	*len = b.len;
	char *out = mg_arena_alloc(arena, b.len + 1);
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	mg_buf_free(&b);
	return out;
}

void mg_lottery_entries_hash(struct mg_arena *arena, uint64_t draw_id, const struct mg_lottery_item *items,
			     size_t nitems, const struct mg_lottery_entry *entries, size_t nentries, char out[65])
{
	size_t len = 0;
	const char *doc = mg_lottery_document(arena, draw_id, items, nitems, entries, nentries, &len);
	mg_sha256_hex(doc, len, out);
}

/* An entry's place in the order of one rank: HMAC-SHA256(seed, "<rank>:<applicant>.<member>"). */
struct ranked {
	char priority[65];
	size_t entry;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->priority, y->priority);
	return c != 0 ? c : (x->entry < y->entry ? -1 : x->entry > y->entry);
}

enum mg_err mg_lottery_compute(const unsigned char seed[MG_LOTTERY_SEED_BYTES], const struct mg_lottery_item *items,
			       size_t nitems, struct mg_lottery_entry *entries, size_t nentries)
{
	uint32_t *left = calloc(nitems > 0 ? nitems : 1, sizeof(*left));
	uint32_t *wins = calloc(nentries > 0 ? nentries : 1, sizeof(*wins));
	struct ranked *order = calloc(nentries > 0 ? nentries : 1, sizeof(*order));
	enum mg_err err = MG_OK;
	if (left == NULL || wins == NULL || order == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nitems; i++)
		left[i] = items[i].capacity;
	for (size_t i = 0; i < nentries; i++)
		memset(entries[i].won, 0, sizeof(entries[i].won));
	for (unsigned r = 0; r < MG_LOTTERY_MAX_CHOICES; r++) {
		size_t n = 0;
		for (size_t i = 0; i < nentries; i++) {
			if (entries[i].nchoices <= r)
				continue;
			char msg[64];
			int len = snprintf(msg, sizeof(msg), "%u:%" PRIu64 ".%" PRIu32, r + 1, entries[i].applicant,
					   entries[i].member);
			if ((err = mg_hmac_sha256_hex(seed, MG_LOTTERY_SEED_BYTES, msg, (size_t)len, order[n].priority)) !=
			    MG_OK)
				goto out;
			order[n++].entry = i;
		}
		if (n == 0)
			break;
		qsort(order, n, sizeof(*order), cmp_ranked);
		for (size_t k = 0; k < n; k++) {
			struct mg_lottery_entry *e = &entries[order[k].entry];
			if (wins[order[k].entry] >= e->max_wins)
				continue;
			const struct mg_lottery_choice *c = &e->choices[r];
			bool ok = true;
			for (unsigned j = 0; j < c->nitems && ok; j++) {
				const struct mg_lottery_item *it = find_item(items, nitems, c->items[j]);
				if (it == NULL || left[it - items] == 0) {
					ok = false;
					break;
				}
				/* an item this entry already won at an earlier rank is not won twice */
				for (unsigned q = 0; q < r && ok; q++)
					if (e->won[q])
						for (unsigned m = 0; m < e->choices[q].nitems; m++)
							if (e->choices[q].items[m] == c->items[j])
								ok = false;
			}
			if (!ok)
				continue;
			for (unsigned j = 0; j < c->nitems; j++)
				left[find_item(items, nitems, c->items[j]) - items]--;
			e->won[r] = true;
			wins[order[k].entry]++;
		}
	}
out:
	free(left);
	free(wins);
	free(order);
	return err;
}
