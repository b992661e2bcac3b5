/*
 * madoguchi.conf: "key = value" lines, '#' comments. Unknown keys are an error so a typo
 * never passes silently. `madoguchi check-config` loads it and reports the first problem.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <stddef.h>

#include "err.h"

enum { MG_MAX_MODULES = 16 };

struct mg_config {
	char socket[256];       /* FastCGI unix socket the master listens on */
	int workers;            /* number of worker processes */
	char db_socket[256];    /* MariaDB unix socket */
	char db_host[128];      /* used when db_socket is empty */
	int db_port;
	char db_name[64];
	char db_user[64];       /* the application account (no DDL) */
	char db_password[128];  /* read from db_password_file */
	char db_app_host[64];   /* host part of the application account, for `migrate`'s grants */
	char db_migrate_user[64]; /* the schema owner account used by `migrate` */
	char db_migrate_password[128];
	char modules[MG_MAX_MODULES][32];
	int nmodules;
	char module_dir[256];   /* <module_dir>/<name>/<name>.so */
	char schema_dir[256];   /* <schema_dir>/<owner>/NNNN_name.sql */
	char template_dir[256]; /* www/templates */
	char locale_dir[256];   /* <locale_dir>/<lang>/LC_MESSAGES/madoguchi.mo */
	char clock_offset_file[256]; /* tests only: seconds added to the clock; empty in production */
	int strict_fields;      /* tests only: 1 makes a handler's read of an undeclared field a 500 */
	char master_key_file[256]; /* 64 hex characters, mode 0600: wraps every tenant's data key */
	size_t max_body;        /* bytes of request body accepted */
	size_t max_fields;      /* fields per query string, body or cookie header */
	size_t max_key;         /* bytes per field name */
	size_t max_value;       /* bytes per field value */
	int log_level;          /* enum mg_log_level */
	/* outgoing mail (core/platform/mail.c) and the links in it */
	char mail_transport[16]; /* "maildir" (.eml files in mail_dir) or "smtp" (to smtp_url) */
	char mail_dir[256];
	char smtp_url[256];     /* smtp://host:port or smtps://host:port */
	char mail_from[256];    /* "Name <address>" or "address"; the name may be Japanese */
	char public_url[256];   /* https://host[:port] as the public reaches the site, no '/' at the end */
	/* backups (core/ops/backup.c) and the purge ledger beside them */
	char backup_dir[256];   /* <backup_dir>/<id>/ one folder per backup; purge-ledger.jsonl */
	char backup_key_file[256]; /* 64 hex characters, mode 0600: AES-256-GCM key of the backups */
	size_t backup_keep_days; /* backups older than this are deleted by the backup job */
	char scratch_dir[256];  /* restore drills: a scratch datadir and socket per drill (room for a copy) */
	char db_stop_command[512];  /* `madoguchi restore` into the live server: how to stop it (sh -c) */
	char db_start_command[512]; /* … and start it again; both empty: restore only --into */
	char platform_time_zone[64]; /* the platform's own schedule, purge dates and logs (tz.h) */
	/* the watcher (core/ops/monitor.c) and the maintenance notices (core/platform/status.c) */
	char operator_mail[256];   /* where incidents are mailed to the operator; empty: nobody */
	char monitor_urls[1024];   /* the /healthz of every host, separated by spaces; empty: none */
	int monitor_threshold;     /* seconds a check fails before an incident opens */
	int maintenance_lead_hours; /* hours before a window its banner shows on the public pages */
};

/* Defaults for every key. */
void mg_config_defaults(struct mg_config *cfg);
/* Reads path over the defaults; on error, errbuf names the line and the problem. */
enum mg_err mg_config_load(const char *path, struct mg_config *cfg, char *errbuf, size_t errlen);
/* Parses text already in memory (used by the loader and the unit tests). */
enum mg_err mg_config_parse(const char *text, const char *base_dir, struct mg_config *cfg,
			    char *errbuf, size_t errlen);

#endif
