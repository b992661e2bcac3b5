#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grants.h"
#include "log.h"
#include "scratch_db.h"
#include "tz.h"

const struct mg_sql mg_scratch_db_statements[] = {
	/* the base tables of a database (scratch servers: what to count and check) */
	[MG_SQL_SCRATCH_DB_BACKUP_TABLES] = { "core.backup_tables",
	  "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'"
	  " ORDER BY TABLE_NAME" },
	/* the tables that belong to tenants: rows counted per tenant in the manifest */
	[MG_SQL_SCRATCH_DB_BACKUP_TENANT_TABLES] = { "core.backup_tenant_tables",
	  "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND COLUMN_NAME = 'tenant_id'"
	  " ORDER BY TABLE_NAME" },
	[MG_SQL_SCRATCH_DB__MAX] = { NULL, NULL },
};

/* In the child: the PATH with the sbin folders (mariadbd lives there), output to the log, and
 * death with the parent. Never returns. */
static void exec_child(char *const argv[], const char *log, int death_signal)
{
	prctl(PR_SET_PDEATHSIG, death_signal);
	if (getppid() == 1)
		_exit(127); /* the parent died before prctl */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the scheduler blocks SIGTERM; the child must not */
	int in = open("/dev/null", O_RDONLY), out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (in < 0 || out < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	const char *path = getenv("PATH");
	char full[4096];
	snprintf(full, sizeof(full), "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	setenv("PATH", full, 1);
	mg_tz_restore_env(); /* TZ as the machine has it, not the zone of the last conversion */
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static pid_t spawn(char *const argv[], const char *log, int death_signal)
{
	pid_t pid = fork();
	if (pid == 0)
		exec_child(argv, log, death_signal);
	return pid;
}

enum mg_err mg_run_program(char *const argv[], const char *log, char *why, size_t whylen)
{
	pid_t pid = spawn(argv, log, SIGKILL);
	if (pid < 0) {
		snprintf(why, whylen, "cannot start %s: %s", argv[0], strerror(errno));
		return MG_ERR_IO;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return MG_OK;
	if (WIFEXITED(status))
		snprintf(why, whylen, "%s exited with status %d (its output: %s)", argv[0], WEXITSTATUS(status), log);
	else
		snprintf(why, whylen, "%s was killed by signal %d (its output: %s)", argv[0], WTERMSIG(status), log);
	return MG_ERR_IO;
}

static bool alive(pid_t pid)
{
	int status;
	return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
}

enum mg_err mg_scratch_start(struct mg_scratch *s, const char *datadir, const char *rundir, const char *dbname,
			     char *why, size_t whylen)
{
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(s->datadir, sizeof(s->datadir), "%s", datadir);
	snprintf(s->socket, sizeof(s->socket), "%s/mysqld.sock", rundir);
	snprintf(s->log, sizeof(s->log), "%s/mysqld.log", rundir);
	if (strlen(s->socket) > 100) {
		snprintf(why, whylen, "the scratch socket path %s is too long for a unix socket (choose a shorter "
			 "scratch_dir)", s->socket);
		return MG_ERR_CONFIG;
	}
	char a_datadir[600], a_socket[600], a_pid[600], a_log[600], a_tmp[600];
	snprintf(a_datadir, sizeof(a_datadir), "--datadir=%s", datadir);
	snprintf(a_socket, sizeof(a_socket), "--socket=%s", s->socket);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s/mysqld.pid", rundir);
	snprintf(a_log, sizeof(a_log), "--log-error=%s", s->log);
	snprintf(a_tmp, sizeof(a_tmp), "--tmpdir=%s", rundir);
	char *argv[] = { "mariadbd", "--no-defaults", a_datadir, a_socket, a_pid, a_log, a_tmp, "--skip-networking",
			 "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
			 "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
			 geteuid() == 0 ? "--user=root" : NULL, NULL };
	/* SIGKILL if we die: the copy is thrown away anyway */
	s->pid = spawn(argv, s->log, SIGKILL);
	if (s->pid < 0) {
		snprintf(why, whylen, "cannot start mariadbd: %s", strerror(errno));
		return MG_ERR_IO;
	}
	struct mg_db_params params = { s->socket, NULL, 0, "root", NULL, dbname };
	for (int i = 0; i < 1200; i++) {
		struct stat st;
		if (!alive(s->pid)) {
			s->pid = -1;
			snprintf(why, whylen, "the scratch MariaDB on %s did not start (its log: %s)", datadir, s->log);
			return MG_ERR_IO;
		}
		if (stat(s->socket, &st) == 0) {
			struct mg_db *db = NULL;
			if (mg_db_open(&params, &db) == MG_OK) {
				s->db = db;
				return MG_OK;
			}
			mg_db_close(db);
		}
		struct timespec pause = { 0, 100 * 1000000L };
		nanosleep(&pause, NULL);
	}
	snprintf(why, whylen, "the scratch MariaDB on %s did not answer within two minutes (its log: %s)", datadir, s->log);
	return MG_ERR_IO;
}

void mg_scratch_stop(struct mg_scratch *s)
{
	mg_db_close(s->db);
	s->db = NULL;
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 600 && alive(s->pid); i++) {
		struct timespec pause = { 0, 100 * 1000000L };
		nanosleep(&pause, NULL);
	}
	if (alive(s->pid)) {
		mg_log_warn("backup: the scratch MariaDB (pid %ld) did not stop within a minute: SIGKILL", (long)s->pid);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = -1;
}

/* The base tables of dbname (checked names), and which of them have a tenant_id column. */
static enum mg_err list_tables(struct mg_scratch *s, struct mg_arena *arena, const char *dbname, struct mg_rows *tables,
			       struct mg_rows *tenant_tables, char *why, size_t whylen)
{
	struct mg_dbval args[] = { MG_TEXT(dbname) };
	enum mg_err err = mg_db_exec(s->db, arena, &mg_scratch_db_statements[MG_SQL_SCRATCH_DB_BACKUP_TABLES], args, 1,
	                             tables, NULL, NULL);
	if (err == MG_OK && tenant_tables != NULL)
		err = mg_db_exec(s->db, arena, &mg_scratch_db_statements[MG_SQL_SCRATCH_DB_BACKUP_TENANT_TABLES], args,
		                 1, tenant_tables, NULL, NULL);
	if (err != MG_OK) {
		snprintf(why, whylen, "cannot list the tables of the copy: %s", mg_db_error(s->db));
		return err;
	}
	for (size_t r = 0; r < tables->nrows; r++)
		if (!mg_grants_valid_identifier(MG_CELL(tables, r, 0))) {
			snprintf(why, whylen, "table name %s is not one Madoguchi makes", MG_CELL(tables, r, 0));
			return MG_ERR_INPUT;
		}
	return MG_OK;
}

static bool has_tenant_id(const struct mg_rows *tenant_tables, const char *table)
{
	for (size_t r = 0; r < tenant_tables->nrows; r++)
		if (strcmp(MG_CELL(tenant_tables, r, 0), table) == 0)
			return true;
	return false;
}

/* Runs "<before> `db`.`table` <after>" (both names checked identifiers). */
static enum mg_err query_table(struct mg_scratch *s, struct mg_arena *arena, const char *before, const char *after,
			       const char *dbname, const char *table, struct mg_rows *rows, char *why, size_t whylen)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "%s `%s`.`%s`%s", before, dbname, table, after);
	enum mg_err err = mg_db_query_names(s->db, arena, sql, rows);
	if (err != MG_OK)
		snprintf(why, whylen, "%s: %s", sql, mg_db_error(s->db));
	return err;
}

enum mg_err mg_scratch_measure(struct mg_scratch *s, const char *dbname, json_t **out, char *why, size_t whylen)
{
	*out = NULL;
	if (!mg_grants_valid_identifier(dbname)) {
		snprintf(why, whylen, "database name %s is not a plain identifier", dbname);
		return MG_ERR_CONFIG;
	}
	struct mg_arena *arena = mg_arena_new();
	json_t *tables = json_object(), *tenants = json_object();
	struct mg_rows list, tenant_tables, rows;
	enum mg_err err = list_tables(s, arena, dbname, &list, &tenant_tables, why, whylen);
	for (size_t r = 0; err == MG_OK && r < list.nrows; r++) {
		const char *table = MG_CELL(&list, r, 0);
		json_int_t count = 0;
		if ((err = query_table(s, arena, "SELECT COUNT(*) FROM", "", dbname, table, &rows, why, whylen)) != MG_OK)
			break;
		count = strtoll(MG_CELL(&rows, 0, 0), NULL, 10);
		if ((err = query_table(s, arena, "CHECKSUM TABLE", "", dbname, table, &rows, why, whylen)) != MG_OK)
			break;
		const char *checksum = rows.nrows == 1 && MG_CELL(&rows, 0, 1) != NULL ? MG_CELL(&rows, 0, 1) : "";
		json_object_set_new(tables, table, json_pack("{s:I, s:s}", "rows", count, "checksum", checksum));
		if (!has_tenant_id(&tenant_tables, table))
			continue;
		if ((err = query_table(s, arena, "SELECT tenant_id, COUNT(*) FROM", " GROUP BY tenant_id", dbname, table,
				       &rows, why, whylen)) != MG_OK)
			break;
		json_t *per_tenant = json_object();
		for (size_t t = 0; t < rows.nrows; t++)
			json_object_set_new(per_tenant, MG_CELL(&rows, t, 0) ? MG_CELL(&rows, t, 0) : "null",
					    json_integer(strtoll(MG_CELL(&rows, t, 1), NULL, 10)));
		json_object_set_new(tenants, table, per_tenant);
	}
	if (err == MG_OK)
		*out = json_pack("{s:o, s:o}", "tables", tables, "tenants", tenants);
	else {
		json_decref(tables);
		json_decref(tenants);
	}
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_scratch_check_tables(struct mg_scratch *s, const char *dbname, char *why, size_t whylen)
{
	if (!mg_grants_valid_identifier(dbname)) {
		snprintf(why, whylen, "database name %s is not a plain identifier", dbname);
		return MG_ERR_CONFIG;
	}
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows list, rows;
	enum mg_err err = list_tables(s, arena, dbname, &list, NULL, why, whylen);
	size_t o = 0;
	unsigned failed = 0;
	for (size_t r = 0; err == MG_OK && r < list.nrows; r++) {
		const char *table = MG_CELL(&list, r, 0);
		if ((err = query_table(s, arena, "CHECK TABLE", "", dbname, table, &rows, why, whylen)) != MG_OK)
			break;
		/* Table, Op, Msg_type, Msg_text: the last row says "status" / "OK" when all is well */
		const char *type = rows.nrows > 0 ? MG_CELL(&rows, rows.nrows - 1, 2) : NULL;
		const char *text = rows.nrows > 0 ? MG_CELL(&rows, rows.nrows - 1, 3) : NULL;
		if (type != NULL && text != NULL && strcmp(type, "status") == 0 && strcmp(text, "OK") == 0)
			continue;
		failed++;
		if (o < whylen)
			o += (size_t)snprintf(why + o, whylen - o, "%sCHECK TABLE %s: %s", o ? "; " : "", table,
					      text ? text : "no answer");
	}
	mg_arena_free(arena);
	if (err == MG_OK && failed > 0)
		err = MG_ERR_INPUT;
	return err;
}
