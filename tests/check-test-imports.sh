#!/bin/sh
# Fails when a pytest module imports another test module or conftest.py: what the tests share
# lives in tests/http/helpers.py (plain functions) and tests/http/conftest.py (fixtures), so each
# module runs alone, in any order, and a selection (-k) imports nothing it did not select.
exec python3 "$(dirname "$0")/check_test_imports.py" "${srcdir:-$(dirname "$0")/..}"
