/* Which language a page is rendered in: the "lang" cookie, else Accept-Language, else Japanese. */
#ifndef MG_LANG_H
#define MG_LANG_H

/* Languages Madoguchi has catalogs for, the default first. */
extern const char *const mg_languages[]; /* { "ja", "en", NULL } */

/*
 * Returns one of mg_languages (a static string). cookie may be NULL or anything;
 * accept_language may be NULL or any header value ("en-US,en;q=0.9,ja;q=0.8"): the
 * supported language with the highest q wins, ties go to the earlier one, q=0 excludes.
 */
const char *mg_lang_pick(const char *cookie, const char *accept_language);

#endif
