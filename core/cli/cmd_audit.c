/*
 * `madoguchi audit …`: the operator's side of the audit log (core/platform/audit.c).
 *
 *   audit verify [--tenant SLUG | --tenant-id N]
 *       Checks every chain (or one) and names the first row where it breaks.
 *       Exit 0: intact; 1: broken; 2: bad arguments; 3: could not check (database, tenant).
 *   audit record (--tenant SLUG | --tenant-id N | --platform) --action ACTION
 *                [--actor ACTOR] [--object OBJECT] [--outcome success|failure|denied] [--detail TEXT]
 *       Appends a manual entry, e.g. an operator's intervention made outside the application.
 *       ACTOR defaults to "cli:<login name>". --tenant-id takes the id as stored and does not
 *       look it up (0 is the platform, as --platform).
 *       Exit 0: recorded; 2: bad arguments; 3: not recorded (database, unknown tenant).
 *
 * Both run as the application account: verify only reads, record only inserts, and neither
 * needs the owner's rights.
 */
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"

enum {
	EXIT_BROKEN = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT = 3,
	PROGRESS_EVERY = 10000, /* rows between progress lines on stderr */
};

static const char usage[] =
	"usage: madoguchi audit verify [--tenant SLUG | --tenant-id N]\n"
	"       madoguchi audit record (--tenant SLUG | --tenant-id N | --platform) --action ACTION\n"
	"                              [--actor ACTOR] [--object OBJECT] [--outcome success|failure|denied]\n"
	"                              [--detail TEXT]\n";

struct options {
	const char *tenant, *tenant_id, *actor, *action, *object, *outcome, *detail;
	bool platform;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "madoguchi: audit: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

/* Reads the options of a subcommand (argv[0] is its name); the verify subcommand takes only the
 * first three. Returns 0 or an exit status. */
static int parse(int argc, char **argv, bool record, struct options *o)
{
	memset(o, 0, sizeof(*o));
	const struct mg_cli_option options[] = {
		{ "tenant", &o->tenant, NULL, false, false },
		{ "tenant-id", &o->tenant_id, NULL, false, false },
		{ "platform", NULL, &o->platform, false, false },
		{ "actor", &o->actor, NULL, false, false },
		{ "action", &o->action, NULL, false, false },
		{ "object", &o->object, NULL, false, false },
		{ "outcome", &o->outcome, NULL, false, false },
		{ "detail", &o->detail, NULL, false, false },
		{ NULL, NULL, NULL, false, false },
	};
	const struct mg_cli_option verify_options[] = {
		options[0], options[1], options[2], { NULL, NULL, NULL, false, false },
	};
	struct mg_cli_args spec = { usage, record ? options : verify_options, NULL, 0, 0, 0 };
	int status = mg_cli_parse(&spec, argc, argv);
	if (status != 0)
		return status;
	if ((o->tenant != NULL) + (o->tenant_id != NULL) + o->platform > 1)
		return usage_error("%s", "give one of --tenant, --tenant-id and --platform");
	return 0;
}

static bool parse_id(const char *s, uint64_t *out)
{
	if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return false;
	*out = strtoull(s, NULL, 10);
	return *out != MG_AUDIT_ALL;
}

/* The tenant the options name: 0 with *id set, or an exit status after a message. */
static int tenant_of(struct mg_db *db, const struct options *o, uint64_t *id)
{
	if (o->platform) {
		*id = 0;
		return 0;
	}
	if (o->tenant_id != NULL) {
		if (!parse_id(o->tenant_id, id))
			return usage_error("--tenant-id '%s' is not a tenant id", o->tenant_id);
		return 0;
	}
	struct mg_arena *arena = mg_arena_new();
	struct mg_dbval args[] = { MG_TEXT(o->tenant) };
	struct mg_rows rows;
	int status = 0;
	if (mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_TENANT_BY_SLUG], args, 1, &rows, NULL, NULL) !=
	    MG_OK) {
		mg_cli_fail("audit", "cannot look up tenant '%s': %s", o->tenant, mg_db_error(db));
		status = EXIT_CANNOT;
	} else if (rows.nrows == 0) {
		mg_cli_fail("audit", "no tenant '%s'", o->tenant);
		status = EXIT_CANNOT;
	} else {
		*id = strtoull(MG_CELL(&rows, 0, 0), NULL, 10);
	}
	mg_arena_free(arena);
	return status;
}

/* "demo", "platform" for id 0, or "(no tenant row)"; owned by arena. */
static const char *tenant_label(struct mg_db *db, struct mg_arena *arena, uint64_t id)
{
	if (id == 0)
		return "platform";
	struct mg_dbval args[] = { MG_INT(id) };
	struct mg_rows rows;
	if (mg_db_exec(db, arena, &mg_audit_statements[MG_SQL_AUDIT_TENANT_SLUG], args, 1, &rows, NULL, NULL) !=
	        MG_OK ||
	    rows.nrows == 0)
		return "(no tenant row)";
	return MG_CELL(&rows, 0, 0);
}

struct progress {
	uint64_t next;
};

static void print_progress(void *arg, uint64_t rows)
{
	struct progress *p = arg;
	if (rows < p->next)
		return;
	fprintf(stderr, "audit: %" PRIu64 " rows checked...\n", rows);
	p->next = rows - rows % PROGRESS_EVERY + PROGRESS_EVERY;
}

static int verify(struct mg_cli *cli, const struct options *o)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	struct mg_arena *arena = mg_arena_new();
	int status = EXIT_CANNOT;
	if (db == NULL)
		goto out;
	uint64_t id = MG_AUDIT_ALL;
	if ((o->tenant != NULL || o->tenant_id != NULL || o->platform) && (status = tenant_of(db, o, &id)) != 0)
		goto out;
	struct mg_audit_verdict v;
	struct progress p = { PROGRESS_EVERY };
	enum mg_err err = mg_audit_verify(db, id, &v, print_progress, &p);
	if (err != MG_OK) {
		mg_cli_fail("audit", "verify could not finish: %s (%s)", mg_strerror(err), mg_db_error(db));
		status = EXIT_CANNOT;
		goto out;
	}
	if (v.intact) {
		printf("audit: chain intact: %" PRIu64 " rows in %" PRIu64 " tenant(s)\n", v.rows, v.tenants);
		status = 0;
		goto out;
	}
	printf("audit: chain broken: tenant %s (id %" PRIu64 ") row seq %" PRIu64 ": %s\n",
	       tenant_label(db, arena, v.tenant_id), v.tenant_id, v.seq, v.why);
	if (v.broken_tenants > 1)
		printf("audit: %" PRIu64 " more tenant(s) broken; check each with --tenant\n", v.broken_tenants - 1);
	status = EXIT_BROKEN;
out:
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

static int record(struct mg_cli *cli, const struct options *o)
{
	if (o->tenant == NULL && o->tenant_id == NULL && !o->platform)
		return usage_error("%s", "record needs --tenant, --tenant-id or --platform");
	if (o->action == NULL)
		return usage_error("%s", "record needs --action");
	char actor[96];
	if (o->actor == NULL) {
		/* the login behind the terminal is what is known about a manual entry's author */
		const struct passwd *pw = getpwuid(geteuid());
		snprintf(actor, sizeof(actor), "cli:%s", pw != NULL ? pw->pw_name : "unknown");
	}
	struct mg_db *db = mg_cli_connect(cli, false);
	int status = EXIT_CANNOT;
	if (db == NULL)
		goto out;
	uint64_t id = 0;
	if ((status = tenant_of(db, o, &id)) != 0)
		goto out;
	struct mg_audit_event ev = {
		.tenant_id = id,
		.actor = o->actor != NULL ? o->actor : actor,
		.action = o->action,
		.object = o->object,
		.ip = NULL,
		.user_agent = "madoguchi audit record",
		.outcome = o->outcome != NULL ? o->outcome : "success",
		.detail = o->detail,
	};
	enum mg_err err = mg_audit_record(db, &ev);
	if (err == MG_ERR_INPUT) {
		status = usage_error("%s", "--actor must not be empty, --action must match [a-z0-9_.-]{1,64} and "
				     "--outcome be success, failure or denied");
		goto out;
	}
	if (err != MG_OK) {
		mg_cli_fail("audit", "record failed: %s (%s)", mg_strerror(err), mg_db_error(db));
		status = EXIT_CANNOT;
		goto out;
	}
	printf("audit: recorded %s for tenant id %" PRIu64 "\n", ev.action, id);
	status = 0;
out:
	mg_db_close(db);
	return status;
}

int mg_cmd_audit(struct mg_cli *cli, int argc, char **argv)
{
	struct options o;
	int status;
	if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
		if ((status = parse(argc - 1, argv + 1, false, &o)) != 0)
			return status;
		return verify(cli, &o);
	}
	if (argc >= 2 && strcmp(argv[1], "record") == 0) {
		if ((status = parse(argc - 1, argv + 1, true, &o)) != 0)
			return status;
		return record(cli, &o);
	}
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return EXIT_USAGE;
}
