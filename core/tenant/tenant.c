#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "i18n.h"
#include "log.h"
#include "tenant.h"
#include "tz.h"

const struct mg_sql mg_tenant_statements[] = {
	[MG_SQL_TENANT_BY_SLUG] = { "core.tenant_by_slug",
	  "SELECT t.id, t.slug, t.name, t.state, t.time_zone, t.contract_start, t.contract_end, t.data_key_wrapped,"
	  " (SELECT GROUP_CONCAT(m.module ORDER BY m.module SEPARATOR ' ') FROM tenant_module m"
	  "  WHERE m.tenant_id = t.id), t.purged_at FROM tenant t WHERE t.slug = ?" },
	[MG_SQL_TENANT_INSERT] = { "core.tenant_insert",
	  "INSERT INTO tenant (slug, name, contract_start, contract_end, time_zone) VALUES (?, ?, ?, ?, ?)" },
	[MG_SQL_TENANT_SET_KEY] = { "core.tenant_set_key", "UPDATE tenant SET data_key_wrapped = ? WHERE id = ?" },
	[MG_SQL_TENANT_SET_TIME_ZONE] = { "core.tenant_set_time_zone",
	  "UPDATE tenant SET time_zone = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?" },
	[MG_SQL_TENANT_MODULE_INSERT] = { "core.tenant_module_insert",
	  "INSERT INTO tenant_module (tenant_id, module) VALUES (?, ?)" },
	[MG_SQL_TENANT_SET_STATE] = { "core.tenant_set_state",
	  "UPDATE tenant SET state = ?, contract_end = COALESCE(?, contract_end), updated_at = CURRENT_TIMESTAMP(6)"
	  " WHERE id = ?" },
	[MG_SQL_TENANT_LIST] = { "core.tenant_list",
	  "SELECT t.slug, t.state, t.contract_start, COALESCE(t.contract_end, '-'),"
	  " COALESCE((SELECT GROUP_CONCAT(m.module ORDER BY m.module SEPARATOR ' ') FROM tenant_module m"
	  "  WHERE m.tenant_id = t.id), '-'), t.name FROM tenant t ORDER BY t.id" },
	[MG_SQL_TENANT_KEYS_FOR_UPDATE] = { "core.tenant_keys_for_update",
	  "SELECT id, data_key_wrapped FROM tenant WHERE data_key_wrapped IS NOT NULL ORDER BY id FOR UPDATE" },
	[MG_SQL_TENANT__MAX] = { NULL, NULL },
};

/* Words a slug may not be: they name, or may one day name, platform paths. */
static const char *const reserved_slugs[] = { "admin", "api", "static", "healthz", "lang", "login", "logout",
					      "operator", "www", "mail", "help", "docs", "assets", "public",
					      "system", "madoguchi", NULL };

const char *mg_tenant_slug_problem(const char *slug)
{
	size_t len = strlen(slug);
	if (len < 2 || len > MG_SLUG_MAX)
		return N_("A slug is 2 to 63 characters long.");
	if (slug[0] == '-' || slug[len - 1] == '-')
		return N_("A slug neither starts nor ends with '-'.");
	for (const char *c = slug; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return N_("A slug has only lower-case letters a-z, digits and '-'.");
	for (int i = 0; reserved_slugs[i] != NULL; i++)
		if (strcmp(slug, reserved_slugs[i]) == 0)
			return N_("This slug is reserved for the platform.");
	return NULL;
}

void mg_tenant_today(char out[11])
{
	/* contracts are dated in the platform's zone */
	mg_tz_format(mg_tz_platform(), mg_now(), MG_TZ_DATE, NULL, out, 11);
}

bool mg_tenant_date_ok(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
	return end != NULL && *end == '\0' && strlen(s) == 10;
}

/* The modules loaded in this process (the loader registers each), which a tenant may have. */
static const char *known_modules[MG_MAX_MODULES];
static size_t nknown_modules;

enum mg_err mg_tenant_module_register(const char *name)
{
	if (nknown_modules == MG_MAX_MODULES)
		return MG_ERR_CONFIG;
	known_modules[nknown_modules++] = name;
	return MG_OK;
}

void mg_tenant_modules_forget(void)
{
	nknown_modules = 0;
}

static bool module_known(const char *name)
{
	for (size_t i = 0; i < nknown_modules; i++)
		if (strcmp(known_modules[i], name) == 0)
			return true;
	return false;
}

/* The first module in the list that no loaded module has, or that is named twice; NULL if none.
 * The answer is a copy in arena. */
static const char *modules_problem(struct mg_arena *arena, const char *modules)
{
	char *copy = mg_arena_strdup(arena, modules ? modules : "");
	char *save = NULL;
	const char *seen[32];
	size_t nseen = 0;
	for (char *m = strtok_r(copy, " ,", &save); m != NULL; m = strtok_r(NULL, " ,", &save)) {
		for (size_t i = 0; i < nseen; i++)
			if (strcmp(seen[i], m) == 0)
				return m;
		if (nseen < 32)
			seen[nseen++] = m;
		if (!module_known(m))
			return m;
	}
	return NULL;
}

const char *mg_tenant_new_problem(struct mg_arena *arena, const struct mg_tenant_new *t, const char **field,
				  const char **value)
{
	const char *problem;
	*value = NULL;
	*field = "slug";
	if ((problem = mg_tenant_slug_problem(t->slug ? t->slug : "")) != NULL) {
		*value = t->slug;
		return problem;
	}
	*field = "name";
	if (t->name == NULL || t->name[0] == '\0' || strlen(t->name) > 200)
		return N_("The name is required (at most 200 characters).");
	*field = "contract_start";
	if (!mg_tenant_date_ok(t->contract_start))
		return N_("Dates are written YYYY-MM-DD.");
	*field = "contract_end";
	if (t->contract_end != NULL && !mg_tenant_date_ok(t->contract_end))
		return N_("Dates are written YYYY-MM-DD.");
	if (t->contract_end != NULL && strcmp(t->contract_end, t->contract_start) < 0)
		return N_("The contract cannot end before it starts.");
	*field = "modules";
	if ((*value = modules_problem(arena, t->modules)) != NULL)
		return N_("This service is not offered here, or is named twice.");
	*field = "time_zone";
	if (t->time_zone != NULL && (problem = mg_tenant_time_zone_problem(t->time_zone)) != NULL) {
		*value = t->time_zone;
		return problem;
	}
	*field = NULL;
	return NULL;
}

const char *mg_tenant_time_zone_problem(const char *zone)
{
	return mg_tz_valid(zone) ? NULL
				 : N_("This is not a time zone of the tz database; write one like Asia/Tokyo or "
				      "Europe/London.");
}

enum mg_err mg_tenant_set_time_zone(struct mg_db *db, uint64_t id, const char *zone)
{
	if (!mg_tz_valid(zone))
		return MG_ERR_INPUT;
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_TEXT(zone), MG_INT(id) };
	unsigned long long changed = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_SET_TIME_ZONE], args, 2, NULL, &changed, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_tenant_load(struct mg_db *db, struct mg_arena *arena, const char *slug, struct mg_tenant *out)
{
	struct mg_rows rows;
	struct mg_dbval args[] = { MG_TEXT(slug) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_BY_SLUG], args, 1, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	out->id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	out->slug = MG_CELL(&rows, 0, 1);
	out->name = MG_CELL(&rows, 0, 2);
	out->state = MG_CELL(&rows, 0, 3);
	out->time_zone = MG_CELL(&rows, 0, 4);
	out->contract_start = MG_CELL(&rows, 0, 5);
	out->contract_end = MG_CELL(&rows, 0, 6);
	out->data_key_wrapped = (const unsigned char *)MG_CELL(&rows, 0, 7);
	out->data_key_wrapped_len = rows.lens[7];
	out->modules = MG_CELL(&rows, 0, 8) ? MG_CELL(&rows, 0, 8) : "";
	out->purged_at = MG_CELL(&rows, 0, 9);
	return MG_OK;
}

bool mg_tenant_has_module(const struct mg_tenant *tenant, const char *module)
{
	size_t len = strlen(module);
	for (const char *p = tenant->modules; (p = strstr(p, module)) != NULL; p += len)
		if ((p == tenant->modules || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

static void key_context(uint64_t id, char *out, size_t outlen)
{
	snprintf(out, outlen, "tenant:%llu", (unsigned long long)id);
}

enum mg_err mg_tenant_data_key(const unsigned char *master_key, const struct mg_tenant *tenant, unsigned char key[32])
{
	char context[40];
	if (tenant->data_key_wrapped == NULL)
		return MG_ERR_NOT_FOUND; /* destroyed by the 60-day purge */
	key_context(tenant->id, context, sizeof(context));
	return mg_key_unwrap(master_key, tenant->data_key_wrapped, tenant->data_key_wrapped_len, context, key);
}

struct create_args {
	const unsigned char *master_key;
	const struct mg_tenant_new *t;
	uint64_t id;
};

static enum mg_err create_in_transaction(struct mg_db *db, void *arg)
{
	struct create_args *a = arg;
	const struct mg_tenant_new *t = a->t;
	struct mg_arena *arena = mg_arena_new();
	struct mg_buf wrapped;
	mg_buf_init(&wrapped);
	unsigned long long id = 0;
	unsigned char key[MG_KEY_BYTES];
	char context[40];
	enum mg_err err;

	struct mg_dbval row[] = { MG_TEXT(t->slug), MG_TEXT(t->name), MG_TEXT(t->contract_start),
				  MG_TEXT(t->contract_end), MG_TEXT(t->time_zone ? t->time_zone : MG_TZ_DEFAULT) };
	if ((err = mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_INSERT], row, 5, NULL, NULL, &id)) !=
	    MG_OK)
		goto out;
	mg_random_bytes(key, sizeof(key));
	key_context(id, context, sizeof(context));
	if ((err = mg_key_wrap(a->master_key, key, context, &wrapped)) != MG_OK)
		goto out;
	struct mg_dbval set_key[] = { MG_BLOB(wrapped.data, wrapped.len), MG_INT(id) };
	if ((err = mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_SET_KEY], set_key, 2, NULL, NULL, NULL)) !=
	    MG_OK)
		goto out;
	char modules[256];
	snprintf(modules, sizeof(modules), "%s", t->modules ? t->modules : "");
	char *save = NULL;
	for (char *m = strtok_r(modules, " ,", &save); m != NULL; m = strtok_r(NULL, " ,", &save)) {
		struct mg_dbval pair[] = { MG_INT(id), MG_TEXT(m) };
		if ((err = mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_MODULE_INSERT], pair, 2, NULL,
		                      NULL, NULL)) != MG_OK)
			goto out;
	}
	a->id = id;
out:
	OPENSSL_cleanse(key, sizeof(key));
	mg_buf_free(&wrapped);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_tenant_create(struct mg_db *db, const unsigned char *master_key, const struct mg_tenant_new *t,
			     uint64_t *id)
{
	struct create_args args = { master_key, t, 0 };
	enum mg_err err = mg_db_transaction(db, create_in_transaction, &args);
	if (err == MG_OK)
		*id = args.id;
	return err;
}

enum mg_err mg_tenant_change_state(struct mg_db *db, const struct mg_tenant *t, const char *state, const char *end_date)
{
	if (strcmp(t->state, "terminated") == 0 && strcmp(state, "terminated") != 0)
		return MG_ERR_CONFLICT;
	return mg_tenant_set_state(db, t->id, state, strcmp(state, "terminated") == 0 ? end_date : NULL);
}

enum mg_err mg_tenant_list(struct mg_db *db, struct mg_arena *arena, struct mg_rows *rows)
{
	return mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_LIST], NULL, 0, rows, NULL, NULL);
}

struct rewrap_args {
	const unsigned char *old_key, *new_key;
	size_t count;
	uint64_t failed_id;
};

/* Re-wraps one tenant's data key and proves the new wrapping opens to the same key. */
static enum mg_err rewrap_one(const struct rewrap_args *a, uint64_t id, const void *wrapped, size_t len,
			      struct mg_buf *out)
{
	unsigned char key[MG_KEY_BYTES], check[MG_KEY_BYTES];
	char context[40];
	key_context(id, context, sizeof(context));
	enum mg_err err = mg_key_unwrap(a->old_key, wrapped, len, context, key);
	if (err == MG_OK)
		err = mg_key_wrap(a->new_key, key, context, out);
	if (err == MG_OK)
		err = mg_key_unwrap(a->new_key, out->data, out->len, context, check);
	if (err == MG_OK && !mg_ct_equal(key, check, sizeof(key)))
		err = MG_ERR_INTERNAL;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(check, sizeof(check));
	return err;
}

static enum mg_err rewrap_txn(struct mg_db *db, void *arg)
{
	struct rewrap_args *a = arg;
	struct mg_arena *arena = mg_arena_new();
	struct mg_buf wrapped;
	mg_buf_init(&wrapped);
	struct mg_rows rows;
	a->count = 0;
	a->failed_id = 0;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_KEYS_FOR_UPDATE], NULL, 0, &rows, NULL, NULL);
	for (size_t r = 0; err == MG_OK && r < rows.nrows; r++) {
		uint64_t id = strtoull(MG_CELL(&rows, r, 0), NULL, 10);
		if ((err = rewrap_one(a, id, MG_CELL(&rows, r, 1), rows.lens[r * rows.ncols + 1], &wrapped)) != MG_OK) {
			a->failed_id = id;
			break;
		}
		struct mg_dbval set_key[] = { MG_BLOB(wrapped.data, wrapped.len), MG_INT(id) };
		if ((err = mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_SET_KEY], set_key, 2, NULL, NULL,
		                      NULL)) == MG_OK)
			a->count++;
	}
	mg_buf_free(&wrapped);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_tenant_rewrap_keys(struct mg_db *db, const unsigned char *old_key, const unsigned char *new_key,
				  size_t *count, uint64_t *failed_id)
{
	struct rewrap_args a = { old_key, new_key, 0, 0 };
	enum mg_err err = mg_db_transaction(db, rewrap_txn, &a);
	*count = a.count;
	*failed_id = a.failed_id;
	return err;
}

enum mg_err mg_tenant_set_state(struct mg_db *db, uint64_t id, const char *state, const char *end_date)
{
	struct mg_arena *arena = mg_arena_new();
	unsigned long long affected = 0;
	struct mg_dbval args[] = { MG_TEXT(state), MG_TEXT(end_date), MG_INT(id) };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_tenant_statements[MG_SQL_TENANT_SET_STATE], args, 3, NULL, &affected, NULL);
	mg_arena_free(arena);
	if (err == MG_OK && affected == 0)
		return MG_ERR_NOT_FOUND;
	return err;
}
