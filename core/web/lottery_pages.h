/* The public results page of a lottery, /<slug>/lottery/<id> (core/web/lottery_pages.c). */
#ifndef MG_LOTTERY_PAGES_H
#define MG_LOTTERY_PAGES_H

#include "request.h"

extern const struct mg_route mg_lottery_routes[];

#endif
