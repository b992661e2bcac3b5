# scripts/bench onsale (sourced by scripts/bench once its stack is up): puts one performance of
# $SEATS seats on sale in a fresh tenant, sells it out with $BUYERS virtual buyers through nginx,
# counts double sales in the database, and measures the two ceilings in the same run.
# shellcheck shell=bash
bin=$BUILD/madoguchi
make -C "$BUILD" -s -j2 tests/bench/onsale tests/bench/hold_ceiling || mg_die "the bench programs did not build"
"$bin" -c "$MG_CONF" tenant create --slug bench --name "負荷試験ホール" --modules tickets >/dev/null
"$ROOT/scripts/gen-seatmap" "$SEATS" "負荷試験ホール" >"$MG_VAR_DIR/tmp/hall.xml"
out=$("$bin" -c "$MG_CONF" tickets import-map --tenant bench --venue-name "大ホール" "$MG_VAR_DIR/tmp/hall.xml")
read -r map seats venue < <(sed -n 's/^seat map \([0-9]*\): \([0-9]*\) seats in venue \([0-9]*\).*/\1 \2 \3/p' <<<"$out")
tenant=$(_mg_mariadb -N -B madoguchi -e "SELECT id FROM tenant WHERE slug = 'bench'")
perf=$(_mg_mariadb -N -B madoguchi <<SQL
SET SESSION max_recursive_iterations = 1000000;
SET @t = $tenant, @venue = $venue, @map = $map, @seats = $seats;
INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state, per_order_limit)
VALUES (@t, '発売日', '', @venue, @map, 'seated', 'published', 8);
SET @e = LAST_INSERT_ID();
INSERT INTO tickets_category (tenant_id, event_id, code, name, rank_no) VALUES
    (@t, @e, 'S', 'S席', 1), (@t, @e, 'A', 'A席', 2), (@t, @e, 'B', 'B席', 3);
INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES (@t, @e, '一般', 1);
SET @type = LAST_INSERT_ID();
INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount) VALUES
    (@t, @e, 'S', @type, 8000), (@t, @e, 'A', @type, 6000), (@t, @e, 'B', @type, 4000);
INSERT INTO tickets_performance (tenant_id, event_id, starts_at, sale_starts_at, sale_ends_at)
VALUES (@t, @e, UTC_TIMESTAMP() + INTERVAL 30 DAY, UTC_TIMESTAMP() - INTERVAL 1 HOUR, UTC_TIMESTAMP() + INTERVAL 29 DAY);
SET @p = LAST_INSERT_ID();
INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
    WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < @seats)
    SELECT @t, 'tickets.seat', @p, u, 'free' FROM n;
SELECT @p;
SQL
)

echo "madoguchi bench onsale: $(nproc) cores, $MG_WORKERS workers, $BUYERS buyers, one performance of $seats seats"
echo "the onsale (through nginx over TLS; each buyer: cart, hold 1–4 adjacent seats, checkout):"
# MG_BENCH_PERF=1: a system-wide perf profile of the onsale, summarised by process and library
if [ -n "${MG_BENCH_PERF:-}" ]; then
	perf record -a -g -F 199 -o "$MG_VAR_DIR/perf.data" -- sleep 3600 >/dev/null 2>&1 &
	perf_pid=$!
fi
"$BUILD/tests/bench/onsale" "$base" bench "$perf" "$BUYERS" | sed 's/^/  /'
if [ -n "${MG_BENCH_PERF:-}" ]; then
	kill -INT "$perf_pid"; wait "$perf_pid" || true
	echo "  where the CPU went (perf, share of samples by process):"
	perf report -i "$MG_VAR_DIR/perf.data" --no-children --sort comm --stdio 2>/dev/null |
		grep -E '^ +[0-9.]+%' | head -8 | sed 's/^/    /'
	echo "  and by function (top 25):"
	perf report -i "$MG_VAR_DIR/perf.data" --no-children --sort comm,dso,symbol --stdio 2>/dev/null |
		grep -E '^ +[0-9.]+%' | head -25 | sed 's/^/    /'
fi
sold=$(_mg_mariadb -N -B madoguchi -e "SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = $tenant
	AND kind = 'tickets.seat' AND resource_id = $perf AND state = 'sold'")
double=$(_mg_mariadb -N -B madoguchi -e "SELECT COUNT(*) FROM (SELECT l.unit FROM order_line l JOIN orders o
	ON o.tenant_id = l.tenant_id AND o.id = l.order_id WHERE l.tenant_id = $tenant AND l.kind = 'tickets.seat'
	AND l.resource_id = $perf AND o.state IN ('pending', 'paid') GROUP BY l.unit HAVING COUNT(*) > 1) d")
tickets=$(_mg_mariadb -N -B madoguchi -e "SELECT COUNT(*) FROM tickets_ticket WHERE tenant_id = $tenant
	AND performance_id = $perf AND state = 'valid'")
echo "  database: $sold of $seats seats sold, $tickets valid tickets, double sales: $double"

echo "ceilings (same run, same machine):"
wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency "$base/_modules/tickets" | awk '
	/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
	END { printf "  trivial FastCGI route (/_modules/tickets, wrk -c32): %.0f req/s   p50 %s   p99 %s\n", rps, p50, p99 }'
"$BUILD/tests/bench/hold_ceiling" "$MG_CONF" "$tenant" "$SEATS" 8 | sed 's/^/  /'
