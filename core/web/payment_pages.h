/* The test card provider's pages and the shop's signed callback (core/web/payment_pages.c). */
#ifndef MG_PAYMENT_PAGES_H
#define MG_PAYMENT_PAGES_H

#include "request.h"

extern const struct mg_route mg_payment_routes[];

#endif
