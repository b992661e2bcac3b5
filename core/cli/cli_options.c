/*
 * The option parser every operator command uses (cli.h): "--name VALUE", "--name=VALUE" and
 * "--flag" in any order among the positional arguments, "--" before a positional argument that
 * starts with "-". One message style for every mistake, then the command's usage; exit status 2.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int mistake(const struct mg_cli_args *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int mistake(const struct mg_cli_args *spec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("madoguchi: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", spec->usage);
	return 2;
}

static const struct mg_cli_option *find(const struct mg_cli_option *table, const char *name, size_t len)
{
	for (const struct mg_cli_option *o = table; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* Stores one option; i moves past its value when the value is the next argument. */
static int take(const struct mg_cli_args *spec, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	const struct mg_cli_option *o = find(spec->options, arg + 2, len);
	if (o == NULL)
		return mistake(spec, "unknown option '%.*s'", (int)len + 2, arg);
	if (o->value == NULL) {
		if (eq != NULL)
			return mistake(spec, "--%s takes no value", o->name);
		*o->flag = true;
		return 0;
	}
	if (*o->value != NULL && !o->has_default)
		return mistake(spec, "--%s given twice", o->name);
	if (eq != NULL)
		*o->value = eq + 1;
	else if (*i + 1 < argc)
		*o->value = argv[++*i];
	else
		return mistake(spec, "--%s needs a value", o->name);
	return 0;
}

int mg_cli_parse(struct mg_cli_args *spec, int argc, char **argv)
{
	bool options_end = false;
	spec->count = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_end && strcmp(arg, "--") == 0) {
			options_end = true;
			continue;
		}
		if (!options_end && strncmp(arg, "--", 2) == 0) {
			int status = take(spec, argc, argv, &i);
			if (status != 0)
				return status;
			continue;
		}
		if (!options_end && arg[0] == '-' && arg[1] != '\0')
			return mistake(spec, "unknown option '%s'", arg);
		if (spec->count >= spec->max)
			return mistake(spec, "unexpected argument '%s'", arg);
		spec->positional[spec->count++] = arg;
	}
	if (spec->count < spec->min)
		return mistake(spec, "%s", "an argument is missing");
	for (const struct mg_cli_option *o = spec->options; o != NULL && o->name != NULL; o++)
		if (o->required && *o->value == NULL)
			return mistake(spec, "--%s is required", o->name);
	return 0;
}
