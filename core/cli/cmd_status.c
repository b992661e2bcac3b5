/*
 * madoguchi maintenance schedule --from ISO --to ISO --reason TEXT
 * madoguchi maintenance schedule --emergency --to ISO --reason TEXT
 * madoguchi maintenance windows | maintenance cancel ID
 * madoguchi monitor [--once] [--url URL …] [--insecure]
 * madoguchi incident list | incident report ID --cause TEXT --measures TEXT | incident export
 * madoguchi staff email --tenant SLUG --login ID ADDRESS
 *
 * Keeping contractors informed (issue 16; the store is core/platform/status.c, the watcher
 * core/ops/monitor.c). ISO times without an offset are read in the platform's zone.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "csv.h"
#include "form.h"
#include "input.h"
#include "mail.h"
#include "monitor.h"
#include "status.h"
#include "tenant.h"
#include "tz.h"

static const char windows_usage[] =
	"usage: madoguchi maintenance schedule --from ISO --to ISO --reason TEXT\n"
	"       madoguchi maintenance schedule --emergency --to ISO --reason TEXT\n"
	"       madoguchi maintenance windows\n"
	"       madoguchi maintenance cancel ID\n"
	"ISO: 2026-12-10T02:00 (the platform's zone) or with Z or an offset\n";

/* "YYYY-MM-DDTHH:MM[:SS]" in the platform's zone, or followed by Z or ±HH:MM. */
static bool parse_iso(const char *text, time_t *out)
{
	int y, mo, d, h, mi, s = 0, n = 0;
	if (sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		return false;
	const char *rest = text + n;
	if (rest[0] == ':' && sscanf(rest, ":%2d%n", &s, &n) == 1)
		rest += n;
	if (rest[0] == '\0') {
		enum mg_tz_fit fit;
		char local[32];
		snprintf(local, sizeof(local), "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
		return mg_tz_parse_local(mg_tz_platform(), local, out, &fit) == MG_OK && fit != MG_TZ_GAP;
	}
	long offset = 0;
	int oh, om;
	if (strcmp(rest, "Z") == 0)
		offset = 0;
	else if ((rest[0] == '+' || rest[0] == '-') && sscanf(rest + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && rest[1 + n] == '\0' &&
		 oh < 24 && om < 60)
		offset = (rest[0] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	else
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
	*out = timegm(&tm) - offset;
	return tm.tm_mday == d;
}

static int windows_list(struct mg_db *db)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	int status = 0;
	if (mg_windows_list(db, arena, mg_now() - 30L * 24 * 3600, &rows) != MG_OK) {
		status = mg_cli_fail("maintenance windows", "%s", mg_db_error(db));
	} else {
		for (size_t r = 0; r < rows.nrows; r++)
			printf("%s\t%s\t%s\t%s%s\t%s\n", MG_CELL(&rows, r, 0), MG_CELL(&rows, r, 5),
			       mg_window_text(arena, mg_tz_platform(), (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)),
					      (time_t)mg_cell_u64(MG_CELL(&rows, r, 2)), "ja"),
			       strcmp(MG_CELL(&rows, r, 4), "1") == 0 ? "emergency " : "", "", MG_CELL(&rows, r, 3));
	}
	mg_arena_free(arena);
	return status;
}

int mg_cmd_maintenance_windows(struct mg_cli *cli, int argc, char **argv)
{
	const char *verb = argv[1];
	if (strcmp(verb, "windows") == 0 && argc == 2) {
		struct mg_db *db = mg_cli_connect(cli, false);
		if (db == NULL)
			return 1;
		int status = windows_list(db);
		mg_db_close(db);
		return status;
	}
	if (strcmp(verb, "cancel") == 0 && argc == 3) {
		uint64_t id;
		if (mg_parse_id(argv[2], &id) != MG_OK)
			return fputs(windows_usage, stderr), 2;
		struct mg_db *db = mg_cli_connect(cli, false);
		if (db == NULL)
			return 1;
		enum mg_err err = mg_window_cancel(db, id, "operator:cli");
		int status = err == MG_ERR_NOT_FOUND ? mg_cli_fail("maintenance cancel", "no window %s to cancel", argv[2])
			     : err != MG_OK		 ? mg_cli_fail("maintenance cancel", "%s", mg_db_error(db))
						 : (printf("window %s cancelled\n", argv[2]), 0);
		mg_db_close(db);
		return status;
	}
	if (strcmp(verb, "schedule") != 0)
		return fputs(windows_usage, stderr), 2;
	const char *from_text = NULL, *to_text = NULL, *reason = NULL;
	bool emergency = false;
	static const struct option options[] = { { "from", required_argument, NULL, 'f' },
						 { "to", required_argument, NULL, 't' },
						 { "reason", required_argument, NULL, 'r' },
						 { "emergency", no_argument, NULL, 'e' },
						 { NULL, 0, NULL, 0 } };
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "", options, NULL)) != -1) {
		if (opt == 'f')
			from_text = optarg;
		else if (opt == 't')
			to_text = optarg;
		else if (opt == 'r')
			reason = optarg;
		else if (opt == 'e')
			emergency = true;
		else
			return fputs(windows_usage, stderr), 2;
	}
	if (optind != argc - 1 || to_text == NULL || reason == NULL || (from_text == NULL) != emergency)
		return fputs(windows_usage, stderr), 2;
	time_t now = mg_now(), from = now, to;
	if (from_text != NULL && !parse_iso(from_text, &from))
		return mg_cli_fail("maintenance schedule", "--from '%s' is not a time like 2026-12-10T02:00", from_text);
	if (!parse_iso(to_text, &to))
		return mg_cli_fail("maintenance schedule", "--to '%s' is not a time like 2026-12-10T04:00", to_text);
	if (to <= from)
		return mg_cli_fail("maintenance schedule", "--to must be after the start");
	if (!emergency && from < now)
		return mg_cli_fail("maintenance schedule", "--from is in the past (use --emergency to start now)");
	if (reason[0] == '\0' || mg_utf8_chars(reason) > MG_WINDOW_REASON_MAX)
		return mg_cli_fail("maintenance schedule", "a reason of 1 to %d characters is required", MG_WINDOW_REASON_MAX);
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	uint64_t id = 0;
	enum mg_err err = mg_window_schedule(db, now, from, to, reason, emergency, "operator:cli", &id);
	int status = 0;
	if (err != MG_OK) {
		status = mg_cli_fail("maintenance schedule", "%s", mg_db_error(db));
	} else {
		struct mg_arena *arena = mg_arena_new();
		printf("window %llu %s: %s (%s); the tenants' administrators are mailed\n", (unsigned long long)id,
		       emergency ? "started" : "scheduled", mg_window_text(arena, mg_tz_platform(), from, to, "ja"),
		       mg_tz_label(mg_tz_platform(), "ja"));
		mg_arena_free(arena);
	}
	mg_db_close(db);
	return status;
}

/* ---- monitor ---- */

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static bool check_known(const char *name)
{
	for (int i = 0; mg_monitor_checks[i] != NULL; i++)
		if (strcmp(name, mg_monitor_checks[i]) == 0)
			return true;
	return false;
}

int mg_cmd_monitor(struct mg_cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: madoguchi monitor [--once] [--url URL]... [--insecure] [--check NAME]...\n"
				    "NAME: web database scheduler backup drill disk (default: all)\n";
	static const struct option options[] = { { "once", no_argument, NULL, 'o' },
						 { "check", required_argument, NULL, 'c' },
						 { "url", required_argument, NULL, 'u' },
						 { "insecure", no_argument, NULL, 'k' },
						 { NULL, 0, NULL, 0 } };
	bool once = false, insecure = false;
	struct mg_arena *args = mg_arena_new();
	const char *urls = "", *only = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'o')
			once = true;
		else if (opt == 'k')
			insecure = true;
		else if (opt == 'u')
			urls = mg_arena_printf(args, "%s %s", urls, optarg);
		else if (opt == 'c' && check_known(optarg))
			only = mg_arena_printf(args, "%s %s", only ? only : "", optarg);
		else
			return mg_arena_free(args), fputs(usage, stderr), 2;
	}
	if (optind != argc)
		return mg_arena_free(args), fputs(usage, stderr), 2;
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	int status = 0;
	do {
		struct mg_db *db = mg_cli_connect(cli, false);
		if (db == NULL) {
			/* the database itself is down: nothing can be recorded until it is back */
			status = 1;
		} else {
			struct mg_arena *arena = mg_arena_new();
			struct mg_monitor_round round;
			enum mg_err err = mg_monitor_round(db, arena, mg_now(), urls, insecure, only, &round);
			if (err != MG_OK) {
				status = mg_cli_fail("monitor", "%s", mg_db_error(db));
			} else {
				printf("%u check(s), %u failing", round.checks, round.failing);
				if (round.opened)
					printf("; incident %llu open", (unsigned long long)round.opened);
				if (round.closed)
					printf("; incident %llu closed", (unsigned long long)round.closed);
				printf("\n");
				fflush(stdout);
				status = round.failing ? 1 : 0;
			}
			mg_arena_free(arena);
			mg_db_close(db);
		}
		for (int i = 0; !once && i < 60 && !stopping; i++)
			sleep(1);
	} while (!once && !stopping);
	mg_arena_free(args);
	return status;
}

/* ---- incidents ---- */

static int incident_export(struct mg_db *db)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	if (mg_incidents_list(db, arena, 0, &rows) != MG_OK) {
		mg_arena_free(arena);
		return mg_cli_fail("incident export", "%s", mg_db_error(db));
	}
	struct mg_buf out;
	mg_buf_init(&out);
	mg_buf_append(&out, "\xEF\xBB\xBF", 3); /* UTF-8 BOM: Excel opens Japanese text right */
	struct mg_csv csv;
	mg_csv_begin(&csv, &out);
	static const char *const head[] = { "ID", "開始", "終了", "停止時間(分)", "検知した内容", "影響", "原因", "対策" };
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		mg_csv_field(&csv, head[i]);
	mg_csv_end_row(&csv);
	for (size_t r = 0; r < rows.nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(&rows, r, 2));
		char a[40] = "", b[40] = "";
		mg_tz_format(mg_tz_platform(), s, MG_TZ_SECOND, "ja", a, sizeof(a));
		if (e)
			mg_tz_format(mg_tz_platform(), e, MG_TZ_SECOND, "ja", b, sizeof(b));
		mg_csv_field(&csv, MG_CELL(&rows, r, 0));
		mg_csv_field(&csv, a);
		mg_csv_field(&csv, b);
		if (e)
			mg_csv_int(&csv, (long long)(e - s + 59) / 60);
		else
			mg_csv_field(&csv, "");
		for (int c = 3; c <= 6; c++)
			mg_csv_field(&csv, MG_CELL(&rows, r, c));
		mg_csv_end_row(&csv);
	}
	fwrite(out.data, 1, out.len, stdout);
	mg_buf_free(&out);
	mg_arena_free(arena);
	return 0;
}

static int incident_list(struct mg_db *db)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	if (mg_incidents_list(db, arena, mg_now() - MG_STATUS_DAYS * 24L * 3600, &rows) != MG_OK) {
		mg_arena_free(arena);
		return mg_cli_fail("incident list", "%s", mg_db_error(db));
	}
	for (size_t r = 0; r < rows.nrows; r++) {
		time_t s = (time_t)mg_cell_u64(MG_CELL(&rows, r, 1)), e = (time_t)mg_cell_u64(MG_CELL(&rows, r, 2));
		char a[40];
		mg_tz_format(mg_tz_platform(), s, MG_TZ_MINUTE, "ja", a, sizeof(a));
		if (e)
			printf("%s\t%s\tclosed\t%lld min\t%s\n", MG_CELL(&rows, r, 0), a, (long long)(e - s + 59) / 60,
			       MG_CELL(&rows, r, 3));
		else
			printf("%s\t%s\topen\t\t%s\n", MG_CELL(&rows, r, 0), a, MG_CELL(&rows, r, 3));
	}
	mg_arena_free(arena);
	return 0;
}

int mg_cmd_incident(struct mg_cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: madoguchi incident list\n"
				    "       madoguchi incident report ID --cause TEXT --measures TEXT\n"
				    "       madoguchi incident export      (CSV with a UTF-8 BOM on stdout)\n";
	if (argc < 2)
		return fputs(usage, stderr), 2;
	const char *cause = NULL, *measures = NULL;
	uint64_t id = 0;
	if (strcmp(argv[1], "report") == 0) {
		static const struct option options[] = { { "cause", required_argument, NULL, 'c' },
							 { "measures", required_argument, NULL, 'm' },
							 { NULL, 0, NULL, 0 } };
		if (argc < 3 || mg_parse_id(argv[2], &id) != MG_OK)
			return fputs(usage, stderr), 2;
		int opt;
		optind = 1;
		while ((opt = getopt_long(argc - 2, argv + 2, "", options, NULL)) != -1) {
			if (opt == 'c')
				cause = optarg;
			else if (opt == 'm')
				measures = optarg;
			else
				return fputs(usage, stderr), 2;
		}
		if (optind != argc - 2 || cause == NULL || measures == NULL)
			return fputs(usage, stderr), 2;
	} else if ((strcmp(argv[1], "list") != 0 && strcmp(argv[1], "export") != 0) || argc != 2) {
		return fputs(usage, stderr), 2;
	}
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	int status;
	if (strcmp(argv[1], "list") == 0) {
		status = incident_list(db);
	} else if (strcmp(argv[1], "export") == 0) {
		status = incident_export(db);
	} else {
		enum mg_err err = mg_incident_report(db, id, cause, measures, "operator:cli");
		status = err != MG_OK ? mg_cli_fail("incident report", "%s", mg_db_error(db))
				      : (printf("incident %s: cause and measures recorded\n", argv[2]), 0);
	}
	mg_db_close(db);
	return status;
}

/* madoguchi staff email --tenant SLUG --login ID ADDRESS (called by mg_cmd_staff) */
int mg_cmd_staff_email(struct mg_cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: madoguchi staff email --tenant SLUG --login ID ADDRESS|\"\"\n";
	static const struct option options[] = { { "tenant", required_argument, NULL, 't' },
						 { "login", required_argument, NULL, 'l' },
						 { NULL, 0, NULL, 0 } };
	const char *slug = NULL, *login = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 't')
			slug = optarg;
		else if (opt == 'l')
			login = optarg;
		else
			return fputs(usage, stderr), 2;
	}
	if (slug == NULL || login == NULL || optind != argc - 1)
		return fputs(usage, stderr), 2;
	char email[MG_EMAIL_MAX + 1] = "";
	if (argv[optind][0] != '\0' && !mg_email_normalise(argv[optind], email, sizeof(email)))
		return mg_cli_fail("staff email", "'%s' is not an e-mail address", argv[optind]);
	struct mg_arena *arena = mg_arena_new();
	struct mg_tenant t;
	struct mg_db *db = mg_cli_tenant(cli, "staff email", slug, arena, &t);
	int status = 1;
	if (db != NULL) {
		enum mg_err err = mg_staff_set_email(db, arena, t.id, login, email);
		if (err == MG_ERR_NOT_FOUND)
			mg_cli_fail("staff email", "no staff '%s' in %s", login, slug);
		else if (err != MG_OK)
			mg_cli_fail("staff email", "%s", mg_strerror(err));
		else
			status = (printf("staff %s of %s: mailed at %s\n", login, slug, email[0] ? email : "(nowhere)"), 0);
		mg_db_close(db);
	}
	mg_arena_free(arena);
	return status;
}
