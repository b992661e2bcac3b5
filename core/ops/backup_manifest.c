/* The pure parts of backups: ids, retention arithmetic, manifest shape and comparison. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backup.h"

void mg_backup_id_format(time_t t, char *out)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, MG_BACKUP_ID_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

bool mg_backup_id_parse(const char *name, time_t *t)
{
	if (strlen(name) != MG_BACKUP_ID_LEN || name[8] != 'T' || name[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (name[i] < '0' || name[i] > '9'))
			return false;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(name, "%Y%m%dT%H%M%SZ", &tm);
	if (end == NULL || *end != '\0')
		return false;
	time_t when = timegm(&tm);
	char again[MG_BACKUP_ID_LEN + 1];
	mg_backup_id_format(when, again);
	if (strcmp(again, name) != 0) /* 20260231… normalises to another day: not an id */
		return false;
	*t = when;
	return true;
}

bool mg_backup_expired(time_t taken, time_t now, size_t keep_days)
{
	return now - taken > (time_t)keep_days * 86400;
}

static bool is_count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* tables: {name: {"rows": n, "checksum": "digits"}}; tenants: {table: {id: n}} */
static bool measure_shape(const json_t *m, char *why, size_t whylen)
{
	const json_t *tables = json_object_get(m, "tables"), *tenants = json_object_get(m, "tenants");
	if (!json_is_object(tables) || !json_is_object(tenants)) {
		snprintf(why, whylen, "\"tables\" and \"tenants\" must be objects");
		return false;
	}
	const char *name;
	const json_t *t;
	json_object_foreach((json_t *)tables, name, t) {
		if (!is_count(json_object_get(t, "rows")) || !json_is_string(json_object_get(t, "checksum"))) {
			snprintf(why, whylen, "table %s needs \"rows\" and \"checksum\"", name);
			return false;
		}
	}
	json_object_foreach((json_t *)tenants, name, t) {
		const char *tenant;
		const json_t *n;
		if (!json_is_object(t)) {
			snprintf(why, whylen, "tenants of %s must be an object", name);
			return false;
		}
		json_object_foreach((json_t *)t, tenant, n) {
			if (!is_count(n)) {
				snprintf(why, whylen, "tenant %s of %s has no row count", tenant, name);
				return false;
			}
		}
	}
	return true;
}

enum mg_err mg_manifest_parse(const char *text, size_t len, json_t **out, char *why, size_t whylen)
{
	*out = NULL;
	json_error_t error;
	json_t *m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (m == NULL) {
		snprintf(why, whylen, "manifest.json is not JSON (line %d: %s)", error.line, error.text);
		return MG_ERR_INPUT;
	}
	char shape[200] = "";
	const json_t *files = json_object_get(m, "files");
	bool ok = json_integer_value(json_object_get(m, "format")) == 1 && json_is_string(json_object_get(m, "id")) &&
		  json_is_array(files) && measure_shape(m, shape, sizeof(shape));
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f) {
		const char *path = json_string_value(json_object_get(f, "path"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		if (path == NULL || path[0] == '/' || strstr(path, "..") != NULL || sha == NULL || strlen(sha) != 64 ||
		    !is_count(json_object_get(f, "bytes"))) {
			snprintf(shape, sizeof(shape), "file entry %zu needs a relative \"path\", \"bytes\" and \"sha256\"", i);
			ok = false;
			break;
		}
	}
	if (!ok) {
		snprintf(why, whylen, "manifest.json is not a Madoguchi manifest%s%s", shape[0] ? ": " : "", shape);
		json_decref(m);
		return MG_ERR_INPUT;
	}
	*out = m;
	return MG_OK;
}

/* Appends a "; "-separated difference to why (as many as fit) and counts it. */
static void difference(char *why, size_t whylen, unsigned *count, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void difference(char *why, size_t whylen, unsigned *count, const char *fmt, ...)
{
	size_t o = strlen(why);
	(*count)++;
	if (o + 3 >= whylen)
		return;
	if (o > 0)
		o += (size_t)snprintf(why + o, whylen - o, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why + o, whylen - o, fmt, ap);
	va_end(ap);
}

static long long count_of(const json_t *v)
{
	return v == NULL ? -1 : (long long)json_integer_value(v);
}

enum mg_err mg_manifest_compare(const json_t *manifest, const json_t *actual, char *why, size_t whylen)
{
	why[0] = '\0';
	unsigned diffs = 0;
	const json_t *want = json_object_get(manifest, "tables"), *got = json_object_get(actual, "tables");
	const char *name;
	const json_t *t;
	json_object_foreach((json_t *)want, name, t) {
		const json_t *g = json_object_get(got, name);
		if (g == NULL) {
			difference(why, whylen, &diffs, "table %s is missing from the restored copy", name);
			continue;
		}
		long long rows = count_of(json_object_get(t, "rows")), grows = count_of(json_object_get(g, "rows"));
		if (rows != grows)
			difference(why, whylen, &diffs, "table %s has %lld rows, the manifest says %lld", name, grows, rows);
		const char *sum = json_string_value(json_object_get(t, "checksum"));
		const char *gsum = json_string_value(json_object_get(g, "checksum"));
		if (gsum == NULL || strcmp(sum, gsum) != 0)
			difference(why, whylen, &diffs, "table %s: checksum %s differs from the manifest's", name,
				   gsum ? gsum : "(none)");
	}
	json_object_foreach((json_t *)got, name, t) {
		if (json_object_get(want, name) == NULL)
			difference(why, whylen, &diffs, "table %s is in the restored copy but not in the manifest", name);
	}
	const json_t *want_tenants = json_object_get(manifest, "tenants"), *got_tenants = json_object_get(actual, "tenants");
	json_object_foreach((json_t *)want_tenants, name, t) {
		const json_t *g = json_object_get(got_tenants, name);
		const char *tenant;
		const json_t *n;
		json_object_foreach((json_t *)t, tenant, n) {
			long long grows = count_of(json_object_get(g, tenant));
			if (grows != count_of(n))
				difference(why, whylen, &diffs, "table %s, tenant %s: %lld rows, the manifest says %lld", name,
					   tenant, grows < 0 ? 0 : grows, count_of(n));
		}
		json_object_foreach((json_t *)g, tenant, n) {
			if (json_object_get(t, tenant) == NULL)
				difference(why, whylen, &diffs, "table %s, tenant %s: %lld rows, the manifest says %lld", name,
					   tenant, count_of(n), 0LL);
		}
	}
	json_object_foreach((json_t *)got_tenants, name, t) {
		if (json_object_get(want_tenants, name) == NULL && json_object_size(t) > 0)
			difference(why, whylen, &diffs, "table %s has tenant rows the manifest does not list", name);
	}
	return diffs == 0 ? MG_OK : MG_ERR_INPUT;
}
