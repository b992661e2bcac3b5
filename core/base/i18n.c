#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"

/* glibc's counter of loaded catalogs: bumping it makes gettext re-read LANGUAGE. */
extern int _nl_msg_cat_cntr;

static const char domain[] = "madoguchi";
static char current_lang[8];

enum mg_err mg_i18n_init(const char *locale_dir)
{
	/* LANGUAGE is ignored under the plain "C" locale; C.UTF-8 needs no generated locales. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		mg_log_error("i18n: the C.UTF-8 locale is not available");
		return MG_ERR_CONFIG;
	}
	/* numbers and dates are formatted by us, never by the locale */
	setlocale(LC_NUMERIC, "C");
	if (bindtextdomain(domain, locale_dir) == NULL || bind_textdomain_codeset(domain, "UTF-8") == NULL) {
		mg_log_error("i18n: cannot bind catalogs in %s", locale_dir);
		return MG_ERR_CONFIG;
	}
	current_lang[0] = '\0';
	return MG_OK;
}

const char *mg_i18n_translate(const char *lang, const char *msgid)
{
	if (msgid == NULL || msgid[0] == '\0')
		return "";
	if (strcmp(lang, current_lang) != 0) {
		setenv("LANGUAGE", lang, 1);
		++_nl_msg_cat_cntr;
		strncpy(current_lang, lang, sizeof(current_lang) - 1);
	}
	return dgettext(domain, msgid);
}
