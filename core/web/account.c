/*
 * The public's account pages of a tenant (/<slug>/account/…): register, confirm the address
 * from the mailed link, log in and out, reset a forgotten password, and "my account".
 *
 * Rules that hold on every page here:
 *   - nothing tells whether an address has an account: register and reset answer the same
 *     page either way (an address that has one gets a "you already have an account" mail);
 *   - a GET never changes anything (mail scanners open links): the mailed links show a form,
 *     and only its POST acts;
 *   - a registration becomes an account only when the mailed link is used together with the
 *     password chosen at registration, which waits hashed beside that link (person_token), so
 *     someone who registers another person's address can neither take over the account nor
 *     spoil the real owner's registration;
 *   - customers have their own session cookie (MG_ACCOUNT_COOKIE, read by core/http/http.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "clock.h"
#include "crypto.h"
#include "http.h"
#include "i18n.h"
#include "input.h"
#include "mail.h"
#include "pages.h"
#include "people.h"
#include "session.h"
#include "staff.h"
#include "tenant.h"

static const char *account_path(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), "/%s/account%s", mg_tenant_slug(ctx), rest);
}

/* An absolute link for a mail: public_url from the configuration, then the path. */
static const char *public_link(struct mg_ctx *ctx, const char *rest)
{
	return mg_arena_printf(mg_arena(ctx), "%s%s", mg_ctx_app(ctx)->cfg->public_url, account_path(ctx, rest));
}

/* A local path of this tenant, else "my account" (never another site or tenant). */
static const char *safe_next(struct mg_ctx *ctx, const char *next)
{
	const char *prefix = mg_arena_printf(mg_arena(ctx), "/%s/", mg_tenant_slug(ctx));
	if (next != NULL && strncmp(next, prefix, strlen(prefix)) == 0 && strstr(next, "//") == NULL &&
	    strncmp(next + strlen(prefix), "admin", 5) != 0)
		return next;
	return account_path(ctx, "/");
}

/* text with each "{name}" replaced by value. */
static const char *fill(struct mg_arena *arena, const char *text, const char *name, const char *value)
{
	char *placeholder = mg_arena_printf(arena, "{%s}", name);
	const char *at = strstr(text, placeholder);
	if (at == NULL)
		return text;
	const char *rest = fill(arena, at + strlen(placeholder), name, value);
	return mg_arena_printf(arena, "%.*s%s%s", (int)(at - text), text, value, rest);
}

/* A form field with surrounding ASCII and ideographic spaces dropped; "" when absent. */
static const char *trimmed(struct mg_ctx *ctx, const char *name)
{
	const char *v = mg_form(ctx, name);
	if (v == NULL)
		return "";
	for (;;) {
		if (*v == ' ' || *v == '\t')
			v++;
		else if (strncmp(v, "\xe3\x80\x80", 3) == 0)
			v += 3;
		else
			break;
	}
	size_t len = strlen(v);
	for (;;) {
		if (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		else if (len >= 3 && strncmp(v + len - 3, "\xe3\x80\x80", 3) == 0)
			len -= 3;
		else
			break;
	}
	return mg_arena_strndup(mg_arena(ctx), v, len);
}

static const char *form_text(struct mg_ctx *ctx, const char *name)
{
	const char *v = mg_form(ctx, name);
	return v != NULL ? v : "";
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char *name_problem(const char *name)
{
	if (name[0] == '\0')
		return N_("Enter your name.");
	if (utf8_chars(name) > MG_PERSON_NAME_MAX)
		return N_("The name is too long (100 characters at most).");
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return N_("Enter your name.");
	return NULL;
}

/* The phone number made half-width; NULL (with *problem set) when it is not one. */
static const char *phone_normalised(struct mg_ctx *ctx, const char *typed, const char **problem)
{
	char ascii[MG_PERSON_PHONE_MAX + 1];
	*problem = NULL;
	if (!mg_text_ascii(typed, ascii, sizeof(ascii)) || strspn(ascii, "0123456789+-() ") != strlen(ascii)) {
		*problem = N_("Write the phone number with digits, spaces, +, - and brackets only (30 at most).");
		return NULL;
	}
	return mg_arena_strdup(mg_arena(ctx), ascii);
}

static void add_error(struct mg_ctx *ctx, json_t *errors, const char *field, const char *msgid)
{
	if (msgid != NULL && json_object_get(errors, field) == NULL)
		json_object_set_new(errors, field, json_string(mg_tr(ctx, msgid)));
}

/* Appends an audit row inside the caller's transaction, with the request's address. */
static enum mg_err audit_in(struct mg_db *db, struct mg_arena *arena, struct mg_ctx *ctx, uint64_t person,
			    const char *action, const char *outcome, const char *detail)
{
	const char *actor = person ? mg_arena_printf(arena, "customer:%llu", (unsigned long long)person) : "anonymous";
	const char *object = person ? mg_arena_printf(arena, "person:%llu", (unsigned long long)person) : "person:unknown";
	struct mg_audit_event ev = { mg_tenant_id(ctx), actor, action, object, mg_cgi_param(ctx, "REMOTE_ADDR"),
				     mg_cgi_param(ctx, "HTTP_USER_AGENT"), outcome, detail };
	return mg_audit_append(db, arena, &ev);
}

/* ---- pages that only show something ---- */

static json_t *page(struct mg_ctx *ctx, const char *title)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "page_title", mg_tr(ctx, title), "links", "home",
			 account_path(ctx, "/"), "login", account_path(ctx, "/login"), "register",
			 account_path(ctx, "/register"), "reset", account_path(ctx, "/reset"));
}

static enum mg_err render_message(struct mg_ctx *ctx, int status, const char *title, const char *message,
				  const char *link_href, const char *link_label)
{
	json_t *data = page(ctx, title);
	json_object_set_new(data, "message", json_string(mg_tr(ctx, message)));
	if (link_href != NULL)
		json_object_set_new(data, "link", json_pack("{s:s, s:s}", "href", link_href, "label", mg_tr(ctx, link_label)));
	return mg_render(ctx, status, "core/account_message", data);
}

static enum mg_err link_expired(struct mg_ctx *ctx, const char *purpose)
{
	bool confirm = strcmp(purpose, "confirm") == 0;
	return render_message(ctx, 410, N_("This link has expired"),
			      confirm ? N_("This link has expired or was already used. Register again to get a new one.")
				      : N_("This link has expired or was already used. Ask for a new one."),
			      account_path(ctx, confirm ? "/register" : "/reset"),
			      confirm ? N_("Register again") : N_("Ask for a new link"));
}

static const unsigned char *tenant_key(struct mg_ctx *ctx)
{
	return mg_ctx_tenant_key(ctx);
}

/* ---- mails ---- */

static enum mg_err enqueue(struct mg_db *db, struct mg_ctx *ctx, const unsigned char *key, const char *to,
			   const char *subject, const char *body)
{
	struct mg_arena *arena = mg_arena(ctx);
	const char *tenant = mg_tenant_name(ctx);
	subject = fill(arena, mg_tr(ctx, subject), "tenant", tenant);
	return mg_mail_enqueue(db, mg_tenant_id(ctx), key, to, subject, fill(arena, body, "tenant", tenant));
}

static enum mg_err mail_confirm(struct mg_db *db, struct mg_ctx *ctx, const unsigned char *key, const char *to,
				const char *token)
{
	const char *body = mg_tr(ctx, N_("Thank you for registering at {tenant}.\n"
					 "\n"
					 "To complete your registration, open this link within 24 hours and enter the "
					 "password you chose:\n"
					 "\n"
					 "{link}\n"
					 "\n"
					 "If you did not register, ignore this message: no account is made without it.\n"));
	body = fill(mg_arena(ctx), body, "link", mg_arena_printf(mg_arena(ctx), "%s?token=%s", public_link(ctx, "/confirm"), token));
	return enqueue(db, ctx, key, to, N_("[{tenant}] Confirm your registration"), body);
}

static enum mg_err mail_already_registered(struct mg_db *db, struct mg_ctx *ctx, const unsigned char *key,
					   const char *to)
{
	const char *body = mg_tr(ctx, N_("Someone, perhaps you, tried to register this address at {tenant}, but it "
					 "already has an account.\n"
					 "\n"
					 "Log in here:\n"
					 "{login}\n"
					 "\n"
					 "If you forgot your password, choose a new one here:\n"
					 "{reset}\n"
					 "\n"
					 "If it was not you, ignore this message: nothing has changed.\n"));
	body = fill(mg_arena(ctx), body, "login", public_link(ctx, "/login"));
	body = fill(mg_arena(ctx), body, "reset", public_link(ctx, "/reset"));
	return enqueue(db, ctx, key, to, N_("[{tenant}] You already have an account"), body);
}

static enum mg_err mail_reset(struct mg_db *db, struct mg_ctx *ctx, const unsigned char *key, const char *to,
			      const char *token)
{
	const char *body = mg_tr(ctx, N_("Someone asked for a new password for your account at {tenant}.\n"
					 "\n"
					 "Open this link within one hour to choose a new password:\n"
					 "\n"
					 "{link}\n"
					 "\n"
					 "The link works once. If you did not ask for it, ignore this message: your "
					 "password stays as it is.\n"));
	body = fill(mg_arena(ctx), body, "link",
		    mg_arena_printf(mg_arena(ctx), "%s?token=%s", public_link(ctx, "/reset/confirm"), token));
	return enqueue(db, ctx, key, to, N_("[{tenant}] Choose a new password"), body);
}

/* ---- tokens ---- */

struct token_state {
	bool valid;
	uint64_t person;
	const char *password_hash; /* confirm links only */
};

static struct token_state token_read(const struct mg_rows *rows)
{
	struct token_state t = { false, 0, NULL };
	if (rows->nrows == 0)
		return t;
	t.person = strtoull(MG_CELL(rows, 0, 0), NULL, 10);
	t.password_hash = MG_CELL(rows, 0, 1);
	t.valid = strcmp(MG_CELL(rows, 0, 3), "0") == 0 && strtoll(MG_CELL(rows, 0, 2), NULL, 10) > mg_now();
	return t;
}

/* The state of a mailed link (a plain read; the changes lock it again). */
static enum mg_err token_find(struct mg_ctx *ctx, const char *token, const char *purpose, struct token_state *out)
{
	char hash[65];
	mg_sha256_hex(token, strlen(token), hash);
	struct mg_rows rows;
	struct mg_dbval key[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(hash), MG_TEXT(purpose) };
	enum mg_err err = mg_db_exec(mg_ctx_db(ctx), mg_arena(ctx),
	                             &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_FIND], key, 3, &rows, NULL, NULL);
	if (err == MG_OK)
		*out = token_read(&rows);
	return err;
}

/* Creates a link unless MG_TOKENS_PER_HOUR of its purpose went to this person in the last
 * hour (then *token stays empty: a mailbox cannot be flooded through our form). */
static enum mg_err token_issue(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, uint64_t person,
			       const char *purpose, const char *password_hash, char token[MG_TOKEN_CHARS + 1])
{
	time_t now = mg_now();
	struct mg_rows rows;
	token[0] = '\0';
	struct mg_dbval recent[] = { MG_INT(tenant_id), MG_INT(person), MG_TEXT(purpose), MG_INT(now - 3600) };
	enum mg_err err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_RECENT], recent, 4,
	                             &rows, NULL, NULL);
	if (err != MG_OK || atoi(MG_CELL(&rows, 0, 0)) >= MG_TOKENS_PER_HOUR)
		return err;
	char candidate[MG_TOKEN_CHARS + 1], hash[65];
	mg_token_new(candidate);
	mg_sha256_hex(candidate, strlen(candidate), hash);
	long life = strcmp(purpose, "confirm") == 0 ? MG_CONFIRM_SECONDS : MG_RESET_SECONDS;
	struct mg_dbval row[] = { MG_INT(tenant_id), MG_TEXT(hash), MG_TEXT(purpose), MG_INT(person),
				  MG_TEXT(password_hash), MG_INT(now), MG_INT(now + life) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_INSERT], row, 7, NULL, NULL,
	                      NULL)) == MG_OK)
		memcpy(token, candidate, sizeof(candidate));
	return err;
}

/* ---- register ---- */

static enum mg_err render_register(struct mg_ctx *ctx, const char *email, const char *name, json_t *errors)
{
	json_t *data = page(ctx, N_("Create an account"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/register")));
	json_object_set_new(data, "email", json_string(email));
	json_object_set_new(data, "name", json_string(name));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/account_register", data);
}

/* GET /<slug>/account/register — the registration form. */
static enum mg_err register_form(struct mg_ctx *ctx)
{
	return render_register(ctx, "", "", NULL);
}

struct register_args {
	struct mg_ctx *ctx;
	const unsigned char *key;
	const char *email, *name, *password_hash;
};

static enum mg_err register_txn(struct mg_db *db, void *arg)
{
	struct register_args *a = arg;
	struct mg_ctx *ctx = a->ctx;
	struct mg_arena *arena = mg_arena(ctx);
	uint64_t tenant_id = mg_tenant_id(ctx);
	struct mg_buf sealed_email, sealed_name;
	mg_buf_init(&sealed_email);
	mg_buf_init(&sealed_name);
	char hmac[65], token[MG_TOKEN_CHARS + 1];
	struct mg_rows rows;
	unsigned long long id = 0;
	time_t now = mg_now();
	enum mg_err err;
	if ((err = mg_person_email_hmac(a->key, a->email, hmac)) != MG_OK ||
	    (err = mg_person_seal(a->key, tenant_id, "name", a->name, &sealed_name)) != MG_OK)
		goto out;
	struct mg_dbval by_email[] = { MG_INT(tenant_id), MG_TEXT(hmac) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_BY_EMAIL_FOR_UPDATE], by_email, 2,
	                      &rows, NULL, NULL)) != MG_OK)
		goto out;
	if (rows.nrows > 0 && strcmp(MG_CELL(&rows, 0, 1), "active") == 0) {
		id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
		if ((err = mail_already_registered(db, ctx, a->key, a->email)) == MG_OK)
			err = audit_in(db, arena, ctx, id, "account.register", "failure", "already registered: notice mailed");
		goto out;
	}
	if (rows.nrows == 0) {
		if ((err = mg_person_seal(a->key, tenant_id, "email", a->email, &sealed_email)) != MG_OK)
			goto out;
		struct mg_dbval row[] = { MG_INT(tenant_id), MG_TEXT(hmac), MG_BLOB(sealed_email.data, sealed_email.len),
					  MG_BLOB(sealed_name.data, sealed_name.len), MG_NULL, MG_TEXT("pending"),
					  MG_TEXT(mg_lang(ctx)), MG_INT(now), MG_INT(now) };
		if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_INSERT], row, 9, NULL, NULL,
		                      &id)) != MG_OK)
			goto out;
	} else {
		id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
		struct mg_dbval set[] = { MG_BLOB(sealed_name.data, sealed_name.len), MG_TEXT(mg_lang(ctx)), MG_INT(now),
					  MG_INT(tenant_id), MG_INT(id) };
		if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_SET_PENDING], set, 5, NULL,
		                      NULL, NULL)) != MG_OK)
			goto out;
	}
	if ((err = token_issue(db, arena, tenant_id, id, "confirm", a->password_hash, token)) != MG_OK)
		goto out;
	if (token[0] == '\0') {
		err = audit_in(db, arena, ctx, id, "account.register", "denied", "too many links this hour: none mailed");
		goto out;
	}
	if ((err = mail_confirm(db, ctx, a->key, a->email, token)) == MG_OK)
		err = audit_in(db, arena, ctx, id, "account.register", "success", "confirmation link mailed");
out:
	OPENSSL_cleanse(token, sizeof(token));
	mg_buf_free(&sealed_email);
	mg_buf_free(&sealed_name);
	return err;
}

/*
 * POST /<slug>/account/register — checks the fields (errors beside them, typed values kept
 * but the passwords), then in one transaction makes or updates the pending person, stores
 * the link and queues the mail. The answer is the same whether the address had an account.
 */
static enum mg_err register_submit(struct mg_ctx *ctx)
{
	const char *typed = trimmed(ctx, "email"), *name = trimmed(ctx, "name");
	const char *password = form_text(ctx, "password");
	char email[MG_EMAIL_MAX + 1], hash[MG_PASSWORD_HASH_MAX];
	json_t *errors = json_object();
	if (!mg_email_normalise(typed, email, sizeof(email)))
		add_error(ctx, errors, "email", N_("Enter a valid e-mail address, like hanako@example.jp."));
	add_error(ctx, errors, "name", name_problem(name));
	add_error(ctx, errors, "password", mg_password_problem(password, NULL));
	if (strcmp(password, form_text(ctx, "confirm")) != 0)
		add_error(ctx, errors, "confirm", N_("The two passwords are not the same."));
	if (json_object_size(errors) > 0)
		return render_register(ctx, typed, name, errors);
	json_decref(errors);
	const unsigned char *key = tenant_key(ctx);
	if (key == NULL)
		return mg_error(ctx, 503, NULL);
	enum mg_err err = mg_password_hash(password, hash, sizeof(hash));
	struct register_args a = { ctx, key, email, name, hash };
	if (err == MG_OK)
		err = mg_db_transaction(mg_ctx_db(ctx), register_txn, &a);
	if (err != MG_OK)
		return err;
	return render_message(ctx, 200, N_("Check your mailbox"),
			      N_("We sent a message to the address you entered. Open the link in it within 24 hours "
				 "to complete your registration. If nothing arrives, check the address and your spam "
				 "folder."),
			      NULL, NULL);
}

/* ---- confirm ---- */

static enum mg_err render_confirm(struct mg_ctx *ctx, const char *token, const char *error)
{
	json_t *data = page(ctx, N_("Complete your registration"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/confirm")));
	json_object_set_new(data, "token", json_string(token));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	return mg_render(ctx, 200, "core/account_confirm", data);
}

/* GET /<slug>/account/confirm?token=… — the mailed link: shows a form, changes nothing. */
static enum mg_err confirm_form(struct mg_ctx *ctx)
{
	struct token_state t;
	const char *token = mg_query(ctx, "token");
	enum mg_err err = token_find(ctx, token, "confirm", &t);
	if (err != MG_OK)
		return err;
	return t.valid ? render_confirm(ctx, token, NULL) : link_expired(ctx, "confirm");
}

struct confirm_args {
	struct mg_ctx *ctx;
	const char *token_hash, *password_hash;
	uint64_t person;
	bool done;
};

static enum mg_err confirm_txn(struct mg_db *db, void *arg)
{
	struct confirm_args *a = arg;
	struct mg_ctx *ctx = a->ctx;
	struct mg_arena *arena = mg_arena(ctx);
	uint64_t tenant_id = mg_tenant_id(ctx);
	time_t now = mg_now();
	struct mg_rows rows;
	a->done = false;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_TEXT(a->token_hash), MG_TEXT("confirm") };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_LOCK], key, 3, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	struct token_state t = token_read(&rows);
	if (!t.valid || t.person != a->person || t.password_hash == NULL || strcmp(t.password_hash, a->password_hash) != 0)
		return MG_OK; /* used or expired meanwhile */
	struct mg_dbval spend[] = { MG_INT(now), MG_INT(tenant_id), MG_INT(t.person), MG_TEXT("confirm") };
	struct mg_dbval activate[] = { MG_TEXT(t.password_hash), MG_INT(now), MG_INT(now), MG_INT(tenant_id),
				       MG_INT(t.person) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_USE_ALL], spend, 4, NULL,
	                      NULL, NULL)) != MG_OK ||
	    (err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_ACTIVATE], activate, 5, NULL, NULL,
	                      NULL)) != MG_OK ||
	    (err = audit_in(db, arena, ctx, t.person, "account.confirm", "success", NULL)) != MG_OK)
		return err;
	a->done = true;
	return MG_OK;
}

/* Starts a fresh customer session (a new token at every login) and goes to next. */
static enum mg_err start_session(struct mg_ctx *ctx, uint64_t person, const char *next)
{
	const struct mg_session *old = mg_ctx_session(ctx);
	if (old != NULL)
		mg_session_destroy(mg_ctx_db(ctx), old->tenant_id, old->token_hash);
	char token[MG_TOKEN_CHARS + 1];
	enum mg_err err = mg_session_create(mg_ctx_db(ctx), mg_tenant_id(ctx), "customer", person, "complete",
					    mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"), token);
	if (err == MG_OK)
		err = mg_set_cookie(ctx, MG_ACCOUNT_COOKIE, token, -1);
	OPENSSL_cleanse(token, sizeof(token));
	return err == MG_OK ? mg_redirect(ctx, 303, safe_next(ctx, next)) : err;
}

/*
 * POST /<slug>/account/confirm — the link and the password chosen at registration make the
 * person active (every other confirmation link of it dies) and log it in.
 */
static enum mg_err confirm_submit(struct mg_ctx *ctx)
{
	const char *token = mg_form(ctx, "token"), *password = form_text(ctx, "password");
	struct token_state t;
	bool ok = false, rehash = false;
	enum mg_err err = token_find(ctx, token, "confirm", &t);
	if (err != MG_OK)
		return err;
	if (!t.valid || t.password_hash == NULL)
		return link_expired(ctx, "confirm");
	if ((err = mg_password_verify(password, t.password_hash, &ok, &rehash)) != MG_OK && err != MG_ERR_INPUT)
		return err;
	if (!ok) {
		mg_audit(ctx, "account.confirm", mg_arena_printf(mg_arena(ctx), "person:%llu", (unsigned long long)t.person),
			 "failure", "not the password chosen at registration");
		return render_confirm(ctx, token, N_("This is not the password you chose when you registered."));
	}
	char hash[65];
	mg_sha256_hex(token, strlen(token), hash);
	struct confirm_args a = { ctx, hash, t.password_hash, t.person, false };
	if ((err = mg_db_transaction(mg_ctx_db(ctx), confirm_txn, &a)) != MG_OK)
		return err;
	return a.done ? start_session(ctx, t.person, NULL) : link_expired(ctx, "confirm");
}

/* ---- login and logout ---- */

static enum mg_err render_login(struct mg_ctx *ctx, const char *email, const char *next, const char *error,
				const char *notice)
{
	json_t *data = page(ctx, N_("Log in"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/login")));
	json_object_set_new(data, "email", json_string(email));
	json_object_set_new(data, "next", json_string(safe_next(ctx, next)));
	if (error != NULL)
		json_object_set_new(data, "error", json_string(mg_tr(ctx, error)));
	if (notice != NULL)
		json_object_set_new(data, "notice", json_string(mg_tr(ctx, notice)));
	return mg_render(ctx, 200, "core/account_login", data);
}

/* GET /<slug>/account/login — the customers' login form. */
static enum mg_err login_form(struct mg_ctx *ctx)
{
	if (mg_customer_id(ctx) != 0)
		return mg_redirect(ctx, 303, safe_next(ctx, mg_query(ctx, "next")));
	const char *done = mg_query(ctx, "done");
	return render_login(ctx, "", mg_query(ctx, "next"), NULL,
			    done != NULL ? N_("Your password has been changed. Log in with the new one.") : NULL);
}

/* POST /<slug>/account/login — address and password (lockout and audit in core/auth/people.c). */
static enum mg_err login_submit(struct mg_ctx *ctx)
{
	const char *typed = trimmed(ctx, "email"), *next = mg_form(ctx, "next");
	static const char *const wrong = N_("The e-mail address or password is not correct, or the account is "
					    "locked for a while.");
	char email[MG_EMAIL_MAX + 1];
	if (!mg_email_normalise(typed, email, sizeof(email)))
		return render_login(ctx, typed, next, wrong, NULL);
	const unsigned char *key = tenant_key(ctx);
	if (key == NULL)
		return mg_error(ctx, 503, NULL);
	enum mg_login_result result;
	uint64_t id = 0;
	enum mg_err err = mg_person_authenticate(mg_ctx_db(ctx), key, mg_tenant_id(ctx), email, form_text(ctx, "password"),
						 mg_cgi_param(ctx, "REMOTE_ADDR"), mg_cgi_param(ctx, "HTTP_USER_AGENT"),
						 &result, &id);
	if (err != MG_OK)
		return err;
	if (result != MG_LOGIN_OK)
		return render_login(ctx, typed, next, wrong, NULL);
	return start_session(ctx, id, next);
}

/* POST /<slug>/account/logout — ends the customer's session here and in the database. */
static enum mg_err logout(struct mg_ctx *ctx)
{
	const struct mg_session *s = mg_ctx_session(ctx);
	if (s != NULL) {
		mg_audit(ctx, "account.logout", mg_arena_printf(mg_arena(ctx), "person:%llu", (unsigned long long)s->subject_id),
			 "success", NULL);
		enum mg_err err = mg_session_destroy(mg_ctx_db(ctx), s->tenant_id, s->token_hash);
		if (err != MG_OK)
			return err;
	}
	mg_set_cookie(ctx, MG_ACCOUNT_COOKIE, "", 0);
	return mg_redirect(ctx, 303, account_path(ctx, "/login"));
}

/* ---- password reset ---- */

static enum mg_err render_reset(struct mg_ctx *ctx, const char *email, json_t *errors)
{
	json_t *data = page(ctx, N_("Forgot your password?"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/reset")));
	json_object_set_new(data, "email", json_string(email));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/account_reset", data);
}

/* GET /<slug>/account/reset — asks for the address to mail a reset link to. */
static enum mg_err reset_form(struct mg_ctx *ctx)
{
	return render_reset(ctx, "", NULL);
}

struct reset_request_args {
	struct mg_ctx *ctx;
	const unsigned char *key;
	const char *email;
};

static enum mg_err reset_request_txn(struct mg_db *db, void *arg)
{
	struct reset_request_args *a = arg;
	struct mg_ctx *ctx = a->ctx;
	struct mg_arena *arena = mg_arena(ctx);
	char hmac[65], token[MG_TOKEN_CHARS + 1];
	struct mg_rows rows;
	enum mg_err err = mg_person_email_hmac(a->key, a->email, hmac);
	struct mg_dbval by_email[] = { MG_INT(mg_tenant_id(ctx)), MG_TEXT(hmac) };
	if (err != MG_OK ||
	    (err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_BY_EMAIL_FOR_UPDATE], by_email, 2,
	                      &rows, NULL, NULL)) != MG_OK)
		return err;
	uint64_t id = rows.nrows > 0 ? strtoull(MG_CELL(&rows, 0, 0), NULL, 10) : 0;
	if (id == 0 || strcmp(MG_CELL(&rows, 0, 1), "active") != 0)
		return audit_in(db, arena, ctx, id, "account.reset.request", "failure", "no active account: nothing mailed");
	if ((err = token_issue(db, arena, mg_tenant_id(ctx), id, "reset", NULL, token)) != MG_OK)
		return err;
	if (token[0] == '\0')
		return audit_in(db, arena, ctx, id, "account.reset.request", "denied", "too many links this hour: none mailed");
	if ((err = mail_reset(db, ctx, a->key, a->email, token)) == MG_OK)
		err = audit_in(db, arena, ctx, id, "account.reset.request", "success", "reset link mailed");
	OPENSSL_cleanse(token, sizeof(token));
	return err;
}

/* POST /<slug>/account/reset — mails a link (1 hour, single use) if the address has an
 * active account; the answer is the same when it has none. */
static enum mg_err reset_submit(struct mg_ctx *ctx)
{
	const char *typed = trimmed(ctx, "email");
	char email[MG_EMAIL_MAX + 1];
	if (!mg_email_normalise(typed, email, sizeof(email)))
		return render_reset(ctx, typed, json_pack("{s:s}", "email",
							  mg_tr(ctx, N_("Enter a valid e-mail address, like hanako@example.jp."))));
	const unsigned char *key = tenant_key(ctx);
	if (key == NULL)
		return mg_error(ctx, 503, NULL);
	struct reset_request_args a = { ctx, key, email };
	enum mg_err err = mg_db_transaction(mg_ctx_db(ctx), reset_request_txn, &a);
	if (err != MG_OK)
		return err;
	return render_message(ctx, 200, N_("Check your mailbox"),
			      N_("If an account exists for this address, we sent it a link to choose a new password. "
				 "The link works once, for one hour."),
			      NULL, NULL);
}

static enum mg_err render_reset_confirm(struct mg_ctx *ctx, const char *token, json_t *errors)
{
	json_t *data = page(ctx, N_("Choose a new password"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/reset/confirm")));
	json_object_set_new(data, "token", json_string(token));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/account_reset_confirm", data);
}

/* GET /<slug>/account/reset/confirm?token=… — the mailed link: the new-password form. */
static enum mg_err reset_confirm_form(struct mg_ctx *ctx)
{
	struct token_state t;
	const char *token = mg_query(ctx, "token");
	enum mg_err err = token_find(ctx, token, "reset", &t);
	if (err != MG_OK)
		return err;
	return t.valid ? render_reset_confirm(ctx, token, NULL) : link_expired(ctx, "reset");
}

struct reset_args {
	struct mg_ctx *ctx;
	const char *token_hash, *password_hash;
	bool done;
};

static enum mg_err reset_txn(struct mg_db *db, void *arg)
{
	struct reset_args *a = arg;
	struct mg_ctx *ctx = a->ctx;
	struct mg_arena *arena = mg_arena(ctx);
	uint64_t tenant_id = mg_tenant_id(ctx);
	time_t now = mg_now();
	struct mg_rows rows;
	unsigned long long changed = 0;
	a->done = false;
	struct mg_dbval key[] = { MG_INT(tenant_id), MG_TEXT(a->token_hash), MG_TEXT("reset") };
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_LOCK], key, 3, &rows, NULL, NULL);
	struct token_state t = token_read(&rows);
	if (err != MG_OK || !t.valid)
		return err;
	struct mg_dbval spend[] = { MG_INT(now), MG_INT(tenant_id), MG_INT(t.person), MG_TEXT("reset") };
	struct mg_dbval set[] = { MG_TEXT(a->password_hash), MG_INT(now), MG_INT(tenant_id), MG_INT(t.person) };
	struct mg_dbval sessions[] = { MG_INT(tenant_id), MG_TEXT("customer"), MG_INT(t.person) };
	if ((err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_TOKEN_USE_ALL], spend, 4, NULL,
	                      NULL, NULL)) != MG_OK ||
	    (err = mg_db_exec(db, arena, &mg_people_statements[MG_SQL_PEOPLE_PERSON_SET_PASSWORD], set, 4, NULL,
	                      &changed, NULL)) != MG_OK)
		return err;
	if (changed == 0)
		return MG_OK; /* no longer an active account */
	if ((err = mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE_SUBJECT], sessions, 3, NULL, NULL,
	                      NULL)) != MG_OK ||
	    (err = audit_in(db, arena, ctx, t.person, "account.reset", "success",
	                    "password replaced; sessions ended")) != MG_OK)
		return err;
	a->done = true;
	return MG_OK;
}

/*
 * POST /<slug>/account/reset/confirm — a new password under the policy; the link is spent
 * (with every other reset link of the person) and every session of the account ends.
 */
static enum mg_err reset_confirm_submit(struct mg_ctx *ctx)
{
	const char *token = mg_form(ctx, "token"), *password = form_text(ctx, "password");
	json_t *errors = json_object();
	add_error(ctx, errors, "password", mg_password_problem(password, NULL));
	if (strcmp(password, form_text(ctx, "confirm")) != 0)
		add_error(ctx, errors, "confirm", N_("The two passwords are not the same."));
	struct token_state t;
	enum mg_err err = token_find(ctx, token, "reset", &t);
	if (err != MG_OK || !t.valid) {
		json_decref(errors);
		return err != MG_OK ? err : link_expired(ctx, "reset");
	}
	if (json_object_size(errors) > 0)
		return render_reset_confirm(ctx, token, errors);
	json_decref(errors);
	char hash[MG_PASSWORD_HASH_MAX], token_hash[65];
	mg_sha256_hex(token, strlen(token), token_hash);
	if ((err = mg_password_hash(password, hash, sizeof(hash))) != MG_OK)
		return err;
	struct reset_args a = { ctx, token_hash, hash, false };
	if ((err = mg_db_transaction(mg_ctx_db(ctx), reset_txn, &a)) != MG_OK)
		return err;
	if (!a.done)
		return link_expired(ctx, "reset");
	mg_set_cookie(ctx, MG_ACCOUNT_COOKIE, "", 0);
	return mg_redirect(ctx, 303, account_path(ctx, "/login?done=reset"));
}

/* ---- my account ---- */

static enum mg_err render_home(struct mg_ctx *ctx, const struct mg_person *p, const char *name, const char *phone,
			       json_t *errors, bool saved)
{
	json_t *data = page(ctx, N_("My account"));
	json_object_set_new(data, "action", json_string(account_path(ctx, "/")));
	json_object_set_new(data, "logout_action", json_string(account_path(ctx, "/logout")));
	json_object_set_new(data, "email", json_string(p->email));
	json_object_set_new(data, "name", json_string(name));
	json_object_set_new(data, "phone", json_string(phone));
	json_object_set_new(data, "saved", json_boolean(saved));
	json_object_set_new(data, "errors", errors ? errors : json_object());
	return mg_render(ctx, 200, "core/account_home", data);
}

/* The logged-in customer's row, or an answer: the login page for a GET, 401 otherwise. */
static enum mg_err load_customer(struct mg_ctx *ctx, struct mg_person *p, bool *answered)
{
	*answered = true;
	uint64_t id = mg_customer_id(ctx);
	const unsigned char *key = tenant_key(ctx);
	enum mg_err err = id != 0 && key != NULL ? mg_person_load(mg_ctx_db(ctx), mg_arena(ctx), key, mg_tenant_id(ctx), id, p)
						 : MG_ERR_NOT_FOUND;
	if (err == MG_ERR_NOT_FOUND || err == MG_ERR_INPUT) {
		if (strcmp(mg_method(ctx), "GET") == 0 || strcmp(mg_method(ctx), "HEAD") == 0)
			return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?next=%s", account_path(ctx, "/login"),
								     account_path(ctx, "/")));
		return mg_error(ctx, 401, NULL);
	}
	*answered = err != MG_OK;
	return err;
}

/* GET /<slug>/account/ — the customer's own data (e-mail, name, phone). */
static enum mg_err home(struct mg_ctx *ctx)
{
	struct mg_person p;
	bool answered;
	enum mg_err err = load_customer(ctx, &p, &answered);
	if (answered)
		return err;
	return render_home(ctx, &p, p.name, p.phone, NULL, mg_query(ctx, "saved") != NULL);
}

/* POST /<slug>/account/ — changes name and phone (sealed again with the tenant key). */
static enum mg_err home_submit(struct mg_ctx *ctx)
{
	struct mg_person p;
	bool answered;
	enum mg_err err = load_customer(ctx, &p, &answered);
	if (answered)
		return err;
	const char *name = trimmed(ctx, "name"), *typed_phone = trimmed(ctx, "phone"), *problem = NULL;
	const char *phone = phone_normalised(ctx, typed_phone, &problem);
	json_t *errors = json_object();
	add_error(ctx, errors, "name", name_problem(name));
	add_error(ctx, errors, "phone", problem);
	if (json_object_size(errors) > 0)
		return render_home(ctx, &p, name, typed_phone, errors, false);
	json_decref(errors);
	if ((err = mg_person_set_contact(mg_ctx_db(ctx), tenant_key(ctx), mg_tenant_id(ctx), p.id, name, phone)) != MG_OK)
		return err;
	mg_audit(ctx, "account.update", mg_arena_printf(mg_arena(ctx), "person:%llu", (unsigned long long)p.id), "success",
		 "name and phone");
	return mg_redirect(ctx, 303, mg_arena_printf(mg_arena(ctx), "%s?saved=1", account_path(ctx, "/")));
}

/* GET /<slug>/account — the same page with its slash. */
static enum mg_err home_without_slash(struct mg_ctx *ctx)
{
	return mg_redirect(ctx, 301, account_path(ctx, "/"));
}

/* ---- routes ---- */

#define TOKEN_PATTERN "[A-Za-z0-9_-]{43}"
#define END_OF_FIELDS MG_FIELDS_END

/* Values are checked by the handlers, so that an error stands beside its field and the
 * typed values stay; the core only bounds their size. */
static const struct mg_field register_fields[] = {
	{ "email", MG_FROM_FORM, NULL, false, 1024, N_("E-mail address"), MG_TEXT_NFKC },
	{ "name", MG_FROM_FORM, NULL, false, 1024, N_("Name"), MG_TEXT_NFKC },
	{ "password", MG_FROM_FORM, NULL, false, 1024, N_("Password"), MG_TEXT_RAW },
	{ "confirm", MG_FROM_FORM, NULL, false, 1024, N_("Password again"), MG_TEXT_RAW },
	END_OF_FIELDS,
};
static const struct mg_field token_query[] = {
	{ "token", MG_FROM_QUERY, TOKEN_PATTERN, true, 43, N_("Link"), MG_TEXT_RAW },
	END_OF_FIELDS,
};
static const struct mg_field confirm_fields[] = {
	{ "token", MG_FROM_FORM, TOKEN_PATTERN, true, 43, N_("Link"), MG_TEXT_RAW },
	{ "password", MG_FROM_FORM, NULL, false, 1024, N_("Password"), MG_TEXT_RAW },
	END_OF_FIELDS,
};
static const struct mg_field login_query[] = {
	{ "next", MG_FROM_QUERY, "/[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW },
	{ "done", MG_FROM_QUERY, "reset", false, 5, N_("Return address"), MG_TEXT_NFKC },
	END_OF_FIELDS,
};
static const struct mg_field login_fields[] = {
	{ "email", MG_FROM_FORM, NULL, false, 1024, N_("E-mail address"), MG_TEXT_NFKC },
	{ "password", MG_FROM_FORM, NULL, false, 1024, N_("Password"), MG_TEXT_RAW },
	{ "next", MG_FROM_FORM, "/[^\\x00-\\x1f]*", false, 512, N_("Return address"), MG_TEXT_RAW },
	END_OF_FIELDS,
};
static const struct mg_field reset_fields[] = {
	{ "email", MG_FROM_FORM, NULL, false, 1024, N_("E-mail address"), MG_TEXT_NFKC },
	END_OF_FIELDS,
};
static const struct mg_field reset_confirm_fields[] = {
	{ "token", MG_FROM_FORM, TOKEN_PATTERN, true, 43, N_("Link"), MG_TEXT_RAW },
	{ "password", MG_FROM_FORM, NULL, false, 1024, N_("New password"), MG_TEXT_RAW },
	{ "confirm", MG_FROM_FORM, NULL, false, 1024, N_("New password again"), MG_TEXT_RAW },
	END_OF_FIELDS,
};
static const struct mg_field home_query[] = {
	{ "saved", MG_FROM_QUERY, "1", false, 1, N_("Saved."), MG_TEXT_NFKC },
	END_OF_FIELDS,
};
static const struct mg_field home_fields[] = {
	{ "name", MG_FROM_FORM, NULL, false, 1024, N_("Name"), MG_TEXT_NFKC },
	{ "phone", MG_FROM_FORM, NULL, false, 256, N_("Phone number"), MG_TEXT_NFKC },
	END_OF_FIELDS,
};

const struct mg_route mg_account_routes[] = {
	{ "GET", "/account/register", register_form, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "customer registration form" },
	{ "POST", "/account/register", register_submit, MG_SCOPE_TENANT, NULL, register_fields,
	  "customer registration: pending person, confirmation mail" },
	{ "GET", "/account/confirm", confirm_form, MG_SCOPE_TENANT, NULL, token_query, "mailed confirmation link (form)" },
	{ "POST", "/account/confirm", confirm_submit, MG_SCOPE_TENANT, NULL, confirm_fields,
	  "confirm a registration: person active, logged in" },
	{ "GET", "/account/login", login_form, MG_SCOPE_TENANT, NULL, login_query, "customer login form" },
	{ "POST", "/account/login", login_submit, MG_SCOPE_TENANT, NULL, login_fields, "customer login" },
	{ "POST", "/account/logout", logout, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "customer logout" },
	{ "GET", "/account/reset", reset_form, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "forgotten password form" },
	{ "POST", "/account/reset", reset_submit, MG_SCOPE_TENANT, NULL, reset_fields, "mail a password reset link" },
	{ "GET", "/account/reset/confirm", reset_confirm_form, MG_SCOPE_TENANT, NULL, token_query,
	  "mailed reset link (new password form)" },
	{ "POST", "/account/reset/confirm", reset_confirm_submit, MG_SCOPE_TENANT, NULL, reset_confirm_fields,
	  "set a new password with a reset link" },
	{ "GET", "/account", home_without_slash, MG_SCOPE_TENANT, NULL, MG_NO_FIELDS, "redirect to my account" },
	{ "GET", "/account/", home, MG_SCOPE_TENANT, NULL, home_query, "my account: e-mail, name, phone" },
	{ "POST", "/account/", home_submit, MG_SCOPE_TENANT, NULL, home_fields, "change my name and phone" },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
