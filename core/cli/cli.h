/*
 * What the operator commands share (`madoguchi tenant …`, `madoguchi audit …`, …): the loaded
 * configuration and application, a way to reach the database, and one style of messages.
 * Each command lives in its own cmd_<name>.c and is listed once in main.c.
 */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "http.h"

struct mg_cli {
	const struct mg_config *cfg;
	struct mg_app *app; /* modules, router and migrations loaded; templates are not */
	const char *config_file; /* the configuration file given (-c, $MG_CONFIG or the default) */
};

/* A command: argv[0] is its name ("tenant"); returns the process exit status. */
typedef int (*mg_cli_fn)(struct mg_cli *cli, int argc, char **argv);

/* Connects as the application account, or as the schema owner when owner is true.
 * On failure prints why and returns NULL. Close with mg_db_close(). */
struct mg_db *mg_cli_connect(const struct mg_cli *cli, bool owner);

struct mg_arena;
struct mg_tenant;
/* Connects as the application and loads the tenant named slug into out; on failure prints
 * why ("no tenant 'x'") and returns NULL. */
struct mg_db *mg_cli_tenant(const struct mg_cli *cli, const char *what, const char *slug, struct mg_arena *arena,
			   struct mg_tenant *out);

/* One option of a command, in a table ended by { NULL }: "--name VALUE" or "--name=VALUE" stored
 * in *value (a value already there is a default the option replaces when has_default is set, else
 * giving it twice is a mistake), or, when value is NULL, a flag "--name" that sets *flag. */
struct mg_cli_option {
	const char *name;
	const char **value;
	bool *flag;
	bool required; /* a mistake when not given */
	bool has_default;
};

/* What a command takes: its options and from min to max positional arguments. */
struct mg_cli_args {
	const char *usage; /* printed after a mistake */
	const struct mg_cli_option *options;
	const char **positional; /* room for max */
	int min, max;
	int count; /* out: how many positional arguments were given */
};

/* Reads argv[1…] (argv[0] is the command or subcommand) as spec says. On a mistake prints
 * "madoguchi: <what was wrong>" and the usage on stderr and returns 2, the exit status of bad
 * arguments; else 0. Values point into argv. */
int mg_cli_parse(struct mg_cli_args *spec, int argc, char **argv);

/* Prints "madoguchi: <what>: <message>" on stderr and returns 1. */
int mg_cli_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The operator commands (one file each). */
int mg_cmd_tenant(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_staff(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_audit(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_operator(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_maintenance(struct mg_cli *cli, int argc, char **argv);
/* maintenance schedule|windows|cancel (cmd_status.c, called by mg_cmd_maintenance) */
int mg_cmd_maintenance_windows(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_monitor(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_incident(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_staff_email(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_keys(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_mail(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_jobs(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_purge(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_backup(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_restore(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_drill(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_lottery(struct mg_cli *cli, int argc, char **argv);
int mg_cmd_check_statements(struct mg_cli *cli, int argc, char **argv);
/* `madoguchi <module> <command> …`: a command of a loaded module (core/cli/module_command.c). */
int mg_cmd_module(struct mg_cli *cli, int argc, char **argv);

#endif
