#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>

#include "grants.h"
#include "log.h"

enum {
	R_SELECT = 1 << 0,
	R_INSERT = 1 << 1,
	R_UPDATE = 1 << 2,
	R_DELETE = 1 << 3,
	R_ALL = R_SELECT | R_INSERT | R_UPDATE | R_DELETE,
};

/* The tables the application account may not fully write; every other table gets R_ALL.
 * One entry per table, with the reason. */
static const struct table_rights {
	const char *table;
	unsigned rights;
} restricted[] = {
	/* append-only: rows are chained by hash (core/platform/audit.c); a change or removal by anyone
	 * with more rights shows in `madoguchi audit verify` */
	{ "audit_log", R_SELECT | R_INSERT },
	/* the end of each audit chain moves forward, never away */
	{ "audit_head", R_SELECT | R_INSERT | R_UPDATE },
	/* evidence of the purges, written only by the purge as the schema owner (core/ops/purge.c) */
	{ "deletion_record", R_SELECT },
	/* written by migrate as the owner; the workers only read it (healthz) */
	{ "schema_version", R_SELECT },
	{ NULL, 0 },
};

static const char *const right_names[] = { "SELECT", "INSERT", "UPDATE", "DELETE" };

const struct mg_sql mg_grants_statements[] = {
	[MG_SQL_GRANTS_TABLES] = { "core.grants_tables",
	  "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'"
	  " ORDER BY TABLE_NAME" },
	[MG_SQL_GRANTS__MAX] = { NULL, NULL },
};

bool mg_grants_valid_identifier(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

bool mg_grants_valid_host(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 60 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.%:/-") == n;
}

static unsigned rights_of(const char *table)
{
	for (const struct table_rights *t = restricted; t->table != NULL; t++)
		if (strcmp(t->table, table) == 0)
			return t->rights;
	return R_ALL;
}

/* "SELECT, INSERT" for the set bits of rights. */
static void rights_list(unsigned rights, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 4; i++)
		if (rights & (1u << i))
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", right_names[i]);
}

/* Runs one GRANT or REVOKE; an error code in `tolerated` (0 for none) counts as done. */
static enum mg_err run(struct mg_db *db, const char *sql, unsigned tolerated, char *errbuf, size_t errlen)
{
	enum mg_err err = mg_db_simple(db, sql);
	if (err != MG_OK && tolerated != 0 && mg_db_errno(db) == tolerated)
		return MG_OK;
	if (err != MG_OK)
		snprintf(errbuf, errlen, "%s: %s (%u)", sql, mg_db_error(db), mg_db_errno(db));
	return err;
}

enum mg_err mg_grants_apply(struct mg_db *db, const struct mg_config *cfg, size_t *ntables, size_t *nrestricted,
			    char *errbuf, size_t errlen)
{
	*ntables = *nrestricted = 0;
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err = MG_OK;
	const char *dbname = cfg->db_name, *user = cfg->db_user, *host = cfg->db_app_host;
	char sql[512];

	/* GRANT and REVOKE take no placeholders for names, so these statements are the one
	 * place where SQL text is built: each name is first checked against a pattern that
	 * leaves nothing to escape (no quote, backquote, backslash or space), then quoted. */
	if (!mg_grants_valid_identifier(dbname) || !mg_grants_valid_identifier(user)) {
		snprintf(errbuf, errlen, "db_name '%s' and db_user '%s' must match [a-z0-9_]{1,64} to be granted rights",
			 dbname, user);
		err = MG_ERR_CONFIG;
		goto out;
	}
	if (!mg_grants_valid_host(host)) {
		snprintf(errbuf, errlen, "db_app_host '%s' must match [a-z0-9.%%:/-]{1,60}", host);
		err = MG_ERR_CONFIG;
		goto out;
	}
	/* taking database-wide rights back from the owner itself would lock migrate out */
	if (strcmp(user, cfg->db_migrate_user) == 0) {
		snprintf(errbuf, errlen, "db_user and db_migrate_user are both '%s'; the application needs an account "
			 "of its own without schema rights", user);
		err = MG_ERR_CONFIG;
		goto out;
	}

	struct mg_dbval args[] = { MG_TEXT(dbname) };
	struct mg_rows rows;
	if ((err = mg_db_exec(db, arena, &mg_grants_statements[MG_SQL_GRANTS_TABLES], args, 1, &rows, NULL, NULL)) !=
	    MG_OK) {
		snprintf(errbuf, errlen, "cannot list the tables of %s: %s", dbname, mg_db_error(db));
		goto out;
	}
	/* Refuse before granting anything, so a bad name never leaves the rights half done. */
	for (size_t r = 0; r < rows.nrows; r++)
		if (!mg_grants_valid_identifier(MG_CELL(&rows, r, 0))) {
			snprintf(errbuf, errlen, "table %s.%s: names must match [a-z0-9_]{1,64} to be granted rights",
				 dbname, MG_CELL(&rows, r, 0));
			err = MG_ERR_CONFIG;
			goto out;
		}
	for (size_t r = 0; r < rows.nrows; r++) {
		const char *table = MG_CELL(&rows, r, 0);
		unsigned rights = rights_of(table);
		char list[64];
		rights_list(rights, list, sizeof(list));
		snprintf(sql, sizeof(sql), "GRANT %s ON `%s`.`%s` TO '%s'@'%s'", list, dbname, table, user, host);
		if ((err = run(db, sql, 0, errbuf, errlen)) != MG_OK)
			goto out;
		if (rights != R_ALL) {
			/* The GRANT above made sure a table-level grant exists, so this REVOKE cannot
			 * fail for want of one; it drops what an earlier migrate or a DBA gave. */
			rights_list(R_ALL & ~rights, list, sizeof(list));
			snprintf(sql, sizeof(sql), "REVOKE %s ON `%s`.`%s` FROM '%s'@'%s'", list, dbname, table, user,
				 host);
			if ((err = run(db, sql, 0, errbuf, errlen)) != MG_OK)
				goto out;
			(*nrestricted)++;
		}
		(*ntables)++;
	}
	/* Database-wide DML would override every table-level restriction above; an older
	 * set-up granted it. After the table grants, so the workers never lose a right they
	 * keep; "no such grant" means there was nothing to take back. */
	snprintf(sql, sizeof(sql), "REVOKE SELECT, INSERT, UPDATE, DELETE ON `%s`.* FROM '%s'@'%s'", dbname, user, host);
	err = run(db, sql, ER_NONEXISTING_GRANT, errbuf, errlen);
out:
	mg_arena_free(arena);
	return err;
}
