/*
 * The template engine. A template is parsed once with libxml2; every element is then
 * "compiled": its m: attributes are checked and turned into a struct element hung on the
 * node's _private pointer, includes and layouts are resolved to pointers. After loading
 * nothing is written to the parsed documents again, so forked workers share them
 * copy-on-write and a render does no parsing at all.
 *
 * A render walks the template tree and builds a fresh xmlDoc: template text and
 * attributes are copied, data enters only through xmlNewDocText() and xmlNewProp() /
 * xmlSetProp(), and libxml2 escapes both when it serialises. Nothing here ever builds
 * markup out of strings.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "arena.h"
#include "log.h"
#include "template.h"

#define TEMPLATE_NS "urn:madoguchi:template"
#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define SVG_NS "http://www.w3.org/2000/svg"
#define MATHML_NS "http://www.w3.org/1998/Math/MathML"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define TEMPLATE_SUFFIX ".xhtml"

enum {
	MAX_DEPTH = 16,          /* nested includes and layouts in one render */
	MAX_NODES = 1 << 20,     /* output nodes in one render: a runaway nested repeat stops here */
	MAX_SEGMENT = 128,       /* longest key in a dotted path */
	MAX_TEMPLATE = 16 << 20, /* bytes in one template file */
};

/* A comparison literal of m:if="path == literal". */
enum literal_kind { LIT_STRING, LIT_NUMBER, LIT_TRUE, LIT_FALSE, LIT_NULL };

struct cond {
	const char *path;
	bool negate;    /* m:unless, or != */
	bool compare;   /* path == literal rather than plain truthiness */
	enum literal_kind lit;
	const char *str; /* LIT_STRING */
	double number;   /* LIT_NUMBER */
};

/* One "name path" pair of m:attr. */
struct binding {
	const char *name;
	const char *path;
	bool is_url; /* refuse script-capable schemes */
};

/* An attribute copied from the template as it is (or translated, m:t-attr). */
struct static_attr {
	const char *name;
	const char *ns_href, *ns_prefix; /* NULL for plain attributes */
	const char *value;
	bool translate;
	bool is_url; /* translated URL: its placeholders get the m:attr scheme check */
};

/* What the m: attributes of one template element say; hung on xmlNode._private. */
struct element {
	long line;
	bool is_void;   /* <br/>, <img/>...: serialised self-closed */
	bool keep_ns;   /* SVG/MathML: the output keeps the namespace */
	struct static_attr *attrs;
	size_t nattrs;
	struct binding *bindings;
	size_t nbindings;
	const char *repeat_path; /* m:repeat="var in path" */
	const char *var, *var_index, *var_number;
	bool has_cond;
	struct cond cond;
	const char *text_path; /* m:text */
	const char *msgid;     /* m:t */
	const char *include_name;
	const struct template *include; /* resolved when linking */
	const char *slot, *fill;
};

struct fill {
	const char *name;
	const xmlNode *node;
};

/* A template element that names another template, checked when linking. */
struct ref {
	struct element *element;
	struct ref *next;
};

struct template {
	char *name;   /* "core/landing" */
	char *source; /* the file, for messages */
	xmlDocPtr doc;
	xmlNodePtr root;
	const char *layout_name;
	long layout_line;
	const struct template *layout;
	struct fill *fills;
	size_t nfills;
	const char **slots;
	size_t nslots, slots_cap;
	struct ref *refs;
	int visit; /* linking: 0 unseen, 1 on the path, 2 done */
};

struct mg_templates {
	struct template **list;
	size_t len, cap;
	/* Compiled directives of every template; lives as long as the set. A template that
	 * fails to load leaves its few bytes here until mg_templates_free(). */
	struct mg_arena *arena;
};

/* HTML void elements: no end tag, so they must be empty and are written <br/>. */
static const char *const void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
	"source", "track", "wbr", NULL,
};

/* Attributes whose value is a URL: an m:attr value must not smuggle in javascript: etc. */
static const char *const url_attributes[] = {
	"href", "src", "action", "formaction", "poster", "cite", "data", "background",
	"longdesc", "manifest", "ping", "codebase", NULL,
};

static const char *const safe_schemes[] = { "http", "https", "mailto", "tel", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* A dotted path: keys of [A-Za-z0-9_-], each at most MAX_SEGMENT bytes, joined by '.'. */
static bool is_path(const char *s, size_t len)
{
	size_t seg = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (seg == 0)
				return false;
			seg = 0;
		} else if (is_key_char(s[i]) && seg < MAX_SEGMENT) {
			seg++;
		} else {
			return false;
		}
	}
	return seg > 0;
}

/*
 * Collapses every run of ASCII whitespace into one space and trims both ends, so a msgid
 * does not depend on how the template is indented. scripts/check-catalogs does the same.
 */
static char *normalise_space(struct mg_arena *arena, const char *s)
{
	char *out = mg_arena_alloc(arena, strlen(s) + 1);
	size_t n = 0;
	bool pending = false;
	for (; *s != '\0'; s++) {
		if (is_space(*s)) {
			pending = n > 0;
			continue;
		}
		if (pending)
			out[n++] = ' ';
		pending = false;
		out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

/* A copy of s[0..len) without leading and trailing whitespace. */
static char *trimmed(struct mg_arena *arena, const char *s, size_t len)
{
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return mg_arena_strndup(arena, s, len);
}

/* ---------------------------------------------------------------- loading */

struct compile {
	struct mg_templates *set;
	struct template *tpl;
	char *errbuf;
	size_t errlen;
};

static enum mg_err fail_at(struct compile *c, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum mg_err fail_at(struct compile *c, long line, const char *fmt, ...)
{
	if (c->errbuf == NULL || c->errlen == 0)
		return MG_ERR_TEMPLATE;
	int n = snprintf(c->errbuf, c->errlen, "%s:%ld: ", c->tpl->source, line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->errbuf + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MG_ERR_TEMPLATE;
}

static char *attr_value(struct mg_arena *arena, xmlAttrPtr attr)
{
	xmlChar *value = xmlNodeGetContent((xmlNodePtr)attr);
	char *copy = mg_arena_strdup(arena, value != NULL ? (const char *)value : "");
	xmlFree(value);
	return copy;
}

/* "status", "status == 'open'", "count != 0", "flag == true" */
static bool parse_cond(struct mg_arena *arena, const char *text, bool unless, struct cond *cond)
{
	const char *op = strstr(text, "==");
	const char *ne = strstr(text, "!=");
	if (ne != NULL && (op == NULL || ne < op))
		op = ne;
	cond->negate = unless;
	if (op == NULL) {
		cond->path = trimmed(arena, text, strlen(text));
		return is_path(cond->path, strlen(cond->path));
	}
	cond->compare = true;
	if (op[0] == '!')
		cond->negate = !cond->negate;
	cond->path = trimmed(arena, text, (size_t)(op - text));
	if (!is_path(cond->path, strlen(cond->path)))
		return false;
	char *lit = trimmed(arena, op + 2, strlen(op + 2));
	size_t len = strlen(lit);
	if (len >= 2 && (lit[0] == '\'' || lit[0] == '"') && lit[len - 1] == lit[0]) {
		cond->lit = LIT_STRING;
		lit[len - 1] = '\0';
		cond->str = lit + 1;
		return strchr(cond->str, lit[0]) == NULL;
	}
	if (strcmp(lit, "true") == 0)
		cond->lit = LIT_TRUE;
	else if (strcmp(lit, "false") == 0)
		cond->lit = LIT_FALSE;
	else if (strcmp(lit, "null") == 0)
		cond->lit = LIT_NULL;
	else {
		char *end;
		errno = 0;
		cond->lit = LIT_NUMBER;
		cond->number = strtod(lit, &end);
		return len > 0 && *end == '\0' && errno == 0 && (isdigit((unsigned char)lit[0]) || lit[0] == '-');
	}
	return true;
}

static bool parse_repeat(struct mg_arena *arena, const char *text, struct element *e)
{
	char var[64], in[8];
	int used = 0;
	if (sscanf(text, " %63s %7s %n", var, in, &used) != 2 || strcmp(in, "in") != 0 || !is_identifier(var))
		return false;
	const char *path = trimmed(arena, text + used, strlen(text + used));
	if (!is_path(path, strlen(path)))
		return false;
	e->repeat_path = path;
	e->var = mg_arena_strdup(arena, var);
	e->var_index = mg_arena_printf(arena, "%s_index", var);
	e->var_number = mg_arena_printf(arena, "%s_number", var);
	return true;
}

static bool is_attr_name(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* Event handlers, inline CSS and srcdoc would turn data into code or markup. */
static bool is_code_attribute(const char *name)
{
	return strncasecmp(name, "on", 2) == 0 || strcasecmp(name, "style") == 0 || strcasecmp(name, "srcdoc") == 0;
}

/* "href event.url; title event.title" */
static enum mg_err parse_bindings(struct compile *c, long line, const char *text, struct element *e)
{
	struct mg_arena *arena = c->set->arena;
	size_t max = 1;
	for (const char *p = text; *p != '\0'; p++)
		max += *p == ';';
	e->bindings = mg_arena_alloc(arena, max * sizeof(*e->bindings));
	for (const char *p = text; *p != '\0';) {
		const char *end = strchr(p, ';');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char *pair = trimmed(arena, p, len);
		p += len + (end != NULL);
		if (*pair == '\0')
			continue;
		char *sep = pair;
		while (*sep != '\0' && !is_space(*sep))
			sep++;
		char *path = sep;
		while (is_space(*path))
			path++;
		*sep = '\0';
		if (!is_attr_name(pair) || !is_path(path, strlen(path)))
			return fail_at(c, line, "m:attr: expected \"name path; name path\", got \"%s\"", text);
		/* checked in lower case (as HTML reads names), written as typed (SVG's viewBox) */
		char *lower = mg_arena_strdup(arena, pair);
		for (char *q = lower; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		if (is_code_attribute(lower))
			return fail_at(c, line, "m:attr: attribute \"%s\" cannot take a data value", lower);
		struct binding *b = &e->bindings[e->nbindings++];
		b->name = pair;
		b->path = path;
		b->is_url = in_list(url_attributes, lower);
	}
	return MG_OK;
}

static void add_slot(struct mg_arena *arena, struct template *tpl, const char *name)
{
	if (tpl->nslots == tpl->slots_cap) {
		size_t cap = tpl->slots_cap ? tpl->slots_cap * 2 : 4;
		const char **slots = mg_arena_alloc(arena, cap * sizeof(*slots));
		if (tpl->nslots > 0)
			memcpy(slots, tpl->slots, tpl->nslots * sizeof(*slots));
		tpl->slots = slots;
		tpl->slots_cap = cap;
	}
	tpl->slots[tpl->nslots++] = name;
}

static bool is_whitespace_text(const xmlNode *node)
{
	for (const xmlChar *s = node->content; s != NULL && *s != '\0'; s++)
		if (!is_space((char)*s))
			return false;
	return true;
}

static enum mg_err compile_children(struct compile *c, xmlNodePtr parent);
static enum mg_err compile_page_with_layout(struct compile *c, xmlNodePtr root);

/* m:t="": the element's own text, which must not contain elements. */
static enum mg_err element_msgid(struct compile *c, xmlNodePtr node, struct element *e)
{
	struct mg_buf text;
	mg_buf_init(&text);
	for (xmlNodePtr child = node->children; child != NULL; child = child->next) {
		if (child->type == XML_ELEMENT_NODE) {
			mg_buf_free(&text);
			return fail_at(c, e->line, "m:t: <%s> holds markup; translate the text of each element instead",
				       (const char *)node->name);
		}
		if (child->type == XML_TEXT_NODE && child->content != NULL)
			mg_buf_puts(&text, (const char *)child->content);
	}
	e->msgid = normalise_space(c->set->arena, text.data != NULL ? text.data : "");
	mg_buf_free(&text);
	if (*e->msgid == '\0')
		return fail_at(c, e->line, "m:t: <%s> has no text to translate", (const char *)node->name);
	return MG_OK;
}

/* Names listed in m:t-attr must be static attributes of the same element. */
static enum mg_err mark_translated(struct compile *c, const char *list, struct element *e)
{
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ';');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char *name = trimmed(c->set->arena, p, len);
		p += len + (end != NULL);
		if (*name == '\0')
			continue;
		if (is_code_attribute(name))
			return fail_at(c, e->line, "m:t-attr: attribute \"%s\" cannot take placeholders", name);
		bool found = false;
		for (size_t i = 0; i < e->nattrs; i++) {
			if (e->attrs[i].ns_href == NULL && strcmp(e->attrs[i].name, name) == 0) {
				e->attrs[i].translate = true;
				e->attrs[i].is_url = in_list(url_attributes, name);
				e->attrs[i].value = normalise_space(c->set->arena, e->attrs[i].value);
				found = true;
			}
		}
		if (!found)
			return fail_at(c, e->line, "m:t-attr: the element has no attribute \"%s\" to translate", name);
	}
	return MG_OK;
}

static enum mg_err compile_element(struct compile *c, xmlNodePtr node, bool is_root)
{
	struct mg_arena *arena = c->set->arena;
	struct element *e = mg_arena_alloc(arena, sizeof(*e));
	const char *name = (const char *)node->name;
	const char *t_attr = NULL, *if_text = NULL, *unless_text = NULL;
	bool has_t = false;
	enum mg_err err;

	e->line = xmlGetLineNo(node);
	node->_private = e;
	if (node->ns != NULL) {
		const char *href = (const char *)node->ns->href;
		if (strcmp(href, TEMPLATE_NS) == 0)
			return fail_at(c, e->line, "unknown template element <m:%s>", name);
		if (strcmp(href, SVG_NS) == 0 || strcmp(href, MATHML_NS) == 0)
			e->keep_ns = true;
		else if (strcmp(href, XHTML_NS) != 0)
			return fail_at(c, e->line, "<%s> is in unknown namespace \"%s\"", name, href);
	}
	e->is_void = !e->keep_ns && in_list(void_elements, name);

	size_t nattrs = 0;
	for (xmlAttrPtr a = node->properties; a != NULL; a = a->next)
		nattrs++;
	e->attrs = mg_arena_alloc(arena, (nattrs ? nattrs : 1) * sizeof(*e->attrs));

	for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
		const char *aname = (const char *)a->name;
		const char *href = a->ns != NULL ? (const char *)a->ns->href : NULL;
		char *value = attr_value(arena, a);
		if (href == NULL || strcmp(href, TEMPLATE_NS) != 0) {
			if (href != NULL && strcmp(href, (const char *)XML_XML_NAMESPACE) != 0 &&
			    strcmp(href, XLINK_NS) != 0)
				return fail_at(c, e->line, "attribute %s is in unknown namespace \"%s\"", aname, href);
			struct static_attr *s = &e->attrs[e->nattrs++];
			s->name = mg_arena_strdup(arena, aname);
			s->value = value;
			if (href != NULL) {
				s->ns_href = mg_arena_strdup(arena, href);
				s->ns_prefix = a->ns->prefix != NULL ? mg_arena_strdup(arena, (const char *)a->ns->prefix) : NULL;
			}
			continue;
		}
		if (strcmp(aname, "text") == 0) {
			e->text_path = trimmed(arena, value, strlen(value));
			if (!is_path(e->text_path, strlen(e->text_path)))
				return fail_at(c, e->line, "m:text: \"%s\" is not a dotted path", value);
		} else if (strcmp(aname, "attr") == 0) {
			if ((err = parse_bindings(c, e->line, value, e)) != MG_OK)
				return err;
		} else if (strcmp(aname, "repeat") == 0) {
			if (!parse_repeat(arena, value, e))
				return fail_at(c, e->line, "m:repeat: expected \"name in path\", got \"%s\"", value);
		} else if (strcmp(aname, "if") == 0) {
			if_text = value;
		} else if (strcmp(aname, "unless") == 0) {
			unless_text = value;
		} else if (strcmp(aname, "t") == 0) {
			has_t = true;
			if (*value != '\0')
				e->msgid = normalise_space(arena, value);
		} else if (strcmp(aname, "t-attr") == 0) {
			t_attr = value;
		} else if (strcmp(aname, "include") == 0) {
			e->include_name = trimmed(arena, value, strlen(value));
			if (*e->include_name == '\0')
				return fail_at(c, e->line, "m:include: empty template name");
			struct ref *r = mg_arena_alloc(arena, sizeof(*r));
			r->element = e;
			r->next = c->tpl->refs;
			c->tpl->refs = r;
		} else if (strcmp(aname, "layout") == 0) {
			if (!is_root)
				return fail_at(c, e->line, "m:layout belongs on the root element");
			c->tpl->layout_name = trimmed(arena, value, strlen(value));
			c->tpl->layout_line = e->line;
			if (*c->tpl->layout_name == '\0')
				return fail_at(c, e->line, "m:layout: empty template name");
		} else if (strcmp(aname, "slot") == 0) {
			e->slot = trimmed(arena, value, strlen(value));
			if (!is_path(e->slot, strlen(e->slot)) || strchr(e->slot, '.') != NULL)
				return fail_at(c, e->line, "m:slot: \"%s\" is not a name", value);
			add_slot(arena, c->tpl, e->slot);
		} else if (strcmp(aname, "fill") == 0) {
			e->fill = trimmed(arena, value, strlen(value));
		} else {
			return fail_at(c, e->line, "unknown template attribute m:%s", aname);
		}
	}

	if (is_root && c->tpl->layout_name != NULL)
		return compile_page_with_layout(c, node);
	if (if_text != NULL && unless_text != NULL)
		return fail_at(c, e->line, "m:if and m:unless on one element; nest two elements instead");
	if (if_text != NULL || unless_text != NULL) {
		const char *text = if_text != NULL ? if_text : unless_text;
		e->has_cond = true;
		if (!parse_cond(arena, text, unless_text != NULL, &e->cond))
			return fail_at(c, e->line, "m:%s: expected \"path\" or \"path == literal\", got \"%s\"",
				       if_text != NULL ? "if" : "unless", text);
	}
	if (e->fill != NULL)
		return fail_at(c, e->line, "m:fill belongs on a child of a root element that has m:layout");
	if (e->text_path != NULL && has_t)
		return fail_at(c, e->line, "m:text and m:t on one element");
	if (e->include_name != NULL && (e->text_path != NULL || has_t || e->nbindings > 0 || t_attr != NULL ||
					e->slot != NULL))
		return fail_at(c, e->line, "m:include replaces the element; only m:if, m:unless and m:repeat may go with it");
	if (e->slot != NULL && (e->text_path != NULL || has_t))
		return fail_at(c, e->line, "m:slot takes its content from the page; it cannot have m:text or m:t");
	if (e->is_void && (node->children != NULL || e->text_path != NULL || has_t || e->slot != NULL))
		return fail_at(c, e->line, "<%s> is a void element and must stay empty", name);
	if (!e->keep_ns && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
		/* HTML does not decode entities inside these, so escaped text would break them;
		 * keep code in files under /static (that also keeps a strict CSP possible). */
		if (e->text_path != NULL || has_t || e->slot != NULL)
			return fail_at(c, e->line, "<%s> cannot take data; put code in a file under /static", name);
		for (xmlNodePtr child = node->children; child != NULL; child = child->next)
			if (child->type != XML_COMMENT_NODE &&
			    (child->type != XML_TEXT_NODE || !is_whitespace_text(child)))
				return fail_at(c, e->line, "inline <%s> content is not allowed; use a file under /static",
					       name);
	}
	if (has_t && e->msgid == NULL && (err = element_msgid(c, node, e)) != MG_OK)
		return err;
	if (t_attr != NULL && (err = mark_translated(c, t_attr, e)) != MG_OK)
		return err;
	return compile_children(c, node);
}

static enum mg_err compile_children(struct compile *c, xmlNodePtr parent)
{
	for (xmlNodePtr child = parent->children; child != NULL; child = child->next) {
		enum mg_err err;
		switch (child->type) {
		case XML_ELEMENT_NODE:
			if ((err = compile_element(c, child, false)) != MG_OK)
				return err;
			break;
		case XML_TEXT_NODE:
		case XML_COMMENT_NODE:
			break;
		default:
			return fail_at(c, xmlGetLineNo(child), "unsupported node (type %d) in a template",
				       (int)child->type);
		}
	}
	return MG_OK;
}

/*
 * The root of a page with m:layout is not rendered itself: only its m:fill children are,
 * into the layout's m:slot elements. Anything else there would be silently lost, so it is
 * an error.
 */
static enum mg_err compile_page_with_layout(struct compile *c, xmlNodePtr root)
{
	struct mg_arena *arena = c->set->arena;
	struct template *tpl = c->tpl;
	size_t max = 0;
	for (xmlNodePtr child = root->children; child != NULL; child = child->next)
		max += child->type == XML_ELEMENT_NODE;
	tpl->fills = mg_arena_alloc(arena, (max ? max : 1) * sizeof(*tpl->fills));

	for (xmlAttrPtr a = root->properties; a != NULL; a = a->next)
		if (a->ns == NULL || strcmp((const char *)a->ns->href, TEMPLATE_NS) != 0 ||
		    strcmp((const char *)a->name, "layout") != 0)
			return fail_at(c, xmlGetLineNo(root), "a root element with m:layout takes no other attributes (found %s)",
				       (const char *)a->name);
	for (xmlNodePtr child = root->children; child != NULL; child = child->next) {
		if (child->type == XML_COMMENT_NODE || (child->type == XML_TEXT_NODE && is_whitespace_text(child)))
			continue;
		if (child->type != XML_ELEMENT_NODE)
			return fail_at(c, xmlGetLineNo(child), "text outside m:fill is never rendered");
		xmlAttrPtr fill = NULL;
		for (xmlAttrPtr a = child->properties; a != NULL; a = a->next) {
			bool is_template = a->ns != NULL && strcmp((const char *)a->ns->href, TEMPLATE_NS) == 0;
			if (is_template && strcmp((const char *)a->name, "fill") == 0)
				fill = a;
			else if (is_template)
				return fail_at(c, xmlGetLineNo(child), "an m:fill element takes no other m: attributes (found m:%s)",
					       (const char *)a->name);
		}
		if (fill == NULL)
			return fail_at(c, xmlGetLineNo(child), "<%s> outside m:fill is never rendered",
				       (const char *)child->name);
		const char *value = attr_value(arena, fill);
		const char *name = trimmed(arena, value, strlen(value));
		if (*name == '\0')
			return fail_at(c, xmlGetLineNo(child), "m:fill: empty slot name");
		for (size_t i = 0; i < tpl->nfills; i++)
			if (strcmp(tpl->fills[i].name, name) == 0)
				return fail_at(c, xmlGetLineNo(child), "m:fill=\"%s\" given twice", name);
		tpl->fills[tpl->nfills].name = name;
		tpl->fills[tpl->nfills].node = child;
		tpl->nfills++;
		enum mg_err err = compile_children(c, child);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

/* What the parser callbacks found; hung on the parser context's _private. */
struct parse_state {
	bool refused_dtd;
	long line;         /* of the first error */
	char message[256]; /* the first error: later ones tend to be consequences */
};

/* DTDs could declare entities (billion laughs, external files): a template has none. */
static void refuse_dtd(xmlParserCtxtPtr ctxt)
{
	struct parse_state *state = ctxt->_private;
	if (!state->refused_dtd) {
		state->refused_dtd = true;
		state->line = ctxt->input != NULL ? ctxt->input->line : 0;
		xmlStopParser(ctxt);
	}
}

static void refuse_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
				   const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	if (external_id != NULL || system_id != NULL) {
		refuse_dtd(ctxt);
		return;
	}
	xmlSAX2InternalSubset(ctx, name, external_id, system_id);
}

static void refuse_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			       const xmlChar *system_id, xmlChar *content)
{
	refuse_dtd(ctx);
}

static void refuse_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *fullname, int type, int def,
				  const xmlChar *default_value, xmlEnumerationPtr tree)
{
	xmlFreeEnumeration(tree);
	refuse_dtd(ctx);
}

static void refuse_element_decl(void *ctx, const xmlChar *name, int type, xmlElementContentPtr content)
{
	refuse_dtd(ctx);
}

static void refuse_notation_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
				 const xmlChar *system_id)
{
	refuse_dtd(ctx);
}

static void refuse_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
					const xmlChar *system_id, const xmlChar *notation_name)
{
	refuse_dtd(ctx);
}

/* Keeps the parser's first message for errbuf; nothing goes to stderr. */
static void keep_first_error(void *ctx, xmlErrorPtr error)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *state = ctxt->_private;
	if (state->message[0] != '\0' || error == NULL || error->level < XML_ERR_ERROR)
		return;
	snprintf(state->message, sizeof(state->message), "%s", error->message != NULL ? error->message : "not well-formed XML");
	state->message[strcspn(state->message, "\n")] = '\0';
	state->line = error->line;
}

/* Parses xml into a document; on failure says why in errbuf ("source:line: message"). */
static enum mg_err parse_xml(struct compile *c, const char *xml, size_t len, xmlDocPtr *out)
{
	xmlParserCtxtPtr ctxt = NULL;
	struct parse_state state = { 0 };
	enum mg_err err = MG_OK;

	*out = NULL;
	if (len > MAX_TEMPLATE) {
		err = fail_at(c, 0, "template larger than %d bytes", MAX_TEMPLATE);
		goto out;
	}
	ctxt = xmlCreateMemoryParserCtxt(xml, (int)len);
	if (ctxt == NULL) {
		err = len == 0 ? fail_at(c, 1, "empty template") : MG_ERR_NOMEM;
		goto out;
	}
	/* no network, no entity substitution, no DTD loading; CDATA becomes plain text */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctxt->sax->serror = keep_first_error;
	ctxt->sax->internalSubset = refuse_internal_subset;
	ctxt->sax->entityDecl = refuse_entity_decl;
	ctxt->sax->attributeDecl = refuse_attribute_decl;
	ctxt->sax->elementDecl = refuse_element_decl;
	ctxt->sax->notationDecl = refuse_notation_decl;
	ctxt->sax->unparsedEntityDecl = refuse_unparsed_entity_decl;
	ctxt->_private = &state;

	xmlParseDocument(ctxt);
	if (state.refused_dtd) {
		err = fail_at(c, state.line, "DTD declarations are not allowed in templates");
		goto out;
	}
	if (!ctxt->wellFormed || !ctxt->nsWellFormed || ctxt->myDoc == NULL) {
		err = fail_at(c, state.line, "%s", state.message[0] ? state.message : "not well-formed XML");
		goto out;
	}
	*out = ctxt->myDoc;
	ctxt->myDoc = NULL;
out:
	if (ctxt != NULL) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	return err;
}

static void template_free(struct template *tpl)
{
	if (tpl == NULL)
		return;
	xmlFreeDoc(tpl->doc);
	free(tpl->name);
	free(tpl->source);
	free(tpl);
}

static const struct template *find(const struct mg_templates *set, const char *name)
{
	for (size_t i = 0; i < set->len; i++)
		if (strcmp(set->list[i]->name, name) == 0)
			return set->list[i];
	return NULL;
}

/* Parses and compiles one template; on success it joins the set, not yet linked. */
static enum mg_err template_parse(struct mg_templates *set, const char *name, const char *source,
				  const char *xml, size_t len, char *errbuf, size_t errlen)
{
	struct template *tpl = NULL;
	enum mg_err err = MG_OK;

	tpl = calloc(1, sizeof(*tpl));
	if (tpl == NULL || (tpl->name = strdup(name)) == NULL || (tpl->source = strdup(source)) == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	struct compile c = { .set = set, .tpl = tpl, .errbuf = errbuf, .errlen = errlen };
	if (find(set, name) != NULL) {
		err = fail_at(&c, 1, "a template named \"%s\" is already loaded", name);
		goto out;
	}
	if ((err = parse_xml(&c, xml, len, &tpl->doc)) != MG_OK)
		goto out;
	tpl->root = xmlDocGetRootElement(tpl->doc);
	if (tpl->root == NULL) {
		err = fail_at(&c, 1, "no root element");
		goto out;
	}
	if ((err = compile_element(&c, tpl->root, true)) != MG_OK)
		goto out;
	if (set->len == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct template **list = realloc(set->list, cap * sizeof(*list));
		if (list == NULL) {
			err = MG_ERR_NOMEM;
			goto out;
		}
		set->list = list;
		set->cap = cap;
	}
	set->list[set->len++] = tpl;
	tpl = NULL;
out:
	template_free(tpl);
	return err;
}

struct link {
	const struct mg_templates *set;
	char *errbuf;
	size_t errlen;
	const char **path; /* templates on the current path, for the cycle message */
};

static enum mg_err link_fail(struct link *l, const struct template *tpl, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum mg_err link_fail(struct link *l, const struct template *tpl, long line, const char *fmt, ...)
{
	if (l->errbuf == NULL || l->errlen == 0)
		return MG_ERR_TEMPLATE;
	int n = snprintf(l->errbuf, l->errlen, "%s:%ld: ", tpl->source, line);
	if (n >= 0 && (size_t)n < l->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(l->errbuf + n, l->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MG_ERR_TEMPLATE;
}

static enum mg_err link_template(struct link *l, struct template *tpl, size_t depth);

/* Resolves name for tpl (at line) and links it in turn; a template already on the path is a cycle. */
static enum mg_err link_target(struct link *l, struct template *tpl, const char *name, long line,
			       const char *what, size_t depth, struct template **out)
{
	struct template *target = (struct template *)find(l->set, name);
	if (target == NULL)
		return link_fail(l, tpl, line, "%s of unknown template \"%s\"", what, name);
	if (target->visit == 1) {
		char chain[512] = "";
		size_t from = 0, used = 0;
		while (from < depth && strcmp(l->path[from], name) != 0)
			from++;
		for (size_t i = from; i <= depth && used < sizeof(chain); i++)
			used += (size_t)snprintf(chain + used, sizeof(chain) - used, "%s -> ", l->path[i]);
		return link_fail(l, tpl, line, "%s of \"%s\" makes a cycle: %s%s", what, name, chain, name);
	}
	enum mg_err err = link_template(l, target, depth + 1);
	if (err != MG_OK)
		return err;
	*out = target;
	return MG_OK;
}

/* Depth-first over includes and layouts: every name must exist and no path may loop. */
static enum mg_err link_template(struct link *l, struct template *tpl, size_t depth)
{
	enum mg_err err;
	if (tpl->visit == 2)
		return MG_OK;
	tpl->visit = 1;
	l->path[depth] = tpl->name;
	for (struct ref *r = tpl->refs; r != NULL; r = r->next) {
		struct template *target = NULL;
		if ((err = link_target(l, tpl, r->element->include_name, r->element->line, "include", depth,
				       &target)) != MG_OK)
			return err;
		if (target->layout_name != NULL)
			return link_fail(l, tpl, r->element->line,
					 "include of \"%s\", which is a page with a layout, not a partial", target->name);
		r->element->include = target;
	}
	if (tpl->layout_name != NULL) {
		struct template *layout = NULL;
		if ((err = link_target(l, tpl, tpl->layout_name, tpl->layout_line, "layout", depth, &layout)) != MG_OK)
			return err;
		if (layout->layout_name != NULL)
			return link_fail(l, tpl, tpl->layout_line, "layout \"%s\" has a layout itself", layout->name);
		if (strcmp((const char *)layout->root->name, "html") != 0)
			return link_fail(l, tpl, tpl->layout_line, "layout \"%s\" must have <html> as its root",
					 layout->name);
		for (size_t i = 0; i < tpl->nfills; i++) {
			bool found = false;
			for (size_t j = 0; j < layout->nslots && !found; j++)
				found = strcmp(layout->slots[j], tpl->fills[i].name) == 0;
			if (!found)
				return link_fail(l, tpl, xmlGetLineNo((xmlNodePtr)tpl->fills[i].node),
						 "layout \"%s\" has no m:slot=\"%s\"", layout->name, tpl->fills[i].name);
		}
		tpl->layout = layout;
	}
	tpl->visit = 2;
	return MG_OK;
}

/* Links every template of the set that is not yet linked. */
static enum mg_err link_all(struct mg_templates *set, char *errbuf, size_t errlen)
{
	struct link l = { .set = set, .errbuf = errbuf, .errlen = errlen };
	enum mg_err err = MG_OK;
	/* a path visits each template at most once */
	if ((l.path = calloc(set->len + 1, sizeof(*l.path))) == NULL)
		return MG_ERR_NOMEM;
	for (size_t i = 0; i < set->len; i++)
		if (set->list[i]->visit == 1)
			set->list[i]->visit = 0; /* left over from a failed attempt */
	for (size_t i = 0; i < set->len && err == MG_OK; i++)
		err = link_template(&l, set->list[i], 0);
	free(l.path);
	return err;
}

struct mg_templates *mg_templates_new(void)
{
	xmlInitParser();
	struct mg_templates *set = calloc(1, sizeof(*set));
	if (set == NULL)
		return NULL;
	set->arena = mg_arena_new();
	return set;
}

void mg_templates_free(struct mg_templates *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->len; i++)
		template_free(set->list[i]);
	free(set->list);
	mg_arena_free(set->arena);
	free(set);
}

enum mg_err mg_templates_add(struct mg_templates *set, const char *name, const char *xml, size_t len,
			     char *errbuf, size_t errlen)
{
	enum mg_err err;
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if ((err = template_parse(set, name, name, xml, len, errbuf, errlen)) != MG_OK)
		return err;
	/* includes must name templates added before; a failure takes the new one out again */
	if ((err = link_all(set, errbuf, errlen)) != MG_OK) {
		set->len--;
		template_free(set->list[set->len]);
		for (size_t i = 0; i < set->len; i++)
			if (set->list[i]->visit == 1)
				set->list[i]->visit = 0;
	}
	return err;
}

static enum mg_err read_file(const char *path, struct mg_buf *out)
{
	FILE *f = fopen(path, "rb");
	enum mg_err err = MG_OK;
	if (f == NULL)
		return MG_ERR_IO;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > MAX_TEMPLATE) {
			err = MG_ERR_TOO_LARGE;
			goto out;
		}
		mg_buf_append(out, chunk, n);
	}
	if (ferror(f))
		err = MG_ERR_IO;
out:
	fclose(f);
	return err;
}

/* Adds every *.xhtml below dir/prefix, named by its path below the top directory. */
static enum mg_err load_dir(struct mg_templates *set, const char *top, const char *prefix, int depth,
			    char *errbuf, size_t errlen)
{
	char path[PATH_MAX];
	DIR *dir = NULL;
	struct mg_buf xml;
	enum mg_err err = MG_OK;

	mg_buf_init(&xml);
	snprintf(path, sizeof(path), "%s%s%s", top, *prefix ? "/" : "", prefix);
	if (depth > 8 || (dir = opendir(path)) == NULL) {
		snprintf(errbuf, errlen, "%s: %s", path, depth > 8 ? "directories nested too deep" : strerror(errno));
		err = MG_ERR_IO;
		goto out;
	}
	struct dirent *ent;
	while ((ent = readdir(dir)) != NULL && err == MG_OK) {
		if (ent->d_name[0] == '.')
			continue;
		char rel[PATH_MAX], full[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", prefix, *prefix ? "/" : "", ent->d_name) >= sizeof(rel) ||
		    (size_t)snprintf(full, sizeof(full), "%s/%s", top, rel) >= sizeof(full)) {
			snprintf(errbuf, errlen, "%s/%s: path too long", path, ent->d_name);
			err = MG_ERR_IO;
			break;
		}
		if (stat(full, &st) != 0) {
			snprintf(errbuf, errlen, "%s: %s", full, strerror(errno));
			err = MG_ERR_IO;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			err = load_dir(set, top, rel, depth + 1, errbuf, errlen);
			continue;
		}
		size_t len = strlen(rel), suffix = strlen(TEMPLATE_SUFFIX);
		if (!S_ISREG(st.st_mode) || len <= suffix || strcmp(rel + len - suffix, TEMPLATE_SUFFIX) != 0)
			continue;
		mg_buf_reset(&xml);
		if ((err = read_file(full, &xml)) != MG_OK) {
			snprintf(errbuf, errlen, "%s: %s", full, err == MG_ERR_TOO_LARGE ? "too large" : strerror(errno));
			break;
		}
		rel[len - suffix] = '\0';
		err = template_parse(set, rel, full, xml.data != NULL ? xml.data : "", xml.len, errbuf, errlen);
	}
out:
	if (dir != NULL)
		closedir(dir);
	mg_buf_free(&xml);
	return err;
}

enum mg_err mg_templates_load(const char *dir, struct mg_templates **out, char *errbuf, size_t errlen)
{
	struct mg_templates *set = NULL;
	enum mg_err err = MG_OK;
	char scratch[1];

	if (errbuf == NULL || errlen == 0) {
		errbuf = scratch;
		errlen = sizeof(scratch);
	}
	errbuf[0] = '\0';
	*out = NULL;
	if ((set = mg_templates_new()) == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	/* all files first, then the links: an include may name a file read later */
	if ((err = load_dir(set, dir, "", 0, errbuf, errlen)) != MG_OK)
		goto out;
	if ((err = link_all(set, errbuf, errlen)) != MG_OK)
		goto out;
	*out = set;
	set = NULL;
out:
	mg_templates_free(set);
	return err;
}

/* ---------------------------------------------------------------- rendering */

/* A value found by a path: a JSON value, or the number of a repeat's _index/_number. */
struct value {
	const json_t *json; /* NULL and !is_index: missing */
	json_int_t index;
	bool is_index;
};

/* One level of m:repeat: its variables shadow the data's keys. */
struct scope {
	const struct scope *up;
	const struct element *repeat;
	const json_t *item;
	size_t index;
};

struct render {
	xmlDocPtr doc;
	const json_t *data;
	mg_translate_fn translate;
	void *translate_ctx;
	const struct template *tpl;  /* being rendered, for logs */
	const struct template *page; /* whose m:fill elements feed m:slot; NULL outside a layout */
	unsigned depth;
	size_t nodes;
	struct mg_buf text; /* text being assembled for one node */
};

/* Looks up path (len bytes) in the repeat variables, then in the data. */
static struct value lookup(const struct render *r, const struct scope *scope, const char *path, size_t len)
{
	struct value v = { 0 };
	char key[MAX_SEGMENT + 1];
	size_t i = 0;
	bool first = true;

	while (i < len) {
		size_t start = i;
		while (i < len && path[i] != '.')
			i++;
		size_t klen = i - start;
		i++; /* the dot */
		if (klen == 0 || klen > MAX_SEGMENT)
			return (struct value){ 0 };
		memcpy(key, path + start, klen);
		key[klen] = '\0';
		if (first) {
			first = false;
			for (const struct scope *s = scope; s != NULL; s = s->up) {
				if (strcmp(key, s->repeat->var) == 0) {
					v.json = s->item;
					goto next;
				}
				bool number = strcmp(key, s->repeat->var_number) == 0;
				if (number || strcmp(key, s->repeat->var_index) == 0) {
					v.is_index = true;
					v.index = (json_int_t)s->index + number;
					/* an index has no keys below it */
					return i < len ? (struct value){ 0 } : v;
				}
			}
			v.json = json_object_get(r->data, key);
			goto next;
		}
		if (json_is_object(v.json)) {
			v.json = json_object_get(v.json, key);
		} else if (json_is_array(v.json) && isdigit((unsigned char)key[0])) {
			char *end;
			unsigned long n = strtoul(key, &end, 10);
			v.json = *end == '\0' ? json_array_get(v.json, n) : NULL;
		} else {
			v.json = NULL;
		}
	next:
		if (v.json == NULL)
			return (struct value){ 0 };
	}
	return v;
}

static struct value lookup_path(const struct render *r, const struct scope *scope, const char *path)
{
	return lookup(r, scope, path, strlen(path));
}

static bool truthy(struct value v)
{
	if (v.is_index)
		return v.index != 0;
	if (v.json == NULL)
		return false;
	switch (json_typeof(v.json)) {
	case JSON_STRING:
		return json_string_length(v.json) > 0;
	case JSON_INTEGER:
		return json_integer_value(v.json) != 0;
	case JSON_REAL:
		return json_real_value(v.json) != 0.0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v.json) > 0;
	case JSON_OBJECT:
		return json_object_size(v.json) > 0;
	default:
		return false;
	}
}

static bool cond_holds(const struct render *r, const struct scope *scope, const struct cond *cond)
{
	struct value v = lookup_path(r, scope, cond->path);
	bool holds;
	if (!cond->compare) {
		holds = truthy(v);
	} else if (v.is_index) {
		holds = cond->lit == LIT_NUMBER && (double)v.index == cond->number;
	} else {
		switch (cond->lit) {
		case LIT_STRING:
			holds = json_is_string(v.json) && strcmp(json_string_value(v.json), cond->str) == 0;
			break;
		case LIT_NUMBER:
			holds = json_is_number(v.json) && json_number_value(v.json) == cond->number;
			break;
		case LIT_TRUE:
			holds = json_is_true(v.json);
			break;
		case LIT_FALSE:
			holds = json_is_false(v.json);
			break;
		default:
			holds = v.json == NULL || json_is_null(v.json);
			break;
		}
	}
	return cond->negate ? !holds : holds;
}

/* The value as text: NULL for null, missing, arrays and objects. tmp holds numbers. */
static const char *value_text(struct value v, char *tmp, size_t tmplen)
{
	if (v.is_index) {
		snprintf(tmp, tmplen, "%" JSON_INTEGER_FORMAT, v.index);
		return tmp;
	}
	if (v.json == NULL)
		return NULL;
	switch (json_typeof(v.json)) {
	case JSON_STRING:
		return json_string_value(v.json);
	case JSON_INTEGER:
		snprintf(tmp, tmplen, "%" JSON_INTEGER_FORMAT, json_integer_value(v.json));
		return tmp;
	case JSON_REAL:
		snprintf(tmp, tmplen, "%.15g", json_real_value(v.json));
		return tmp;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

/*
 * Appends s with the characters XML 1.0 cannot carry (C0 controls but tab and newlines,
 * U+FFFE, U+FFFF) replaced by U+FFFD, so any string from the data serialises to a
 * well-formed document. Strings from jansson are valid UTF-8 already.
 */
static void append_clean(struct mg_buf *buf, const char *s, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const char *run = s, *end = s + len;
	while (s < end) {
		unsigned char c = (unsigned char)*s;
		size_t skip = 0;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			skip = 1;
		else if (c == 0xef && end - s >= 3 && (unsigned char)s[1] == 0xbf &&
			 ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf))
			skip = 3;
		if (skip == 0) {
			s++;
			continue;
		}
		mg_buf_append(buf, run, (size_t)(s - run));
		mg_buf_append(buf, replacement, sizeof(replacement) - 1);
		s += skip;
		run = s;
	}
	mg_buf_append(buf, run, (size_t)(s - run));
}

/* Fills "{path}" placeholders of a translated string; other braces stay as written. */
static const char *fill_placeholders(struct render *r, const struct scope *scope, const char *s)
{
	mg_buf_reset(&r->text);
	mg_buf_append(&r->text, "", 0);
	while (*s != '\0') {
		const char *open = strchr(s, '{');
		if (open == NULL) {
			append_clean(&r->text, s, strlen(s));
			break;
		}
		const char *close = strchr(open + 1, '}');
		if (close == NULL || !is_path(open + 1, (size_t)(close - open - 1))) {
			append_clean(&r->text, s, (size_t)(open + 1 - s));
			s = open + 1;
			continue;
		}
		append_clean(&r->text, s, (size_t)(open - s));
		char tmp[64];
		const char *value = value_text(lookup(r, scope, open + 1, (size_t)(close - open - 1)), tmp, sizeof(tmp));
		if (value != NULL)
			append_clean(&r->text, value, strlen(value));
		s = close + 1;
	}
	return r->text.data;
}

static const char *translate(struct render *r, const char *msgid)
{
	const char *text = r->translate != NULL ? r->translate(r->translate_ctx, msgid) : NULL;
	return text != NULL ? text : msgid;
}

/* Scheme check of a URL the way browsers read it: leading blanks and any tab or newline ignored. */
static bool url_is_safe(const char *url)
{
	char scheme[16];
	size_t n = 0;
	while (*url != '\0' && (unsigned char)*url <= 0x20)
		url++;
	for (; *url != '\0' && *url != ':'; url++) {
		char c = *url;
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (!(isalpha((unsigned char)c) || (n > 0 && (isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.'))))
			return true; /* '/', '?', '#' or anything else first: a relative URL */
		if (n < sizeof(scheme) - 1)
			scheme[n] = (char)tolower((unsigned char)c);
		n++;
	}
	if (*url != ':')
		return true;
	if (n == 0 || n >= sizeof(scheme))
		return false; /* ":x" or a scheme longer than any we allow */
	scheme[n] = '\0';
	return in_list(safe_schemes, scheme);
}

static xmlNsPtr output_ns(xmlNodePtr node, const char *href, const char *prefix)
{
	xmlNsPtr ns = xmlSearchNsByHref(node->doc, node, (const xmlChar *)href);
	if (ns == NULL)
		ns = xmlNewNs(node, (const xmlChar *)href, (const xmlChar *)prefix);
	return ns;
}

/* Counts one more output node against the page's budget. */
static enum mg_err count_node(struct render *r)
{
	if (++r->nodes <= MAX_NODES)
		return MG_OK;
	mg_log_error("template %s: more than %d nodes in one page", r->tpl->name, MAX_NODES);
	return MG_ERR_TEMPLATE;
}

static enum mg_err add_text(struct render *r, xmlNodePtr parent, const char *text)
{
	if (*text == '\0')
		return MG_OK;
	if (count_node(r) != MG_OK)
		return MG_ERR_TEMPLATE;
	xmlNodePtr node = xmlNewDocText(r->doc, (const xmlChar *)text);
	if (node == NULL)
		return MG_ERR_NOMEM;
	xmlAddChild(parent, node); /* may merge into a text node before it */
	return MG_OK;
}

/* A value for text: cleaned of characters XML cannot carry. */
static const char *clean_value(struct render *r, const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0xef) {
			mg_buf_reset(&r->text);
			append_clean(&r->text, s, strlen(s));
			mg_buf_append(&r->text, "", 0);
			return r->text.data;
		}
	return s;
}

static enum mg_err set_attributes(struct render *r, const struct scope *scope, const struct element *e,
				  xmlNodePtr node)
{
	for (size_t i = 0; i < e->nattrs; i++) {
		const struct static_attr *a = &e->attrs[i];
		const char *value = a->translate ? fill_placeholders(r, scope, translate(r, a->value)) : a->value;
		if (a->is_url && !url_is_safe(value)) {
			mg_log_warn("template %s:%ld: refused a translated %s with an unsafe scheme", r->tpl->name, e->line,
				    a->name);
			value = "";
		}
		xmlNsPtr ns = a->ns_href != NULL ? output_ns(node, a->ns_href, a->ns_prefix) : NULL;
		if (xmlNewNsProp(node, ns, (const xmlChar *)a->name, (const xmlChar *)value) == NULL)
			return MG_ERR_NOMEM;
	}
	for (size_t i = 0; i < e->nbindings; i++) {
		const struct binding *b = &e->bindings[i];
		struct value v = lookup_path(r, scope, b->path);
		char tmp[64];
		const char *value;
		if (!v.is_index && json_is_true(v.json))
			value = b->name; /* boolean attributes: checked="checked" */
		else if ((value = value_text(v, tmp, sizeof(tmp))) == NULL || (!v.is_index && json_is_false(v.json))) {
			xmlUnsetProp(node, (const xmlChar *)b->name);
			continue;
		}
		if (b->is_url && !url_is_safe(value)) {
			mg_log_warn("template %s:%ld: refused a %s value with an unsafe scheme", r->tpl->name, e->line,
				    b->name);
			value = "";
		}
		if (xmlSetProp(node, (const xmlChar *)b->name, (const xmlChar *)clean_value(r, value)) == NULL)
			return MG_ERR_NOMEM;
	}
	return MG_OK;
}

static enum mg_err render_children(struct render *r, const xmlNode *parent, xmlNodePtr out,
				   const struct scope *scope);
static enum mg_err render_element(struct render *r, const xmlNode *tn, xmlNodePtr out, const struct scope *scope);

static const xmlNode *find_fill(const struct template *page, const char *slot)
{
	for (size_t i = 0; i < page->nfills; i++)
		if (strcmp(page->fills[i].name, slot) == 0)
			return page->fills[i].node;
	return NULL;
}

/* Renders another template's root in place (m:include), with the same data and variables. */
static enum mg_err render_include(struct render *r, const struct template *tpl, xmlNodePtr out,
				  const struct scope *scope)
{
	if (r->depth >= MAX_DEPTH) {
		mg_log_error("template %s: includes nested deeper than %d", tpl->name, MAX_DEPTH);
		return MG_ERR_TEMPLATE;
	}
	const struct template *saved = r->tpl;
	r->depth++;
	r->tpl = tpl;
	enum mg_err err = render_element(r, tpl->root, out, scope);
	r->tpl = saved;
	r->depth--;
	return err;
}

/* The element once, after m:repeat has bound its variables. */
static enum mg_err render_once(struct render *r, const xmlNode *tn, const struct element *e, xmlNodePtr out,
			       const struct scope *scope)
{
	enum mg_err err;
	if (e->has_cond && !cond_holds(r, scope, &e->cond))
		return MG_OK;
	if (e->include != NULL)
		return render_include(r, e->include, out, scope);
	if ((err = count_node(r)) != MG_OK)
		return err;
	xmlNodePtr node = xmlNewDocNode(r->doc, NULL, tn->name, NULL);
	if (node == NULL)
		return MG_ERR_NOMEM;
	xmlAddChild(out, node);
	if (e->keep_ns)
		xmlSetNs(node, output_ns(node, (const char *)tn->ns->href, (const char *)tn->ns->prefix));
	if ((err = set_attributes(r, scope, e, node)) != MG_OK)
		return err;

	const xmlNode *fill;
	if (e->text_path != NULL) {
		char tmp[64];
		const char *text = value_text(lookup_path(r, scope, e->text_path), tmp, sizeof(tmp));
		if (text != NULL && (err = add_text(r, node, clean_value(r, text))) != MG_OK)
			return err;
	} else if (e->msgid != NULL) {
		if ((err = add_text(r, node, fill_placeholders(r, scope, translate(r, e->msgid)))) != MG_OK)
			return err;
	} else if (e->slot != NULL && r->page != NULL && (fill = find_fill(r->page, e->slot)) != NULL) {
		/* the page's content, in the page's (top-level) scope; its own slots stay unfilled */
		const struct template *page = r->page, *tpl = r->tpl;
		r->page = NULL;
		r->tpl = page;
		err = render_children(r, fill, node, NULL);
		r->page = page;
		r->tpl = tpl;
		if (err != MG_OK)
			return err;
	} else if ((err = render_children(r, tn, node, scope)) != MG_OK) {
		return err;
	}
	/* "<div/>" means an unclosed <div> to an HTML parser: give non-void elements an end tag
	 * (SVG and MathML elements may self-close) */
	if (!e->is_void && !e->keep_ns && node->children == NULL) {
		xmlNodePtr empty = xmlNewDocText(r->doc, (const xmlChar *)"");
		if (empty == NULL)
			return MG_ERR_NOMEM;
		xmlAddChild(node, empty);
	}
	return MG_OK;
}

static enum mg_err render_element(struct render *r, const xmlNode *tn, xmlNodePtr out, const struct scope *scope)
{
	const struct element *e = tn->_private;
	if (e->repeat_path == NULL)
		return render_once(r, tn, e, out, scope);
	struct value list = lookup_path(r, scope, e->repeat_path);
	if (!json_is_array(list.json))
		return MG_OK;
	struct scope inner = { .up = scope, .repeat = e };
	for (size_t i = 0; i < json_array_size(list.json); i++) {
		inner.item = json_array_get(list.json, i);
		inner.index = i;
		enum mg_err err = render_once(r, tn, e, out, &inner);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

static enum mg_err render_children(struct render *r, const xmlNode *parent, xmlNodePtr out,
				   const struct scope *scope)
{
	for (const xmlNode *child = parent->children; child != NULL; child = child->next) {
		enum mg_err err = MG_OK;
		if (child->type == XML_ELEMENT_NODE)
			err = render_element(r, child, out, scope);
		else if (child->type == XML_TEXT_NODE && child->content != NULL)
			err = add_text(r, out, (const char *)child->content);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

/* Serialises the rendered nodes (children of holder) and appends them to out. */
static enum mg_err serialise(xmlNodePtr holder, struct mg_buf *out)
{
	xmlBufferPtr xb = NULL;
	xmlSaveCtxtPtr save = NULL;
	enum mg_err err = MG_OK;

	if ((xb = xmlBufferCreate()) == NULL || (save = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_NO_DECL)) == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	for (xmlNodePtr node = holder->children; node != NULL; node = node->next)
		if (xmlSaveTree(save, node) < 0) {
			err = MG_ERR_TEMPLATE;
			goto out;
		}
	if (xmlSaveClose(save) < 0) {
		save = NULL;
		err = MG_ERR_TEMPLATE;
		goto out;
	}
	save = NULL;
	xmlNodePtr first = holder->children;
	while (first != NULL && first->type != XML_ELEMENT_NODE)
		first = first->next;
	if (first != NULL && strcmp((const char *)first->name, "html") == 0)
		mg_buf_puts(out, "<!DOCTYPE html>\n");
	mg_buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
out:
	if (save != NULL)
		xmlSaveClose(save);
	if (xb != NULL)
		xmlBufferFree(xb);
	return err;
}

enum mg_err mg_template_render(const struct mg_templates *set, const char *name, const json_t *data,
			       mg_translate_fn translate_fn, void *translate_ctx, struct mg_buf *out)
{
	struct render r = { .data = data, .translate = translate_fn, .translate_ctx = translate_ctx };
	xmlNodePtr holder;
	enum mg_err err = MG_OK;

	mg_buf_init(&r.text);
	const struct template *tpl = find(set, name);
	if (tpl == NULL) {
		err = MG_ERR_NOT_FOUND;
		goto out;
	}
	/* one element holds whatever the template produces (a repeated root gives several) */
	if ((r.doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (holder = xmlNewDocNode(r.doc, NULL, (const xmlChar *)"holder", NULL)) == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	xmlDocSetRootElement(r.doc, holder);
	/* with an encoding set, attribute values keep their UTF-8 instead of &#x...; references */
	if ((r.doc->encoding = xmlStrdup((const xmlChar *)"UTF-8")) == NULL) {
		err = MG_ERR_NOMEM;
		goto out;
	}
	r.tpl = tpl;
	if (tpl->layout != NULL) {
		r.page = tpl;
		r.tpl = tpl->layout;
		err = render_element(&r, tpl->layout->root, holder, NULL);
	} else {
		err = render_element(&r, tpl->root, holder, NULL);
	}
	if (err == MG_OK)
		err = serialise(holder, out);
out:
	if (r.doc != NULL)
		xmlFreeDoc(r.doc);
	mg_buf_free(&r.text);
	return err;
}
