# core/: the madoguchi binary. Modules are dlopen()ed and call back into it; it exports the
# module API listed in core/module.sym and nothing else (ld --dynamic-list).
MG_LIBS_CORE = $(FCGI_LIBS) $(MARIADB_LIBS) $(OPENSSL_LIBS) $(XML_LIBS) $(PCRE2_LIBS) \
	$(JANSSON_LIBS) $(QRENCODE_LIBS) $(CURL_LIBS) $(ARCHIVE_LIBS) $(ZLIB_LIBS) -lfcgi
MG_CFLAGS_CORE = $(FCGI_CFLAGS) $(MARIADB_CFLAGS) $(OPENSSL_CFLAGS) $(XML_CFLAGS) \
	$(PCRE2_CFLAGS) $(JANSSON_CFLAGS) $(QRENCODE_CFLAGS) $(CURL_CFLAGS) $(ARCHIVE_CFLAGS) $(ZLIB_CFLAGS)

# Sources that have no main(); the unit tests link the ones they exercise.
MG_SRC_CORE = \
	%D%/base/err.c %D%/base/err.h \
	%D%/base/arena.c %D%/base/arena.h \
	%D%/base/buf.c %D%/base/buf.h \
	%D%/base/log.c %D%/base/log.h \
	%D%/base/tz.c %D%/base/tz.h %D%/base/tz_text.c %D%/base/tz_text.h \
	%D%/base/config.c %D%/base/config.h \
	%D%/base/form.c %D%/base/form.h \
	%D%/base/input.c %D%/base/input.h \
	%D%/base/lang.c %D%/base/lang.h \
	%D%/base/i18n.c %D%/base/i18n.h \
	%D%/base/template.c %D%/base/template.h \
	%D%/http/router.c %D%/http/router.h \
	%D%/db/db.c %D%/db/db.h \
	%D%/db/migrate.c %D%/db/migrate_files.c %D%/db/migrate.h \
	%D%/db/grants.c %D%/db/grants.h \
	%D%/platform/audit.c %D%/platform/audit.h %D%/cli/cmd_audit.c \
	%D%/http/module.c %D%/module.h %D%/http/modules.h \
	%D%/http/http.c %D%/http/http.h \
	%D%/web/pages.c %D%/web/pages.h %D%/web/phases.c %D%/web/phases.h \
	%D%/http/serve.c %D%/http/serve.h \
	%D%/cli/cli.h %D%/cli/cli_options.c %D%/cli/cmd_tenant.c %D%/cli/cmd_staff.c \
	%D%/tenant/tenant.c %D%/tenant/tenant.h \
	%D%/base/clock.c %D%/base/clock.h %D%/auth/session.c %D%/auth/session.h \
	%D%/auth/staff.c %D%/auth/staff.h %D%/auth/staff_totp.c %D%/web/staff_admin.c \
	%D%/auth/permission.c %D%/auth/permission.h %D%/web/backoffice.c %D%/web/backoffice.h %D%/web/twofactor.c \
	%D%/base/crypto.c %D%/base/crypto.h \
	%D%/base/csv.c %D%/base/csv.h %D%/web/audit_view.c \
	%D%/auth/operator.c %D%/auth/operator.h %D%/web/console.c %D%/web/console.h %D%/platform/notice.c %D%/platform/notice.h %D%/web/notice_pages.c %D%/web/notice_pages.h \
	%D%/cli/cmd_operator.c %D%/cli/cmd_keys.c \
	%D%/platform/mail.c %D%/platform/mail_format.c %D%/platform/mail.h %D%/cli/cmd_mail.c \
	%D%/auth/people.c %D%/auth/people.h %D%/web/account.c \
	%D%/base/schedule.c %D%/base/schedule.h %D%/ops/jobs.c %D%/ops/core_jobs.c %D%/ops/jobs.h %D%/cli/cmd_jobs.c \
	%D%/commerce/inventory.c %D%/commerce/inventory.h %D%/commerce/calendar.c %D%/commerce/calendar_rules.c \
	%D%/commerce/calendar.h %D%/tenant/signing.c %D%/tenant/signing.h \
	%D%/commerce/lottery.c %D%/commerce/lottery_draw.c %D%/commerce/lottery.h %D%/cli/cmd_lottery.c \
	%D%/web/lottery_pages.c %D%/web/lottery_pages.h \
	%D%/ops/purge.c %D%/ops/purge_ledger.c %D%/ops/purge.h %D%/cli/cmd_purge.c \
	%D%/ops/deletions.c %D%/ops/deletions.h %D%/web/deletion_pages.c %D%/web/deletion_pages.h %D%/web/export.c %D%/web/export.h \
	%D%/ops/backup_stream.c %D%/ops/backup_stream.h %D%/ops/backup_manifest.c %D%/ops/backup.h \
	%D%/ops/backup.c %D%/db/scratch_db.c %D%/db/scratch_db.h %D%/ops/drill.c %D%/cli/cmd_backup.c \
	%D%/cli/module_command.c %D%/cli/cmd_statements.c \
	%D%/commerce/cart.c %D%/commerce/cart.h %D%/commerce/order.c %D%/commerce/order.h %D%/commerce/payment.c %D%/commerce/payment.h %D%/commerce/shop_text.c \
	%D%/commerce/money.c %D%/commerce/money.h %D%/commerce/hold.c %D%/commerce/hold.h \
	%D%/commerce/booking.c %D%/commerce/booking.h %D%/web/receipt.c %D%/web/commerce_api.c \
	%D%/auth/api_token.c %D%/auth/api_token.h %D%/web/api_token_pages.c %D%/web/api_token_pages.h %D%/web/order_admin.c %D%/web/shop_api.c %D%/web/shop_api.h %D%/web/payment_pages.c %D%/web/payment_pages.h \
	%D%/web/buyer.c \
	%D%/platform/status.c %D%/platform/status.h %D%/ops/monitor.c %D%/ops/monitor.h %D%/web/status_pages.c \
	%D%/cli/cmd_status.c

bin_PROGRAMS += madoguchi
madoguchi_SOURCES = %D%/cli/main.c $(MG_SRC_CORE)
madoguchi_CFLAGS = $(AM_CFLAGS) $(MG_CFLAGS_CORE)
madoguchi_LDFLAGS = -Wl,--dynamic-list=$(top_srcdir)/core/module.sym
EXTRA_madoguchi_DEPENDENCIES = $(top_srcdir)/core/module.sym
EXTRA_DIST += %D%/module.sym
madoguchi_LDADD = $(MG_LIBS_CORE)
