#include <string.h>

#include "config.h"
#include "i18n.h"
#include "log.h"
#include "permission.h"

const struct mg_permission mg_core_permissions[] = {
	{ "core.backoffice", MG_ROLE_ALL, N_("Use the back office") },
	{ "core.profile", MG_ROLE_ALL, N_("Change one's own password and two-factor settings") },
	{ "core.staff.manage", MG_ROLE_ADMIN, N_("Manage staff accounts") },
	{ "core.audit.view", MG_ROLE_ADMIN, N_("View and export the audit log") },
	{ "core.notices.manage", MG_ROLE_ADMIN, N_("Post notices to the tenant's staff") },
	{ "core.export", MG_ROLE_ADMIN, N_("Download an export of all the tenant's data") },
	/* ---- gate: staff API tokens (core/auth/api_token.c) ---- */
	{ "core.api_tokens", MG_ROLE_ADMIN, N_("Create and revoke staff API tokens") },
	/* ---- commerce: receipts (core/web/receipt.c) ---- */
	{ "core.settings", MG_ROLE_ADMIN, N_("Change the tenant's settings (invoice registration number)") },
	{ NULL, 0, NULL },
};

unsigned mg_role_bit(const char *role)
{
	if (role == NULL)
		return 0;
	if (strcmp(role, "admin") == 0)
		return MG_ROLE_ADMIN;
	if (strcmp(role, "general") == 0)
		return MG_ROLE_GENERAL;
	if (strcmp(role, "restricted") == 0)
		return MG_ROLE_RESTRICTED;
	return 0;
}

static const struct mg_permission *find_in(const struct mg_permission *table, const char *name)
{
	for (const struct mg_permission *p = table; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The modules' permission tables, registered by the loader. */
static const struct mg_permission *module_permissions[MG_MAX_MODULES];
static size_t nmodule_permissions;

enum mg_err mg_permissions_register(const struct mg_permission *table)
{
	if (table == NULL)
		return MG_OK;
	if (nmodule_permissions == MG_MAX_MODULES)
		return MG_ERR_CONFIG;
	module_permissions[nmodule_permissions++] = table;
	return MG_OK;
}

void mg_permissions_forget(void)
{
	nmodule_permissions = 0;
}

bool mg_permission_allows(const char *role, const char *permission)
{
	const struct mg_permission *p = find_in(mg_core_permissions, permission);
	for (size_t i = 0; p == NULL && i < nmodule_permissions; i++)
		p = find_in(module_permissions[i], permission);
	if (p == NULL) {
		mg_log_error("permission %s is not declared by the core or any module; refusing", permission);
		return false;
	}
	return (p->roles & mg_role_bit(role)) != 0;
}
