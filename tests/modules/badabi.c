/* A module that claims a future ABI: the loader must refuse it with a clear message. */
#include "core/module.h"

const struct mg_module mg_module = {
	.abi = MG_MODULE_ABI + 998,
	.name = "badabi",
	.version = "0.0.0",
};
