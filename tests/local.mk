# tests/: C unit tests (cmocka, TAP output, built with ASan+UBSan) driven by `make check`.
# LeakSanitizer is on (detect_leaks=1 below): a leak makes the test program exit non-zero after
# its last "ok" line, which the TAP driver reports as ERROR and scripts/test counts as a failure
# (checked by leaking an arena in test_core on purpose).
# The HTTP suite (tests/http, pytest) runs against a live stack from scripts/test.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' CMOCKA_MESSAGE_OUTPUT=TAP \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
MG_CFLAGS_UNIT = $(AM_CFLAGS) $(SANITIZE_CFLAGS) $(CMOCKA_CFLAGS) $(MG_CFLAGS_CORE)
MG_LIBS_UNIT = $(CMOCKA_LIBS) $(MG_LIBS_CORE)
MG_LINK_UNIT = $(SANITIZE_CFLAGS)
MG_SRC_UNIT = core/base/err.c core/base/arena.c core/base/buf.c core/base/log.c core/base/tz.c core/base/tz_text.c

check_PROGRAMS += %D%/unit/test_form %D%/unit/test_lang %D%/unit/test_template \
	%D%/unit/test_core %D%/unit/test_router %D%/unit/test_config
TESTS += %D%/unit/test_form %D%/unit/test_lang %D%/unit/test_template \
	%D%/unit/test_core %D%/unit/test_router %D%/unit/test_config

%C%_unit_test_form_SOURCES = %D%/unit/test_form.c core/base/form.c $(MG_SRC_UNIT)
%C%_unit_test_form_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_form_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_form_LDADD = $(MG_LIBS_UNIT)

%C%_unit_test_lang_SOURCES = %D%/unit/test_lang.c core/base/lang.c $(MG_SRC_UNIT)
%C%_unit_test_lang_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_lang_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_lang_LDADD = $(MG_LIBS_UNIT)

%C%_unit_test_template_SOURCES = %D%/unit/test_template.c core/base/template.c $(MG_SRC_UNIT)
%C%_unit_test_template_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_template_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_template_LDADD = $(MG_LIBS_UNIT)

%C%_unit_test_core_SOURCES = %D%/unit/test_core.c $(MG_SRC_UNIT)
%C%_unit_test_core_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_core_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_core_LDADD = $(MG_LIBS_UNIT)

%C%_unit_test_router_SOURCES = %D%/unit/test_router.c core/http/router.c $(MG_SRC_UNIT)
%C%_unit_test_router_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_router_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_router_LDADD = $(MG_LIBS_UNIT)

%C%_unit_test_config_SOURCES = %D%/unit/test_config.c core/base/config.c core/db/migrate_files.c $(MG_SRC_UNIT)
%C%_unit_test_config_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_config_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_config_LDADD = $(MG_LIBS_UNIT)

# core/base/input.c: NFKC of typed input (full-width digits, letters, spaces), amounts with a
# thousands comma, the one id parser (issue 10, item 5).
check_PROGRAMS += %D%/unit/test_input
TESTS += %D%/unit/test_input
%C%_unit_test_input_SOURCES = %D%/unit/test_input.c core/base/input.c $(MG_SRC_UNIT)
%C%_unit_test_input_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_input_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_input_LDADD = $(MG_LIBS_UNIT)

# A module built with a wrong ABI number: the HTTP suite proves the loader refuses it.
check_PROGRAMS += %D%/modules/badabi.so
%C%_modules_badabi_so_SOURCES = %D%/modules/badabi.c
%C%_modules_badabi_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_modules_badabi_so_LDFLAGS = -shared

# A module with one statement whose SQL names a missing table: tests/http/test_statements.py
# proves `madoguchi check-statements` refuses it by name.
check_PROGRAMS += %D%/modules/brokensql.so
%C%_modules_brokensql_so_SOURCES = %D%/modules/brokensql.c
%C%_modules_brokensql_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_modules_brokensql_so_LDFLAGS = -shared

EXTRA_DIST += %D%/http %D%/fuzz

# Shell tests report by exit status (the plain driver), not TAP.
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(SHELL) $(top_srcdir)/build-aux/test-driver
TESTS += %D%/check-catalogs.sh
EXTRA_DIST += %D%/check-catalogs.sh

# core/base/crypto.c: vectors, AES-GCM tamper checks, TOTP, master key file, QR (issue 3).
check_PROGRAMS += %D%/unit/test_crypto
TESTS += %D%/unit/test_crypto
%C%_unit_test_crypto_SOURCES = %D%/unit/test_crypto.c core/base/crypto.c $(MG_SRC_UNIT)
%C%_unit_test_crypto_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_crypto_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_crypto_LDADD = $(MG_LIBS_UNIT)

# core/platform/audit.c and core/db/grants.c: canonical serialisation, known vectors, text cleaning, the
# names pasted into GRANT (issue 3, item 7). The chain against a database: tests/http/test_audit.py.
check_PROGRAMS += %D%/unit/test_audit
TESTS += %D%/unit/test_audit
%C%_unit_test_audit_SOURCES = %D%/unit/test_audit.c core/platform/audit.c core/db/grants.c core/db/db.c core/base/crypto.c \
	$(MG_SRC_UNIT)
%C%_unit_test_audit_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_audit_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_audit_LDADD = $(MG_LIBS_UNIT)

# core/base/csv.c: BOM, CRLF, RFC 4180 quoting, formula-injection guard (issue 3, item 7 exports).
check_PROGRAMS += %D%/unit/test_csv
TESTS += %D%/unit/test_csv
%C%_unit_test_csv_SOURCES = %D%/unit/test_csv.c core/base/csv.c $(MG_SRC_UNIT)
%C%_unit_test_csv_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_csv_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_csv_LDADD = $(MG_LIBS_UNIT)

# core/platform/mail_format.c: address normalisation, RFC 2047 headers, .eml composition (issue 3, item 8).
# Delivery and the pages against a live stack: tests/http/test_people.py.
check_PROGRAMS += %D%/unit/test_mail
TESTS += %D%/unit/test_mail
%C%_unit_test_mail_SOURCES = %D%/unit/test_mail.c core/platform/mail_format.c core/base/form.c core/base/input.c core/base/config.c $(MG_SRC_UNIT)
%C%_unit_test_mail_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_mail_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_mail_LDADD = $(MG_LIBS_UNIT)

# core/base/schedule.c: schedules in JST, slots, retry back-off, what the scheduler runs now (issue 5).
# The scheduler against a database: tests/http/test_jobs.py.
check_PROGRAMS += %D%/unit/test_schedule
TESTS += %D%/unit/test_schedule
%C%_unit_test_schedule_SOURCES = %D%/unit/test_schedule.c core/base/schedule.c $(MG_SRC_UNIT)
%C%_unit_test_schedule_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_schedule_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_schedule_LDADD = $(MG_LIBS_UNIT)

# core/commerce/inventory.c against the stack's MariaDB with threads racing for the same units; built
# by `make check`, run by tests/http/test_inventory.py (it needs the live database).
check_PROGRAMS += %D%/db/inventory_race
%C%_db_inventory_race_SOURCES = %D%/db/inventory_race.c core/commerce/inventory.c core/db/db.c core/base/config.c \
	core/db/migrate_files.c core/base/clock.c $(MG_SRC_UNIT)
%C%_db_inventory_race_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_db_inventory_race_LDFLAGS = $(MG_LINK_UNIT) -pthread
%C%_db_inventory_race_LDADD = $(MG_LIBS_UNIT)

# core/commerce for bookings (holds, approval, 減免, fees) against the live MariaDB, run by
# tests/http/test_commerce.py; it links the whole core, as a module's calls reach all of it.
check_PROGRAMS += %D%/db/commerce_flow
%C%_db_commerce_flow_SOURCES = %D%/db/commerce_flow.c $(MG_SRC_CORE)
%C%_db_commerce_flow_CFLAGS = $(AM_CFLAGS) $(MG_CFLAGS_CORE)
%C%_db_commerce_flow_LDADD = $(MG_LIBS_CORE)

# core/commerce/money.c: totals, 減免, tax, invoice numbers, fee ladders.
check_PROGRAMS += %D%/unit/test_money
TESTS += %D%/unit/test_money
%C%_unit_test_money_SOURCES = %D%/unit/test_money.c core/commerce/money.c $(MG_SRC_UNIT)
%C%_unit_test_money_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_money_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_money_LDADD = $(MG_LIBS_UNIT)

# scripts/bench onsale: the load client (libcurl multi) and the database ceiling (raw holds).
check_PROGRAMS += %D%/bench/onsale %D%/bench/hold_ceiling
%C%_bench_onsale_SOURCES = %D%/bench/onsale.c
%C%_bench_onsale_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
%C%_bench_onsale_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)
%C%_bench_hold_ceiling_SOURCES = %D%/bench/hold_ceiling.c core/commerce/inventory.c core/db/db.c core/base/config.c \
	core/db/migrate_files.c core/base/clock.c $(MG_SRC_UNIT)
%C%_bench_hold_ceiling_CFLAGS = $(AM_CFLAGS) $(MG_CFLAGS_CORE)
%C%_bench_hold_ceiling_LDFLAGS = -pthread
%C%_bench_hold_ceiling_LDADD = $(MG_LIBS_CORE)
# core/ops/purge_ledger.c: backup folder names, the JST dates of T+30/T+60, the purge ledger file
# (issue 5, item 4). The purges against a database: tests/http/test_purge.py.
check_PROGRAMS += %D%/unit/test_purge
TESTS += %D%/unit/test_purge
%C%_unit_test_purge_SOURCES = %D%/unit/test_purge.c core/ops/purge_ledger.c $(MG_SRC_UNIT)
%C%_unit_test_purge_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_purge_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_purge_LDADD = $(MG_LIBS_UNIT)
# core/ops/backup_stream.c and core/ops/backup_manifest.c: the chunked compress-and-seal format of
# backup files (flipped bytes, truncation, renaming, another key) and the manifest (ids,
# parsing, comparing a restored copy with it) (issue 5). Against a stack: tests/http/test_backup.py.
check_PROGRAMS += %D%/unit/test_backup_stream %D%/unit/test_backup_manifest
TESTS += %D%/unit/test_backup_stream %D%/unit/test_backup_manifest
%C%_unit_test_backup_stream_SOURCES = %D%/unit/test_backup_stream.c core/ops/backup_stream.c core/base/crypto.c $(MG_SRC_UNIT)
%C%_unit_test_backup_stream_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_backup_stream_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_backup_stream_LDADD = $(MG_LIBS_UNIT)
%C%_unit_test_backup_manifest_SOURCES = %D%/unit/test_backup_manifest.c core/ops/backup_manifest.c $(MG_SRC_UNIT)
%C%_unit_test_backup_manifest_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_backup_manifest_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_backup_manifest_LDADD = $(MG_LIBS_UNIT)
# modules/tickets/seatmap_import.c: seat-map XML checks with their lines, numbering and ranking
# (issue 4, item 2). The pages and the database: tests/http/test_tickets_seatmap.py.
check_PROGRAMS += %D%/unit/test_seatmap
TESTS += %D%/unit/test_seatmap
%C%_unit_test_seatmap_SOURCES = %D%/unit/test_seatmap.c modules/tickets/seatmap_import.c $(MG_SRC_UNIT)
%C%_unit_test_seatmap_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_seatmap_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_seatmap_LDADD = $(MG_LIBS_UNIT)
# modules/tickets/catalog_text.c: JST times in and out, yen, form numbers (issue 4, item 3).
check_PROGRAMS += %D%/unit/test_tickets_catalog
TESTS += %D%/unit/test_tickets_catalog
%C%_unit_test_tickets_catalog_SOURCES = %D%/unit/test_tickets_catalog.c modules/tickets/catalog_text.c $(MG_SRC_UNIT)
%C%_unit_test_tickets_catalog_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_tickets_catalog_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_tickets_catalog_LDADD = $(MG_LIBS_UNIT)
# core/commerce/shop_text.c: order codes, yen and JST, the test card provider's signatures (issue 4).
check_PROGRAMS += %D%/unit/test_shop
TESTS += %D%/unit/test_shop
%C%_unit_test_shop_SOURCES = %D%/unit/test_shop.c core/commerce/shop_text.c core/base/crypto.c $(MG_SRC_UNIT)
%C%_unit_test_shop_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_shop_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_shop_LDADD = $(MG_LIBS_UNIT)
# modules/tickets/best_available.c: side-by-side seats, no lone seat, the next block after a lost
# race (issue 4, item 4). The buying pages: tests/http/test_tickets_shop_pages.py.
check_PROGRAMS += %D%/unit/test_best_available
TESTS += %D%/unit/test_best_available
%C%_unit_test_best_available_SOURCES = %D%/unit/test_best_available.c modules/tickets/best_available.c $(MG_SRC_UNIT)
%C%_unit_test_best_available_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_best_available_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_best_available_LDADD = $(MG_LIBS_UNIT)

# modules/rentals/fees.c: consecutive blocks, the fee line by line (purpose × residency, admission
# tier, holiday surcharge, 全日, equipment, 減免), deadlines, the cancellation ladder (issue 11, item 5).
check_PROGRAMS += %D%/unit/test_rentals_fees
TESTS += %D%/unit/test_rentals_fees
%C%_unit_test_rentals_fees_SOURCES = %D%/unit/test_rentals_fees.c modules/rentals/fees.c core/commerce/money.c $(MG_SRC_UNIT)
%C%_unit_test_rentals_fees_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_rentals_fees_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_rentals_fees_LDADD = $(MG_LIBS_UNIT)

# core/base/tz.c: local times in a named zone, DST gap and overlap, formats, unknown zones (issue 10, item 7).
check_PROGRAMS += %D%/unit/test_tz
TESTS += %D%/unit/test_tz
%C%_unit_test_tz_SOURCES = %D%/unit/test_tz.c $(MG_SRC_UNIT)
%C%_unit_test_tz_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_tz_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_tz_LDADD = $(MG_LIBS_UNIT)

# The layer check of core/ (core/README): no include from a layer above, no include cycle.
TESTS += %D%/check-layers.sh
EXTRA_DIST += %D%/check-layers.sh %D%/check_layers.py %D%/layers-allow.txt
# core/cli/cli_options.c: the one option parser of the operator commands.
check_PROGRAMS += %D%/unit/test_cli_options
TESTS += %D%/unit/test_cli_options
%C%_unit_test_cli_options_SOURCES = %D%/unit/test_cli_options.c core/cli/cli_options.c $(MG_SRC_UNIT)
%C%_unit_test_cli_options_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_cli_options_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_cli_options_LDADD = $(MG_LIBS_UNIT)
# core/db/db.c: the statement registry, handles found by table, names registered twice
# (issue 10, item 4). Every statement against the schema: tests/http/test_statements.py.
check_PROGRAMS += %D%/unit/test_db
TESTS += %D%/unit/test_db
%C%_unit_test_db_SOURCES = %D%/unit/test_db.c core/db/db.c $(MG_SRC_UNIT)
%C%_unit_test_db_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_db_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_db_LDADD = $(MG_LIBS_UNIT)

# The module API: core/module.sym, the headers module.h includes, and what the binary exports.
TESTS += %D%/check-module-api.sh
EXTRA_DIST += %D%/check-module-api.sh %D%/check_module_api.py

# Modules reach core data only through core functions: no module SQL names a core table.
TESTS += %D%/check-module-sql.sh
EXTRA_DIST += %D%/check-module-sql.sh %D%/check_module_sql.py

# The HTTP and browser tests import no test module and not conftest.py (helpers.py holds what
# they share), so none depends on another having been imported or run first.
TESTS += %D%/check-test-imports.sh
EXTRA_DIST += %D%/check-test-imports.sh %D%/check_test_imports.py

# core/commerce/lottery_draw.c: the pure draw of docs/lottery.md — a fixed seed gives a fixed
# result, input order does not matter, bundles all or nothing, ranks, limits (issue 11, item 6).
# Against a database with 500 entries: tests/http/test_lottery.py.
check_PROGRAMS += %D%/unit/test_lottery
TESTS += %D%/unit/test_lottery
%C%_unit_test_lottery_SOURCES = %D%/unit/test_lottery.c core/commerce/lottery_draw.c core/base/crypto.c $(MG_SRC_UNIT)
%C%_unit_test_lottery_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_lottery_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_lottery_LDADD = $(MG_LIBS_UNIT)
# core/commerce/calendar_rules.c: slots (rounded outward, buffer, longest span) and closed-day
# rules (issue 11, item 1). Against a database: tests/db/calendar_race.c via test_calendar.py.
check_PROGRAMS += %D%/unit/test_calendar
TESTS += %D%/unit/test_calendar
%C%_unit_test_calendar_SOURCES = %D%/unit/test_calendar.c core/commerce/calendar_rules.c $(MG_SRC_UNIT)
%C%_unit_test_calendar_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_unit_test_calendar_LDFLAGS = $(MG_LINK_UNIT)
%C%_unit_test_calendar_LDADD = $(MG_LIBS_UNIT)

# core/commerce/calendar.c against the stack's MariaDB: threads racing to occupy a whole and its
# parts, a lapsed provisional occupation taken by another; run by tests/http/test_calendar.py.
check_PROGRAMS += %D%/db/calendar_race
%C%_db_calendar_race_SOURCES = %D%/db/calendar_race.c core/commerce/calendar.c core/commerce/calendar_rules.c \
	core/db/db.c core/base/config.c core/db/migrate_files.c core/base/clock.c \
	$(MG_SRC_UNIT)
%C%_db_calendar_race_CFLAGS = $(MG_CFLAGS_UNIT)
%C%_db_calendar_race_LDFLAGS = $(MG_LINK_UNIT) -pthread
%C%_db_calendar_race_LDADD = $(MG_LIBS_UNIT)
