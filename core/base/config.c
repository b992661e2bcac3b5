#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "tz.h"

enum key_kind { KEY_STRING, KEY_INT, KEY_SIZE, KEY_SECRET_FILE, KEY_MODULES, KEY_LOG_LEVEL, KEY_ZONE };

struct key {
	const char *name;
	enum key_kind kind;
	size_t offset;
	size_t size; /* of the destination for strings */
};

#define STR(field) KEY_STRING, offsetof(struct mg_config, field), sizeof(((struct mg_config *)0)->field)
#define SECRET(field) KEY_SECRET_FILE, offsetof(struct mg_config, field), sizeof(((struct mg_config *)0)->field)
#define NUM(kind, field) kind, offsetof(struct mg_config, field), 0

static const struct key keys[] = {
	{ "socket", STR(socket) },
	{ "workers", NUM(KEY_INT, workers) },
	{ "db_socket", STR(db_socket) },
	{ "db_host", STR(db_host) },
	{ "db_port", NUM(KEY_INT, db_port) },
	{ "db_name", STR(db_name) },
	{ "db_user", STR(db_user) },
	{ "db_password_file", SECRET(db_password) },
	{ "db_app_host", STR(db_app_host) },
	{ "db_migrate_user", STR(db_migrate_user) },
	{ "db_migrate_password_file", SECRET(db_migrate_password) },
	{ "modules", KEY_MODULES, 0, 0 },
	{ "module_dir", STR(module_dir) },
	{ "schema_dir", STR(schema_dir) },
	{ "template_dir", STR(template_dir) },
	{ "locale_dir", STR(locale_dir) },
	{ "master_key_file", STR(master_key_file) },
	{ "clock_offset_file", STR(clock_offset_file) },
	{ "strict_fields", NUM(KEY_INT, strict_fields) },
	{ "max_body", NUM(KEY_SIZE, max_body) },
	{ "max_fields", NUM(KEY_SIZE, max_fields) },
	{ "max_key", NUM(KEY_SIZE, max_key) },
	{ "max_value", NUM(KEY_SIZE, max_value) },
	{ "log_level", KEY_LOG_LEVEL, offsetof(struct mg_config, log_level), 0 },
	{ "mail_transport", STR(mail_transport) },
	{ "mail_dir", STR(mail_dir) },
	{ "smtp_url", STR(smtp_url) },
	{ "mail_from", STR(mail_from) },
	{ "public_url", STR(public_url) },
	{ "operator_mail", STR(operator_mail) },
	{ "monitor_urls", STR(monitor_urls) },
	{ "monitor_threshold", NUM(KEY_INT, monitor_threshold) },
	{ "maintenance_lead_hours", NUM(KEY_INT, maintenance_lead_hours) },
	{ "backup_dir", STR(backup_dir) },
	{ "backup_key_file", STR(backup_key_file) },
	{ "backup_keep_days", NUM(KEY_SIZE, backup_keep_days) },
	{ "scratch_dir", STR(scratch_dir) },
	{ "db_stop_command", STR(db_stop_command) },
	{ "db_start_command", STR(db_start_command) },
	{ "platform_time_zone", KEY_ZONE, offsetof(struct mg_config, platform_time_zone),
	  sizeof(((struct mg_config *)0)->platform_time_zone) },
	{ NULL, 0, 0, 0 },
};

void mg_config_defaults(struct mg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->socket, sizeof(cfg->socket), "var/run/madoguchi.sock");
	cfg->workers = 4;
	cfg->db_port = 3306;
	snprintf(cfg->db_host, sizeof(cfg->db_host), "localhost");
	snprintf(cfg->db_name, sizeof(cfg->db_name), "madoguchi");
	snprintf(cfg->db_user, sizeof(cfg->db_user), "mg_app");
	snprintf(cfg->db_migrate_user, sizeof(cfg->db_migrate_user), "mg_owner");
	snprintf(cfg->db_app_host, sizeof(cfg->db_app_host), "localhost");
	snprintf(cfg->master_key_file, sizeof(cfg->master_key_file), "/etc/madoguchi/master.key");
	snprintf(cfg->schema_dir, sizeof(cfg->schema_dir), "schema");
	snprintf(cfg->template_dir, sizeof(cfg->template_dir), "www/templates");
	snprintf(cfg->locale_dir, sizeof(cfg->locale_dir), "www/po");
	snprintf(cfg->module_dir, sizeof(cfg->module_dir), "modules");
	cfg->max_body = 1024 * 1024;
	cfg->max_fields = 256;
	cfg->max_key = 128;
	cfg->max_value = 64 * 1024;
	cfg->log_level = MG_LOG_INFO;
	snprintf(cfg->mail_transport, sizeof(cfg->mail_transport), "maildir");
	cfg->monitor_threshold = 180;
	cfg->maintenance_lead_hours = 72;
	snprintf(cfg->mail_dir, sizeof(cfg->mail_dir), "var/mail");
	snprintf(cfg->mail_from, sizeof(cfg->mail_from), "Madoguchi <noreply@localhost>");
	snprintf(cfg->public_url, sizeof(cfg->public_url), "https://localhost:8443");
	snprintf(cfg->backup_dir, sizeof(cfg->backup_dir), "/var/backups/madoguchi");
	snprintf(cfg->backup_key_file, sizeof(cfg->backup_key_file), "/etc/madoguchi/backup.key");
	cfg->backup_keep_days = 30;
	snprintf(cfg->scratch_dir, sizeof(cfg->scratch_dir), "/var/tmp/madoguchi");
	snprintf(cfg->platform_time_zone, sizeof(cfg->platform_time_zone), "%s", MG_TZ_DEFAULT);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int copy_string(char *dst, size_t size, const char *value)
{
	return snprintf(dst, size, "%s", value) < (int)size ? 0 : -1;
}

static int read_secret(const char *path, const char *base_dir, char *dst, size_t size, char *why,
		       size_t whylen)
{
	char full[512];
	if (path[0] == '/' || base_dir == NULL)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", base_dir, path);
	FILE *f = fopen(full, "r");
	if (f == NULL) {
		snprintf(why, whylen, "cannot read %s: %s", full, strerror(errno));
		return -1;
	}
	char line[256] = "";
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	char *secret = trim(line);
	if (copy_string(dst, size, secret) != 0) {
		snprintf(why, whylen, "secret in %s is too long", full);
		return -1;
	}
	return 0;
}

static int parse_number(const char *value, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_modules(struct mg_config *cfg, const char *value, char *why, size_t whylen)
{
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", value);
	cfg->nmodules = 0;
	char *save = NULL;
	for (char *name = strtok_r(copy, " \t,", &save); name != NULL; name = strtok_r(NULL, " \t,", &save)) {
		if (cfg->nmodules == MG_MAX_MODULES) {
			snprintf(why, whylen, "more than %d modules", MG_MAX_MODULES);
			return -1;
		}
		for (const char *c = name; *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_') {
				snprintf(why, whylen, "module name '%s' must be lower-case letters, digits or _", name);
				return -1;
			}
		if (copy_string(cfg->modules[cfg->nmodules], sizeof(cfg->modules[0]), name) != 0) {
			snprintf(why, whylen, "module name '%s' is too long", name);
			return -1;
		}
		cfg->nmodules++;
	}
	return 0;
}

static const char *const log_levels[] = { "debug", "info", "warn", "error", NULL };

static int apply_key(struct mg_config *cfg, const struct key *key, const char *value, const char *base_dir,
		     char *why, size_t whylen)
{
	char *dst = (char *)cfg + key->offset;
	long long n;
	switch (key->kind) {
	case KEY_STRING:
		if (copy_string(dst, key->size, value) != 0) {
			snprintf(why, whylen, "value is longer than %zu bytes", key->size - 1);
			return -1;
		}
		return 0;
	case KEY_SECRET_FILE:
		return read_secret(value, base_dir, dst, key->size, why, whylen);
	case KEY_INT:
		if (parse_number(value, 0, 100000, &n) != 0) {
			snprintf(why, whylen, "'%s' is not a number from 0 to 100000", value);
			return -1;
		}
		*(int *)dst = (int)n;
		return 0;
	case KEY_SIZE:
		if (parse_number(value, 1, (long long)1 << 40, &n) != 0) {
			snprintf(why, whylen, "'%s' is not a positive number of bytes", value);
			return -1;
		}
		*(size_t *)dst = (size_t)n;
		return 0;
	case KEY_MODULES:
		return parse_modules(cfg, value, why, whylen);
	case KEY_LOG_LEVEL:
		for (int i = 0; log_levels[i] != NULL; i++)
			if (strcmp(value, log_levels[i]) == 0) {
				*(int *)dst = i;
				return 0;
			}
		snprintf(why, whylen, "'%s' is not one of debug, info, warn, error", value);
		return -1;
	case KEY_ZONE:
		if (!mg_tz_valid(value) || copy_string(dst, key->size, value) != 0) {
			snprintf(why, whylen, "'%s' is not a time zone of the tz database (e.g. Asia/Tokyo)", value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct key *find_key(const char *name)
{
	for (const struct key *k = keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The mail keys: a transport that exists, a sender that fits a header, links that work. */
static enum mg_err check_mail(const struct mg_config *cfg, char *errbuf, size_t errlen)
{
	const char *why = NULL;
	if (strcmp(cfg->mail_transport, "maildir") != 0 && strcmp(cfg->mail_transport, "smtp") != 0)
		why = "mail_transport must be maildir or smtp";
	else if (strcmp(cfg->mail_transport, "maildir") == 0 && cfg->mail_dir[0] == '\0')
		why = "mail_transport = maildir needs mail_dir";
	else if (strcmp(cfg->mail_transport, "smtp") == 0 &&
		 !starts_with(cfg->smtp_url, "smtp://") && !starts_with(cfg->smtp_url, "smtps://"))
		why = "mail_transport = smtp needs smtp_url = smtp://host:port or smtps://host:port";
	else if (strchr(cfg->mail_from, '@') == NULL)
		why = "mail_from must hold an address: \"Name <noreply@example.jp>\" or \"noreply@example.jp\"";
	else if ((!starts_with(cfg->public_url, "https://") && !starts_with(cfg->public_url, "http://")) ||
		 cfg->public_url[strlen(cfg->public_url) - 1] == '/')
		why = "public_url must be https://host[:port] (or http://) without a '/' at the end";
	if (why == NULL)
		return MG_OK;
	snprintf(errbuf, errlen, "%s", why);
	return MG_ERR_CONFIG;
}

static enum mg_err check_consistency(const struct mg_config *cfg, char *errbuf, size_t errlen)
{
	if (cfg->workers < 1 || cfg->workers > 256) {
		snprintf(errbuf, errlen, "workers must be between 1 and 256");
		return MG_ERR_CONFIG;
	}
	if (cfg->socket[0] == '\0') {
		snprintf(errbuf, errlen, "socket must be set");
		return MG_ERR_CONFIG;
	}
	return check_mail(cfg, errbuf, errlen);
}

enum mg_err mg_config_parse(const char *text, const char *base_dir, struct mg_config *cfg, char *errbuf,
			    size_t errlen)
{
	int lineno = 0;
	const char *p = text;
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024];
		lineno++;
		if (len >= sizeof(line)) {
			snprintf(errbuf, errlen, "line %d: longer than %zu bytes", lineno, sizeof(line) - 1);
			return MG_ERR_CONFIG;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol ? eol + 1 : p + len;

		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(errbuf, errlen, "line %d: expected 'key = value'", lineno);
			return MG_ERR_CONFIG;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1);
		const struct key *key = find_key(name);
		if (key == NULL) {
			snprintf(errbuf, errlen, "line %d: unknown key '%s'", lineno, name);
			return MG_ERR_CONFIG;
		}
		char why[1200];
		if (apply_key(cfg, key, value, base_dir, why, sizeof(why)) != 0) {
			snprintf(errbuf, errlen, "line %d: %s: %s", lineno, name, why);
			return MG_ERR_CONFIG;
		}
	}
	return check_consistency(cfg, errbuf, errlen);
}

enum mg_err mg_config_load(const char *path, struct mg_config *cfg, char *errbuf, size_t errlen)
{
	enum mg_err err = MG_OK;
	char *text = NULL;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return MG_ERR_CONFIG;
	}
	text = malloc(65536);
	if (text == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	size_t n = fread(text, 1, 65535, f);
	text[n] = '\0';
	if (!feof(f)) {
		snprintf(errbuf, errlen, "%s: larger than 64 KiB", path);
		err = MG_ERR_CONFIG;
		goto out;
	}
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	char inner[600];
	err = mg_config_parse(text, dir, cfg, inner, sizeof(inner));
	if (err != MG_OK)
		snprintf(errbuf, errlen, "%s: %s", path, inner);
out:
	free(text);
	fclose(f);
	return err;
}
