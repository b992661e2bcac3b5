#!/bin/sh
# The binary exports exactly the module API of core/module.sym (tests/check_module_api.py).
exec python3 "${srcdir:-$(dirname "$0")/..}/tests/check_module_api.py" "${srcdir:-$(dirname "$0")/..}" "${top_builddir:-.}"
