/* Unit tests for the option parser of the operator commands (core/cli/cli_options.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static const char usage[] = "usage: test [--tenant SLUG] [--csv] NAME\n";

struct parsed {
	const char *tenant, *limit, *name;
	bool csv;
	int status, count;
};

static struct parsed parse(int argc, const char **argv)
{
	struct parsed p = { NULL, "20", NULL, false, 0, 0 };
	const struct mg_cli_option options[] = {
		{ "tenant", &p.tenant, NULL, true, false },
		{ "limit", &p.limit, NULL, false, true },
		{ "csv", NULL, &p.csv, false, false },
		{ NULL, NULL, NULL, false, false },
	};
	struct mg_cli_args spec = { usage, options, &p.name, 1, 1, 0 };
	p.status = mg_cli_parse(&spec, argc, (char **)argv);
	p.count = spec.count;
	return p;
}

static void options_and_arguments_in_any_order(void **state)
{
	const char *a[] = { "cmd", "--csv", "hall", "--tenant=demo", "--limit", "5" };
	struct parsed p = parse(6, a);
	assert_int_equal(p.status, 0);
	assert_string_equal(p.tenant, "demo");
	assert_string_equal(p.limit, "5");
	assert_string_equal(p.name, "hall");
	assert_true(p.csv);
	assert_int_equal(p.count, 1);
	const char *b[] = { "cmd", "--tenant", "demo", "--", "-dash" };
	p = parse(5, b);
	assert_int_equal(p.status, 0);
	assert_string_equal(p.name, "-dash");
	assert_string_equal(p.limit, "20"); /* the default stays */
}

static void mistakes_are_exit_status_two(void **state)
{
	const char *unknown[] = { "cmd", "--tenant", "demo", "--colour", "x" };
	assert_int_equal(parse(5, unknown).status, 2);
	const char *twice[] = { "cmd", "--tenant", "a", "--tenant", "b", "x" };
	assert_int_equal(parse(6, twice).status, 2);
	const char *no_value[] = { "cmd", "x", "--tenant" };
	assert_int_equal(parse(3, no_value).status, 2);
	const char *flag_value[] = { "cmd", "--tenant", "a", "--csv=yes", "x" };
	assert_int_equal(parse(5, flag_value).status, 2);
	const char *missing_required[] = { "cmd", "x" };
	assert_int_equal(parse(2, missing_required).status, 2);
	const char *missing_argument[] = { "cmd", "--tenant", "a" };
	assert_int_equal(parse(3, missing_argument).status, 2);
	const char *extra_argument[] = { "cmd", "--tenant", "a", "x", "y" };
	assert_int_equal(parse(5, extra_argument).status, 2);
	const char *short_option[] = { "cmd", "--tenant", "a", "-t", "x" };
	assert_int_equal(parse(5, short_option).status, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_and_arguments_in_any_order),
		cmocka_unit_test(mistakes_are_exit_status_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
