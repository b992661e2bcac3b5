/*
 * Operator commands that modules add (`madoguchi tickets import-map …`), and the little the
 * core lends them: finding a tenant by slug and writing to its audit log. The module's
 * descriptor lists its commands (struct mg_command in module.h); main.c sends here any
 * command word that names a loaded module.
 */
#include <stdio.h>
#include <string.h>

#include "module.h"
#include "audit.h"
#include "cli.h"
#include "modules.h"
#include "tenant.h"

enum mg_err mg_tenant_lookup(struct mg_db *db, struct mg_arena *arena, const char *slug, uint64_t *id)
{
	struct mg_tenant tenant;
	enum mg_err err = mg_tenant_load(db, arena, slug, &tenant);
	if (err == MG_OK)
		*id = tenant.id;
	return err;
}

enum mg_err mg_audit_command(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *actor,
			     const char *action, const char *object, const char *detail)
{
	struct mg_audit_event ev = { .tenant_id = tenant_id, .actor = actor, .action = action, .object = object,
				     .outcome = "success", .detail = detail };
	return mg_audit_append(db, arena, &ev);
}

/* The loaded module named name, or NULL. */
static const struct mg_module *module_named(const char *name)
{
	for (size_t i = 0; i < mg_modules_count(); i++)
		if (strcmp(mg_modules_get(i)->name, name) == 0)
			return mg_modules_get(i);
	return NULL;
}

static int module_usage(const struct mg_module *m)
{
	fprintf(stderr, "usage: madoguchi %s COMMAND …\n\ncommands:\n", m->name);
	for (const struct mg_command *c = m->commands; c != NULL && c->name != NULL; c++)
		fprintf(stderr, "  %s %s\n", c->name, c->usage ? c->usage : "");
	return 2;
}

int mg_cmd_module(struct mg_cli *cli, int argc, char **argv)
{
	const struct mg_module *m = module_named(argv[0]);
	if (m == NULL || m->commands == NULL || m->commands[0].name == NULL)
		return mg_cli_fail(argv[0], "the module has no commands");
	if (argc < 2)
		return module_usage(m);
	const struct mg_command *c = m->commands;
	while (c->name != NULL && strcmp(c->name, argv[1]) != 0)
		c++;
	if (c->name == NULL) {
		fprintf(stderr, "madoguchi %s: unknown command '%s'\n", m->name, argv[1]);
		return module_usage(m);
	}
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	int status = c->run(db, argc - 1, argv + 1);
	mg_db_close(db);
	return status;
}
