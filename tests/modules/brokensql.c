/*
 * A module with one broken statement (it names a table that no migration creates) beside a
 * good one: `madoguchi check-statements` must refuse it, name it, and not name the good one
 * (tests/http/test_statements.py). Nothing else: it is never served.
 */
#include "core/module.h"

enum brokensql_sql {
	BROKENSQL_SQL_FINE,
	BROKENSQL_SQL_MISSING_TABLE,
	BROKENSQL_SQL__MAX
};

static const struct mg_sql brokensql_statements[] = {
	[BROKENSQL_SQL_FINE] = { "brokensql.fine", "SELECT ? + 1" },
	[BROKENSQL_SQL_MISSING_TABLE] = { "brokensql.missing_table", "SELECT id FROM brokensql_nosuch WHERE id = ?" },
	[BROKENSQL_SQL__MAX] = { NULL, NULL },
};

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI,
	.name = "brokensql",
	.version = "0.0.0",
	.statements = brokensql_statements,
};
