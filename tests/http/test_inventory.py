"""core/commerce/inventory.c against the live MariaDB: tests/db/inventory_race (C, threads with their own
connections) races for the same seats and general-admission places and checks that no unit is
ever held or sold twice, that all-or-nothing holds leave nothing behind, and the lapse, confirm,
block, release and sweep rules. The HTTP race through nginx lives with the tickets API tests."""
import os
import subprocess
import uuid

from helpers import BUILD_DIR, CONFIG, madoguchi, sql


def test_units_are_never_held_or_sold_twice_under_a_race():
    slug = f"inv-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "在庫テスト", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    race = os.path.join(BUILD_DIR, "tests", "db", "inventory_race")
    out = subprocess.run([race, CONFIG, tenant_id], capture_output=True, text=True, timeout=300)
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FAILED" not in out.stdout
    assert out.stdout.count("\nok ") + out.stdout.startswith("ok ") >= 15, out.stdout
    # and it left its rows with this tenant only
    assert int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {tenant_id}").strip()) > 0
