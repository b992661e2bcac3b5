/*
 * madoguchi backup now | list | verify ID
 * madoguchi restore ID [--into DIR] [--yes]
 * madoguchi drill [ID]
 *
 * The operator's side of backups (core/ops/backup.c) and drills (core/ops/drill.c). Progress lines go
 * to stderr; results to stdout; exit 1 with the reason on stderr when anything failed.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backup.h"
#include "cli.h"
#include "tz.h"
#include "clock.h"
#include "schedule.h"

static const char backup_usage[] =
	"usage: madoguchi backup now            take a backup now (waits for one in progress)\n"
	"       madoguchi backup list           the complete backups, oldest first\n"
	"       madoguchi backup verify ID      check every file against the manifest and open it\n"
	"       madoguchi restore ID [--yes]    replace the live database with backup ID (asks to type ID)\n"
	"       madoguchi restore ID --into DIR restore beside the live database, into a new datadir DIR\n"
	"       madoguchi drill [ID]            restore ID (default: the newest) into a scratch server,\n"
	"                                       CHECK TABLE, compare with the manifest, delete it\n";

static int usage(void)
{
	fputs(backup_usage, stderr);
	return 2;
}

static void taken_local(const char *id, char *out, size_t len)
{
	time_t t = 0;
	mg_backup_id_parse(id, &t);
	mg_time_format_platform(t, out, len);
}

static int backup_now(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	char id[MG_BACKUP_ID_LEN + 1] = "", why[1024];
	enum mg_err err = mg_backup_take(id, why, sizeof(why));
	mg_backup_audit(db, "operator:cli", "backup.take", id, err == MG_OK, err == MG_OK ? "madoguchi backup now" : why);
	mg_db_close(db);
	if (err != MG_OK)
		return mg_cli_fail("backup", "%s", why);
	printf("%s\n", id);
	return 0;
}

static int backup_list(void)
{
	struct mg_arena *arena = mg_arena_new();
	const char **ids;
	size_t n;
	char why[1024];
	int status = 0;
	if (mg_backup_ids(arena, &ids, &n, why, sizeof(why)) != MG_OK) {
		status = mg_cli_fail("backup list", "%s", why);
		goto out;
	}
	printf("%-17s %-20s %6s %10s %7s %s   (times: %s)\n", "ID", "TAKEN", "FILES", "MB", "TABLES", "MANIFEST",
	       mg_tz_platform());
	for (size_t i = 0; i < n; i++) {
		json_t *m = NULL;
		char when[32];
		taken_local(ids[i], when, sizeof(when));
		if (mg_backup_manifest(ids[i], &m, why, sizeof(why)) != MG_OK) {
			printf("%-17s %-20s %6s %10s %7s %s\n", ids[i], when, "-", "-", "-", why);
			continue;
		}
		const json_t *files = json_object_get(m, "files"), *f;
		size_t k;
		double bytes = 0;
		json_array_foreach(files, k, f)
			bytes += (double)json_integer_value(json_object_get(f, "bytes"));
		printf("%-17s %-20s %6zu %10.1f %7zu %s\n", ids[i], when, json_array_size(files), bytes / 1e6,
		       json_object_size(json_object_get(m, "tables")), "ok");
		json_decref(m);
	}
	if (n == 0)
		printf("(no backups in %s)\n", mg_backup_config()->backup_dir);
out:
	mg_arena_free(arena);
	return status;
}

static int backup_verify(const char *id)
{
	unsigned bad = 0;
	char why[1024];
	enum mg_err err = mg_backup_verify(id, &bad, why, sizeof(why));
	if (err != MG_OK)
		return mg_cli_fail("backup verify", "%s FAILED: %u bad file(s); first: %s", id, bad ? bad : 1, why);
	printf("%s: ok (every file matches the manifest and opens)\n", id);
	return 0;
}

int mg_cmd_backup(struct mg_cli *cli, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "now") == 0)
		return backup_now(cli);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return backup_list();
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		return backup_verify(argv[2]);
	return usage();
}

/* ---- restore -------------------------------------------------------------------------------- */

/* ==== PURGE LEDGER REPLAY: the one call site (issue 5, item 4) ================================
 * A restored backup may hold tenants that were purged after it was taken. The purge ledger
 * (<backup_dir>/purge-ledger.jsonl, kept outside the database and copied into every backup)
 * says which; `madoguchi purge replay` deletes them again. It runs as a command of its own so
 * that restore needs nothing of the purge code. Until that command exists, this says so loudly
 * and restore exits 1: a restore that may have brought a purged tenant back is not finished. */
/* The live ledger lost with the host: the backup's copy (as of the backup) takes its place, so
 * at least every purge done before the backup is replayed. */
static bool copy_ledger(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
	bool ok = in != NULL && out != NULL;
	char chunk[8192];
	size_t n;
	while (ok && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		ok = fwrite(chunk, 1, n, out) == n;
	ok = ok && !ferror(in);
	if (out != NULL && fclose(out) != 0)
		ok = false;
	if (in != NULL)
		fclose(in);
	return ok;
}

static int replay_purge_ledger(const struct mg_cli *cli, const char *id)
{
	const struct mg_config *cfg = cli->cfg;
	char ledger[512], copy[600];
	snprintf(ledger, sizeof(ledger), "%s/purge-ledger.jsonl", cfg->backup_dir);
	snprintf(copy, sizeof(copy), "%s/%s/purge-ledger.jsonl", cfg->backup_dir, id);
	if (access(ledger, F_OK) != 0 && access(copy, F_OK) != 0) {
		printf("purge ledger: none (no tenant was ever purged); nothing to replay\n");
		return 0;
	}
	if (access(ledger, F_OK) != 0 && !copy_ledger(copy, ledger))
		return mg_cli_fail("restore", "the live purge ledger %s is missing and the backup's copy %s could not be "
			       "put in its place: copy it by hand, then run madoguchi purge replay", ledger, copy);
	fprintf(stderr, "madoguchi: restore: replaying the purge ledger (madoguchi purge replay)\n");
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "madoguchi", "-c", cli->config_file, "purge", "replay", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return mg_cli_fail("restore", "could not run madoguchi purge replay: run it now by hand");
	if (WEXITSTATUS(status) == 2)
		return mg_cli_fail("restore", "this build has no 'madoguchi purge replay': purged tenants in the backup "
			       "may be back. Do not serve until the ledger %s is replayed", access(ledger, F_OK) == 0 ? ledger : copy);
	if (WEXITSTATUS(status) != 0)
		return mg_cli_fail("restore", "madoguchi purge replay failed (exit %d): run it again before serving",
				   WEXITSTATUS(status));
	return 0;
}

static bool confirmed(const char *id)
{
	char when[32], line[128];
	taken_local(id, when, sizeof(when));
	fprintf(stderr,
		"This replaces the live database with backup %s (taken %s %s).\n"
		"Everything written since then is lost; the workers answer 503 while the server restarts.\n"
		"Type the backup id to go on: ",
		id, when, mg_tz_platform());
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, id) == 0;
}

static int run_shell(const char *what, const char *command)
{
	fprintf(stderr, "madoguchi: restore: %s: %s\n", what, command);
	mg_tz_restore_env(); /* the database server it starts keeps the machine's zone */
	int status = system(command);
	return status == 0 ? 0 : mg_cli_fail("restore", "%s failed (%s, status %d)", what, command, status);
}

static uid_t chown_uid;
static gid_t chown_gid;

static int give(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return lchown(path, chown_uid, chown_gid);
}

/* The live datadir, as the server reports it, without its trailing slash. */
static int live_datadir(struct mg_cli *cli, char *out, size_t len)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	int status = 0;
	if (mg_db_exec(db, arena, &mg_drill_statements[MG_SQL_DRILL_BACKUP_DATADIR], NULL, 0, &rows, NULL, NULL) !=
	        MG_OK ||
	    rows.nrows != 1) {
		status = mg_cli_fail("restore", "cannot ask the server for its datadir: %s", mg_db_error(db));
	} else {
		snprintf(out, len, "%s", MG_CELL(&rows, 0, 0));
		size_t n = strlen(out);
		while (n > 1 && out[n - 1] == '/')
			out[--n] = '\0';
		mg_backup_audit(db, "operator:cli", "restore.start", MG_CELL(&rows, 0, 0), true, "madoguchi restore");
	}
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

/*
 * Restores into the live server: the backup is opened and checked into <datadir>.restore-<id>
 * while the server still serves; only then is the server stopped, the datadir set aside as
 * <datadir>.before-restore-<time> (kept), the restored one moved in, and the server started.
 */
static int restore_live(struct mg_cli *cli, const char *id)
{
	const struct mg_config *cfg = cli->cfg;
	if (cfg->db_stop_command[0] == '\0' || cfg->db_start_command[0] == '\0')
		return mg_cli_fail("restore", "db_stop_command and db_start_command are not set: restore with --into DIR "
			       "and swap the datadir by hand (docs/OPERATIONS.md, Restore)");
	char datadir[512], staged[600], kept[640], why[1024], stamp[MG_BACKUP_ID_LEN + 1];
	if (live_datadir(cli, datadir, sizeof(datadir)) != 0)
		return 1;
	mg_backup_id_format(mg_now(), stamp);
	snprintf(staged, sizeof(staged), "%s.restore-%s", datadir, id);
	snprintf(kept, sizeof(kept), "%s.before-restore-%s", datadir, stamp);
	if (mg_backup_extract(id, staged, NULL, why, sizeof(why)) != MG_OK)
		return mg_cli_fail("restore", "%s (the live database is untouched; %s may be deleted)", why, staged);
	struct stat st;
	if (stat(datadir, &st) == 0 && geteuid() == 0) { /* the server's owner, not ours */
		chown_uid = st.st_uid;
		chown_gid = st.st_gid;
		nftw(staged, give, 32, FTW_PHYS);
	}
	if (run_shell("stopping the database", cfg->db_stop_command) != 0)
		return mg_cli_fail("restore", "the live database is untouched; the restored copy is in %s", staged);
	if (rename(datadir, kept) != 0 || rename(staged, datadir) != 0) {
		mg_cli_fail("restore", "cannot swap %s for %s: %s", datadir, staged, strerror(errno));
		if (access(datadir, F_OK) != 0)
			rename(kept, datadir);
		run_shell("starting the database again", cfg->db_start_command);
		return 1;
	}
	if (run_shell("starting the database", cfg->db_start_command) != 0)
		return mg_cli_fail("restore", "the restored datadir is in place but the server did not start; the previous "
			       "one is %s", kept);
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db != NULL)
		mg_backup_audit(db, "operator:cli", "restore.done", id, true, kept);
	mg_db_close(db);
	printf("restored %s into the live database (%s)\nthe previous datadir is kept in %s: delete it when satisfied\n",
	       id, datadir, kept);
	return replay_purge_ledger(cli, id);
}

static int restore_into(const char *id, const char *dir)
{
	char why[1024];
	enum mg_err err = mg_backup_extract(id, dir, NULL, why, sizeof(why));
	if (err == MG_ERR_CONFLICT)
		return mg_cli_fail("restore", "%s", why);
	if (err != MG_OK)
		return mg_cli_fail("restore", "%s (what was restored so far in %s is not to be used: delete it)", why, dir);
	printf("restored %s into %s (a prepared MariaDB datadir)\n"
	       "start it beside the live server with:\n"
	       "  mariadbd --no-defaults --datadir=%s --socket=%s/mysqld.sock --skip-networking%s\n"
	       "tenants purged after %s may be in it: run `madoguchi purge replay` against it before using it\n",
	       id, dir, dir, dir, geteuid() == 0 ? " --user=root" : "", id);
	return 0;
}

int mg_cmd_restore(struct mg_cli *cli, int argc, char **argv)
{
	const char *into = NULL, *id = NULL;
	bool yes = false;
	const struct mg_cli_option options[] = { { "into", &into, NULL, false, false },
						 { "yes", NULL, &yes, false, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { backup_usage, options, &id, 1, 1, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	time_t t;
	if (!mg_backup_id_parse(id, &t))
		return mg_cli_fail("restore", "'%s' is not a backup id (madoguchi backup list shows them)", id);
	if (into != NULL)
		return restore_into(id, into);
	if (!yes && !confirmed(id))
		return mg_cli_fail("restore", "not confirmed; nothing was changed");
	return restore_live(cli, id);
}

/* ---- drill ---------------------------------------------------------------------------------- */

int mg_cmd_drill(struct mg_cli *cli, int argc, char **argv)
{
	if (argc > 2)
		return usage();
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	char used[MG_BACKUP_ID_LEN + 1] = "", why[2048];
	enum mg_err err = mg_drill_run(db, argc == 2 ? argv[1] : NULL, mg_now(), used, why, sizeof(why));
	mg_db_close(db);
	if (err != MG_OK)
		return mg_cli_fail("drill", "FAILED: %s", why);
	printf("drill passed: %s\n", why);
	return 0;
}
