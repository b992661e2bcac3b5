/* The module descriptor and its loader. Modules see this through core/module.h. */
#ifndef MG_MODULES_H
#define MG_MODULES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "jobs.h"
#include "order.h"
#include "permission.h"
#include "request.h"

/* Raised whenever core/module.h (everything it declares, and the headers it includes) changes
 * layout or meaning: the loader refuses a module built with another number.
 * 5: mg_db_exec() takes a statement handle (a pointer into the module's table), not a name.
 * 6: signed order lines, struct mg_order's booking fields, the descriptor's .order_mail. */
#define MG_MODULE_ABI 6u

/* A back-office menu entry. */
struct mg_nav {
	const char *label; /* English msgid */
	const char *path;  /* below /<slug>/admin */
	const char *permission;
};

/* An operator command of a module, run as `madoguchi <module> <name> ARGS…` with the
 * application loaded and db connected as the application account. argv[0] is name; returns
 * the process's exit status; messages go to stdout/stderr. */
struct mg_command {
	const char *name;  /* "import-map" */
	const char *usage; /* the arguments, one line: "--tenant SLUG --venue ID FILE" */
	int (*run)(struct mg_db *db, int argc, char **argv);
};

struct mg_module {
	unsigned abi;                   /* MG_MODULE_ABI the module was built with */
	const char *name;               /* equals the name in madoguchi.conf */
	const char *version;
	const struct mg_route *routes;  /* ended by a { NULL } entry */
	const char *migrations;         /* folder under schema/, usually the name */
	const struct mg_sql *statements;/* indexed by the module's enum, ended by a { NULL, NULL } entry
					 * (core/db/db.h); checked by `madoguchi check-statements` */
	const struct mg_job *jobs;      /* ended by a { NULL } entry */
	const struct mg_nav *nav;       /* ended by a { NULL } entry */
	const struct mg_permission *permissions; /* ended by a { NULL } entry */
	/* Deletes every row of the tenant in the module's tables (the 30-day purge). */
	enum mg_err (*purge_tenant)(struct mg_db *db, uint64_t tenant_id);
	/* Operator commands, `madoguchi <module> <command> …`; ended by a { NULL } entry; may be
	 * NULL. (Took the first reserved slot: a module built before reads as having none.) */
	const struct mg_command *commands;
	/* The mail of the module's orders (core/commerce/order.h, struct mg_order_mail): its own text in
	 * the buyer's language; NULL: the core's generic mail. (The second reserved slot.) */
	mg_order_mailer order_mail;
	void *reserved[6];              /* room to grow without an ABI change */
};

/* dlopen()s every module named in cfg->modules from <module_dir>/<name>/<name>.so (or
 * <module_dir>/<name>.so) and checks its descriptor; errbuf says which and why. */
enum mg_err mg_modules_load(const struct mg_config *cfg, char *errbuf, size_t errlen);
void mg_modules_unload(void);
size_t mg_modules_count(void);
const struct mg_module *mg_modules_get(size_t i);

/* The configured schema folder (schema_dir: migrations, and files such as seatmap.rng). */
const char *mg_schema_dir(void);

#endif
