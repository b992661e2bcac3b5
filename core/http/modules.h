/* The module loader (core side only; modules see module.h). */
#ifndef MG_MODULES_H
#define MG_MODULES_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "module.h"

/* dlopen()s every module named in cfg->modules from <module_dir>/<name>/<name>.so (or
 * <module_dir>/<name>.so) and checks its descriptor; errbuf says which and why. */
enum mg_err mg_modules_load(const struct mg_config *cfg, char *errbuf, size_t errlen);
void mg_modules_unload(void);
size_t mg_modules_count(void);
const struct mg_module *mg_modules_get(size_t i);

#endif
