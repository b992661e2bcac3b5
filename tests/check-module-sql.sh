#!/bin/sh
# Module SQL names no core table (tests/check_module_sql.py).
exec python3 "${srcdir:-$(dirname "$0")/..}/tests/check_module_sql.py" "${srcdir:-$(dirname "$0")/..}"
