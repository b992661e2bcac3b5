/*
 * Commerce seen from a request (core/web/commerce_api.c, core/web/receipt.c): the environment the
 * booking functions need, the tenant's invoice registration number, and the receipt page
 * (領収書) of a paid order with the back-office setting for that number.
 */
#ifndef MG_COMMERCE_WEB_H
#define MG_COMMERCE_WEB_H

#include "booking.h"
#include "db.h"
#include "http.h"

/* The statements of mg_receipt_statements (receipt.c); a call names one as &mg_receipt_statements[<constant>]. */
enum mg_receipt_sql {
	MG_SQL_RECEIPT_INVOICE_NUMBER_GET,
	MG_SQL_RECEIPT_INVOICE_NUMBER_SET,
	MG_SQL_RECEIPT_INVOICE_NUMBER_CLEAR,
	MG_SQL_RECEIPT__MAX
};
extern const struct mg_sql mg_receipt_statements[MG_SQL_RECEIPT__MAX + 1];
extern const struct mg_route mg_receipt_routes[];

/* See core/module.h ("commerce for every module"). */
void mg_commerce_env(struct mg_ctx *ctx, struct mg_commerce_env *env);
const char *mg_invoice_number(struct mg_ctx *ctx);
const char *mg_receipt_path(struct mg_ctx *ctx, const char *code);

#endif
