/*
 * madoguchi check-statements   prepare every statement of the core and of the loaded modules
 *
 * Each statement is prepared once against the database as it is (run it after migrate): SQL
 * that names a missing table or column, or does not parse, is reported by its name with the
 * server's message, and the exit status is 1. The tests run it (tests/http/test_statements.py),
 * so broken SQL fails ./scripts/test rather than the request that first runs it; an operator
 * can run it after `madoguchi migrate` and before reloading the workers.
 *
 * It connects as the schema owner: a few statements run as the owner (the purge, the audit
 * checks), and what the application account may do is the grants' business (core/db/grants.c).
 */
#include <stdio.h>

#include "cli.h"

static void report_refused(const char *name, const char *message, void *arg)
{
	size_t *refused = arg;
	(*refused)++;
	fprintf(stderr, "madoguchi: check-statements: %s: %s\n", name, message);
}

int mg_cmd_check_statements(struct mg_cli *cli, int argc, char **argv)
{
	if (argc != 1)
		return mg_cli_fail("check-statements", "takes no arguments");
	struct mg_db *db = mg_cli_connect(cli, true);
	if (db == NULL)
		return 1;
	size_t checked = 0, refused = 0;
	enum mg_err err = mg_db_prepare_all(db, report_refused, &refused, &checked);
	int status = 0;
	if (err == MG_OK)
		printf("check-statements: %zu statement(s) prepared\n", checked);
	else if (err == MG_ERR_DB)
		status = mg_cli_fail("check-statements", "%zu of %zu statement(s) refused by the server", refused, checked);
	else
		status = mg_cli_fail("check-statements", "%s: %s", mg_strerror(err), mg_db_error(db));
	mg_db_close(db);
	return status;
}
