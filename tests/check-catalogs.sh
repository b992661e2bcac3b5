#!/bin/sh
# Every msgid the templates and the C code use has a Japanese translation (make check).
exec /usr/bin/python3 "${srcdir:-.}/scripts/check-catalogs"
