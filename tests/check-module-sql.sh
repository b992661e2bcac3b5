#!/bin/sh
# Module SQL names no core table (tests/check_module_sql.py); and the check can fail: a module
# whose statement joins a core table (split over two literals, as the tables in modules are)
# must be refused.
srcdir=${srcdir:-$(dirname "$0")/..}
python3 "$srcdir/tests/check_module_sql.py" "$srcdir" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/schema" "$tmp/modules/bad"
cp -r "$srcdir/schema/core" "$tmp/schema/core"
printf '%s\n' 'static const char *q = "SELECT b.id FROM bad_thing b"' \
	'	" JOIN order_line l ON l.order_id = b.order_id";' >"$tmp/modules/bad/bad.c"
if python3 "$srcdir/tests/check_module_sql.py" "$tmp" >"$tmp/out"; then
	echo "module sql: a module joining order_line was not refused"
	exit 1
fi
grep -q 'bad.c:1: names the core table order_line' "$tmp/out" || { cat "$tmp/out"; exit 1; }
echo "module sql: a module joining order_line is refused"
