# core/: the madoguchi binary. Modules are dlopen()ed and call back into it, so it exports
# its symbols (-rdynamic).
MG_LIBS_CORE = $(FCGI_LIBS) $(MARIADB_LIBS) $(OPENSSL_LIBS) $(XML_LIBS) $(PCRE2_LIBS) \
	$(JANSSON_LIBS) $(QRENCODE_LIBS) $(CURL_LIBS) $(ARCHIVE_LIBS) $(ZLIB_LIBS) -lfcgi
MG_CFLAGS_CORE = $(FCGI_CFLAGS) $(MARIADB_CFLAGS) $(OPENSSL_CFLAGS) $(XML_CFLAGS) \
	$(PCRE2_CFLAGS) $(JANSSON_CFLAGS) $(QRENCODE_CFLAGS) $(CURL_CFLAGS) $(ARCHIVE_CFLAGS) $(ZLIB_CFLAGS)

# Sources that have no main(); the unit tests link the ones they exercise.
MG_SRC_CORE = \
	%D%/err.c %D%/err.h \
	%D%/arena.c %D%/arena.h \
	%D%/buf.c %D%/buf.h \
	%D%/log.c %D%/log.h \
	%D%/config.c %D%/config.h \
	%D%/form.c %D%/form.h \
	%D%/lang.c %D%/lang.h \
	%D%/i18n.c %D%/i18n.h \
	%D%/template.c %D%/template.h \
	%D%/router.c %D%/router.h \
	%D%/db.c %D%/db.h \
	%D%/migrate.c %D%/migrate_files.c %D%/migrate.h \
	%D%/grants.c %D%/grants.h \
	%D%/audit.c %D%/audit.h %D%/cmd_audit.c \
	%D%/module.c %D%/module.h %D%/modules.h \
	%D%/http.c %D%/http.h \
	%D%/pages.c %D%/pages.h \
	%D%/serve.c %D%/serve.h \
	%D%/cli.h %D%/cmd_tenant.c %D%/cmd_staff.c \
	%D%/tenant.c %D%/tenant.h \
	%D%/clock.c %D%/clock.h %D%/session.c %D%/session.h \
	%D%/staff.c %D%/staff.h %D%/staff_totp.c %D%/staff_admin.c \
	%D%/permission.c %D%/permission.h %D%/backoffice.c %D%/backoffice.h %D%/twofactor.c \
	%D%/crypto.c %D%/crypto.h \
	%D%/csv.c %D%/csv.h %D%/audit_view.c \
	%D%/operator.c %D%/operator.h %D%/console.c %D%/notice.c %D%/notice.h \
	%D%/cmd_operator.c %D%/cmd_keys.c \
	%D%/mail.c %D%/mail_format.c %D%/mail.h %D%/cmd_mail.c \
	%D%/people.c %D%/people.h %D%/account.c \
	%D%/schedule.c %D%/schedule.h %D%/jobs.c %D%/jobs.h %D%/cmd_jobs.c \
	%D%/inventory.c %D%/inventory.h %D%/signing.c %D%/signing.h \
	%D%/purge.c %D%/purge_ledger.c %D%/purge.h %D%/cmd_purge.c \
	%D%/deletions.c %D%/deletions.h %D%/export.c %D%/export.h \
	%D%/backup_stream.c %D%/backup_stream.h %D%/backup_manifest.c %D%/backup.h \
	%D%/backup.c %D%/scratch_db.c %D%/scratch_db.h %D%/drill.c %D%/cmd_backup.c \
	%D%/module_command.c \
	%D%/cart.c %D%/cart.h %D%/order.c %D%/order.h %D%/payment.c %D%/payment.h %D%/shop_text.c \
	%D%/api_token.c %D%/api_token.h %D%/order_admin.c \
	%D%/buyer.c

bin_PROGRAMS += madoguchi
madoguchi_SOURCES = %D%/main.c $(MG_SRC_CORE)
madoguchi_CFLAGS = $(AM_CFLAGS) $(MG_CFLAGS_CORE)
madoguchi_LDFLAGS = -rdynamic
madoguchi_LDADD = $(MG_LIBS_CORE)
