/*
 * The purge's pure parts, tested without a server (tests/unit/test_purge.c): the ledger file
 * (append with O_APPEND + fsync, read back line by line), the date arithmetic of T+30 and
 * T+60 (dates of the platform's zone), and the names of backup folders.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "purge.h"
#include "tz.h"

enum { DAY = 86400 };

void mg_purge_date_minus(time_t t, int days, char out[11])
{
	struct tm tm;
	if (mg_tz_local(mg_tz_platform(), t, &tm) != MG_OK)
		gmtime_r(&t, &tm);
	/* calendar days, not 86400 s: a day with a change of the clocks is 23 or 25 hours long */
	struct tm date = { .tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday - days, .tm_hour = 12 };
	time_t noon = timegm(&date);
	gmtime_r(&noon, &date);
	strftime(out, 11, "%Y-%m-%d", &date);
}

bool mg_purge_date_plus(const char *end, int days, char out[11])
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = end != NULL ? strptime(end, "%Y-%m-%d", &tm) : NULL;
	if (rest == NULL || *rest != '\0' || strlen(end) != 10)
		return false;
	time_t day = timegm(&tm) + (time_t)days * DAY;
	gmtime_r(&day, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return true;
}

bool mg_backup_id_time(const char *name, time_t *out)
{
	/* exactly YYYYMMDDTHHMMSSZ, optionally followed by ".partial" */
	size_t len = strlen(name);
	if (len != 16 && !(len == 24 && strcmp(name + 16, ".partial") == 0))
		return false;
	for (size_t i = 0; i < 16; i++) {
		bool digit = name[i] >= '0' && name[i] <= '9';
		if ((i == 8 && name[i] != 'T') || (i == 15 && name[i] != 'Z') || (i != 8 && i != 15 && !digit))
			return false;
	}
	char id[17];
	memcpy(id, name, 16);
	id[16] = '\0';
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(id, "%Y%m%dT%H%M%SZ", &tm);
	if (rest == NULL || *rest != '\0')
		return false;
	/* strptime accepts a 13th month or a 61st minute by normalising; a real id never has one */
	time_t t = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	char again[17];
	strftime(again, sizeof(again), "%Y%m%dT%H%M%SZ", &back);
	if (strcmp(again, id) != 0)
		return false;
	*out = t;
	return true;
}

void mg_purge_ledger_path(const struct mg_config *cfg, char *out, size_t len)
{
	snprintf(out, len, "%s/purge-ledger.jsonl", cfg->backup_dir);
}

/* fsync()s the folder holding path, so a file just created there survives a crash too. */
static int sync_parent(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Creates the folder holding path (one level: backup_dir itself) when it is missing. */
static int ensure_parent(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

enum mg_err mg_purge_ledger_append(const char *path, json_t *line, char *errbuf, size_t errlen)
{
	enum mg_err err = MG_OK;
	int fd = -1;
	char *text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	struct mg_buf out;
	mg_buf_init(&out);
	if (text == NULL || !json_is_object(line)) {
		snprintf(errbuf, errlen, "a ledger line must be a JSON object");
		err = MG_ERR_INTERNAL;
		goto out;
	}
	mg_buf_puts(&out, text);
	mg_buf_puts(&out, "\n");
	struct stat st;
	bool created = stat(path, &st) != 0;
	if (ensure_parent(path) != 0 || (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(errbuf, errlen, "cannot open the purge ledger %s: %s", path, strerror(errno));
		err = MG_ERR_IO;
		goto out;
	}
	/* one write: with O_APPEND the line lands whole at the end, after any other writer's */
	ssize_t written = write(fd, out.data, out.len);
	if (written != (ssize_t)out.len || fsync(fd) != 0 || (created && sync_parent(path) != 0)) {
		snprintf(errbuf, errlen, "cannot write the purge ledger %s: %s", path,
			 written >= 0 && written != (ssize_t)out.len ? "short write" : strerror(errno));
		err = MG_ERR_IO;
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	mg_buf_free(&out);
	free(text);
	return err;
}

static bool line_complete(json_t *o)
{
	return json_is_object(o) && json_is_integer(json_object_get(o, "tenant_id")) &&
	       json_integer_value(json_object_get(o, "tenant_id")) > 0 && json_is_string(json_object_get(o, "slug")) &&
	       json_is_string(json_object_get(o, "step")) && json_is_integer(json_object_get(o, "at"));
}

enum mg_err mg_purge_ledger_parse(const char *text, size_t len, json_t **lines, char *errbuf, size_t errlen)
{
	json_t *all = json_array();
	size_t number = 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(text + start, '\n', len - start);
		number++;
		if (nl == NULL) {
			mg_log_warn("purge ledger: line %zu has no end (a write cut short); skipped", number);
			break;
		}
		size_t n = (size_t)(nl - (text + start));
		if (n > 0) {
			json_error_t jerr;
			json_t *o = json_loadb(text + start, n, 0, &jerr);
			if (!line_complete(o)) {
				json_decref(o);
				json_decref(all);
				snprintf(errbuf, errlen, "purge ledger line %zu is not a step (tenant_id, slug, step, at)", number);
				return MG_ERR_INPUT;
			}
			json_array_append_new(all, o);
		}
		start += n + 1;
	}
	*lines = all;
	return MG_OK;
}

enum mg_err mg_purge_ledger_read(const char *path, json_t **lines, char *errbuf, size_t errlen)
{
	*lines = NULL;
	FILE *f = fopen(path, "rbe");
	if (f == NULL && errno == ENOENT) {
		*lines = json_array();
		return MG_OK;
	}
	if (f == NULL) {
		snprintf(errbuf, errlen, "cannot read the purge ledger %s: %s", path, strerror(errno));
		return MG_ERR_IO;
	}
	struct mg_buf text;
	mg_buf_init(&text);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mg_buf_append(&text, chunk, n);
	enum mg_err err = MG_OK;
	if (ferror(f)) {
		snprintf(errbuf, errlen, "cannot read the purge ledger %s: %s", path, strerror(errno));
		err = MG_ERR_IO;
	} else {
		err = mg_purge_ledger_parse(text.data ? text.data : "", text.len, lines, errbuf, errlen);
	}
	fclose(f);
	mg_buf_free(&text);
	return err;
}
