/*
 * XHTML templates, parsed once at start with libxml2, rendered per request from a jansson
 * value. Values enter the page only as text nodes or attribute values that libxml2
 * serialises with escaping, so data can never become markup. See www/templates/README.md
 * for the attribute language (m:text, m:attr, m:repeat, m:if, m:unless, m:t, m:include,
 * m:layout/m:slot).
 */
#ifndef MG_TEMPLATE_H
#define MG_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

struct mg_templates;

/* Translates an English msgid for the language being rendered; returns msgid if none. */
typedef const char *(*mg_translate_fn)(void *ctx, const char *msgid);

/*
 * Parses every *.xhtml under dir (recursively); a template is named by its path below dir
 * without the suffix ("core/landing"). On error errbuf names the file, the line and the
 * problem. Free with mg_templates_free().
 */
enum mg_err mg_templates_load(const char *dir, struct mg_templates **out, char *errbuf, size_t errlen);
/* Parses one template from memory under the given name (tests, fuzzing). */
enum mg_err mg_templates_add(struct mg_templates *set, const char *name, const char *xml, size_t len,
			     char *errbuf, size_t errlen);
struct mg_templates *mg_templates_new(void);
void mg_templates_free(struct mg_templates *set);

/*
 * Renders template name with data (a JSON object; may be NULL) into out, as an HTML5
 * document ("<!DOCTYPE html>" then the serialised XHTML) when the template's root is <html>
 * (directly or via its layout), or as a fragment otherwise. translate may be NULL.
 */
enum mg_err mg_template_render(const struct mg_templates *set, const char *name, const json_t *data,
			       mg_translate_fn translate, void *translate_ctx, struct mg_buf *out);

#endif
