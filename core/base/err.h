/* Errors are values: every fallible core function returns enum mg_err, 0 is success. */
#ifndef MG_ERR_H
#define MG_ERR_H

enum mg_err {
	MG_OK = 0,
	MG_ERR_NOMEM,     /* allocation failed */
	MG_ERR_IO,        /* a file or socket operation failed */
	MG_ERR_CONFIG,    /* the configuration is wrong */
	MG_ERR_INPUT,     /* the client sent something malformed (answer 400) */
	MG_ERR_TOO_LARGE, /* the client sent too much (answer 413) */
	MG_ERR_NOT_FOUND, /* no such thing (answer 404) */
	MG_ERR_CONFLICT,  /* a unique key or a state check refused the change (409) */
	MG_ERR_EXPIRED,   /* it was valid once and no longer is: a lapsed hold or link (410) */
	MG_ERR_DB,        /* the database refused a statement */
	MG_ERR_DB_GONE,   /* the database server is unreachable (answer 503) */
	MG_ERR_DB_BUSY,   /* deadlock or lock wait timeout, still after the bounded retries */
	MG_ERR_MODULE,    /* a plug-in module is missing or incompatible */
	MG_ERR_TEMPLATE,  /* a template is malformed or rendering failed */
	MG_ERR_INTERNAL,  /* a bug: a broken invariant */
	MG_ERR__MAX
};

/* A short English description for logs; never shown to end users. */
const char *mg_strerror(enum mg_err err);

#endif
