/*
 * Signed codes under a per-tenant Ed25519 key (see signing.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "signing.h"

enum { KEY_ID = 1 }; /* one key per tenant for now; key_id leaves room for rotation */

const struct mg_sql mg_signing_statements[] = {
	[MG_SQL_SIGNING_PUBLIC] = { "core.signing_public",
	  "SELECT public_key FROM signing_key WHERE tenant_id = ? AND key_id = ?" },
	[MG_SQL_SIGNING_PRIVATE] = { "core.signing_private",
	  "SELECT private_sealed FROM signing_key WHERE tenant_id = ? AND key_id = ?" },
	/* two workers making the first key at once, each inside its own transaction: the second
	 * INSERT waits for the first, is ignored, and this locking read (the latest committed row,
	 * not the transaction's snapshot) gives both the winner's key */
	[MG_SQL_SIGNING_PRIVATE_CURRENT] = { "core.signing_private_current",
	  "SELECT private_sealed FROM signing_key WHERE tenant_id = ? AND key_id = ? LOCK IN SHARE MODE" },
	[MG_SQL_SIGNING_INSERT] = { "core.signing_insert",
	  "INSERT IGNORE INTO signing_key (tenant_id, key_id, public_key, private_sealed, created_at)"
	  " VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))" },
	[MG_SQL_SIGNING__MAX] = { NULL, NULL },
};

static bool payload_ok(const char *payload)
{
	size_t n = strlen(payload);
	if (n == 0 || n > MG_SIGNED_PAYLOAD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (payload[i] < 0x21 || payload[i] > 0x7e || payload[i] == '.')
			return false;
	return true;
}

static void key_aad(uint64_t tenant, char *aad, size_t size)
{
	snprintf(aad, size, "signing_key.private:tenant=%llu", (unsigned long long)tenant);
}

/* Makes and stores a key pair unless the tenant has one already. */
static enum mg_err make_key(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			    const unsigned char tenant_key[MG_KEY_BYTES])
{
	unsigned char pub[MG_ED25519_KEY], priv[MG_ED25519_KEY];
	char aad[80];
	struct mg_buf sealed = { 0 };
	enum mg_err err = mg_ed25519_keygen(pub, priv);
	key_aad(tenant, aad, sizeof(aad));
	if (err == MG_OK)
		err = mg_seal(tenant_key, aad, priv, sizeof(priv), &sealed);
	if (err == MG_OK) {
		struct mg_dbval args[] = { MG_INT(tenant), MG_INT(KEY_ID), MG_BLOB(pub, sizeof(pub)),
					   MG_BLOB(sealed.data, sealed.len), MG_INT(mg_now()) };
		err = mg_db_exec(db, arena, &mg_signing_statements[MG_SQL_SIGNING_INSERT], args, 5, NULL, NULL, NULL);
	}
	OPENSSL_cleanse(priv, sizeof(priv));
	mg_buf_free(&sealed);
	return err;
}

/* The tenant's private key, made on first use. */
static enum mg_err private_key(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			       const unsigned char tenant_key[MG_KEY_BYTES], unsigned char priv[MG_ED25519_KEY])
{
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(KEY_ID) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_signing_statements[MG_SQL_SIGNING_PRIVATE], args, 2, &rows, NULL, NULL);
	if (err == MG_OK && rows.nrows == 0) {
		if ((err = make_key(db, arena, tenant, tenant_key)) == MG_OK)
			err = mg_db_exec(db, arena, &mg_signing_statements[MG_SQL_SIGNING_PRIVATE_CURRENT], args, 2,
			                 &rows, NULL, NULL);
	}
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1)
		return MG_ERR_INTERNAL;
	char aad[80];
	key_aad(tenant, aad, sizeof(aad));
	struct mg_buf plain = { 0 };
	err = mg_unseal(tenant_key, aad, MG_CELL(&rows, 0, 0), rows.lens[0], &plain);
	if (err == MG_OK && plain.len != MG_ED25519_KEY)
		err = MG_ERR_INTERNAL;
	if (err == MG_OK)
		memcpy(priv, plain.data, MG_ED25519_KEY);
	else if (err == MG_ERR_INPUT)
		err = MG_ERR_INTERNAL; /* a key that does not open is our fault, not the caller's */
	if (plain.data != NULL)
		OPENSSL_cleanse(plain.data, plain.len);
	mg_buf_free(&plain);
	return err;
}

enum mg_err mg_signing_sign(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			    const unsigned char tenant_key[MG_KEY_BYTES], const char *payload, const char **code)
{
	*code = NULL;
	if (tenant_key == NULL)
		return MG_ERR_INTERNAL;
	if (payload == NULL || !payload_ok(payload))
		return MG_ERR_INPUT;
	unsigned char priv[MG_ED25519_KEY], sig[MG_ED25519_SIG];
	enum mg_err err = private_key(db, arena, tenant, tenant_key, priv);
	if (err == MG_OK)
		err = mg_ed25519_sign(priv, payload, strlen(payload), sig);
	OPENSSL_cleanse(priv, sizeof(priv));
	if (err != MG_OK)
		return err;
	size_t n = strlen(payload);
	char *out = mg_arena_alloc(arena, n + 1 + MG_ED25519_SIG_CHARS + 2);
	if (out == NULL)
		return MG_ERR_NOMEM;
	memcpy(out, payload, n);
	out[n] = '.';
	mg_base64url_encode(sig, sizeof(sig), out + n + 1);
	*code = out;
	return MG_OK;
}

enum mg_err mg_signing_verify(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *code,
			      const char **payload)
{
	*payload = NULL;
	const char *dot = code != NULL ? strchr(code, '.') : NULL;
	if (dot == NULL || (size_t)(dot - code) > MG_SIGNED_PAYLOAD_MAX)
		return MG_ERR_INPUT;
	size_t n = (size_t)(dot - code);
	char *signed_part = mg_arena_alloc(arena, n + 1);
	if (signed_part == NULL)
		return MG_ERR_NOMEM;
	memcpy(signed_part, code, n);
	signed_part[n] = '\0';
	unsigned char sig[MG_ED25519_SIG];
	if (!payload_ok(signed_part) || mg_base64url_decode(dot + 1, sig, sizeof(sig)) != MG_OK)
		return MG_ERR_INPUT;
	struct mg_dbval args[] = { MG_INT(tenant), MG_INT(KEY_ID) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_signing_statements[MG_SQL_SIGNING_PUBLIC], args, 2, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows != 1 || rows.lens[0] != MG_ED25519_KEY)
		return MG_ERR_INPUT;
	if (!mg_ed25519_verify((const unsigned char *)MG_CELL(&rows, 0, 0), signed_part, n, sig))
		return MG_ERR_INPUT;
	*payload = signed_part;
	return MG_OK;
}
