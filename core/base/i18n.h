/*
 * gettext glue. Message ids are English; catalogs live in
 * <locale_dir>/<lang>/LC_MESSAGES/madoguchi.mo. A worker answers one request at a time, so
 * switching the language per request through LANGUAGE is safe.
 */
#ifndef MG_I18N_H
#define MG_I18N_H

#include "err.h"

/* Marks a string for extraction without translating it where it stands. */
#define N_(msgid) (msgid)

enum mg_err mg_i18n_init(const char *locale_dir);
/* The translation of msgid into lang ("ja", "en"), or msgid itself. Static storage. */
const char *mg_i18n_translate(const char *lang, const char *msgid);

#endif
