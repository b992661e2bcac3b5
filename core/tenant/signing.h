/*
 * Signed codes: "<payload>.<Ed25519 signature, base64url>" under a key per tenant (table
 * signing_key; the private key sealed with the tenant data key). E-ticket QR codes use it:
 * a gate checks a code from the signature alone, before looking anything up, and a code
 * cannot be forged or altered without the tenant's key. Modules reach it through module.h
 * (mg_sign_code, mg_verify_code).
 */
#ifndef MG_SIGNING_H
#define MG_SIGNING_H

#include <stdint.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "err.h"

/* The statements of mg_signing_statements (signing.c); a call names one as &mg_signing_statements[<constant>]. */
enum mg_signing_sql {
	MG_SQL_SIGNING_PUBLIC,
	MG_SQL_SIGNING_PRIVATE,
	MG_SQL_SIGNING_PRIVATE_CURRENT,
	MG_SQL_SIGNING_INSERT,
	MG_SQL_SIGNING__MAX
};
extern const struct mg_sql mg_signing_statements[MG_SQL_SIGNING__MAX + 1];

/* Payloads are printable ASCII without '.' (the separator) of at most this many bytes. */
enum { MG_SIGNED_PAYLOAD_MAX = 160 };

/* Signs payload with the tenant's key, making the key on first use; *code in the arena.
 * MG_ERR_INPUT for a payload that is empty, too long or not printable ASCII without '.'. */
enum mg_err mg_signing_sign(struct mg_db *db, struct mg_arena *arena, uint64_t tenant,
			    const unsigned char tenant_key[MG_KEY_BYTES], const char *payload, const char **code);
/* Checks code against the tenant's public key; on success *payload (arena) is the signed
 * part. MG_ERR_INPUT for anything malformed or a signature that does not verify (including
 * a tenant without a key). */
enum mg_err mg_signing_verify(struct mg_db *db, struct mg_arena *arena, uint64_t tenant, const char *code,
			      const char **payload);

#endif
