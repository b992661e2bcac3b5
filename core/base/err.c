#include "err.h"

static const char *const messages[MG_ERR__MAX] = {
	[MG_OK] = "ok",
	[MG_ERR_NOMEM] = "out of memory",
	[MG_ERR_IO] = "input/output error",
	[MG_ERR_CONFIG] = "configuration error",
	[MG_ERR_INPUT] = "malformed input",
	[MG_ERR_TOO_LARGE] = "input too large",
	[MG_ERR_NOT_FOUND] = "not found",
	[MG_ERR_CONFLICT] = "conflict",
	[MG_ERR_EXPIRED] = "expired",
	[MG_ERR_DB] = "database error",
	[MG_ERR_DB_GONE] = "database unreachable",
	[MG_ERR_DB_BUSY] = "database busy (deadlock or lock wait), retries exhausted",
	[MG_ERR_MODULE] = "module error",
	[MG_ERR_TEMPLATE] = "template error",
	[MG_ERR_INTERNAL] = "internal error",
};

const char *mg_strerror(enum mg_err err)
{
	if ((unsigned)err >= MG_ERR__MAX)
		return "unknown error";
	return messages[err];
}
