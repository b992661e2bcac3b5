/*
 * libFuzzer harness for the template engine: the input is a template, a NUL byte, then
 * JSON data. The template is parsed with mg_templates_add() and, when both halves parse,
 * rendered with a translator that echoes the msgid with a placeholder of its own. A fixed
 * partial ("p") and layout ("l") are loaded first so fuzzed templates can include them.
 * Nothing may crash, leak or loop; errors are fine.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char partial[] = "<span xmlns:m=\"urn:madoguchi:template\" m:text=\"x.name\" m:attr=\"href x.url\"/>";
static const char layout[] = "<html xmlns:m=\"urn:madoguchi:template\" m:attr=\"lang lang\"><body>"
			     "<main m:slot=\"content\">default</main><p m:slot=\"aside\"/></body></html>";

/* Alternates between the msgid and a string with placeholders of its own. */
static const char *translate(void *ctx, const char *msgid)
{
	size_t *calls = ctx;
	return (*calls)++ % 2 ? msgid : "{a} {b.c} {x.name} {} {{a}} {x_number}";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t xml_len = nul != NULL ? (size_t)(nul - data) : size;
	const char *json_text = nul != NULL ? (const char *)nul + 1 : "";
	size_t json_len = nul != NULL ? size - xml_len - 1 : 0;
	struct mg_templates *set = mg_templates_new();
	char errbuf[256];
	json_t *json = NULL;
	struct mg_buf out;
	size_t calls = 0;

	mg_log_set_level(MG_LOG_ERROR + 1); /* refused URLs would flood the output */
	mg_buf_init(&out);
	if (set == NULL || mg_templates_add(set, "p", partial, sizeof(partial) - 1, errbuf, sizeof(errbuf)) != MG_OK ||
	    mg_templates_add(set, "l", layout, sizeof(layout) - 1, errbuf, sizeof(errbuf)) != MG_OK)
		__builtin_trap();
	if (mg_templates_add(set, "t", (const char *)data, xml_len, errbuf, sizeof(errbuf)) != MG_OK)
		goto out;
	json_error_t jerr;
	json = json_loadb(json_text, json_len, JSON_DECODE_ANY, &jerr);
	if (json_len > 0 && json == NULL)
		goto out;
	if (mg_template_render(set, "t", json, translate, &calls, &out) == MG_OK && out.len > 0 &&
	    strlen(out.data) != out.len)
		__builtin_trap(); /* a NUL in the page: the serialisation went wrong */
out:
	mg_buf_free(&out);
	json_decref(json);
	mg_templates_free(set);
	return 0;
}
