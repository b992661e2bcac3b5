/*
 * Staff management in the back office (administrators): the list, creating an account (its
 * one-time password shown once), and on one account: role change, deactivation and
 * reactivation, a new one-time password, lifting a lockout, resetting two-factor login.
 * Every change ends the account's sessions and is audited. Accounts are never deleted, and an
 * administrator cannot demote or deactivate themself (a tenant never loses its last admin by
 * a slip).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "backoffice.h"
#include "http.h"
#include "i18n.h"
#include "permission.h"
#include "session.h"
#include "staff.h"

/* GET /<slug>/admin/staff — every account of the tenant. */
static enum mg_err staff_list(struct mg_ctx *ctx)
{
	enum mg_err err;
	json_t *list = mg_staff_list(mg_ctx_db(ctx), mg_arena(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), &err);
	if (list == NULL)
		return err;
	size_t i;
	json_t *account;
	json_array_foreach(list, i, account)
		json_object_set_new(account, "href", json_string(mg_arena_printf(mg_arena(ctx), "%s%s", mg_admin_path(ctx, "/staff/"),
										  json_string_value(json_object_get(account, "id")))));
	mg_audit(ctx, "staff.list", "staff", "success", NULL); /* names are personal data */
	json_t *data = mg_admin_page(ctx, N_("Staff accounts"));
	json_object_set_new(data, "accounts", list);
	json_object_set_new(data, "new_href", json_string(mg_admin_path(ctx, "/staff/new")));
	return mg_render(ctx, 200, "core/admin_staff", data);
}

static enum mg_err render_new(struct mg_ctx *ctx, int status, json_t *errors)
{
	json_t *data = mg_admin_page(ctx, N_("New staff account"));
	const char *role = mg_form_typed(ctx, "role");
	json_object_set_new(data, "action", json_string(mg_admin_path(ctx, "/staff")));
	const char *login = mg_form_typed(ctx, "login"), *name = mg_form_typed(ctx, "name");
	if (role == NULL)
		role = "general";
	json_object_set_new(data, "form", json_pack("{s:s, s:s, s:b, s:b, s:b}", "login", login ? login : "", "name",
						   name ? name : "", "role_admin", strcmp(role, "admin") == 0,
						   "role_general", strcmp(role, "general") == 0, "role_restricted",
						   strcmp(role, "restricted") == 0));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, status, "core/admin_staff_new", data);
}

/* GET /<slug>/admin/staff/new */
static enum mg_err staff_new(struct mg_ctx *ctx)
{
	return render_new(ctx, 200, NULL);
}

/* The one-time password page, after creating an account or issuing a new password. */
static enum mg_err show_initial_password(struct mg_ctx *ctx, const char *title, const char *login, uint64_t id,
					 const char *password)
{
	json_t *data = mg_admin_page(ctx, title);
	json_object_set_new(data, "account", json_pack("{s:s, s:s}", "login", login, "href",
						      mg_arena_printf(mg_arena(ctx), "%s%llu", mg_admin_path(ctx, "/staff/"),
								      (unsigned long long)id)));
	json_object_set_new(data, "password", json_string(password));
	return mg_render(ctx, 200, "core/admin_staff_password", data);
}

/* The checks of the new-account form, each message for its field. */
static json_t *new_account_problems(struct mg_ctx *ctx)
{
	json_t *errors = json_object();
	const char *login = mg_form(ctx, "login"), *name = mg_form(ctx, "name"), *role = mg_form(ctx, "role");
	if (login == NULL || !mg_staff_login_ok(login))
		json_object_set_new(errors, "login", json_string(mg_tr(ctx,
			N_("Use 1 to 64 letters, digits, '.', '_', '@' or '-'."))));
	if (name == NULL || name[0] == '\0')
		json_object_set_new(errors, "name", json_string(mg_tr(ctx, N_("Enter the person's name."))));
	if (role == NULL || mg_role_bit(role) == 0)
		json_object_set_new(errors, "role", json_string(mg_tr(ctx, N_("Choose a role."))));
	return errors;
}

/* POST /<slug>/admin/staff — creates the account and shows its one-time password once. */
static enum mg_err staff_create(struct mg_ctx *ctx)
{
	json_t *errors = new_account_problems(ctx);
	if (json_object_size(errors) > 0)
		return render_new(ctx, 422, errors);
	const char *login = mg_form(ctx, "login");
	char initial[17];
	uint64_t id = 0;
	enum mg_err err = mg_staff_create(mg_ctx_db(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), login,
					  mg_form(ctx, "name"), mg_form(ctx, "role"), initial, &id);
	if (err == MG_ERR_CONFLICT) {
		json_object_set_new(errors, "login", json_string(mg_tr(ctx,
			N_("This login ID is already taken (also by a deactivated account). Choose another."))));
		return render_new(ctx, 409, errors);
	}
	json_decref(errors);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "staff.create", mg_arena_printf(mg_arena(ctx), "staff:%llu", (unsigned long long)id), "success",
		 mg_form(ctx, "role"));
	err = show_initial_password(ctx, N_("Account created"), login, id, initial);
	OPENSSL_cleanse(initial, sizeof(initial));
	return err;
}

/* The account named by the URL, in this tenant only: another tenant's id is simply not found. */
static enum mg_err load_target(struct mg_ctx *ctx, struct mg_staff *target)
{
	uint64_t id;
	enum mg_err err = mg_param_id(ctx, "id", &id);
	if (err != MG_OK)
		return err;
	return mg_staff_load(mg_ctx_db(ctx), mg_arena(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), id, target);
}

static const char *target_object(struct mg_ctx *ctx, const struct mg_staff *target)
{
	return mg_arena_printf(mg_arena(ctx), "staff:%llu", (unsigned long long)target->id);
}

static enum mg_err render_detail(struct mg_ctx *ctx, int status, const struct mg_staff *t, const char *error)
{
	json_t *data = mg_admin_page(ctx, N_("Staff account"));
	const char *base = mg_arena_printf(mg_arena(ctx), "%s%llu", mg_admin_path(ctx, "/staff/"), (unsigned long long)t->id);
	json_object_set_new(data, "account",
			    json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:s}", "login", t->login, "name",
				      t->name ? t->name : "?", "role", t->role, "active", t->active, "two_factor",
				      t->has_totp, "locked", t->locked, "must_change", t->must_change_password,
				      "last_login", t->last_login));
	json_object_set_new(data, "self", json_boolean(t->id == mg_staff_id(ctx)));
	json_object_set_new(data, "role_admin", json_boolean(strcmp(t->role, "admin") == 0));
	json_object_set_new(data, "role_general", json_boolean(strcmp(t->role, "general") == 0));
	json_object_set_new(data, "role_restricted", json_boolean(strcmp(t->role, "restricted") == 0));
	struct mg_arena *a = mg_arena(ctx);
	json_object_set_new(data, "actions",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "role", mg_arena_printf(a, "%s/role", base),
				      "deactivate", mg_arena_printf(a, "%s/deactivate", base), "activate",
				      mg_arena_printf(a, "%s/activate", base), "password", mg_arena_printf(a, "%s/password", base),
				      "unlock", mg_arena_printf(a, "%s/unlock", base), "two_factor",
				      mg_arena_printf(a, "%s/two-factor/reset", base)));
	json_object_set_new(data, "list_href", json_string(mg_admin_path(ctx, "/staff")));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	return mg_render(ctx, status, "core/admin_staff_detail", data);
}

/* GET /<slug>/admin/staff/<id> */
static enum mg_err staff_detail(struct mg_ctx *ctx)
{
	struct mg_staff target;
	enum mg_err err = load_target(ctx, &target);
	if (err != MG_OK)
		return err;
	mg_audit(ctx, "staff.view", target_object(ctx, &target), "success", NULL);
	return render_detail(ctx, 200, &target, NULL);
}

enum change { CHANGE_ROLE, CHANGE_DEACTIVATE, CHANGE_ACTIVATE, CHANGE_UNLOCK, CHANGE_TWO_FACTOR };

static const char *const change_actions[] = { "staff.role", "staff.deactivate", "staff.activate", "staff.unlock",
					      "staff.two_factor_reset" };

static enum mg_err apply_change(struct mg_ctx *ctx, const struct mg_staff *t, enum change what)
{
	struct mg_db *db = mg_ctx_db(ctx);
	uint64_t tenant = mg_tenant_id(ctx);
	switch (what) {
	case CHANGE_ROLE:
		return mg_staff_set_role(db, tenant, t->id, mg_form(ctx, "role"));
	case CHANGE_DEACTIVATE:
	case CHANGE_ACTIVATE:
		return mg_staff_set_active(db, tenant, t->id, what == CHANGE_ACTIVATE);
	case CHANGE_UNLOCK:
		return mg_staff_unlock(db, tenant, t->id);
	case CHANGE_TWO_FACTOR: {
		enum mg_err err = mg_staff_totp_disable(db, tenant, t->id);
		return err == MG_OK ? mg_session_destroy_subject(db, tenant, "staff", t->id) : err;
	}
	}
	return MG_ERR_INTERNAL;
}

/* One change to one account: found in this tenant, not one's own role or status, audited. */
static enum mg_err change_account(struct mg_ctx *ctx, enum change what)
{
	struct mg_staff target;
	enum mg_err err = load_target(ctx, &target);
	if (err != MG_OK)
		return err;
	bool about_self = target.id == mg_staff_id(ctx);
	if (about_self && what != CHANGE_UNLOCK) {
		mg_audit(ctx, change_actions[what], target_object(ctx, &target), "denied", "own account");
		return render_detail(ctx, 409, &target,
				     N_("You cannot change your own role or status. Ask another administrator."));
	}
	if (what == CHANGE_ROLE && mg_role_bit(mg_form(ctx, "role")) == 0)
		return render_detail(ctx, 422, &target, N_("Choose a role."));
	if ((err = apply_change(ctx, &target, what)) != MG_OK)
		return err;
	mg_audit(ctx, change_actions[what], target_object(ctx, &target), "success",
		 what == CHANGE_ROLE ? mg_arena_printf(mg_arena(ctx), "%s -> %s", target.role, mg_form(ctx, "role")) : NULL);
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s%llu", mg_admin_path(ctx, "/staff/"),
						     (unsigned long long)target.id));
}

static enum mg_err staff_role(struct mg_ctx *ctx) { return change_account(ctx, CHANGE_ROLE); }
static enum mg_err staff_deactivate(struct mg_ctx *ctx) { return change_account(ctx, CHANGE_DEACTIVATE); }
static enum mg_err staff_activate(struct mg_ctx *ctx) { return change_account(ctx, CHANGE_ACTIVATE); }
static enum mg_err staff_unlock(struct mg_ctx *ctx) { return change_account(ctx, CHANGE_UNLOCK); }
static enum mg_err staff_reset_two_factor(struct mg_ctx *ctx) { return change_account(ctx, CHANGE_TWO_FACTOR); }

/* POST /<slug>/admin/staff/<id>/password — a new one-time password, shown once. */
static enum mg_err staff_issue_password(struct mg_ctx *ctx)
{
	struct mg_staff target;
	enum mg_err err = load_target(ctx, &target);
	if (err != MG_OK)
		return err;
	if (target.id == mg_staff_id(ctx))
		return render_detail(ctx, 409, &target, N_("Change your own password on the Password page."));
	char initial[17];
	if ((err = mg_staff_issue_password(mg_ctx_db(ctx), mg_tenant_id(ctx), target.id, initial)) != MG_OK)
		return err;
	mg_audit(ctx, "staff.password_reset", target_object(ctx, &target), "success", NULL);
	err = show_initial_password(ctx, N_("New one-time password"), target.login, target.id, initial);
	OPENSSL_cleanse(initial, sizeof(initial));
	return err;
}

static const struct mg_field create_fields[] = {
	{ "login", MG_FROM_FORM, NULL, false, 256, N_("Login ID"), MG_TEXT_NFKC },
	{ "name", MG_FROM_FORM, NULL, false, 200, N_("Name"), MG_TEXT_NFKC },
	{ "role", MG_FROM_FORM, NULL, false, 20, N_("Role"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static const struct mg_field role_fields[] = {
	{ "role", MG_FROM_FORM, NULL, true, 20, N_("Role"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

#define ACCOUNT "/staff/" MG_ID_GROUP("id")

const struct mg_route mg_staff_admin_routes[] = {
	{ "GET", "/staff", staff_list, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS, "staff accounts" },
	{ "GET", "/staff/new", staff_new, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS, "new staff account form" },
	{ "POST", "/staff", staff_create, MG_SCOPE_ADMIN, "core.staff.manage", create_fields,
	  "create a staff account (one-time password shown once)" },
	{ "GET", ACCOUNT, staff_detail, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS, "one staff account" },
	{ "POST", ACCOUNT "/role", staff_role, MG_SCOPE_ADMIN, "core.staff.manage", role_fields,
	  "change a staff member's role (ends their sessions)" },
	{ "POST", ACCOUNT "/deactivate", staff_deactivate, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS,
	  "deactivate a staff account (ends its sessions)" },
	{ "POST", ACCOUNT "/activate", staff_activate, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS,
	  "reactivate a staff account" },
	{ "POST", ACCOUNT "/password", staff_issue_password, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS,
	  "issue a new one-time password (ends the account's sessions)" },
	{ "POST", ACCOUNT "/unlock", staff_unlock, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS,
	  "lift a login lockout" },
	{ "POST", ACCOUNT "/two-factor/reset", staff_reset_two_factor, MG_SCOPE_ADMIN, "core.staff.manage", MG_NO_FIELDS,
	  "reset a staff member's two-factor login (lost phone)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
