/*
 * Two-factor login pages of the back office: the code asked after the password
 * (/admin/login/second-factor) and one's own two-factor settings (/admin/two-factor), where
 * an authenticator app is enrolled with a QR code and recovery codes are shown once.
 * Administrators must enrol (core/http/http.c sends them here until they have); others may.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "backoffice.h"
#include "crypto.h"
#include "http.h"
#include "i18n.h"
#include "session.h"
#include "staff.h"

static bool second_factor_pending(struct mg_ctx *ctx)
{
	const struct mg_session *s = mg_ctx_session(ctx);
	return s != NULL && mg_ctx_staff(ctx) != NULL && strcmp(s->stage, "password") == 0;
}

static enum mg_err render_second_factor(struct mg_ctx *ctx, const char *next, const char *error)
{
	json_t *data = json_pack("{s:s, s:s, s:s, s:s*}", "page_title", mg_tr(ctx, N_("Two-factor login")), "action",
				 mg_admin_path(ctx, "/login/second-factor"), "next", mg_admin_safe_next(ctx, next),
				 "error", error ? mg_tr(ctx, error) : NULL);
	json_object_set_new(data, "logout_action", json_string(mg_admin_path(ctx, "/logout")));
	return mg_render(ctx, 200, "core/admin_second_factor", data);
}

/*
 * Checks the typed code (authenticator or recovery) of the request's staff member. When this
 * wrong code locked the account, its sessions are gone: the answer (back to the login page)
 * is made here and *answered set.
 */
static enum mg_err check_code(struct mg_ctx *ctx, bool *ok, bool *used_recovery, bool *answered)
{
	enum mg_login_result result;
	enum mg_err err = mg_staff_second_factor(mg_ctx_db(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx),
						 mg_ctx_staff(ctx)->id, mg_form(ctx, "code"), mg_cgi_param(ctx, "REMOTE_ADDR"),
						 mg_cgi_param(ctx, "HTTP_USER_AGENT"), &result, used_recovery);
	if (err != MG_OK)
		return err;
	*ok = result == MG_LOGIN_OK;
	if (result == MG_LOGIN_LOCKED_NOW) {
		*answered = true;
		mg_set_cookie(ctx, MG_SESSION_COOKIE, "", 0);
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/login"));
	}
	return MG_OK;
}

/* GET /<slug>/admin/login/second-factor — asked after a good password when 2FA is on. */
static enum mg_err second_factor_form(struct mg_ctx *ctx)
{
	if (!second_factor_pending(ctx))
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/login"));
	return render_second_factor(ctx, mg_query(ctx, "next"), NULL);
}

/*
 * POST /<slug>/admin/login/second-factor — an authenticator code or a recovery code. Wrong
 * codes count toward the lockout; the fifth ends the half-done session too.
 */
static enum mg_err second_factor_submit(struct mg_ctx *ctx)
{
	if (!second_factor_pending(ctx))
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/login"));
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	bool ok = false, used_recovery = false, answered = false;
	enum mg_err err = check_code(ctx, &ok, &used_recovery, &answered);
	if (err != MG_OK || answered)
		return err;
	if (!ok)
		return render_second_factor(ctx, mg_form(ctx, "next"),
					    N_("The code is not correct, or the account is locked for a while."));
	if ((err = mg_backoffice_new_session(ctx, staff->id, "complete")) != MG_OK)
		return err;
	if (staff->must_change_password)
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/password"));
	if (used_recovery) /* one code fewer: let them see how many are left */
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/two-factor"));
	return mg_redirect(ctx, 303, mg_admin_safe_next(ctx, mg_form(ctx, "next")));
}

/* "ABCD EFGH …": a secret typed by hand is read in groups of four. */
static const char *grouped(struct mg_arena *arena, const char *secret)
{
	size_t n = strlen(secret);
	char *out = mg_arena_alloc(arena, n + n / 4 + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && i % 4 == 0)
			*o++ = ' ';
		*o++ = secret[i];
	}
	*o = '\0';
	return out;
}

/* The enrolment part of the page: the secret as text, as an otpauth:// URI and as a QR code,
 * and the same secret sealed into the form. */
static enum mg_err enrolment_data(struct mg_ctx *ctx, json_t *data, const char *secret)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	struct mg_arena *arena = mg_arena(ctx);
	const char *account = mg_arena_printf(arena, "%s@%s", staff->login, mg_tenant_slug(ctx));
	const char *uri = mg_totp_uri(arena, mg_arena_printf(arena, "Madoguchi %s", mg_tenant_name(ctx)), account, secret);
	const char *sealed = NULL, *path = NULL;
	int size = 0;
	enum mg_err err = mg_staff_totp_pending_seal(mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), staff->id, secret, arena,
						     &sealed);
	if (err == MG_OK)
		err = mg_qr_svg_path(uri, arena, &size, &path);
	if (err != MG_OK)
		return err;
	json_object_set_new(data, "secret", json_string(grouped(arena, secret)));
	json_object_set_new(data, "uri", json_string(uri));
	json_object_set_new(data, "pending", json_string(sealed));
	json_object_set_new(data, "qr_path", json_string(path));
	json_object_set_new(data, "qr_box", json_string(mg_arena_printf(arena, "0 0 %d %d", size, size)));
	return MG_OK;
}

/* The settings page: enrolment when off (with secret, a new one unless given), status when on. */
static enum mg_err render_two_factor(struct mg_ctx *ctx, const char *secret, json_t *errors)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	json_t *data = mg_admin_page(ctx, N_("Two-factor login"));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	json_object_set_new(data, "enabled", json_boolean(staff->has_totp));
	json_object_set_new(data, "required", json_boolean(strcmp(staff->role, "admin") == 0));
	json_object_set_new(data, "enable_action", json_string(mg_admin_path(ctx, "/two-factor/enable")));
	json_object_set_new(data, "disable_action", json_string(mg_admin_path(ctx, "/two-factor/disable")));
	enum mg_err err = MG_OK;
	if (staff->has_totp) {
		int left = mg_staff_recovery_codes_left(mg_ctx_db(ctx), mg_arena(ctx), mg_tenant_id(ctx), staff->id);
		json_object_set_new(data, "codes_left", json_string(mg_arena_printf(mg_arena(ctx), "%d", left < 0 ? 0 : left)));
		json_object_set_new(data, "codes_low", json_boolean(left >= 0 && left <= 3));
	} else {
		char fresh[MG_TOTP_SECRET_CHARS + 1];
		if (secret == NULL)
			mg_totp_secret_new(fresh);
		err = enrolment_data(ctx, data, secret != NULL ? secret : fresh);
		OPENSSL_cleanse(fresh, sizeof(fresh));
	}
	if (err != MG_OK) {
		json_decref(data);
		return err;
	}
	return mg_render(ctx, 200, "core/admin_two_factor", data);
}

/* GET /<slug>/admin/two-factor */
static enum mg_err two_factor_page(struct mg_ctx *ctx)
{
	return render_two_factor(ctx, NULL, NULL);
}

static enum mg_err show_recovery_codes(struct mg_ctx *ctx, char codes[MG_RECOVERY_CODES][MG_RECOVERY_CHARS + 1])
{
	json_t *data = mg_admin_page(ctx, N_("Recovery codes"));
	json_t *list = json_array();
	for (int i = 0; i < MG_RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes[i]));
	json_object_set_new(data, "codes", list);
	json_object_set_new(data, "continue", json_string(mg_admin_path(ctx, "/")));
	return mg_render(ctx, 200, "core/admin_recovery_codes", data);
}

/*
 * POST /<slug>/admin/two-factor/enable — the first code from the app proves it holds the
 * secret; then the secret is stored, recovery codes are shown once, and the session gets a
 * new token (a change of privilege).
 */
static enum mg_err two_factor_enable(struct mg_ctx *ctx)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	if (staff->has_totp)
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/two-factor"));
	char secret[MG_TOTP_SECRET_CHARS + 1];
	enum mg_err err = mg_staff_totp_pending_open(mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), staff->id,
						     mg_form(ctx, "pending"), secret);
	if (err == MG_ERR_EXPIRED || err == MG_ERR_INPUT)
		return render_two_factor(ctx, NULL, json_pack("{s:s}", "code",
			mg_tr(ctx, N_("The set-up took too long or the form was changed. Add the new key below to your app and try again."))));
	if (err != MG_OK)
		return err;
	char codes[MG_RECOVERY_CODES][MG_RECOVERY_CHARS + 1];
	err = mg_staff_totp_enable(mg_ctx_db(ctx), mg_ctx_tenant_key(ctx), mg_tenant_id(ctx), staff->id, secret,
				   mg_form(ctx, "code"), codes);
	if (err == MG_ERR_INPUT) {
		mg_audit(ctx, "two_factor.enable", "staff", "failure", "wrong code");
		err = render_two_factor(ctx, secret, json_pack("{s:s}", "code",
			mg_tr(ctx, N_("The code is not correct. Check the time on your phone and enter the code shown now."))));
	} else if (err == MG_OK) {
		mg_audit(ctx, "two_factor.enable", "staff", "success", NULL);
		if ((err = mg_backoffice_new_session(ctx, staff->id, "complete")) == MG_OK)
			err = show_recovery_codes(ctx, codes);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(codes, sizeof(codes));
	return err;
}

/* POST /<slug>/admin/two-factor/disable — for roles that may do without; needs a current
 * code, so a session left open on a shared PC cannot remove it. */
static enum mg_err two_factor_disable(struct mg_ctx *ctx)
{
	const struct mg_staff *staff = mg_ctx_staff(ctx);
	if (!staff->has_totp)
		return mg_redirect(ctx, 303, mg_admin_path(ctx, "/two-factor"));
	if (strcmp(staff->role, "admin") == 0)
		return mg_error(ctx, 403, N_("Administrators must keep two-factor login on."));
	bool ok = false, used_recovery = false, answered = false;
	enum mg_err err = check_code(ctx, &ok, &used_recovery, &answered);
	if (err != MG_OK || answered)
		return err;
	if (!ok)
		return render_two_factor(ctx, NULL, json_pack("{s:s}", "disable_code", mg_tr(ctx, N_("The code is not correct."))));
	if ((err = mg_staff_totp_disable(mg_ctx_db(ctx), mg_tenant_id(ctx), staff->id)) != MG_OK)
		return err;
	mg_audit(ctx, "two_factor.disable", "staff", "success", NULL);
	return mg_redirect(ctx, 303, mg_admin_path(ctx, "/two-factor"));
}

static const struct mg_field second_factor_fields[] = {
	{ "code", MG_FROM_FORM, NULL, true, 64, N_("Code"), MG_TEXT_NFKC },
	{ "next", MG_FROM_FORM, "/[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW },
	MG_FIELDS_END,
};

static const struct mg_field enable_fields[] = {
	{ "pending", MG_FROM_FORM, "[A-Z2-7]{1,200}", true, 200, N_("Set-up key"), MG_TEXT_RAW },
	{ "code", MG_FROM_FORM, NULL, true, 64, N_("Code"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

static const struct mg_field disable_fields[] = {
	{ "code", MG_FROM_FORM, NULL, true, 64, N_("Code"), MG_TEXT_NFKC },
	MG_FIELDS_END,
};

const struct mg_route mg_twofactor_routes[] = {
	{ "GET", "/login/second-factor", second_factor_form, MG_SCOPE_ADMIN, NULL, mg_login_query,
	  "two-factor code form after the password" },
	{ "POST", "/login/second-factor", second_factor_submit, MG_SCOPE_ADMIN, NULL, second_factor_fields,
	  "two-factor login step (authenticator or recovery code)" },
	{ "GET", "/two-factor", two_factor_page, MG_SCOPE_ADMIN, "core.profile", MG_NO_FIELDS, "own two-factor settings" },
	{ "POST", "/two-factor/enable", two_factor_enable, MG_SCOPE_ADMIN, "core.profile", enable_fields,
	  "turn two-factor login on (shows recovery codes once)" },
	{ "POST", "/two-factor/disable", two_factor_disable, MG_SCOPE_ADMIN, "core.profile", disable_fields,
	  "turn two-factor login off (not for administrators)" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
