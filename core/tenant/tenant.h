/*
 * Tenants (契約者): who they are, which modules they contracted, their state, and their data
 * key. The tenant of a request comes from its URL (/<slug>/…) through the router, never from
 * a parameter the client chose.
 */
#ifndef MG_TENANT_H
#define MG_TENANT_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "err.h"

enum { MG_SLUG_MAX = 63 };

struct mg_tenant {
	uint64_t id;
	const char *slug, *name, *state, *time_zone;
	const char *contract_start, *contract_end; /* "YYYY-MM-DD"; contract_end may be NULL */
	const char *modules;                        /* space-separated, sorted */
	const char *purged_at;                      /* UTC; set once the 30-day purge began, else NULL */
	const unsigned char *data_key_wrapped;      /* may be NULL */
	size_t data_key_wrapped_len;
};

/* The statements of mg_tenant_statements (tenant.c); a call names one as &mg_tenant_statements[<constant>]. */
enum mg_tenant_sql {
	MG_SQL_TENANT_BY_SLUG,
	MG_SQL_TENANT_INSERT,
	MG_SQL_TENANT_SET_KEY,
	MG_SQL_TENANT_MODULE_INSERT,
	MG_SQL_TENANT_SET_STATE,
	MG_SQL_TENANT_LIST,
	MG_SQL_TENANT_KEYS_FOR_UPDATE,
	MG_SQL_TENANT_SET_TIME_ZONE,
	MG_SQL_TENANT__MAX
};
extern const struct mg_sql mg_tenant_statements[MG_SQL_TENANT__MAX + 1];

/* Loads the tenant with this slug into the arena: MG_ERR_NOT_FOUND when none. */
enum mg_err mg_tenant_load(struct mg_db *db, struct mg_arena *arena, const char *slug, struct mg_tenant *out);
bool mg_tenant_has_module(const struct mg_tenant *tenant, const char *module);
/* Whether slug may name a new tenant: lower-case letters, digits, '-', 2–63 long, not reserved.
 * Returns NULL when fine, else an English reason. */
const char *mg_tenant_slug_problem(const char *slug);
/* Unwraps the tenant's data key with the master key. */
enum mg_err mg_tenant_data_key(const unsigned char *master_key, const struct mg_tenant *tenant,
			       unsigned char key[32]);

/* What `tenant create` needs; modules is space-separated, dates "YYYY-MM-DD". */
struct mg_tenant_new {
	const char *slug, *name, *modules, *contract_start, *contract_end, *time_zone;
};
/* Creates the tenant with a fresh data key wrapped by master_key; *id receives its id. */
enum mg_err mg_tenant_create(struct mg_db *db, const unsigned char *master_key, const struct mg_tenant_new *t,
			     uint64_t *id);
/* state: "active", "suspended" or "terminated" (terminated also sets contract_end = end_date). */
enum mg_err mg_tenant_set_state(struct mg_db *db, uint64_t id, const char *state, const char *end_date);

/* What the CLI and the operator console share, so both check and act the same way. */

/* Today in the platform's zone as "YYYY-MM-DD" (the platform clock). */
void mg_tenant_today(char out[11]);
bool mg_tenant_date_ok(const char *s);
/* Checks a tenant to create: NULL when fine, else an English msgid; *field receives the field
 * at fault ("slug", "name", "contract_start", "contract_end", "modules", "time_zone") and *value the part of
 * it that is wrong where that helps (the slug, the unknown module), else NULL. */
const char *mg_tenant_new_problem(struct mg_arena *arena, const struct mg_tenant_new *t, const char **field,
				  const char **value);
/* NULL when zone names a zone of the tz database, else an English msgid saying what to write. */
const char *mg_tenant_time_zone_problem(const char *zone);
/* Sets the tenant's zone (checked: MG_ERR_INPUT when not a zone). Times stay as stored (UTC);
 * only how they are shown and read changes. */
enum mg_err mg_tenant_set_time_zone(struct mg_db *db, uint64_t id, const char *zone);
/* Moves t to state ("active", "suspended", "terminated"; end_date only for the last). A
 * terminated contract is not reopened: MG_ERR_CONFLICT. */
enum mg_err mg_tenant_change_state(struct mg_db *db, const struct mg_tenant *t, const char *state,
				   const char *end_date);
/* Every tenant, oldest first; columns: slug, state, contract_start, contract_end or '-',
 * modules or '-', name. */
enum mg_err mg_tenant_list(struct mg_db *db, struct mg_arena *arena, struct mg_rows *rows);
/* `keys rotate`: in one transaction, re-wraps every tenant's data key from old_key to new_key
 * and checks that each new wrapping unwraps to the same key. Nothing changes unless all do;
 * *failed_id names the tenant whose key did not open (0 otherwise). */
enum mg_err mg_tenant_rewrap_keys(struct mg_db *db, const unsigned char *old_key, const unsigned char *new_key,
				  size_t *count, uint64_t *failed_id);

/* The module loader registers each loaded module's name: a tenant may be given only those.
 * MG_ERR_CONFIG past MG_MAX_MODULES. Forget drops them all (when modules are unloaded). */
enum mg_err mg_tenant_module_register(const char *name);
void mg_tenant_modules_forget(void);

#endif
