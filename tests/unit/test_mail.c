/*
 * core/platform/mail_format.c: e-mail address normalisation, RFC 2047 encoded-words (decoded back
 * with OpenSSL and checked for whole characters and line lengths) and the RFC 5322 message
 * (header order, CRLF only, base64 body, header injection refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "core/base/buf.h"
#include "core/base/config.h"
#include "core/base/form.h"
#include "core/platform/mail.h"

/* --- addresses --- */

static void email_normalise_accepts_and_lowercases(void **state)
{
	static const char *const cases[][2] = {
		{ "hanako@example.jp", "hanako@example.jp" },
		{ "  Hanako.Yamada@Example.CO.JP \t", "hanako.yamada@example.co.jp" },
		/* typed with a Japanese IME: full-width letters and @, an ideographic space */
		{ "\xef\xbd\x88\xef\xbd\x81\xef\xbd\x8e\xef\xbd\x81\xef\xbc\xa0\xef\xbd\x85\xef\xbd\x98\xef\xbc\x8e\xef\xbd\x8a"
		  "\xef\xbd\x90\xe3\x80\x80",
		  "hana@ex.jp" },
		{ "a+tag_1!#$%&'*/=?^`{|}~-x@sub-1.example.org", "a+tag_1!#$%&'*/=?^`{|}~-x@sub-1.example.org" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[MG_EMAIL_MAX + 1];
		assert_true(mg_email_normalise(cases[i][0], out, sizeof(out)));
		assert_string_equal(out, cases[i][1]);
	}
}

static void email_normalise_refuses_what_is_no_address(void **state)
{
	char long_local[80], long_domain[300];
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@example.jp");
	memset(long_domain, 'a', 250);
	strcpy(long_domain + 250, "@example.jp");
	const char *const bad[] = {
		"", "   ", "no-at-sign", "a@b", "a@@b.jp", "a@b@c.jp", ".a@b.jp", "a.@b.jp", "a..b@c.jp", "a@-b.jp",
		"a@b-.jp", "a@b..jp", "a@b.jp.", "a@.b.jp", "a b@c.jp", "a@b_c.jp", "\"a\"@b.jp", "a@b\n.jp", "a\t@b.jp",
		"\xe5\xb1\xb1\xe7\x94\xb0@example.jp" /* 山田@ */, "a@\xe4\xbe\x8b.jp", "\xff@b.jp", long_local, long_domain,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[MG_EMAIL_MAX + 1] = "x";
		assert_false(mg_email_normalise(bad[i], out, sizeof(out)));
		assert_string_equal(out, "");
	}
	char tiny[8];
	assert_false(mg_email_normalise("hanako@example.jp", tiny, sizeof(tiny)));
}

static void address_of_a_sender(void **state)
{
	char out[MG_EMAIL_MAX + 1];
	mg_mail_address_of("\xe7\xaa\x93\xe5\x8f\xa3 Madoguchi <noreply@example.jp>", out, sizeof(out));
	assert_string_equal(out, "noreply@example.jp");
	mg_mail_address_of("noreply@example.jp", out, sizeof(out));
	assert_string_equal(out, "noreply@example.jp");
	mg_mail_address_of("Name <no reply@example.jp>", out, sizeof(out));
	assert_string_equal(out, "");
}

/* --- headers --- */

/* Checks every line of a folded header value and returns the decoded text (caller frees). */
static char *decode_words(const char *value, size_t first_used)
{
	char *text = calloc(1, strlen(value) + 1);
	const char *line = value;
	size_t used = first_used;
	for (;;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		assert_true(used + len <= 76);
		const char *word = line + (line != value ? 1 : 0);
		if (line != value)
			assert_int_equal(line[0], ' ');
		assert_memory_equal(word, "=?UTF-8?B?", 10);
		assert_memory_equal(line + len - 2, "?=", 2);
		size_t b64 = len - (size_t)(word - line) - 12;
		unsigned char bytes[64];
		int n = EVP_DecodeBlock(bytes, (const unsigned char *)word + 10, (int)b64);
		assert_true(n >= 0);
		while (b64 > 0 && word[10 + b64 - 1] == '=') { /* DecodeBlock counts padding as zeros */
			n--;
			b64--;
		}
		assert_true(mg_utf8_valid((const char *)bytes, (size_t)n)); /* whole characters only */
		strncat(text, (const char *)bytes, (size_t)n);
		if (end == NULL)
			break;
		line = end + 2;
		used = 0;
	}
	return text;
}

static void header_ascii_stays_plain(void **state)
{
	struct mg_buf out;
	mg_buf_init(&out);
	mg_mail_encode_header("[Hall] Confirm your registration", strlen("Subject"), &out);
	assert_string_equal(out.data, "[Hall] Confirm your registration");
	mg_buf_free(&out);
}

static void header_japanese_is_b_encoded_in_whole_characters(void **state)
{
	/* 【テスト市民ホール】ご登録の確認 */
	const char *subject = "\xe3\x80\x90\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\xe5\xb8\x82\xe6\xb0\x91\xe3\x83\x9b\xe3"
			      "\x83\xbc\xe3\x83\xab\xe3\x80\x91\xe3\x81\x94\xe7\x99\xbb\xe9\x8c\xb2\xe3\x81\xae\xe7\xa2"
			      "\xba\xe8\xaa\x8d";
	struct mg_buf out;
	mg_buf_init(&out);
	mg_mail_encode_header(subject, strlen("Subject"), &out);
	assert_non_null(strstr(out.data, "\r\n ")); /* 16 characters do not fit one word */
	char *text = decode_words(out.data, strlen("Subject: "));
	assert_string_equal(text, subject);
	free(text);

	/* a long mixed text with a 4-byte character folds into many lines */
	struct mg_buf long_text;
	mg_buf_init(&long_text);
	for (int i = 0; i < 40; i++)
		mg_buf_puts(&long_text, i % 7 == 0 ? "\xf0\x9f\x8e\xab" /* 🎫 */ : i % 3 ? "\xe7\xaa\x93" : "a ");
	mg_buf_reset(&out);
	mg_mail_encode_header(long_text.data, strlen("Subject"), &out);
	text = decode_words(out.data, strlen("Subject: "));
	assert_string_equal(text, long_text.data);
	free(text);
	mg_buf_free(&long_text);
	mg_buf_free(&out);
}

static void header_that_looks_encoded_or_is_long_is_encoded(void **state)
{
	struct mg_buf out;
	mg_buf_init(&out);
	mg_mail_encode_header("=?UTF-8?B?AAAA?=", strlen("Subject"), &out);
	char *text = decode_words(out.data, strlen("Subject: "));
	assert_string_equal(text, "=?UTF-8?B?AAAA?=");
	free(text);
	mg_buf_free(&out);
}

/* --- whole messages --- */

static void message_has_headers_crlf_and_a_base64_body(void **state)
{
	struct mg_mail_message m = {
		.from = "\xe7\xaa\x93\xe5\x8f\xa3 Madoguchi <noreply@example.jp>",
		.to = "hanako@example.jp",
		.subject = "[\xe7\xaa\x93\xe5\x8f\xa3] Confirm",
		.body = "Line one\nhttps://localhost:8443/demo/account/confirm?token=abc\n\n\xe7\xaa\x93\xe5\x8f\xa3\r\nend",
		.message_id = "<1.2-3.abcd@example.jp>",
		.date = 0,
	};
	struct mg_buf out;
	mg_buf_init(&out);
	assert_int_equal(mg_mail_compose(&m, &out), MG_OK);
	const char *eml = out.data;
	assert_memory_equal(eml, "Date: Thu, 01 Jan 1970 09:00:00 +0900\r\n", 39);
	assert_non_null(strstr(eml, "\r\nFrom: =?UTF-8?B?"));
	assert_non_null(strstr(eml, "?= <noreply@example.jp>\r\nTo: hanako@example.jp\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(eml, "\r\nMessage-ID: <1.2-3.abcd@example.jp>\r\nMIME-Version: 1.0\r\n"
				    "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
	for (size_t i = 0; i < out.len; i++)
		if (eml[i] == '\n')
			assert_int_equal(eml[i - 1], '\r'); /* no bare line feed anywhere */
	const char *body = strstr(eml, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	struct mg_buf decoded;
	mg_buf_init(&decoded);
	for (const char *line = body; *line != '\0';) {
		const char *end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 76);
		unsigned char chunk[64];
		int n = EVP_DecodeBlock(chunk, (const unsigned char *)line, (int)(end - line));
		for (const char *p = end; p > line && p[-1] == '='; p--)
			n--;
		mg_buf_append(&decoded, chunk, (size_t)n);
		line = end + 2;
	}
	assert_string_equal(decoded.data, "Line one\r\nhttps://localhost:8443/demo/account/confirm?token=abc\r\n\r\n"
					  "\xe7\xaa\x93\xe5\x8f\xa3\r\nend");
	mg_buf_free(&decoded);

	mg_buf_reset(&out);
	m.from = "Madoguchi <noreply@example.jp>";
	assert_int_equal(mg_mail_compose(&m, &out), MG_OK);
	assert_non_null(strstr(out.data, "\r\nFrom: Madoguchi <noreply@example.jp>\r\n"));
	mg_buf_free(&out);
}

static void message_refuses_header_injection_and_bad_text(void **state)
{
	struct mg_mail_message good = { "noreply@example.jp", "hanako@example.jp", "Hello", "Body", "<1@example.jp>", 0 };
	struct mg_mail_message m;
	struct mg_buf out;
	mg_buf_init(&out);
	m = good;
	m.subject = "Hello\r\nBcc: all@example.jp";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	m = good;
	m.to = "hanako@example.jp\nBcc: x@example.jp";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	m = good;
	m.from = "Name\n <noreply@example.jp>";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	m = good;
	m.from = "Name only";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	m = good;
	m.body = "\xc3\x28 not UTF-8";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	m = good;
	m.subject = "\xff";
	assert_int_equal(mg_mail_compose(&m, &out), MG_ERR_INPUT);
	assert_int_equal(out.len, 0); /* nothing half written */
	assert_int_equal(mg_mail_compose(&good, &out), MG_OK);
	mg_buf_free(&out);
}

/* --- configuration --- */

static void mail_configuration_is_checked(void **state)
{
	struct mg_config cfg;
	char errbuf[256];
	mg_config_defaults(&cfg);
	assert_string_equal(cfg.mail_transport, "maildir");
	assert_int_equal(mg_config_parse("mail_transport = smtp\nsmtp_url = smtps://relay.example.jp:465\n"
					 "mail_from = \xe7\xaa\x93\xe5\x8f\xa3 <noreply@example.jp>\n"
					 "public_url = https://madoguchi.example.jp\n",
					 NULL, &cfg, errbuf, sizeof(errbuf)),
			 MG_OK);
	assert_string_equal(cfg.smtp_url, "smtps://relay.example.jp:465");
	const char *const bad[] = {
		"mail_transport = pigeon\n",
		"mail_transport = smtp\n",
		"mail_transport = smtp\nsmtp_url = http://relay\n",
		"mail_from = nobody\n",
		"public_url = https://example.jp/\n",
		"public_url = example.jp\n",
		"public_url =\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mg_config_defaults(&cfg);
		assert_int_equal(mg_config_parse(bad[i], NULL, &cfg, errbuf, sizeof(errbuf)), MG_ERR_CONFIG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(email_normalise_accepts_and_lowercases),
		cmocka_unit_test(email_normalise_refuses_what_is_no_address),
		cmocka_unit_test(address_of_a_sender),
		cmocka_unit_test(header_ascii_stays_plain),
		cmocka_unit_test(header_japanese_is_b_encoded_in_whole_characters),
		cmocka_unit_test(header_that_looks_encoded_or_is_long_is_encoded),
		cmocka_unit_test(message_has_headers_crlf_and_a_base64_body),
		cmocka_unit_test(message_refuses_header_injection_and_bad_text),
		cmocka_unit_test(mail_configuration_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
