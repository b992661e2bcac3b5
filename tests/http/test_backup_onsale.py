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

from conftest import BASE_URL, BUILD_DIR, VAR_DIR, stack_ctl, wait_until
from test_backoffice import sql
from test_backup import ScratchServer, backup_now
from test_jobs import madoguchi
from test_tickets_api import make_show


@pytest.fixture(scope="module", autouse=True)
def own_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


def sold(show):
    return int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {show['tid']} AND kind = 'seat'"
                   f" AND resource_id = {show['perf']} AND state = 'sold'"))


def test_a_backup_during_an_onsale_restores_consistent_and_the_drill_passes():
    show = make_show(seats=400, ga=0)
    client = subprocess.Popen([os.path.join(BUILD_DIR, "tests", "bench", "onsale"), BASE_URL, show["slug"],
                               str(show["perf"]), "16"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
        in_copy = int(q(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {t} AND kind = 'seat'"
                        f" AND resource_id = {p} AND state = 'sold'")[0][0])
        assert in_copy > 0, "the backup was taken after the first orders"
        orphan_orders = q(f"SELECT COUNT(*) FROM orders o WHERE o.tenant_id = {t} AND o.state IN ('pending', 'paid')"
                          f" AND NOT EXISTS (SELECT 1 FROM tickets_ticket k WHERE k.tenant_id = o.tenant_id"
                          f" AND k.order_id = o.id)")
        assert orphan_orders == [["0"]], "an order without its tickets"
        orphan_seats = q(f"SELECT COUNT(*) FROM inventory_unit u WHERE u.tenant_id = {t} AND u.kind = 'seat'"
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

    drill = madoguchi("drill", backup_id, timeout=300)
    assert drill.returncode == 0, drill.stderr
    assert drill.stdout.startswith(f"drill passed: {backup_id}")
