/*
 * madoguchi operator create LOGIN --name NAME | operator list
 * madoguchi maintenance on [--notice ID] [--retry-after SECONDS] | maintenance off | maintenance
 *
 * Platform operator accounts (the people who use the console at /_operator/) and the
 * maintenance switch, from the command line. `operator create` prints a one-time initial
 * password, changed at the first login. Both are audited in the platform's chain (tenant 0).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "notice.h"
#include "operator.h"

static const char operator_usage[] =
	"usage: madoguchi operator create LOGIN --name NAME\n"
	"       madoguchi operator list\n";

static const char maintenance_usage[] =
	"usage: madoguchi maintenance on [--notice ID] [--retry-after SECONDS]\n"
	"       madoguchi maintenance off\n"
	"       madoguchi maintenance          (shows the switch)\n";

static int operator_create(struct mg_cli *cli, int argc, char **argv)
{
	const char *login = NULL, *name = NULL;
	const struct mg_cli_option options[] = { { "name", &name, NULL, true, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { operator_usage, options, &login, 1, 1, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	if (name[0] == '\0')
		return fputs(operator_usage, stderr), 2;
	if (!mg_operator_login_ok(login))
		return mg_cli_fail("operator create", "a login ID is 1 to 64 letters, digits, '.', '_', '@' or '-'");
	if (strlen(name) > 200)
		return mg_cli_fail("operator create", "a name is at most 200 characters");
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	char initial[17];
	uint64_t id = 0;
	int status = 1;
	enum mg_err err = mg_operator_create(db, login, name, initial, &id);
	if (err == MG_ERR_CONFLICT) {
		mg_cli_fail("operator create", "login ID '%s' is taken (IDs are never reused)", login);
	} else if (err != MG_OK) {
		mg_cli_fail("operator create", "%s", mg_db_error(db));
	} else {
		char object[40];
		snprintf(object, sizeof(object), "operator:%llu", (unsigned long long)id);
		struct mg_audit_event ev = { 0, "operator:cli", "operator.create", object, "", "madoguchi operator create",
					     "success", login };
		mg_audit_record(db, &ev);
		printf("operator %s created (id %llu); console: /_operator/\n"
		       "initial password (shown once; changed at first login): %s\n",
		       login, (unsigned long long)id, initial);
		status = 0;
	}
	mg_db_close(db);
	return status;
}

static int operator_list(struct mg_cli *cli)
{
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err;
	int status = 0;
	json_t *list = mg_operator_list(db, arena, &err);
	if (list == NULL) {
		status = mg_cli_fail("operator list", "%s", mg_db_error(db));
	} else {
		printf("%-6s %-20s %-9s %-16s %s\n", "ID", "LOGIN", "STATE", "LAST LOGIN", "NAME");
		size_t i;
		json_t *op;
		json_array_foreach(list, i, op)
			printf("%-6s %-20s %-9s %-16s %s\n", json_string_value(json_object_get(op, "id")),
			       json_string_value(json_object_get(op, "login")),
			       json_is_true(json_object_get(op, "active")) ? "active" : "inactive",
			       json_string_value(json_object_get(op, "last_login"))[0]
				       ? json_string_value(json_object_get(op, "last_login"))
				       : "-",
			       json_string_value(json_object_get(op, "name")));
		if (json_array_size(list) == 0)
			printf("(no operators yet: madoguchi operator create LOGIN --name NAME)\n");
		json_decref(list);
	}
	mg_arena_free(arena);
	mg_db_close(db);
	return status;
}

int mg_cmd_operator(struct mg_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return operator_create(cli, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return operator_list(cli);
	fputs(operator_usage, stderr);
	return 2;
}

static int number(const char *text, long long max, long long *out)
{
	char *end;
	*out = strtoll(text, &end, 10);
	return text[0] >= '0' && text[0] <= '9' && *end == '\0' && *out <= max;
}

static int maintenance_show(struct mg_db *db)
{
	struct mg_arena *arena = mg_arena_new();
	struct mg_maintenance m;
	int status = 0;
	if (mg_maintenance_get(db, arena, &m) != MG_OK)
		status = mg_cli_fail("maintenance", "%s", mg_db_error(db));
	else if (!m.on)
		printf("maintenance: off\n");
	else
		printf("maintenance: on (Retry-After %ld s)%s%s\n", m.retry_after, m.title ? ", notice: " : "",
		       m.title ? m.title : "");
	mg_arena_free(arena);
	return status;
}

int mg_cmd_maintenance(struct mg_cli *cli, int argc, char **argv)
{
	long long notice = 0, retry = MG_MAINTENANCE_RETRY_DEFAULT;
	const char *switch_to = NULL, *notice_text = NULL, *retry_text = NULL;
	const struct mg_cli_option options[] = { { "notice", &notice_text, NULL, false, false },
						 { "retry-after", &retry_text, NULL, false, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { maintenance_usage, options, &switch_to, 0, 1, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;
	bool on = switch_to != NULL && strcmp(switch_to, "on") == 0;
	if ((switch_to != NULL && !on && strcmp(switch_to, "off") != 0) ||
	    ((notice_text != NULL || retry_text != NULL) && !on) ||
	    (notice_text != NULL && !number(notice_text, INT64_MAX, &notice)) ||
	    (retry_text != NULL && (!number(retry_text, 7LL * 24 * 3600, &retry) || retry <= 0)))
		return fputs(maintenance_usage, stderr), 2;
	struct mg_db *db = mg_cli_connect(cli, false);
	if (db == NULL)
		return 1;
	int status = 0;
	if (switch_to == NULL) {
		status = maintenance_show(db);
	} else {
		enum mg_err err = mg_maintenance_set(db, on, (uint64_t)notice, (long)retry, "operator:cli", "",
						     "madoguchi maintenance");
		if (err == MG_ERR_NOT_FOUND)
			status = mg_cli_fail("maintenance", "no platform notice %lld (post one in the console first)", notice);
		else if (err != MG_OK)
			status = mg_cli_fail("maintenance", "%s", mg_db_error(db));
		else
			status = maintenance_show(db);
	}
	mg_db_close(db);
	return status;
}
