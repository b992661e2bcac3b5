#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jobs.h"
#include "log.h"
#include "modules.h"
#include "order.h"
#include "permission.h"
#include "purge.h"
#include "tenant.h"

struct loaded {
	const struct mg_module *module;
	void *handle;
};

static struct loaded loaded[MG_MAX_MODULES];
static size_t nloaded;
static char schema_dir[sizeof(((struct mg_config *)0)->schema_dir)] = "schema";

const char *mg_schema_dir(void)
{
	return schema_dir;
}

static void module_path(const struct mg_config *cfg, const char *name, char *out, size_t outlen)
{
	struct stat st;
	/* the build tree keeps each module in its folder; an installed tree puts them side by side */
	snprintf(out, outlen, "%s/%s/%s.so", cfg->module_dir, name, name);
	if (stat(out, &st) == 0)
		return;
	snprintf(out, outlen, "%s/%s.so", cfg->module_dir, name);
}

static enum mg_err check_descriptor(const struct mg_module *m, const char *name, const char *path, char *errbuf,
				    size_t errlen)
{
	if (m->abi != MG_MODULE_ABI) {
		snprintf(errbuf, errlen,
			 "module '%s' (%s) was built for module ABI %u but this madoguchi has ABI %u: rebuild the module",
			 name, path, m->abi, MG_MODULE_ABI);
		return MG_ERR_MODULE;
	}
	if (m->name == NULL || strcmp(m->name, name) != 0) {
		snprintf(errbuf, errlen, "module '%s' (%s) calls itself '%s'", name, path, m->name ? m->name : "(null)");
		return MG_ERR_MODULE;
	}
	return MG_OK;
}

/* Hands the module's parts to the layers that use them: its name to tenants, its permissions
 * to auth, its jobs to the scheduler, its purge to the 30-day purge, its order mail to
 * commerce. */
static enum mg_err register_parts(const struct mg_module *m)
{
	enum mg_err err = mg_tenant_module_register(m->name);
	if (err == MG_OK)
		err = mg_permissions_register(m->permissions);
	if (err == MG_OK)
		err = mg_jobs_register(m->name, m->jobs);
	if (err == MG_OK)
		err = mg_purge_register(m->name, m->purge_tenant);
	if (err == MG_OK && m->order_mail != NULL)
		mg_order_set_mailer(m->name, m->order_mail);
	return err;
}

static enum mg_err load_one(const struct mg_config *cfg, const char *name, char *errbuf, size_t errlen)
{
	char path[600];
	module_path(cfg, name, path, sizeof(path));
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		snprintf(errbuf, errlen, "module '%s' cannot be loaded: %s", name, dlerror());
		return MG_ERR_MODULE;
	}
	const struct mg_module *m = dlsym(handle, "mg_module");
	if (m == NULL) {
		snprintf(errbuf, errlen, "module '%s' (%s) exports no mg_module descriptor", name, path);
		dlclose(handle);
		return MG_ERR_MODULE;
	}
	enum mg_err err = check_descriptor(m, name, path, errbuf, errlen);
	if (err != MG_OK) {
		dlclose(handle);
		return err;
	}
	if ((err = register_parts(m)) != MG_OK) {
		snprintf(errbuf, errlen, "module '%s': more than %d modules", name, MG_MAX_MODULES);
		dlclose(handle);
		return err;
	}
	loaded[nloaded].module = m;
	loaded[nloaded].handle = handle;
	nloaded++;
	mg_log_debug("module %s %s loaded from %s", name, m->version ? m->version : "", path);
	return MG_OK;
}

enum mg_err mg_modules_load(const struct mg_config *cfg, char *errbuf, size_t errlen)
{
	snprintf(schema_dir, sizeof(schema_dir), "%s", cfg->schema_dir);
	for (int i = 0; i < cfg->nmodules; i++) {
		for (size_t j = 0; j < nloaded; j++)
			if (strcmp(loaded[j].module->name, cfg->modules[i]) == 0) {
				snprintf(errbuf, errlen, "module '%s' is listed twice", cfg->modules[i]);
				return MG_ERR_CONFIG;
			}
		enum mg_err err = load_one(cfg, cfg->modules[i], errbuf, errlen);
		if (err != MG_OK)
			return err;
	}
	return MG_OK;
}

void mg_modules_unload(void)
{
	mg_tenant_modules_forget();
	mg_permissions_forget();
	mg_jobs_forget();
	mg_purge_forget();
	while (nloaded > 0) {
		nloaded--;
		dlclose(loaded[nloaded].handle);
	}
}

size_t mg_modules_count(void)
{
	return nloaded;
}

const struct mg_module *mg_modules_get(size_t i)
{
	return i < nloaded ? loaded[i].module : NULL;
}
