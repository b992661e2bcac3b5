/* The core's own pages: /healthz, the platform landing page, the language switch. */
#ifndef MG_PAGES_H
#define MG_PAGES_H

#include "request.h"

extern const struct mg_route mg_core_routes[];
extern const struct mg_route mg_backoffice_routes[];
/* Only with strict_fields (the tests' configuration): GET /_probe/undeclared-field, whose
 * handler reads a field it does not declare, so the tests see that such a read is caught. */
extern const struct mg_route mg_probe_routes[];
/* The public's accounts: /<slug>/account/… (core/web/account.c). */
extern const struct mg_route mg_account_routes[];

#endif
