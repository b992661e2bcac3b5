/*
 * `madoguchi serve`: a prefork master. It opens the FastCGI unix socket, forks the workers,
 * starts a new worker when one dies, replaces them one at a time on SIGHUP (each old worker
 * finishes the request it holds; the socket never closes, so nginx never sees a refusal)
 * and stops them all on SIGTERM or SIGINT.
 */
#ifndef MG_SERVE_H
#define MG_SERVE_H

#include "http.h"

/* Runs until SIGTERM/SIGINT; returns the process exit status. */
int mg_serve(struct mg_app *app);

#endif
