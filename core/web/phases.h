/* The request phases of the core's web layer (core/web/phases.c): maintenance, tenant,
 * sessions, bearer tokens, CSRF, permissions, read-only contracts. */
#ifndef MG_PHASES_H
#define MG_PHASES_H

#include "err.h"

/* Registers them into the dispatcher, in order; call once before serving. */
enum mg_err mg_web_register_phases(void);

#endif
