/*
 * madoguchi — one binary, many verbs (like git or fossil):
 *   madoguchi [-c CONFIG] serve | jobs | migrate | check-config | check-statements | routes | version | …
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <openssl/crypto.h>

#include "api_token.h"
#include "api_token_pages.h"
#include "audit.h"
#include "backup.h"
#include "backoffice.h"
#include "booking.h"
#include "commerce_web.h"
#include "hold.h"
#include "cart.h"
#include "audit_view.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "deletion_pages.h"
#include "deletions.h"
#include "export.h"
#include "grants.h"
#include "http.h"
#include "i18n.h"
#include "inventory.h"
#include "calendar.h"
#include "jobs.h"
#include "log.h"
#include "lottery.h"
#include "lottery_pages.h"
#include "mail.h"
#include "migrate.h"
#include "modules.h"
#include "monitor.h"
#include "notice.h"
#include "notice_pages.h"
#include "status.h"
#include "status_pages.h"
#include "console.h"
#include "operator.h"
#include "tz.h"
#include "order.h"
#include "pages.h"
#include "phases.h"
#include "payment.h"
#include "payment_pages.h"
#include "people.h"
#include "purge.h"
#include "router.h"
#include "scratch_db.h"
#include "serve.h"
#include "session.h"
#include "signing.h"
#include "staff.h"
#include "clock.h"
#include "template.h"
#include "tenant.h"

static const char usage[] =
	"usage: madoguchi [-c CONFIG] COMMAND\n"
	"\n"
	"commands:\n"
	"  serve         run the FastCGI master and its workers (foreground)\n"
	"  migrate       apply pending schema migrations (schema/<owner>/NNNN_name.sql)\n"
	"  check-config  load the configuration, modules, routes and templates, then exit\n"
	"  check-statements  prepare every statement of the core and the modules (after migrate)\n"
	"  routes        print every route as JSON (core and modules)\n"
	"  audit         verify the audit log's hash chains; record a manual entry\n"
	"  tenant        create, list, show, suspend, resume, terminate tenants\n"
	"  staff         create a staff account (prints its one-time initial password)\n"
	"  operator      create or list platform operator accounts (console at /_operator/)\n"
	"  maintenance   turn the maintenance switch on or off, or show it; schedule a window\n"
	"                (maintenance schedule --from ISO --to ISO --reason TEXT | --emergency)\n"
	"  monitor       one round of the watcher's checks (--once), or watch every minute\n"
	"  incident      list incidents, record their cause and measures, export them as CSV\n"
	"  keys          rotate the master key (re-wraps every tenant's data key)\n"
	"  mail          send the queued mail once (mail send); count it by state (mail list)\n"
	"  jobs          the job scheduler (foreground); jobs run|list|history\n"
	"  purge         the 30/60-day purges: purge run|status|replay|records\n"
	"  backup        take a backup now, list the backups, verify one (backup now|list|verify ID)\n"
	"  restore       restore a backup into the live database or beside it (restore ID [--into DIR])\n"
	"  drill         restore a backup into a scratch server and compare it with its manifest\n"
	"  MODULE …      a module's own commands, e.g. tickets import-map (madoguchi tickets)\n"
	"  version       print the version\n"
	"\n"
	"CONFIG defaults to $MG_CONFIG, else var/madoguchi.conf of the checkout the current folder\n"
	"is in (scripts/run's), else /etc/madoguchi/madoguchi.conf.\n";

static struct mg_config config;
static const char *config_file; /* the -c file, for commands that run madoguchi again */

/* On a development checkout: var/madoguchi.conf (written by scripts/run) of the nearest folder
 * at or above the current one that holds configure.ac and it, so that `madoguchi backup list`
 * works there without -c. */
static bool dev_checkout_config(char *out, size_t len)
{
	char dir[4096];
	if (getcwd(dir, sizeof(dir)) == NULL)
		return false;
	for (;;) {
		struct stat st;
		char probe[4200];
		snprintf(probe, sizeof(probe), "%s/configure.ac", dir);
		if (stat(probe, &st) == 0) {
			snprintf(probe, sizeof(probe), "%s/var/madoguchi.conf", dir);
			if (stat(probe, &st) == 0 && strlen(probe) < len) {
				snprintf(out, len, "%s", probe);
				return true;
			}
		}
		char *slash = strrchr(dir, '/');
		if (slash == NULL || slash == dir)
			return false;
		*slash = '\0';
	}
}

static int fail(const char *what, const char *why)
{
	return mg_cli_fail(what, "%s", why);
}

int mg_cli_fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "madoguchi: %s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

struct mg_db *mg_cli_connect(const struct mg_cli *cli, bool owner)
{
	const struct mg_config *cfg = cli->cfg;
	struct mg_db_params params = { cfg->db_socket, cfg->db_host, (unsigned)cfg->db_port,
				       owner ? cfg->db_migrate_user : cfg->db_user,
				       owner ? cfg->db_migrate_password : cfg->db_password, cfg->db_name };
	struct mg_db *db = NULL;
	if (mg_db_open(&params, &db) != MG_OK) {
		mg_cli_fail("database", "cannot connect as %s: %s", params.user, db ? mg_db_error(db) : "out of memory");
		mg_db_close(db);
		return NULL;
	}
	return db;
}

/* The owners of migrations, core first, in the order the config lists the modules. */
static size_t migration_owners(const char **owners, size_t max)
{
	size_t n = 0;
	owners[n++] = "core";
	for (size_t i = 0; i < mg_modules_count() && n < max; i++) {
		const struct mg_module *m = mg_modules_get(i);
		if (m->migrations != NULL)
			owners[n++] = m->migrations;
	}
	return n;
}

/* Loads everything serve needs before forking; errbuf says what is wrong. */
static enum mg_err load_app(struct mg_app *app, int with_templates, char *errbuf, size_t errlen)
{
	enum mg_err err;
	memset(app, 0, sizeof(*app));
	app->cfg = &config;
	if ((err = mg_modules_load(&config, errbuf, errlen)) != MG_OK)
		return err;
	if ((err = mg_db_register(mg_migrate_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_audit_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_grants_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_tenant_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_session_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_staff_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_staff_totp_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_audit_view_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_operator_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_notice_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_status_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_monitor_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_people_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_mail_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_inventory_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_lottery_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_calendar_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_signing_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_purge_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_purge_delete_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_deletion_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_drill_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_cart_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_order_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_payment_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_hold_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_booking_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_receipt_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_api_token_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_jobs_statements, errbuf, errlen)) != MG_OK ||
	    (err = mg_db_register(mg_scratch_db_statements, errbuf, errlen)) != MG_OK)
		return err;
	mg_mail_setup(&config);
	mg_status_setup(&config);
	mg_monitor_setup(&config);
	mg_purge_setup(&config);
	mg_backup_setup(&config);
	mg_payment_setup(&config);
	app->router = mg_router_new();
	if (app->router == NULL)
		return MG_ERR_NOMEM;
	mg_http_phases_clear();
	if ((err = mg_web_register_phases()) != MG_OK)
		return err;
	if ((err = mg_router_add(app->router, "core", mg_core_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_backoffice_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_twofactor_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_staff_admin_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_audit_view_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_notice_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_status_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_console_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_account_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_export_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_deletion_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_payment_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_api_token_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_receipt_routes, errbuf, errlen)) != MG_OK ||
	    (err = mg_router_add(app->router, "core", mg_lottery_routes, errbuf, errlen)) != MG_OK)
		return err;
	for (size_t i = 0; i < mg_modules_count(); i++) {
		const struct mg_module *m = mg_modules_get(i);
		if ((err = mg_db_register(m->statements, errbuf, errlen)) != MG_OK)
			return err;
		if ((err = mg_router_add(app->router, m->name, m->routes, errbuf, errlen)) != MG_OK)
			return err;
	}
	if (config.strict_fields && (err = mg_router_add(app->router, "core", mg_probe_routes, errbuf, errlen)) != MG_OK)
		return err;
	const char *owners[MG_MAX_MODULES + 1];
	size_t nowners = migration_owners(owners, MG_MAX_MODULES + 1);
	if ((err = mg_migrations_list(config.schema_dir, owners, nowners, &app->migrations, errbuf, errlen)) != MG_OK)
		return err;
	if (with_templates && (err = mg_templates_load(config.template_dir, &app->templates, errbuf, errlen)) != MG_OK)
		return err;
	if (with_templates && (err = mg_master_key_load(config.master_key_file, app->master_key, errbuf, errlen)) != MG_OK)
		return err;
	if (with_templates) {
		mg_staff_prepare();
		mg_people_prepare();
	}
	struct stat st;
	if (stat(config.locale_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "locale_dir %s is not a folder (build the catalogs with make)", config.locale_dir);
		return MG_ERR_CONFIG;
	}
	return mg_i18n_init(config.locale_dir);
}

static void free_app(struct mg_app *app)
{
	OPENSSL_cleanse(app->master_key, sizeof(app->master_key));
	mg_templates_free(app->templates);
	mg_router_free(app->router);
	free(app->migrations.items);
	mg_modules_unload();
}

static int cmd_check_config(void)
{
	struct mg_app app;
	char errbuf[1024];
	enum mg_err err = load_app(&app, 1, errbuf, sizeof(errbuf));
	if (err != MG_OK) {
		free_app(&app);
		return fail("check-config", errbuf);
	}
	printf("config ok: %d workers, socket %s, %zu module(s):", config.workers, config.socket, mg_modules_count());
	for (size_t i = 0; i < mg_modules_count(); i++)
		printf(" %s", mg_modules_get(i)->name);
	printf(", %zu migration(s) on disk\n", app.migrations.n);
	free_app(&app);
	return 0;
}

static int cmd_migrate(void)
{
	struct mg_app app;
	struct mg_db *db = NULL;
	char errbuf[1024];
	int status = 1;
	if (load_app(&app, 0, errbuf, sizeof(errbuf)) != MG_OK) {
		fail("migrate", errbuf);
		goto out;
	}
	struct mg_cli cli = { &config, &app, config_file };
	if ((db = mg_cli_connect(&cli, true)) == NULL)
		goto out;
	size_t applied = 0;
	if (mg_migrate_apply(db, &app.migrations, &applied, errbuf, sizeof(errbuf)) != MG_OK) {
		fail("migrate", errbuf);
		goto out;
	}
	if (applied == 0)
		printf("migrate: up to date (%zu migration(s) recorded)\n", app.migrations.n);
	else
		printf("migrate: applied %zu migration(s)\n", applied);
	/* every run too: the platform's holiday list is data shipped beside the migrations */
	char holidays[sizeof(config.schema_dir) + 32];
	snprintf(holidays, sizeof(holidays), "%s/holidays-jp.csv", config.schema_dir);
	struct mg_arena *arena = mg_arena_new();
	size_t ndays = 0;
	enum mg_err herr = arena != NULL ? mg_calendar_load_holidays(db, arena, holidays, &ndays, errbuf, sizeof(errbuf))
					 : MG_ERR_NOMEM;
	mg_arena_free(arena);
	if (herr != MG_OK) {
		fail("migrate: holidays", errbuf);
		goto out;
	}
	printf("migrate: %zu national holiday(s) loaded from %s\n", ndays, holidays);
	/* every run, not only when something was applied: the rights follow the tables */
	size_t ntables = 0, nrestricted = 0;
	if (mg_grants_apply(db, &config, &ntables, &nrestricted, errbuf, sizeof(errbuf)) != MG_OK) {
		fail("migrate: grants", errbuf);
		goto out;
	}
	printf("migrate: rights of %s@%s set on %zu table(s), %zu of them restricted\n", config.db_user,
	       config.db_app_host, ntables, nrestricted);
	status = 0;
out:
	mg_db_close(db);
	free_app(&app);
	return status;
}

static const char *const scope_names[] = { "platform", "tenant", "admin", "operator" };

static const char *const text_names[] = { [MG_TEXT_NFKC] = "nfkc", [MG_TEXT_AMOUNT] = "amount", [MG_TEXT_RAW] = "raw" };

static json_t *route_fields(const struct mg_field *fields)
{
	json_t *list = json_array();
	for (const struct mg_field *f = fields; f != NULL && f->name != NULL; f++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:b, s:I, s:s}", "name", f->name, "source",
						      f->source == MG_FROM_FORM ? "form" : "query", "pattern", f->pattern,
						      "required", f->required, "max_len", (json_int_t)f->max_len, "text",
						      text_names[f->text]));
	return list;
}

static void print_route(void *arg, const char *owner, const struct mg_route *route, const char *full_pattern)
{
	json_t *array = arg;
	json_array_append_new(array, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:o}", "owner", owner, "method",
					       route->method, "pattern", full_pattern, "scope", scope_names[route->scope],
					       "permission", route->permission, "summary", route->summary, "fields",
					       route_fields(route->fields)));
}

static int cmd_routes(void)
{
	struct mg_app app;
	char errbuf[1024];
	if (load_app(&app, 0, errbuf, sizeof(errbuf)) != MG_OK) {
		free_app(&app);
		return fail("routes", errbuf);
	}
	json_t *array = json_array();
	mg_router_each(app.router, print_route, array);
	json_dumpf(array, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(array);
	free_app(&app);
	return 0;
}

static int cmd_serve(void)
{
	struct mg_app app;
	char errbuf[1024];
	if (load_app(&app, 1, errbuf, sizeof(errbuf)) != MG_OK) {
		free_app(&app);
		return fail("serve", errbuf);
	}
	int status = mg_serve(&app);
	free_app(&app);
	return status;
}

/* Loads the application (no templates) and runs an operator command. */
static int run_with_app(mg_cli_fn fn, int argc, char **argv)
{
	struct mg_app app;
	char errbuf[1024];
	int status;
	if (load_app(&app, 0, errbuf, sizeof(errbuf)) != MG_OK) {
		status = fail(argv[0], errbuf);
	} else {
		struct mg_cli cli = { &config, &app, config_file };
		status = fn(&cli, argc, argv);
	}
	free_app(&app);
	return status;
}

struct command {
	const char *name;
	int (*simple)(void); /* commands that set themselves up */
	mg_cli_fn fn;        /* operator commands run with the application loaded */
};

static const struct command commands[] = {
	{ "serve", cmd_serve, NULL },
	{ "migrate", cmd_migrate, NULL },
	{ "check-config", cmd_check_config, NULL },
	{ "check-statements", NULL, mg_cmd_check_statements },
	{ "routes", cmd_routes, NULL },
	{ "tenant", NULL, mg_cmd_tenant },
	{ "staff", NULL, mg_cmd_staff },
	{ "audit", NULL, mg_cmd_audit },
	{ "operator", NULL, mg_cmd_operator },
	{ "maintenance", NULL, mg_cmd_maintenance },
	{ "monitor", NULL, mg_cmd_monitor },
	{ "incident", NULL, mg_cmd_incident },
	{ "keys", NULL, mg_cmd_keys },
	{ "mail", NULL, mg_cmd_mail },
	{ "jobs", NULL, mg_cmd_jobs },
	{ "purge", NULL, mg_cmd_purge },
	{ "backup", NULL, mg_cmd_backup },
	{ "restore", NULL, mg_cmd_restore },
	{ "drill", NULL, mg_cmd_drill },
	{ "lottery", NULL, mg_cmd_lottery },
	{ NULL, NULL, NULL },
};

static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Whether word names a module the configuration loads (its commands: core/cli/module_command.c). */
static bool is_configured_module(const char *word)
{
	for (int i = 0; i < config.nmodules; i++)
		if (strcmp(config.modules[i], word) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *config_path = getenv("MG_CONFIG");
	int opt;
	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		default:
			fputs(usage, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *command = argv[optind];
	if (strcmp(command, "version") == 0) {
		printf("madoguchi %s (module ABI %u)\n", PACKAGE_VERSION, MG_MODULE_ABI);
		return 0;
	}
	static char found[4096];
	if (config_path == NULL && dev_checkout_config(found, sizeof(found)))
		config_path = found;
	if (config_path == NULL)
		config_path = "/etc/madoguchi/madoguchi.conf";
	config_file = config_path;
	char errbuf[1024];
	mg_config_defaults(&config);
	if (mg_config_load(config_path, &config, errbuf, sizeof(errbuf)) != MG_OK)
		return fail("configuration", errbuf);
	mg_log_set_level((enum mg_log_level)config.log_level);
	mg_tz_set_platform(config.platform_time_zone); /* checked by the loader */
	mg_clock_init(config.clock_offset_file);
	xmlInitParser();
	/* progress of long commands: in place on a terminal, none in the scheduler or the server */
	if (strcmp(command, "jobs") == 0 || strcmp(command, "serve") == 0)
		mg_progress_set(MG_PROGRESS_OFF);
	else if (isatty(STDERR_FILENO))
		mg_progress_set(MG_PROGRESS_TERMINAL);

	int status = 2;
	const struct command *c = find_command(command);
	if (c == NULL && is_configured_module(command))
		status = run_with_app(mg_cmd_module, argc - optind, argv + optind);
	else if (c == NULL)
		fprintf(stderr, "madoguchi: unknown command '%s'\n\n%s", command, usage);
	else if (c->simple != NULL)
		status = c->simple();
	else
		status = run_with_app(c->fn, argc - optind, argv + optind);
	xmlCleanupParser();
	return status;
}
