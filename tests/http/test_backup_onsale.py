"""A backup taken during a running onsale (issue 5: "Backup during a running onsale (the tickets
load client): the restored copy is consistent (no order without its tickets, no sold seat without
an order), and the drill passes"). tests/bench/onsale — the benchmark's load client — sells a
hall through nginx while `madoguchi backup now` runs; the backup is restored beside the live
database and checked, and the restore drill passes on it."""
import os
import shutil
import subprocess
import tempfile

import pytest

from helpers import (add_performance, backup_now, BASE_URL, BUILD_DIR, madoguchi, make_tenant, ScratchServer,
                    sql, stack_ctl, VAR_DIR, wait_until)


@pytest.fixture(scope="module", autouse=True)
def own_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


def make_hall(seats):
    """A tenant with one performance on sale of a `seats`-seat hall (rows R1, R2, … of 20)."""
    slug, tid = make_tenant()
    ids = sql(f"""
        SET SESSION max_recursive_iterations = {seats + 10};
        INSERT INTO tickets_venue (tenant_id, name) VALUES ({tid}, '大ホール');
        SET @venue = LAST_INSERT_ID();
        INSERT INTO tickets_seat_map (tenant_id, venue_id, name, xml, width, height, seat_count)
          VALUES ({tid}, @venue, '標準', '<seatmap/>', 1000, 8000, {seats});
        SET @map = LAST_INSERT_ID();
        INSERT INTO tickets_seat (tenant_id, seat_map_id, seat_no, section, row_label, number_label, label,
                                  category, x, y, best, row_order)
          WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < {seats})
          SELECT {tid}, @map, u, '1階', CONCAT('R', (u - 1) DIV 20 + 1), (u - 1) MOD 20 + 1,
                 CONCAT('1階 R', (u - 1) DIV 20 + 1, '列 ', (u - 1) MOD 20 + 1, '番'), 'S',
                 ((u - 1) MOD 20) * 40, ((u - 1) DIV 20) * 40, u, (u - 1) MOD 20 + 1 FROM n;
        INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state)
          VALUES ({tid}, '発売日', '', @venue, @map, 'seated', 'published');
        SET @event = LAST_INSERT_ID();
        INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES ({tid}, @event, '一般', 1);
        INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount)
          VALUES ({tid}, @event, 'S', LAST_INSERT_ID(), 5000);
        SELECT @event, @map;
    """).split()
    perf, _ = add_performance(tid, int(ids[0]), int(ids[1]))
    return {"slug": slug, "tid": tid, "perf": perf, "seats": seats}


def sold(show):
    return int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {show['tid']} AND kind = 'tickets.seat'"
                   f" AND resource_id = {show['perf']} AND state = 'sold'"))


def test_a_backup_during_an_onsale_restores_consistent_and_the_drill_passes():
    show = make_hall(3000)
    client = subprocess.Popen([os.path.join(BUILD_DIR, "tests", "bench", "onsale"), BASE_URL, show["slug"],
                               str(show["perf"]), "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: sold(show) >= 20, timeout=60, what="the first orders of the onsale")
        backup_id = backup_now()
        during = sold(show)
    finally:
        out, err = client.communicate(timeout=300)
    assert client.returncode == 0, out + err
    assert "5xx 0, transport 0" in out, out
    assert during < show["seats"] or sold(show) == show["seats"]

    into = tempfile.mkdtemp(prefix="into-", dir=os.path.join(VAR_DIR, "tmp"))
    os.rmdir(into)
    server = None
    try:
        assert madoguchi("restore", backup_id, "--into", into, timeout=300).returncode == 0
        server = ScratchServer(into)
        q = server.query
        t, p = show["tid"], show["perf"]
        in_copy = int(q(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {t} AND kind = 'tickets.seat'"
                        f" AND resource_id = {p} AND state = 'sold'")[0][0])
        assert in_copy > 0, "the backup was taken after the first orders"
        orphan_orders = q(f"SELECT COUNT(*) FROM orders o WHERE o.tenant_id = {t} AND o.state IN ('pending', 'paid')"
                          f" AND NOT EXISTS (SELECT 1 FROM tickets_ticket k WHERE k.tenant_id = o.tenant_id"
                          f" AND k.order_id = o.id)")
        assert orphan_orders == [["0"]], "an order without its tickets"
        orphan_seats = q(f"SELECT COUNT(*) FROM inventory_unit u WHERE u.tenant_id = {t} AND u.kind = 'tickets.seat'"
                         f" AND u.resource_id = {p} AND u.state = 'sold' AND NOT EXISTS (SELECT 1 FROM orders o"
                         f" WHERE o.tenant_id = u.tenant_id AND o.id = u.order_id)")
        assert orphan_seats == [["0"]], "a sold seat without an order"
        tickets = int(q(f"SELECT COUNT(*) FROM tickets_ticket WHERE tenant_id = {t} AND performance_id = {p}"
                        f" AND state = 'valid'")[0][0])
        assert tickets == in_copy, "one ticket per sold seat in the copy"
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(into, ignore_errors=True)

    # the onsale queued a confirmation mail per order: they would sit before the next tests'
    # mails in the outbox (mail send delivers the oldest first, a batch at a time)
    sql(f"DELETE FROM mail_outbox WHERE tenant_id = {show['tid']} AND state = 'queued'")

    drill = madoguchi("drill", backup_id, timeout=300)
    assert drill.returncode == 0, drill.stderr
    assert drill.stdout.startswith(f"drill passed: {backup_id}")

