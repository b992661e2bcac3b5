/*
 * The application account's rights, made exact by `madoguchi migrate` after the migrations:
 * SELECT, INSERT, UPDATE, DELETE on each base table of the database, except the tables that
 * core/db/grants.c lists with fewer rights (the append-only audit log and the like), and no
 * database-wide DML at all, so a new table is reachable only after migrate has looked at it.
 * The schema owner runs this; it needs ALL PRIVILEGES ON <db>.* WITH GRANT OPTION.
 */
#ifndef MG_GRANTS_H
#define MG_GRANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "err.h"

/*
 * Over db (the schema owner's connection) grants cfg->db_user@cfg->db_app_host its rights on
 * every base table of cfg->db_name, revokes what a table must not have, and takes back
 * database-wide SELECT, INSERT, UPDATE, DELETE if an older set-up gave them. *ntables
 * receives the number of tables and *nrestricted those with fewer than the four rights.
 * MG_ERR_CONFIG when a name is not safe to quote (see the validators) or the application
 * account is the owner; MG_ERR_DB when the server refuses (errbuf says which statement).
 */
enum mg_err mg_grants_apply(struct mg_db *db, const struct mg_config *cfg, size_t *ntables, size_t *nrestricted,
			    char *errbuf, size_t errlen);

/* Identifiers pasted into GRANT (database, table, user): ^[a-z0-9_]{1,64}$. */
bool mg_grants_valid_identifier(const char *s);
/* Host part of an account: ^[a-z0-9.%:/-]{1,60}$ (names, IPv4/IPv6, '%' patterns, masks). */
bool mg_grants_valid_host(const char *s);

/* The statements of mg_grants_statements (grants.c); a call names one as &mg_grants_statements[<constant>]. */
enum mg_grants_sql {
	MG_SQL_GRANTS_TABLES,
	MG_SQL_GRANTS__MAX
};
extern const struct mg_sql mg_grants_statements[MG_SQL_GRANTS__MAX + 1];

#endif
