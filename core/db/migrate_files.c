#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

int mg_migration_version(const char *filename)
{
	size_t len = strlen(filename);
	if (len < 10 || strcmp(filename + len - 4, ".sql") != 0 || filename[4] != '_')
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)filename[i]))
			return -1;
	for (size_t i = 5; i < len - 4; i++)
		if (!islower((unsigned char)filename[i]) && !isdigit((unsigned char)filename[i]) && filename[i] != '_')
			return -1;
	return atoi(filename);
}

static int by_version(const void *a, const void *b)
{
	const struct mg_migration *x = a, *y = b;
	return x->version - y->version;
}

static enum mg_err list_owner(const char *schema_dir, const char *owner, struct mg_migration_list *out,
			      size_t *cap, char *errbuf, size_t errlen)
{
	char dir_path[512];
	snprintf(dir_path, sizeof(dir_path), "%s/%s", schema_dir, owner);
	DIR *dir = opendir(dir_path);
	if (dir == NULL)
		return errno == ENOENT ? MG_OK : MG_ERR_IO;
	size_t first = out->n;
	enum mg_err err = MG_OK;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.' || strstr(entry->d_name, ".sql") == NULL)
			continue;
		int version = mg_migration_version(entry->d_name);
		if (version < 0 || strlen(entry->d_name) >= sizeof(out->items[0].name)) {
			snprintf(errbuf, errlen, "%s/%s: migration names look like 0001_lower_case.sql", dir_path,
				 entry->d_name);
			err = MG_ERR_CONFIG;
			goto out;
		}
		if (out->n == *cap) {
			*cap = *cap ? *cap * 2 : 32;
			struct mg_migration *grown = realloc(out->items, *cap * sizeof(*grown));
			if (grown == NULL) {
				err = MG_ERR_NOMEM;
				goto out;
			}
			out->items = grown;
		}
		struct mg_migration *m = &out->items[out->n++];
		snprintf(m->owner, sizeof(m->owner), "%s", owner);
		m->version = version;
		snprintf(m->name, sizeof(m->name), "%s", entry->d_name);
		snprintf(m->path, sizeof(m->path), "%s/%s", dir_path, entry->d_name);
	}
	qsort(out->items + first, out->n - first, sizeof(out->items[0]), by_version);
	for (size_t i = first + 1; i < out->n; i++)
		if (out->items[i].version == out->items[i - 1].version) {
			snprintf(errbuf, errlen, "%s: %s and %s have the same number", dir_path, out->items[i - 1].name,
				 out->items[i].name);
			err = MG_ERR_CONFIG;
			goto out;
		}
out:
	closedir(dir);
	return err;
}

enum mg_err mg_migrations_list(const char *schema_dir, const char *const *owners, size_t nowners,
			       struct mg_migration_list *out, char *errbuf, size_t errlen)
{
	size_t cap = 0;
	out->items = NULL;
	out->n = 0;
	for (size_t i = 0; i < nowners; i++) {
		enum mg_err err = list_owner(schema_dir, owners[i], out, &cap, errbuf, errlen);
		if (err != MG_OK) {
			if (err == MG_ERR_IO)
				snprintf(errbuf, errlen, "%s/%s: %s", schema_dir, owners[i], strerror(errno));
			free(out->items);
			out->items = NULL;
			out->n = 0;
			return err;
		}
	}
	return MG_OK;
}
