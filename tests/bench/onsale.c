/*
 * The onsale load client for `scripts/bench onsale`: many virtual buyers, one libcurl multi
 * handle, each buyer a small state machine over the public JSON API v1 (docs/api.md):
 *
 *     POST /carts → POST /carts/<token>/seats {performance, seats:[1–4 adjacent ids]}
 *       200 → POST /carts/<token>/checkout → 201 → next cart
 *       409 → the seats named in the answer are gone: pick others, same cart
 *
 * until every seat is sold or nobody can find one. Prints holds/s, orders/s, p50/p99 latency of
 * hold and checkout, and every error; exits non-zero on a 5xx or a transport error.
 *
 *     onsale BASE_URL SLUG PERFORMANCE_ID BUYERS
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

enum stage { START, CART, HOLD, CHECKOUT, DONE };

struct buyer {
	CURL *easy;
	struct curl_slist *headers;
	enum stage stage;
	char cart[128];
	long long want[4];
	int nwant;
	char *body;
	size_t len;
	char request[512];
	double started;
	unsigned seed;
	int misses; /* 409s in a row */
};

struct samples {
	double *ms;
	size_t n, cap;
};

static const char *base, *slug;
static long long performance;
static long long *seat_ids;  /* every seat of the performance, in id order */
static bool *gone;           /* known sold or held by someone (from 409s and our own holds) */
static size_t nseats, ngone;
static struct samples hold_ms, checkout_ms;
static unsigned long holds, conflicts, orders, lapsed, server_errors, transport_errors, other_errors;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void sample(struct samples *s, double ms)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ms = realloc(s->ms, s->cap * sizeof(double));
		if (s->ms == NULL)
			abort();
	}
	s->ms[s->n++] = ms;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(struct samples *s, double p)
{
	if (s->n == 0)
		return 0;
	qsort(s->ms, s->n, sizeof(double), by_value);
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->ms[i];
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct buyer *b = arg;
	size_t add = size * n;
	char *grown = realloc(b->body, b->len + add + 1);
	if (grown == NULL)
		return 0;
	b->body = grown;
	memcpy(b->body + b->len, data, add);
	b->len += add;
	b->body[b->len] = '\0';
	return add;
}

static void mark_gone(long long id)
{
	/* ids are looked up by binary search: seat_ids is sorted */
	size_t lo = 0, hi = nseats;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (seat_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nseats && seat_ids[lo] == id && !gone[lo]) {
		gone[lo] = true;
		ngone++;
	}
}

/* Picks 1–4 adjacent seats nobody is known to have, from a random place; false when none. */
static bool pick_seats(struct buyer *b)
{
	if (ngone >= nseats)
		return false;
	int want = 1 + (int)(rand_r(&b->seed) % 4);
	size_t start = (size_t)rand_r(&b->seed) % nseats;
	for (size_t step = 0; step < nseats; step++) {
		size_t i = (start + step) % nseats;
		if (gone[i])
			continue;
		b->nwant = 0;
		for (size_t j = i; j < nseats && b->nwant < want && !gone[j]; j++)
			b->want[b->nwant++] = seat_ids[j];
		return true;
	}
	return false;
}

static void send_request(CURLM *multi, struct buyer *b, const char *path, const char *json)
{
	free(b->body);
	b->body = NULL;
	b->len = 0;
	snprintf(b->request, sizeof(b->request), "%s/%s/api/v1%s", base, slug, path);
	curl_easy_setopt(b->easy, CURLOPT_URL, b->request);
	curl_easy_setopt(b->easy, CURLOPT_COPYPOSTFIELDS, json);
	b->started = now_ms();
	curl_multi_add_handle(multi, b->easy);
}

static void next_hold(CURLM *multi, struct buyer *b)
{
	if (!pick_seats(b)) {
		b->stage = DONE;
		return;
	}
	json_t *seats = json_array();
	for (int i = 0; i < b->nwant; i++)
		json_array_append_new(seats, json_integer(b->want[i]));
	json_t *req = json_pack("{s:I, s:o}", "performance", (json_int_t)performance, "seats", seats);
	char *text = json_dumps(req, JSON_COMPACT);
	char path[256];
	snprintf(path, sizeof(path), "/carts/%s/seats", b->cart);
	b->stage = HOLD;
	send_request(multi, b, path, text);
	free(text);
	json_decref(req);
}

static void next_cart(CURLM *multi, struct buyer *b)
{
	if (ngone >= nseats) {
		b->stage = DONE;
		return;
	}
	b->stage = CART;
	send_request(multi, b, "/carts", "{}");
}

static void checkout(CURLM *multi, struct buyer *b)
{
	char path[256], json[256];
	snprintf(path, sizeof(path), "/carts/%s/checkout", b->cart);
	snprintf(json, sizeof(json), "{\"name\":\"負荷 太郎\",\"email\":\"buyer%u@example.jp\",\"payment\":\"box_office\"}",
		 b->seed % 100000);
	b->stage = CHECKOUT;
	send_request(multi, b, path, json);
}

/* What a finished request means for its buyer, and the buyer's next request. */
static void answered(CURLM *multi, struct buyer *b, CURLcode result)
{
	long status = 0;
	curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
	double ms = now_ms() - b->started;
	curl_multi_remove_handle(multi, b->easy);
	if (result != CURLE_OK) {
		transport_errors++;
		fprintf(stderr, "onsale: %s: %s\n", b->request, curl_easy_strerror(result));
		b->stage = DONE;
		return;
	}
	if (status >= 500) {
		server_errors++;
		fprintf(stderr, "onsale: %s: HTTP %ld %s\n", b->request, status, b->body ? b->body : "");
		b->stage = DONE;
		return;
	}
	json_t *doc = b->body ? json_loads(b->body, 0, NULL) : NULL;
	switch (b->stage) {
	case CART: {
		const char *token = NULL;
		if (status == 201 && json_unpack(doc, "{s:s}", "cart", &token) == 0) {
			snprintf(b->cart, sizeof(b->cart), "%s", token);
			next_hold(multi, b);
		} else {
			other_errors++;
			b->stage = DONE;
		}
		break;
	}
	case HOLD:
		sample(&hold_ms, ms);
		if (status == 200) {
			holds++;
			b->misses = 0;
			for (int i = 0; i < b->nwant; i++)
				mark_gone(b->want[i]);
			checkout(multi, b);
		} else if (status == 409) {
			conflicts++;
			json_t *seats = json_object_get(doc, "seats");
			size_t i;
			json_t *v;
			json_array_foreach(seats, i, v) mark_gone(json_integer_value(v));
			if (++b->misses > 50)
				b->stage = DONE;
			else
				next_hold(multi, b);
		} else {
			other_errors++;
			fprintf(stderr, "onsale: hold answered %ld: %s\n", status, b->body ? b->body : "");
			b->stage = DONE;
		}
		break;
	case CHECKOUT:
		sample(&checkout_ms, ms);
		if (status == 201)
			orders++;
		else if (status == 410)
			lapsed++;
		else {
			other_errors++;
			fprintf(stderr, "onsale: checkout answered %ld: %s\n", status, b->body ? b->body : "");
		}
		next_cart(multi, b);
		break;
	default:
		break;
	}
	json_decref(doc);
}

/* GET …/performances/<id>/seats: every seat id, and which are already gone. */
static bool load_seats(void)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/%s/api/v1/performances/%lld/seats", base, slug, performance);
	struct buyer b = { .easy = curl_easy_init() };
	curl_easy_setopt(b.easy, CURLOPT_URL, url);
	curl_easy_setopt(b.easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(b.easy, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(b.easy, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(b.easy, CURLOPT_SSL_VERIFYHOST, 0L);
	CURLcode rc = curl_easy_perform(b.easy);
	curl_easy_cleanup(b.easy);
	json_t *doc = rc == CURLE_OK && b.body ? json_loads(b.body, 0, NULL) : NULL;
	free(b.body);
	json_t *seats = json_object_get(doc, "seats");
	nseats = json_array_size(seats);
	seat_ids = calloc(nseats ? nseats : 1, sizeof(*seat_ids));
	gone = calloc(nseats ? nseats : 1, sizeof(*gone));
	size_t i;
	json_t *seat;
	json_array_foreach(seats, i, seat) {
		seat_ids[i] = json_integer_value(json_object_get(seat, "id"));
		gone[i] = strcmp(json_string_value(json_object_get(seat, "state")) ?: "", "free") != 0;
		ngone += gone[i];
	}
	json_decref(doc);
	for (size_t j = 1; j < nseats; j++)
		if (seat_ids[j] <= seat_ids[j - 1]) {
			fprintf(stderr, "onsale: the seat list is not in id order\n");
			return false;
		}
	return nseats > 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: onsale BASE_URL SLUG PERFORMANCE_ID BUYERS\n");
		return 2;
	}
	base = argv[1];
	slug = argv[2];
	performance = atoll(argv[3]);
	int nbuyers = atoi(argv[4]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!load_seats()) {
		fprintf(stderr, "onsale: no seats for performance %lld\n", performance);
		return 2;
	}
	CURLM *multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nbuyers);
	struct buyer *buyers = calloc((size_t)nbuyers, sizeof(*buyers));
	for (int i = 0; i < nbuyers; i++) {
		struct buyer *b = &buyers[i];
		b->seed = (unsigned)i * 2654435761u + 1;
		b->easy = curl_easy_init();
		b->headers = curl_slist_append(NULL, "Content-Type: application/json");
		b->headers = curl_slist_append(b->headers, "Accept-Language: ja");
		curl_easy_setopt(b->easy, CURLOPT_HTTPHEADER, b->headers);
		curl_easy_setopt(b->easy, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(b->easy, CURLOPT_WRITEDATA, b);
		curl_easy_setopt(b->easy, CURLOPT_PRIVATE, b);
		curl_easy_setopt(b->easy, CURLOPT_SSL_VERIFYPEER, 0L); /* the stack's self-signed localhost */
		curl_easy_setopt(b->easy, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(b->easy, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(b->easy, CURLOPT_NOSIGNAL, 1L); /* no alarm() per request: one thread */
		next_cart(multi, b);
	}
	double started = now_ms();
	for (;;) {
		int running = 0;
		curl_multi_perform(multi, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct buyer *b = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&b);
			answered(multi, b, msg->data.result);
		}
		int busy = 0;
		for (int i = 0; i < nbuyers; i++)
			busy += buyers[i].stage != DONE;
		if (busy == 0)
			break;
		curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	double secs = (now_ms() - started) / 1000.0;
	printf("buyers %d, seats %zu, %.1f s\n", nbuyers, nseats, secs);
	printf("holds      %8lu  %8.0f/s   p50 %7.1f ms   p99 %7.1f ms   (409 conflicts %lu)\n", holds, holds / secs,
	       percentile(&hold_ms, 0.50), percentile(&hold_ms, 0.99), conflicts);
	printf("orders     %8lu  %8.0f/s   p50 %7.1f ms   p99 %7.1f ms   (410 lapsed %lu)\n", orders, orders / secs,
	       percentile(&checkout_ms, 0.50), percentile(&checkout_ms, 0.99), lapsed);
	printf("errors     5xx %lu, transport %lu, other %lu\n", server_errors, transport_errors, other_errors);
	for (int i = 0; i < nbuyers; i++) {
		curl_easy_cleanup(buyers[i].easy);
		curl_slist_free_all(buyers[i].headers);
		free(buyers[i].body);
	}
	free(buyers);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	free(hold_ms.ms);
	free(checkout_ms.ms);
	free(seat_ids);
	free(gone);
	return server_errors == 0 && transport_errors == 0 ? 0 : 1;
}
