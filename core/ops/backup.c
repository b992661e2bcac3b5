/*
 * Taking, listing, verifying and extracting backups (layout and manifest: core/ops/backup.h).
 * One backup at a time: an exclusive flock on <backup_dir>/.lock, held for the whole backup
 * and its retention; a process killed with SIGKILL drops it, so whoever holds the lock knows
 * every .partial it finds is stale.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit.h"
#include "backup.h"
#include "backup_stream.h"
#include "clock.h"
#include "crypto.h"
#include "jobs.h"
#include "log.h"
#include "scratch_db.h"

static const struct mg_config *cfg;

void mg_backup_setup(const struct mg_config *config)
{
	cfg = config;
}

const struct mg_config *mg_backup_config(void)
{
	return cfg;
}

/* ---- small file helpers --------------------------------------------------------------------- */

/* "<a><b>" into out (paths here are far below its size; a longer one is cut, and then the
 * file it names is not found, which is reported). */
static void join(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s%s", a, b) >= len)
		mg_log_warn("backup: path cut short: %s%s", a, b);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Deletes a file or a whole tree (no symlink is followed). */
static enum mg_err remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? MG_OK : MG_ERR_IO;
	return nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS) == 0 ? MG_OK : MG_ERR_IO;
}

/* mkdir -p with mode 0700 for what it creates. */
static enum mg_err make_dirs(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return MG_ERR_IO;
		*p = '/';
	}
	return mkdir(buf, 0700) == 0 || errno == EEXIST ? MG_OK : MG_ERR_IO;
}

static void fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Reads a small file (a manifest) whole; NULL on failure. Caller frees. */
static char *read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *data = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);
		if (size >= 0 && size < 64L * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)size + 1))) {
			*len = fread(data, 1, (size_t)size, f);
			data[*len] = '\0';
		}
	}
	fclose(f);
	return data;
}

static enum mg_err load_key(unsigned char key[MG_KEY_BYTES], char *why, size_t whylen)
{
	char errbuf[512];
	enum mg_err err = mg_master_key_load(cfg->backup_key_file, key, errbuf, sizeof(errbuf));
	if (err != MG_OK)
		snprintf(why, whylen, "backup key: %s", errbuf);
	return err;
}

/* manifest.sig: HMAC-SHA-256 of manifest.json under a key of its own, derived from the backup
 * key, so the manifest's counts and hashes cannot be changed without the key. */
static enum mg_err manifest_mac(const unsigned char key[MG_KEY_BYTES], const char *text, size_t len, char out[65])
{
	char derived[65];
	static const char purpose[] = "madoguchi backup manifest v1";
	enum mg_err err = mg_hmac_sha256_hex(key, MG_KEY_BYTES, purpose, sizeof(purpose) - 1, derived);
	if (err == MG_OK)
		err = mg_hmac_sha256_hex((const unsigned char *)derived, 64, text, len, out);
	OPENSSL_cleanse(derived, sizeof(derived));
	return err;
}

/* ---- progress on stderr --------------------------------------------------------------------- */

struct progress {
	const char *what;                        /* "backup: sealed", "restore: opened" */
	size_t files_done, files_total;
	unsigned long long bytes_before, bytes_total; /* plain bytes of the files done, of all */
	time_t last;
};

static void progress_line(struct progress *p, unsigned long long in_file, bool force)
{
	time_t now = time(NULL);
	if (!force && now == p->last)
		return;
	p->last = now;
	mg_progress(force, "%s %zu/%zu files, %.1f/%.1f MB", p->what, p->files_done, p->files_total,
		    (double)(p->bytes_before + in_file) / 1e6, (double)p->bytes_total / 1e6);
}

static void progress_chunk(void *arg, unsigned long long in_file)
{
	progress_line(arg, in_file, false);
}

/* ---- the lock ------------------------------------------------------------------------------- */

static int lock_backups(char *why, size_t whylen)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/.lock", cfg->backup_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "madoguchi: backup: another backup is in progress; waiting for it to end\n");
		if (flock(fd, LOCK_EX) != 0) {
			snprintf(why, whylen, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Deletes every <id>.partial: under the lock, each is a backup whose process died. */
static void remove_stale_partials(void)
{
	DIR *dir = opendir(cfg->backup_dir);
	if (dir == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 8 && strcmp(e->d_name + n - 8, ".partial") == 0) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", cfg->backup_dir, e->d_name);
			mg_log_warn("backup: deleting %s, left by a backup that did not finish", path);
			remove_tree(path);
		}
	}
	closedir(dir);
}

/* ---- the list of files of the prepared copy -------------------------------------------------- */

struct file_entry {
	char *path; /* relative to the root */
	unsigned long long size;
};

struct file_list {
	struct file_entry *items;
	size_t n, cap;
	unsigned long long total;
	size_t root_len;
};

static struct file_list *walking; /* nftw takes no argument */

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	struct file_list *l = walking;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct file_entry *items = realloc(l->items, cap * sizeof(*items));
		if (items == NULL)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	if ((l->items[l->n].path = strdup(path + l->root_len + 1)) == NULL)
		return -1;
	l->items[l->n].size = (unsigned long long)st->st_size;
	l->total += l->items[l->n].size;
	l->n++;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->path, ((const struct file_entry *)b)->path);
}

static void file_list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* Every regular file under root, sorted by path. */
static enum mg_err list_files(const char *root, struct file_list *l)
{
	memset(l, 0, sizeof(*l));
	l->root_len = strlen(root);
	walking = l;
	int rc = nftw(root, collect, 32, FTW_PHYS);
	walking = NULL;
	if (rc != 0)
		return MG_ERR_IO;
	if (l->n > 0)
		qsort(l->items, l->n, sizeof(*l->items), by_path);
	return MG_OK;
}

/* ---- taking a backup ------------------------------------------------------------------------ */

/* "key = value" of xtrabackup_info (server_version, binlog_pos) into out. */
static void read_backup_info(const char *datadir, char *version, size_t vlen, json_t **binlog)
{
	char path[1024], line[1024];
	join(path, sizeof(path), datadir, "/xtrabackup_info");
	*binlog = json_null();
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "server_version = ", 17) == 0)
			snprintf(version, vlen, "%.100s", line + 17);
		/* binlog_pos = filename 'mysql-bin.000003', position '1234', GTID of the last change '0-1-5' */
		char file[256], position[64];
		if (strncmp(line, "binlog_pos = ", 13) == 0 &&
		    sscanf(line + 13, "filename '%255[^']', position '%63[^']'", file, position) == 2) {
			json_decref(*binlog);
			*binlog = json_pack("{s:s, s:s, s:s}", "file", file, "position", position, "text", line + 13);
		}
	}
	fclose(f);
}

/* Copies a plain file (the purge ledger) and hashes it. */
static enum mg_err copy_plain(const char *from, const char *to, struct mg_backup_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	enum mg_err err = in && out && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? MG_OK : MG_ERR_IO;
	char buf[65536];
	size_t n;
	while (err == MG_OK && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, out) != n)
			err = MG_ERR_IO;
		EVP_DigestUpdate(md, buf, n);
		sum->plain_bytes += n;
	}
	if (err == MG_OK && (ferror(in) || fflush(out) != 0 || fsync(fileno(out)) != 0))
		err = MG_ERR_IO;
	if (err == MG_OK) {
		unsigned char digest[32];
		unsigned len = 0;
		EVP_DigestFinal_ex(md, digest, &len);
		for (unsigned i = 0; i < 32; i++)
			snprintf(sum->sha256 + 2 * i, 3, "%02x", digest[i]);
		sum->sealed_bytes = sum->plain_bytes;
	}
	EVP_MD_CTX_free(md);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return err;
}

/* Seals every file of the prepared copy into <partial>/db/, adding them to files. */
static enum mg_err seal_files(const unsigned char *key, const char *copy, const char *partial, json_t *files,
			      char *why, size_t whylen)
{
	struct file_list list;
	enum mg_err err = list_files(copy, &list);
	if (err != MG_OK) {
		snprintf(why, whylen, "cannot list the files of the copy in %s", copy);
		return err;
	}
	struct progress p = { "backup: sealed", 0, list.n, 0, list.total, 0 };
	for (size_t i = 0; i < list.n && err == MG_OK; i++) {
		char from[1024], name[1024], to[2048], stream_why[300];
		snprintf(from, sizeof(from), "%s/%s", copy, list.items[i].path);
		snprintf(name, sizeof(name), "db/%s.gz.enc", list.items[i].path);
		snprintf(to, sizeof(to), "%s/%s", partial, name);
		char *slash = strrchr(to, '/');
		*slash = '\0';
		err = make_dirs(to);
		*slash = '/';
		FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
		struct mg_backup_sum sum;
		if (err != MG_OK || in == NULL || out == NULL) {
			snprintf(why, whylen, "cannot copy %s to %s: %s", from, to, strerror(errno));
			err = MG_ERR_IO;
		} else if ((err = mg_backup_seal_stream(key, name, in, out, progress_chunk, &p, &sum, stream_why,
							sizeof(stream_why))) != MG_OK) {
			snprintf(why, whylen, "%s: %s", name, stream_why);
		} else if (fsync(fileno(out)) != 0) {
			snprintf(why, whylen, "%s: cannot write it to disk: %s", name, strerror(errno));
			err = MG_ERR_IO;
		} else {
			json_array_append_new(files, json_pack("{s:s, s:I, s:I, s:s, s:b}", "path", name, "plain_bytes",
							       (json_int_t)sum.plain_bytes, "bytes",
							       (json_int_t)sum.sealed_bytes, "sha256", sum.sha256, "sealed", 1));
		}
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		p.files_done++;
		p.bytes_before += list.items[i].size;
		progress_line(&p, 0, i + 1 == list.n);
	}
	file_list_free(&list);
	return err;
}

/* Reads what the copy holds from a scratch server started on it. */
static enum mg_err measure_copy(const char *copy, const char *rundir, json_t **measure, char *why, size_t whylen)
{
	struct mg_scratch scratch;
	mg_progress(1, "backup: counting rows and checksums in the copy (a scratch MariaDB on it)");
	enum mg_err err = make_dirs(rundir);
	if (err == MG_OK)
		err = mg_scratch_start(&scratch, copy, rundir, cfg->db_name, why, whylen);
	if (err == MG_OK)
		err = mg_scratch_measure(&scratch, cfg->db_name, measure, why, whylen);
	mg_scratch_stop(&scratch);
	return err;
}

static enum mg_err write_manifest(const unsigned char *key, const char *partial, json_t *manifest, char *why,
				  size_t whylen)
{
	char *text = json_dumps(manifest, JSON_INDENT(1) | JSON_SORT_KEYS);
	char path[1024], mac[65];
	enum mg_err err = text ? manifest_mac(key, text, strlen(text), mac) : MG_ERR_NOMEM;
	const char *names[] = { "manifest.json", "manifest.sig" };
	const char *contents[] = { text, mac };
	for (int i = 0; i < 2 && err == MG_OK; i++) {
		snprintf(path, sizeof(path), "%s/%s", partial, names[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (f == NULL && fd >= 0)
			close(fd);
		if (f == NULL || fputs(contents[i], f) < 0 || fputc('\n', f) == EOF || fflush(f) != 0 ||
		    fsync(fileno(f)) != 0) {
			snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
			err = MG_ERR_IO;
		}
		if (f)
			fclose(f);
	}
	free(text);
	return err;
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return pw != NULL ? pw->pw_name : "root";
}

/* mariadb-backup --backup then --prepare into copy; log in logfile. */
static enum mg_err copy_database(const char *copy, const char *logfile, char *why, size_t whylen)
{
	if (cfg->db_socket[0] == '\0') {
		snprintf(why, whylen, "mariadb-backup copies the server's files: db_socket must name the local server's "
			 "socket");
		return MG_ERR_CONFIG;
	}
	char target[1100], socket[300], user[200];
	join(target, sizeof(target), "--target-dir=", copy);
	snprintf(socket, sizeof(socket), "--socket=%s", cfg->db_socket);
	snprintf(user, sizeof(user), "--user=%s", os_user());
	mg_progress(1, "backup: copying the database with mariadb-backup (log: %s)", logfile);
	char *backup[] = { "mariadb-backup", "--no-defaults", "--backup", target, socket, user, NULL };
	enum mg_err err = mg_run_program(backup, logfile, why, whylen);
	if (err != MG_OK)
		return err;
	mg_progress(1, "backup: preparing the copy (mariadb-backup --prepare)");
	char *prepare[] = { "mariadb-backup", "--no-defaults", "--prepare", target, NULL };
	return mg_run_program(prepare, logfile, why, whylen);
}

static void iso_utc(time_t t, char *out, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The steps inside <id>.partial; the caller renames it when this succeeds. */
static enum mg_err fill_partial(const unsigned char *key, const char *id, time_t started, const char *partial,
				char *why, size_t whylen)
{
	char work[1024], copy[1100], rundir[1100], logfile[1100], path[1100];
	snprintf(work, sizeof(work), "%s/work", partial);
	snprintf(copy, sizeof(copy), "%s/data", work);
	snprintf(rundir, sizeof(rundir), "%s/run", work);
	snprintf(logfile, sizeof(logfile), "%s/mariadb-backup.log", partial);
	json_t *files = json_array(), *measure = NULL, *binlog = NULL;
	char version[128] = "";
	enum mg_err err = make_dirs(work);
	if (err != MG_OK)
		snprintf(why, whylen, "cannot create %s: %s", work, strerror(errno));
	if (err == MG_OK)
		err = copy_database(copy, logfile, why, whylen);
	if (err == MG_OK) {
		read_backup_info(copy, version, sizeof(version), &binlog);
		err = seal_files(key, copy, partial, files, why, whylen);
	}
	char ledger[1100];
	snprintf(ledger, sizeof(ledger), "%s/purge-ledger.jsonl", cfg->backup_dir);
	if (err == MG_OK && access(ledger, F_OK) == 0) {
		struct mg_backup_sum sum;
		snprintf(path, sizeof(path), "%s/purge-ledger.jsonl", partial);
		if ((err = copy_plain(ledger, path, &sum)) != MG_OK)
			snprintf(why, whylen, "cannot copy %s into the backup: %s", ledger, strerror(errno));
		else
			json_array_append_new(files, json_pack("{s:s, s:I, s:I, s:s, s:b}", "path", "purge-ledger.jsonl",
							       "plain_bytes", (json_int_t)sum.plain_bytes, "bytes",
							       (json_int_t)sum.sealed_bytes, "sha256", sum.sha256, "sealed", 0));
	}
	if (err == MG_OK)
		err = measure_copy(copy, rundir, &measure, why, whylen);
	/* the log stays with a failed backup (until the next run), not in a complete one */
	if (err == MG_OK && (remove_tree(work) != MG_OK || remove(logfile) != 0)) {
		snprintf(why, whylen, "cannot delete the plain copy %s", work);
		err = MG_ERR_IO;
	}
	if (err == MG_OK) {
		char started_text[32], finished_text[32];
		iso_utc(started, started_text, sizeof(started_text));
		iso_utc(mg_now(), finished_text, sizeof(finished_text));
		json_t *manifest = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:O}", "format", 1, "id", id,
					     "started_at", started_text, "finished_at", finished_text, "server_version",
					     version, "method", "mariadb-backup --backup --prepare", "binlog", binlog,
					     "tables", json_object_get(measure, "tables"), "tenants",
					     json_object_get(measure, "tenants"), "files", files);
		err = manifest ? write_manifest(key, partial, manifest, why, whylen) : MG_ERR_NOMEM;
		json_decref(manifest);
	}
	json_decref(files);
	json_decref(measure);
	json_decref(binlog);
	return err;
}

enum mg_err mg_backup_take(char *id_out, char *why, size_t whylen)
{
	unsigned char key[MG_KEY_BYTES];
	int lock = -1;
	char partial[1024] = "", final[1024];
	why[0] = '\0';
	enum mg_err err = load_key(key, why, whylen);
	if (err != MG_OK)
		goto out;
	if (make_dirs(cfg->backup_dir) != MG_OK) {
		snprintf(why, whylen, "cannot create backup_dir %s: %s", cfg->backup_dir, strerror(errno));
		err = MG_ERR_IO;
		goto out;
	}
	if ((lock = lock_backups(why, whylen)) < 0) {
		err = MG_ERR_IO;
		goto out;
	}
	remove_stale_partials();
	time_t started = mg_now();
	for (;;) { /* two backups in one second: the second waits for its own id */
		mg_backup_id_format(started, id_out);
		snprintf(final, sizeof(final), "%s/%s", cfg->backup_dir, id_out);
		if (access(final, F_OK) != 0)
			break;
		sleep(1);
		started = mg_now();
	}
	join(partial, sizeof(partial), final, ".partial");
	if (mkdir(partial, 0700) != 0) {
		snprintf(why, whylen, "cannot create %s: %s", partial, strerror(errno));
		err = MG_ERR_IO;
		partial[0] = '\0';
		goto out;
	}
	fprintf(stderr, "madoguchi: backup: %s started (writing %s)\n", id_out, partial);
	if ((err = fill_partial(key, id_out, started, partial, why, whylen)) != MG_OK)
		goto out;
	fsync_path(partial);
	if (rename(partial, final) != 0) {
		snprintf(why, whylen, "cannot rename %s to %s: %s", partial, final, strerror(errno));
		err = MG_ERR_IO;
		goto out;
	}
	fsync_path(cfg->backup_dir);
	partial[0] = '\0';
	fprintf(stderr, "madoguchi: backup: %s complete\n", id_out);
out:
	/* a failed backup leaves nothing that looks complete; its log stays until the next one */
	if (err != MG_OK && partial[0] != '\0') {
		char work[1100];
		snprintf(work, sizeof(work), "%s/work", partial);
		remove_tree(work);
	}
	if (lock >= 0)
		close(lock);
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

/* ---- listing and retention ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum mg_err mg_backup_ids(struct mg_arena *arena, const char ***ids, size_t *n, char *why, size_t whylen)
{
	*ids = NULL;
	*n = 0;
	DIR *dir = opendir(cfg->backup_dir);
	if (dir == NULL) {
		if (errno == ENOENT)
			return MG_OK;
		snprintf(why, whylen, "cannot read backup_dir %s: %s", cfg->backup_dir, strerror(errno));
		return MG_ERR_IO;
	}
	size_t cap = 16;
	const char **list = mg_arena_alloc(arena, cap * sizeof(*list));
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		time_t t;
		if (!mg_backup_id_parse(e->d_name, &t))
			continue; /* <id>.partial, the ledger, the lock */
		if (*n == cap) {
			const char **grown = mg_arena_alloc(arena, 2 * cap * sizeof(*grown));
			memcpy(grown, list, cap * sizeof(*list));
			list = grown;
			cap *= 2;
		}
		list[(*n)++] = mg_arena_strdup(arena, e->d_name);
	}
	closedir(dir);
	qsort(list, *n, sizeof(*list), by_name);
	*ids = list;
	return MG_OK;
}

enum mg_err mg_backup_prune(struct mg_db *db, time_t now, const char *keep, unsigned *deleted, char *why,
			    size_t whylen)
{
	*deleted = 0;
	struct mg_arena *arena = mg_arena_new();
	const char **ids;
	size_t n;
	int lock = -1;
	enum mg_err err = mg_backup_ids(arena, &ids, &n, why, whylen);
	if (err == MG_OK && (lock = lock_backups(why, whylen)) < 0)
		err = MG_ERR_IO;
	for (size_t i = 0; err == MG_OK && i < n; i++) {
		time_t taken;
		if (!mg_backup_id_parse(ids[i], &taken) || !mg_backup_expired(taken, now, cfg->backup_keep_days) ||
		    (keep != NULL && strcmp(ids[i], keep) == 0))
			continue;
		char path[1024], doomed[1100];
		snprintf(path, sizeof(path), "%s/%s", cfg->backup_dir, ids[i]);
		/* renamed first, so a deletion cut short never leaves a half backup that looks whole */
		snprintf(doomed, sizeof(doomed), "%s.partial", path);
		if (rename(path, doomed) != 0 || remove_tree(doomed) != MG_OK) {
			snprintf(why, whylen, "cannot delete %s: %s", path, strerror(errno));
			err = MG_ERR_IO;
			break;
		}
		mg_log_info("backup: deleted %s (older than %zu days)", ids[i], cfg->backup_keep_days);
		if (db != NULL) {
			char detail[64];
			snprintf(detail, sizeof(detail), "older than %zu days", cfg->backup_keep_days);
			mg_backup_audit(db, "system:jobs", "backup.delete", ids[i], true, detail);
		}
		(*deleted)++;
	}
	if (lock >= 0)
		close(lock);
	mg_arena_free(arena);
	return err;
}

/* ---- reading a backup ----------------------------------------------------------------------- */

enum mg_err mg_backup_manifest(const char *id, json_t **out, char *why, size_t whylen)
{
	*out = NULL;
	time_t t;
	if (!mg_backup_id_parse(id, &t)) {
		snprintf(why, whylen, "'%s' is not a backup id (like 20260401T030000Z)", id);
		return MG_ERR_INPUT;
	}
	char path[1024], sig_path[1024];
	snprintf(path, sizeof(path), "%s/%s/manifest.json", cfg->backup_dir, id);
	snprintf(sig_path, sizeof(sig_path), "%s/%s/manifest.sig", cfg->backup_dir, id);
	char dir[1024];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/%s", cfg->backup_dir, id);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "no backup %s in %s", id, cfg->backup_dir);
		return MG_ERR_NOT_FOUND;
	}
	size_t len = 0, sig_len = 0;
	char *text = read_small_file(path, &len), *sig = read_small_file(sig_path, &sig_len);
	unsigned char key[MG_KEY_BYTES];
	char mac[65];
	enum mg_err err = MG_OK;
	if (text == NULL || sig == NULL) {
		snprintf(why, whylen, "%s/manifest.%s: missing or unreadable", id, text == NULL ? "json" : "sig");
		err = MG_ERR_INPUT;
	} else if ((err = load_key(key, why, whylen)) == MG_OK) {
		/* the file ends with a newline the MAC does not cover */
		size_t body = len > 0 && text[len - 1] == '\n' ? len - 1 : len;
		err = manifest_mac(key, text, body, mac);
		OPENSSL_cleanse(key, sizeof(key));
		if (err == MG_OK && (sig_len < 64 || !mg_ct_equal(mac, sig, 64))) {
			snprintf(why, whylen, "%s/manifest.json: does not match manifest.sig (changed, or another backup key)",
				 id);
			err = MG_ERR_INPUT;
		}
		if (err == MG_OK) {
			char parse_why[300];
			if ((err = mg_manifest_parse(text, body, out, parse_why, sizeof(parse_why))) != MG_OK)
				snprintf(why, whylen, "%s/%s", id, parse_why);
			else if (strcmp(json_string_value(json_object_get(*out, "id")), id) != 0) {
				snprintf(why, whylen, "%s/manifest.json: it is the manifest of backup %s (folder renamed?)", id,
					 json_string_value(json_object_get(*out, "id")));
				json_decref(*out);
				*out = NULL;
				err = MG_ERR_INPUT;
			}
		}
	}
	free(text);
	free(sig);
	return err;
}

/* Hashes a plain file. */
static enum mg_err hash_file(FILE *in, struct mg_backup_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return MG_ERR_NOMEM;
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		EVP_DigestUpdate(md, buf, n);
		sum->sealed_bytes += n;
	}
	unsigned char digest[32];
	unsigned len = 0;
	EVP_DigestFinal_ex(md, digest, &len);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < 32; i++)
		snprintf(sum->sha256 + 2 * i, 3, "%02x", digest[i]);
	sum->plain_bytes = sum->sealed_bytes;
	return ferror(in) ? MG_ERR_IO : MG_OK;
}

/*
 * Checks one file of the manifest (and, when out_dir is set and the file is sealed, writes its
 * plain content under out_dir). On a problem: MG_ERR_INPUT, and problem names the file.
 */
static enum mg_err check_file(const unsigned char *key, const char *id, const json_t *entry, const char *out_dir,
			      struct progress *p, char *problem, size_t plen)
{
	const char *path = json_string_value(json_object_get(entry, "path"));
	const char *want = json_string_value(json_object_get(entry, "sha256"));
	json_int_t bytes = json_integer_value(json_object_get(entry, "bytes"));
	bool sealed = json_is_true(json_object_get(entry, "sealed"));
	char full[1100], target[1100] = "", stream_why[300] = "";
	snprintf(full, sizeof(full), "%s/%s/%s", cfg->backup_dir, id, path);
	FILE *in = fopen(full, "rb"), *out = NULL;
	if (in == NULL) {
		snprintf(problem, plen, "%s: missing (%s)", path, strerror(errno));
		return MG_ERR_INPUT;
	}
	enum mg_err err = MG_OK;
	if (sealed && out_dir != NULL && strncmp(path, "db/", 3) == 0 && strlen(path) > 10) {
		/* db/<relative path>.gz.enc → <out_dir>/<relative path> */
		snprintf(target, sizeof(target), "%s/%.*s", out_dir, (int)(strlen(path) - 3 - 7), path + 3);
		char *slash = strrchr(target, '/');
		*slash = '\0';
		err = make_dirs(target);
		*slash = '/';
		if (err != MG_OK || (out = fopen(target, "wb")) == NULL) {
			snprintf(problem, plen, "cannot write %s: %s", target, strerror(errno));
			fclose(in);
			return MG_ERR_IO;
		}
	}
	struct mg_backup_sum sum;
	enum mg_err stream_err = sealed ? mg_backup_open_stream(key, path, in, out, progress_chunk, p, &sum, stream_why,
								 sizeof(stream_why))
					: hash_file(in, &sum);
	fclose(in);
	if (out != NULL && (fflush(out) != 0 || fclose(out) != 0) && stream_err == MG_OK) {
		snprintf(problem, plen, "cannot write %s", target);
		return MG_ERR_IO;
	}
	bool hash_ok = stream_err != MG_OK || (strcmp(sum.sha256, want) == 0 && (json_int_t)sum.sealed_bytes == bytes);
	if (stream_err == MG_ERR_IO) {
		snprintf(problem, plen, "%s: %s", path, stream_why);
		err = MG_ERR_IO;
	} else if (stream_err != MG_OK) {
		snprintf(problem, plen, "%s: %s", path, stream_why);
		err = MG_ERR_INPUT;
	} else if (!hash_ok) {
		snprintf(problem, plen, "%s: its SHA-256 or size differs from the manifest (%llu bytes, sha256 %.12s…)", path,
			 (unsigned long long)sum.sealed_bytes, sum.sha256);
		err = MG_ERR_INPUT;
	}
	return err;
}

/* Goes through every file of the manifest; stops at the first bad one when out_dir is set. */
static enum mg_err check_files(const char *id, const json_t *manifest, const char *out_dir, const char *verb,
			       unsigned *bad, char *why, size_t whylen)
{
	unsigned char key[MG_KEY_BYTES];
	*bad = 0;
	why[0] = '\0';
	enum mg_err err = load_key(key, why, whylen), first = MG_OK;
	if (err != MG_OK)
		return err;
	const json_t *files = json_object_get(manifest, "files"), *f;
	struct progress p = { verb, 0, json_array_size(files), 0, 0, 0 };
	size_t i;
	json_array_foreach(files, i, f)
		p.bytes_total += (unsigned long long)json_integer_value(json_object_get(f, "plain_bytes"));
	json_array_foreach(files, i, f) {
		char problem[600];
		err = check_file(key, id, f, out_dir, &p, problem, sizeof(problem));
		if (err != MG_OK) {
			(*bad)++;
			fprintf(stderr, "madoguchi: bad file: %s/%s\n", id, problem);
			if (first == MG_OK) {
				first = err;
				snprintf(why, whylen, "%s/%s", id, problem);
			}
			if (out_dir != NULL)
				break;
		}
		p.files_done++;
		p.bytes_before += (unsigned long long)json_integer_value(json_object_get(f, "plain_bytes"));
		progress_line(&p, 0, i + 1 == json_array_size(files));
	}
	OPENSSL_cleanse(key, sizeof(key));
	return first;
}

enum mg_err mg_backup_verify(const char *id, unsigned *bad, char *why, size_t whylen)
{
	json_t *manifest = NULL;
	*bad = 0;
	enum mg_err err = mg_backup_manifest(id, &manifest, why, whylen);
	if (err == MG_ERR_INPUT)
		*bad = 1;
	if (err == MG_OK)
		err = check_files(id, manifest, NULL, "verify: checked", bad, why, whylen);
	json_decref(manifest);
	return err;
}

static bool empty_or_missing(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

enum mg_err mg_backup_extract(const char *id, const char *dir, json_t **manifest_out, char *why, size_t whylen)
{
	json_t *manifest = NULL;
	unsigned bad = 0;
	if (manifest_out != NULL)
		*manifest_out = NULL;
	if (!empty_or_missing(dir)) {
		snprintf(why, whylen, "%s is not empty: restore into a new folder", dir);
		return MG_ERR_CONFLICT;
	}
	enum mg_err err = mg_backup_manifest(id, &manifest, why, whylen);
	if (err == MG_OK && make_dirs(dir) != MG_OK) {
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
		err = MG_ERR_IO;
	}
	if (err == MG_OK)
		err = check_files(id, manifest, dir, "restore: opened", &bad, why, whylen);
	if (err == MG_OK && manifest_out != NULL)
		*manifest_out = json_incref(manifest);
	json_decref(manifest);
	return err;
}

/* ---- the job -------------------------------------------------------------------------------- */

void mg_backup_audit(struct mg_db *db, const char *actor, const char *action, const char *object, bool ok,
		     const char *detail)
{
	char cut[MG_AUDIT_DETAIL_MAX + 1];
	snprintf(cut, sizeof(cut), "%s", detail ? detail : "");
	struct mg_audit_event ev = { 0, actor, action, object, "", "", ok ? "success" : "failure", cut };
	if (mg_audit_record(db, &ev) != MG_OK)
		mg_log_warn("backup: %s %s could not be audited: %s", action, object, mg_db_error(db));
}

enum mg_err mg_backup_job(struct mg_db *db, struct mg_arena *arena, time_t now)
{
	char id[MG_BACKUP_ID_LEN + 1] = "", why[1024] = "";
	if (cfg == NULL)
		return MG_ERR_CONFIG;
	enum mg_err err = mg_backup_take(id, why, sizeof(why));
	mg_backup_audit(db, "system:jobs", "backup.take", id, err == MG_OK, err == MG_OK ? "core.backup" : why);
	if (err != MG_OK) {
		mg_job_note("backup failed: %s", why);
		return err;
	}
	unsigned deleted = 0;
	err = mg_backup_prune(db, now, id, &deleted, why, sizeof(why));
	if (err != MG_OK)
		mg_job_note("backup %s taken; retention failed: %s", id, why);
	else
		mg_job_note("backup %s taken; %u backup(s) older than %zu days deleted", id, deleted, cfg->backup_keep_days);
	return err;
}
