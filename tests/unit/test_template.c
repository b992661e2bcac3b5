/*
 * Template engine: what reaches the page for each attribute of the language, that data
 * can never become markup, and that a broken template is refused at load with its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "template.h"

#define NS "xmlns:m=\"urn:madoguchi:template\""

static struct mg_templates *set;
static char errbuf[512];

static int setup(void **state)
{
	set = mg_templates_new();
	errbuf[0] = '\0';
	return set == NULL;
}

static int teardown(void **state)
{
	mg_templates_free(set);
	set = NULL;
	return 0;
}

static enum mg_err add(const char *name, const char *xml)
{
	return mg_templates_add(set, name, xml, strlen(xml), errbuf, sizeof(errbuf));
}

static void add_ok(const char *name, const char *xml)
{
	enum mg_err err = add(name, xml);
	if (err != MG_OK)
		print_error("mg_templates_add(%s): %s\n", name, errbuf);
	assert_int_equal(err, MG_OK);
}

/* Renders name with json (NULL: no data) and checks the exact output. */
static void assert_render(const char *name, const char *json, mg_translate_fn tr, const char *expected)
{
	json_error_t jerr;
	json_t *data = json != NULL ? json_loads(json, 0, &jerr) : NULL;
	if (json != NULL && data == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_template_render(set, name, data, tr, NULL, &out), MG_OK);
	assert_string_equal(out.data != NULL ? out.data : "", expected);
	mg_buf_free(&out);
	json_decref(data);
}

/* Adds a one-element template and checks what it renders to. */
static void check(const char *xml, const char *json, const char *expected)
{
	static int n;
	char name[32];
	snprintf(name, sizeof(name), "t%d", n++);
	add_ok(name, xml);
	assert_render(name, json, NULL, expected);
}

static void assert_refused(const char *xml, const char *where, const char *what)
{
	assert_int_equal(add("bad", xml), MG_ERR_TEMPLATE);
	if (strstr(errbuf, where) == NULL || strstr(errbuf, what) == NULL)
		fail_msg("expected \"%s\" and \"%s\" in: %s", where, what, errbuf);
}

static void text_is_escaped(void **state)
{
	check("<p " NS " m:text=\"v\">placeholder</p>",
	      "{\"v\": \"<script>alert(\\\"x\\\")</script> & 'q' &amp;\"}",
	      "<p>&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' &amp;amp;</p>");
	/* characters XML cannot carry become U+FFFD instead of a broken document */
	check("<p " NS " m:text=\"v\"/>", "{\"v\": \"a\\u0001b\\u001bc\"}", "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd" "c</p>");
}

static void attribute_is_escaped(void **state)
{
	check("<a " NS " href=\"/static?a=1&amp;b=&lt;\" m:attr=\"title v; href u\">x</a>",
	      "{\"v\": \"<b> \\\"q\\\" & 'a'\", \"u\": \"/e?a=1&b=\\\"><script>\"}",
	      "<a href=\"/e?a=1&amp;b=&quot;&gt;&lt;script&gt;\" title=\"&lt;b&gt; &quot;q&quot; &amp; 'a'\">x</a>");
	/* static attributes are copied with their escaping intact; Japanese stays UTF-8 */
	check("<p title=\"&lt;&amp;&quot; 窓口\">&lt;&amp;&gt;</p>", NULL,
	      "<p title=\"&lt;&amp;&quot; 窓口\">&lt;&amp;&gt;</p>");
}

static void text_value_types(void **state)
{
	const char *xml = "<p " NS "><b m:text=\"s\"/><b m:text=\"i\"/><b m:text=\"r\"/><b m:text=\"t\"/>"
			  "<b m:text=\"f\"/><b m:text=\"n\"/><b m:text=\"missing.deep\"/><b m:text=\"o\"/>"
			  "<b m:text=\"o.k\"/><b m:text=\"a.1\"/></p>";
	check(xml, "{\"s\":\"str\",\"i\":-42,\"r\":1.5,\"t\":true,\"f\":false,\"n\":null,\"o\":{\"k\":\"ok\"},\"a\":[\"x\",\"y\"]}",
	      "<p><b>str</b><b>-42</b><b>1.5</b><b>true</b><b>false</b><b></b><b></b><b></b><b>ok</b><b>y</b></p>");
}

static void attribute_values(void **state)
{
	/* true gives a boolean attribute, false/null/missing remove it, numbers are text */
	check("<input " NS " type=\"checkbox\" checked=\"checked\" m:attr=\"checked c; disabled d; value v; title n\"/>",
	      "{\"c\": false, \"d\": true, \"v\": 7, \"n\": null}",
	      "<input type=\"checkbox\" disabled=\"disabled\" value=\"7\"/>");
}

static void repeat_empty_and_missing(void **state)
{
	const char *xml = "<ul " NS "><li m:repeat=\"item in items\" m:text=\"item\"/></ul>";
	check(xml, "{\"items\": []}", "<ul></ul>");
	check(xml, "{}", "<ul></ul>");
	check(xml, "{\"items\": \"not a list\"}", "<ul></ul>");
	check(xml, NULL, "<ul></ul>");
	check(xml, "{\"items\": [\"a\", 2]}", "<ul><li>a</li><li>2</li></ul>");
}

static void repeat_nested(void **state)
{
	check("<div " NS "><section m:repeat=\"g in groups\"><h2 m:text=\"g.name\"/>"
	      "<p m:repeat=\"x in g.items\" m:attr=\"data-i x_index; data-n x_number; data-g g_number\">"
	      "<span m:text=\"x\"/>/<span m:text=\"title\"/></p></section></div>",
	      "{\"title\":\"T\",\"groups\":[{\"name\":\"A\",\"items\":[\"a1\",\"a2\"]},{\"name\":\"B\",\"items\":[]}]}",
	      "<div><section><h2>A</h2><p data-i=\"0\" data-n=\"1\" data-g=\"1\"><span>a1</span>/<span>T</span></p>"
	      "<p data-i=\"1\" data-n=\"2\" data-g=\"1\"><span>a2</span>/<span>T</span></p></section>"
	      "<section><h2>B</h2></section></div>");
	/* m:if is tested per item */
	check("<ul " NS "><li m:repeat=\"e in events\" m:if=\"e.on\" m:text=\"e.n\"/></ul>",
	      "{\"events\":[{\"n\":1,\"on\":true},{\"n\":2},{\"n\":3,\"on\":1}]}", "<ul><li>1</li><li>3</li></ul>");
}

static void if_unless_truthiness(void **state)
{
	static const struct {
		const char *value;
		const char *kept;
	} cases[] = {
		{ "\"x\"", "<b>if</b>" },  { "\"\"", "<i>unless</i>" }, { "0", "<i>unless</i>" },
		{ "-1", "<b>if</b>" },     { "0.0", "<i>unless</i>" },  { "0.5", "<b>if</b>" },
		{ "true", "<b>if</b>" },   { "false", "<i>unless</i>" }, { "null", "<i>unless</i>" },
		{ "[]", "<i>unless</i>" }, { "[0]", "<b>if</b>" },       { "{}", "<i>unless</i>" },
		{ "{\"a\":1}", "<b>if</b>" },
	};
	add_ok("cond", "<p " NS "><b m:if=\"v\">if</b><i m:unless=\"v\">unless</i></p>");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[64], expected[64];
		snprintf(json, sizeof(json), "{\"v\": %s}", cases[i].value);
		snprintf(expected, sizeof(expected), "<p>%s</p>", cases[i].kept);
		assert_render("cond", json, NULL, expected);
	}
	assert_render("cond", "{}", NULL, "<p><i>unless</i></p>");
}

static void if_compares_with_literal(void **state)
{
	add_ok("cmp", "<p " NS "><b m:if=\"s == 'open'\">open</b><i m:if=\"n != 0\">n</i>"
		      "<u m:unless=\"s == &quot;closed&quot;\">notclosed</u><s m:if=\"f == true\">f</s></p>");
	assert_render("cmp", "{\"s\":\"open\",\"n\":0,\"f\":true}", NULL, "<p><b>open</b><u>notclosed</u><s>f</s></p>");
	assert_render("cmp", "{\"s\":\"closed\",\"n\":2.0}", NULL, "<p><i>n</i></p>");
}

static const char *fake_translate(void *ctx, const char *msgid)
{
	if (strcmp(msgid, "Hello, {name}!") == 0)
		return "こんにちは、{name}さん！";
	if (strcmp(msgid, "Search") == 0)
		return "検索";
	if (strcmp(msgid, "Seats for {event.title} ({count})") == 0)
		return "{event.title}の座席（{count}席）{nope} {not a path} {";
	return NULL; /* not in the catalog: the engine shows the msgid */
}

static void translate_with_placeholders(void **state)
{
	add_ok("tr", "<div " NS ">\n"
		     "  <p m:t=\"\">\n    Hello,\n\t{name}!\n  </p>\n"
		     "  <input placeholder=\"Search\" title=\"Not  translated\" m:t-attr=\"placeholder\"/>\n"
		     "  <h1 m:t=\"Seats for {event.title} ({count})\">ignored <b>sample</b></h1>\n"
		     "  <p m:t=\"\">Untranslated {name}</p>\n"
		     "</div>");
	const char *json = "{\"name\":\"<Ada & Co>\",\"count\":3,\"event\":{\"title\":\"第九\"}}";
	assert_render("tr", json, fake_translate,
		      "<div>\n  <p>こんにちは、&lt;Ada &amp; Co&gt;さん！</p>\n"
		      "  <input placeholder=\"検索\" title=\"Not  translated\"/>\n"
		      "  <h1>第九の座席（3席） {not a path} {</h1>\n"
		      "  <p>Untranslated &lt;Ada &amp; Co&gt;</p>\n</div>");
	/* no translator: English with its placeholders filled */
	assert_render("tr", json, NULL,
		      "<div>\n  <p>Hello, &lt;Ada &amp; Co&gt;!</p>\n"
		      "  <input placeholder=\"Search\" title=\"Not  translated\"/>\n"
		      "  <h1>Seats for 第九 (3)</h1>\n"
		      "  <p>Untranslated &lt;Ada &amp; Co&gt;</p>\n</div>");
}

static void include_partial(void **state)
{
	add_ok("core/item", "<li " NS " m:text=\"it.name\" m:attr=\"data-site site\"/>");
	add_ok("list", "<ul " NS "><x m:repeat=\"it in items\" m:include=\"core/item\">sample</x>"
		       "<x m:if=\"none\" m:include=\"core/item\"/></ul>");
	assert_render("list", "{\"site\":\"s\",\"items\":[{\"name\":\"a\"},{\"name\":\"<b>\"}]}", NULL,
		      "<ul><li data-site=\"s\">a</li><li data-site=\"s\">&lt;b&gt;</li></ul>");
	assert_render("core/item", "{\"it\":{\"name\":\"alone\"}}", NULL, "<li>alone</li>");
}

static void layout_and_slots(void **state)
{
	add_ok("core/layout", "<html xmlns=\"http://www.w3.org/1999/xhtml\" " NS " m:attr=\"lang lang\">"
			      "<head><title m:text=\"page_title\"/></head>"
			      "<body><main m:slot=\"content\">default</main><aside m:slot=\"side\">no side</aside></body></html>");
	add_ok("page", "<page " NS " m:layout=\"core/layout\">\n"
		       "  <div m:fill=\"content\"><h1 m:text=\"page_title\"/><p m:repeat=\"x in xs\" m:text=\"x\"/></div>\n"
		       "</page>");
	assert_render("page", "{\"lang\":\"en\",\"page_title\":\"A & B\",\"xs\":[1,2]}", NULL,
		      "<!DOCTYPE html>\n<html lang=\"en\"><head><title>A &amp; B</title></head>"
		      "<body><main><h1>A &amp; B</h1><p>1</p><p>2</p></main><aside>no side</aside></body></html>");
	/* the layout alone keeps its default content */
	assert_render("core/layout", "{\"lang\":\"ja\"}", NULL,
		      "<!DOCTYPE html>\n<html lang=\"ja\"><head><title></title></head>"
		      "<body><main>default</main><aside>no side</aside></body></html>");
	/* a fill without a matching slot, a stray element, a layout that is not <html> */
	assert_refused("<page " NS " m:layout=\"core/layout\"><div m:fill=\"nav\"/></page>", "bad:1:",
		       "no m:slot=\"nav\"");
	assert_refused("<page " NS " m:layout=\"core/layout\">\n<div>lost</div></page>", "bad:2:", "outside m:fill");
	add_ok("notlayout", "<div " NS "><main m:slot=\"content\"/></div>");
	assert_refused("<page " NS " m:layout=\"notlayout\"><div m:fill=\"content\"/></page>", "bad:1:", "<html>");
}

/* The XHTML and m: namespace declarations stay in the template: HTML needs neither. */
static void doctype_only_for_html_root(void **state)
{
	check("<html " NS " xmlns=\"http://www.w3.org/1999/xhtml\"><body m:text=\"v\"/></html>", "{\"v\":\"x\"}",
	      "<!DOCTYPE html>\n<html><body>x</body></html>");
	check("<section " NS "><p>fragment</p></section>", NULL, "<section><p>fragment</p></section>");
}

static void html_serialisation(void **state)
{
	/* non-void elements always get an end tag, void ones stay self-closed; comments go;
	 * no m: namespace declaration and no m: attribute survives */
	check("<div " NS "><script src=\"/a.js\"></script><span/><br/><img src=\"/i.png\" alt=\"\"/><!-- note -->"
	      "<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0\"/></svg><p xml:lang=\"en\"><![CDATA[a<b]]></p></div>",
	      NULL,
	      "<div><script src=\"/a.js\"></script><span></span><br/><img src=\"/i.png\" alt=\"\"/>"
	      "<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0\"/></svg><p xml:lang=\"en\">a&lt;b</p></div>");
}

/* Bound attribute names keep their case (SVG's viewBox); the safety checks still see
 * ONCLICK and HREF for what they are. */
static void bound_attribute_names_keep_their_case(void **state)
{
	check("<svg " NS " xmlns=\"http://www.w3.org/2000/svg\" m:attr=\"viewBox box\"><path m:attr=\"d d\"/></svg>",
	      "{\"box\":\"0 0 9 9\",\"d\":\"M1 1h1\"}",
	      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><path d=\"M1 1h1\"/></svg>");
	assert_refused("<p " NS " m:attr=\"ONCLICK x\"/>", "bad:1:", "cannot take a data value");
	check("<a " NS " m:attr=\"HREF u\">x</a>", "{\"u\":\"javascript:alert(1)\"}", "<a HREF=\"\">x</a>");
}

static void javascript_href_refused(void **state)
{
	static const struct {
		const char *url;
		const char *out;
	} cases[] = {
		{ "javascript:alert(1)", "" },
		{ "JaVaScRiPt:alert(1)", "" },
		{ " \\tjava\\nscript:alert(1)", "" },
		{ "data:text/html,<script>", "" },
		{ "vbscript:x", "" },
		{ ":x", "" },
		{ "https://example.jp/a?b=c:d", "https://example.jp/a?b=c:d" },
		{ "HTTP://example.jp/", "HTTP://example.jp/" },
		{ "mailto:info@example.jp", "mailto:info@example.jp" },
		{ "tel:+81-3-0000-0000", "tel:+81-3-0000-0000" },
		{ "/sapporo/events?x=a:b", "/sapporo/events?x=a:b" },
		{ "events/12#t:1", "events/12#t:1" },
		{ "//example.jp/x", "//example.jp/x" },
		{ "javascript&colon;alert(1)", "javascript&amp;colon;alert(1)" },
	};
	add_ok("link", "<p " NS "><a m:attr=\"href u\">a</a><form m:attr=\"action u\"/><img m:attr=\"src u\"/>"
		       "<button m:attr=\"formaction u\"/></p>");
	mg_log_set_level(MG_LOG_ERROR); /* each refusal logs a warning */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[128], expected[512];
		snprintf(json, sizeof(json), "{\"u\": \"%s\"}", cases[i].url);
		snprintf(expected, sizeof(expected),
			 "<p><a href=\"%s\">a</a><form action=\"%s\"></form><img src=\"%s\"/>"
			 "<button formaction=\"%s\"></button></p>",
			 cases[i].out, cases[i].out, cases[i].out, cases[i].out);
		assert_render("link", json, NULL, expected);
	}
	/* a translated URL is checked after its placeholders are filled */
	add_ok("trurl", "<a " NS " href=\"{u}\" m:t-attr=\"href\">x</a>");
	assert_render("trurl", "{\"u\": \"javascript:alert(1)\"}", NULL, "<a href=\"\">x</a>");
	assert_render("trurl", "{\"u\": \"/events/1\"}", NULL, "<a href=\"/events/1\">x</a>");
	/* other attributes take any value, escaped */
	add_ok("title", "<a " NS " m:attr=\"title u\"/>");
	assert_render("title", "{\"u\": \"javascript:x\"}", NULL, "<a title=\"javascript:x\"></a>");
	mg_log_set_level(MG_LOG_INFO);
}

static void load_errors_name_the_line(void **state)
{
	assert_refused("<div>\n<p>\n</div>", "bad:3:", "mismatch");
	assert_refused("<div " NS ">\n\n<p m:text=\"a..b\"/></div>", "bad:3:", "not a dotted path");
	assert_refused("<div " NS ">\n<p m:repeat=\"in items\"/></div>", "bad:2:", "m:repeat");
	assert_refused("<div>\n<p m:text=\"x\"/></div>", "bad:2:", "prefix m");
	assert_refused("", "bad:", "");
	assert_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE p [\n<!ENTITY a \"aaa\">\n]>\n<p>&a;</p>", "bad:3:",
		       "DTD");
	assert_refused("<!DOCTYPE p SYSTEM \"file:///etc/passwd\"><p/>", "bad:1:", "DTD");
	assert_refused("<div>\n<script>alert(1)</script></div>", "bad:2:", "inline <script>");
	assert_refused("<div>\n\n<br>x</br></div>", "bad:3:", "void element");
	assert_refused("<div " NS ">\n<a m:attr=\"onclick js\"/></div>", "bad:2:", "onclick");
	assert_refused("<div " NS ">\n<a m:attr=\"href\"/></div>", "bad:2:", "m:attr");
	assert_refused("<div " NS ">\n<a onclick=\"f('{x}')\" m:t-attr=\"onclick\"/></div>", "bad:2:", "onclick");
	assert_refused("<div " NS ">\n<a m:attr=\"STYLE x\"/></div>", "bad:2:", "style");
	assert_refused("<div " NS ">\n<p m:t=\"\">a <b>b</b></p></div>", "bad:2:", "markup");
	assert_refused("<div " NS ">\n<p m:t=\"\" m:text=\"x\">a</p></div>", "bad:2:", "m:text and m:t");
	assert_refused("<div " NS ">\n<p m:t-attr=\"title\">a</p></div>", "bad:2:", "\"title\"");
	assert_refused("<div xmlns:m=\"urn:madoguchi:templat\">\n<p m:text=\"x\"/></div>", "bad:2:",
		       "unknown namespace");
	/* a failed add leaves the set as it was */
	add_ok("bad", "<p>fine after all</p>");
	assert_render("bad", NULL, NULL, "<p>fine after all</p>");
}

static void unknown_m_attribute_refused(void **state)
{
	assert_refused("<div " NS ">\n<p m:txt=\"x\"/></div>", "bad:2:", "unknown template attribute m:txt");
	assert_refused("<div " NS ">\n\n<m:block/></div>", "bad:3:", "unknown template element");
	assert_refused("<div " NS ">\n<p m:fill=\"x\"/></div>", "bad:2:", "m:fill");
	assert_refused("<div " NS ">\n<p m:layout=\"core/layout\"/></div>", "bad:2:", "root element");
}

static void include_errors_refused(void **state)
{
	assert_refused("<div " NS ">\n<p m:include=\"nowhere\"/></div>", "bad:2:", "unknown template \"nowhere\"");
	assert_refused("<div " NS ">\n<p m:include=\"bad\"/></div>", "bad:2:", "cycle");
	assert_refused("<page " NS " m:layout=\"nowhere\"/>", "bad:1:", "unknown template \"nowhere\"");
	add_ok("p1", "<p " NS " m:text=\"x\"/>");
	assert_int_equal(add("p1", "<p/>"), MG_ERR_TEMPLATE);
	assert_non_null(strstr(errbuf, "already"));
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static void load_directory_and_cycles(void **state)
{
	char dir[] = "/tmp/mg_template_test_XXXXXX", sub[64];
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/core", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* the page is read before or after its partial: links are resolved once all are read */
	write_file(sub, "a.xhtml", "<div " NS "><p m:include=\"core/b\"/></div>");
	write_file(sub, "b.xhtml", "<p " NS " m:text=\"v\"/>");
	write_file(dir, "notes.txt", "not a template");

	struct mg_templates *loaded = NULL;
	char err[512] = "";
	assert_int_equal(mg_templates_load(dir, &loaded, err, sizeof(err)), MG_OK);
	json_t *data = json_pack("{s:s}", "v", "via include");
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_template_render(loaded, "core/a", data, NULL, NULL, &out), MG_OK);
	assert_string_equal(out.data, "<div><p>via include</p></div>");
	assert_int_equal(mg_template_render(loaded, "notes", data, NULL, NULL, &out), MG_ERR_NOT_FOUND);
	mg_buf_free(&out);
	json_decref(data);
	mg_templates_free(loaded);

	/* a -> b -> c -> a */
	write_file(sub, "b.xhtml", "<p " NS "><x m:include=\"core/c\"/></p>");
	write_file(sub, "c.xhtml", "<p " NS ">\n<x m:include=\"core/a\"/></p>");
	assert_int_equal(mg_templates_load(dir, &loaded, err, sizeof(err)), MG_ERR_TEMPLATE);
	assert_null(loaded);
	if (strstr(err, "cycle") == NULL || strstr(err, ".xhtml:") == NULL)
		fail_msg("unexpected: %s", err);

	write_file(sub, "c.xhtml", "<p>\n<b>\n</p>");
	assert_int_equal(mg_templates_load(dir, &loaded, err, sizeof(err)), MG_ERR_TEMPLATE);
	if (strstr(err, "core/c.xhtml:3:") == NULL)
		fail_msg("unexpected: %s", err);
	remove_file(sub, "a.xhtml");
	remove_file(sub, "b.xhtml");
	remove_file(sub, "c.xhtml");
	remove_file(dir, "notes.txt");
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);

	assert_int_equal(mg_templates_load("/nonexistent/templates", &loaded, err, sizeof(err)), MG_ERR_IO);
	assert_null(loaded);
}

static void render_missing_name(void **state)
{
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_template_render(set, "core/nothing", NULL, NULL, NULL, &out), MG_ERR_NOT_FOUND);
	assert_int_equal(out.len, 0);
	mg_buf_free(&out);
}

static void include_depth_is_bounded(void **state)
{
	char name[16], xml[128];
	/* t20 is a leaf, tN includes tN+1: 20 levels exceed the guard of 16 */
	add_ok("d20", "<b>leaf</b>");
	for (int i = 19; i >= 0; i--) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(xml, sizeof(xml), "<i " NS "><x m:include=\"d%d\"/></i>", i + 1);
		add_ok(name, xml);
	}
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_template_render(set, "d10", NULL, NULL, NULL, &out), MG_OK);
	mg_buf_reset(&out);
	mg_log_set_level(MG_LOG_ERROR + 1);
	assert_int_equal(mg_template_render(set, "d0", NULL, NULL, NULL, &out), MG_ERR_TEMPLATE);
	mg_log_set_level(MG_LOG_INFO);
	assert_int_equal(out.len, 0);
	mg_buf_free(&out);
}

/* 1025 x 1025 nested items pass the budget of 2^20 output nodes: an error, not a huge page. */
static void node_budget_is_bounded(void **state)
{
	json_t *list = json_array();
	for (int i = 0; i < 1025; i++)
		json_array_append_new(list, json_integer(i));
	json_t *data = json_pack("{s:o}", "l", list);
	add_ok("big", "<p " NS "><i m:repeat=\"a in l\"><b m:repeat=\"b in l\"/></i></p>");
	struct mg_buf out;
	mg_buf_init(&out);
	mg_log_set_level(MG_LOG_ERROR + 1);
	assert_int_equal(mg_template_render(set, "big", data, NULL, NULL, &out), MG_ERR_TEMPLATE);
	mg_log_set_level(MG_LOG_INFO);
	assert_int_equal(out.len, 0);
	mg_buf_free(&out);
	json_decref(data);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, haystack);
}

/* The shipped core pages load and render (srcdir: set by automake's test driver). */
static void shipped_core_pages(void **state)
{
	const char *srcdir = getenv("srcdir");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/www/templates", srcdir != NULL ? srcdir : ".");
	struct stat st;
	if (stat(dir, &st) != 0)
		skip();
	struct mg_templates *shipped = NULL;
	char err[512] = "";
	if (mg_templates_load(dir, &shipped, err, sizeof(err)) != MG_OK)
		fail_msg("%s", err);
	json_t *data = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:{s:s, s:s}}", "lang", "en", "page_title", "Welcome",
				 "version", "0.1.0", "modules", "name", "tickets", "version", "0.1.0", "other_lang", "href",
				 "/?lang=ja", "label", "日本語");
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_template_render(shipped, "core/landing", data, NULL, NULL, &out), MG_OK);
	static const char start[] = "<!DOCTYPE html>\n<html lang=\"en\">";
	assert_memory_equal(out.data, start, sizeof(start) - 1);
	assert_contains(out.data, "<title>Welcome — Madoguchi</title>");
	assert_contains(out.data, "<a href=\"/?lang=ja\">日本語</a>");
	assert_contains(out.data, "<span class=\"module-list__name\">tickets</span>");
	assert_contains(out.data, "Madoguchi version 0.1.0");
	assert_null(strstr(out.data, "madoguchi:template"));
	assert_null(strstr(out.data, " m:"));
	json_decref(data);

	mg_buf_reset(&out);
	data = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "lang", "en", "page_title", "Not found", "status", 404, "title",
			 "Not found", "message", "<b>no</b>", "request_id", "rid-42");
	assert_int_equal(mg_template_render(shipped, "core/error", data, NULL, NULL, &out), MG_OK);
	assert_contains(out.data, "<span>404</span>");
	assert_contains(out.data, "&lt;b&gt;no&lt;/b&gt;");
	assert_contains(out.data, "Quote this reference if you contact support: rid-42");
	json_decref(data);
	mg_buf_free(&out);
	mg_templates_free(shipped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(text_is_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(attribute_is_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(text_value_types, setup, teardown),
		cmocka_unit_test_setup_teardown(attribute_values, setup, teardown),
		cmocka_unit_test_setup_teardown(repeat_empty_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(repeat_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(if_unless_truthiness, setup, teardown),
		cmocka_unit_test_setup_teardown(if_compares_with_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(translate_with_placeholders, setup, teardown),
		cmocka_unit_test_setup_teardown(include_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(layout_and_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(doctype_only_for_html_root, setup, teardown),
		cmocka_unit_test_setup_teardown(html_serialisation, setup, teardown),
		cmocka_unit_test_setup_teardown(bound_attribute_names_keep_their_case, setup, teardown),
		cmocka_unit_test_setup_teardown(javascript_href_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(load_errors_name_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_m_attribute_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(include_errors_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(load_directory_and_cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(render_missing_name, setup, teardown),
		cmocka_unit_test_setup_teardown(include_depth_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(node_budget_is_bounded, setup, teardown),
		cmocka_unit_test(shipped_core_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
