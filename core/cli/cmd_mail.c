/*
 * madoguchi mail send   one pass of the sender (what the job core.mail does each run)
 * madoguchi mail list   how many messages are queued (and due now), sent and failed
 *
 * For operators and development: with mail_transport = maildir the messages appear as .eml
 * files in mail_dir.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "mail.h"

static const char mail_usage[] = "usage: madoguchi mail send | list\n";

static int mail_send(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_mail_stats stats;
	enum mg_err err = mg_mail_send_pending_counted(db, arena, mg_now(), &stats);
	int status = 0;
	if (err != MG_OK)
		status = mg_cli_fail("mail send", "%s%s%s", mg_strerror(err), err == MG_ERR_DB ? ": " : "",
				     err == MG_ERR_DB ? mg_db_error(db) : "");
	printf("mail send: %u sent, %u to retry, %u failed (%s)\n", stats.sent, stats.retried, stats.failed,
	       cli->cfg->mail_transport);
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

static int mail_list(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	struct mg_rows rows;
	struct mg_dbval now[] = { MG_INT(mg_now()) };
	int status = 0;
	if (mg_db_exec(db, arena, &mg_mail_statements[MG_SQL_MAIL_COUNTS], now, 1, &rows, NULL, NULL) != MG_OK) {
		status = mg_cli_fail("mail list", "%s", mg_db_error(db));
	} else {
		const char *queued = "0", *due = "0", *sent = "0", *failed = "0";
		for (size_t r = 0; r < rows.nrows; r++) {
			const char *state = MG_CELL(&rows, r, 0), *count = MG_CELL(&rows, r, 1);
			if (strcmp(state, "queued") == 0) {
				queued = count;
				due = MG_CELL(&rows, r, 2);
			} else if (strcmp(state, "sent") == 0) {
				sent = count;
			} else if (strcmp(state, "failed") == 0) {
				failed = count;
			}
		}
		printf("queued: %s (due now: %s)\nsent:   %s\nfailed: %s\n", queued, due, sent, failed);
	}
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_mail(struct mg_cli *cli, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "send") == 0)
		return mail_send(cli);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return mail_list(cli);
	fputs(mail_usage, stderr);
	return 2;
}
