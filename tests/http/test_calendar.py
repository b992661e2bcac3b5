"""core/commerce/calendar.c against the live MariaDB: tests/db/calendar_race (C, threads with their
own connections) races to occupy overlapping evenings of a hall and of its two parts and checks
that exactly one whole, or one per part, wins each round, that parts side by side are allowed,
that the database holds no overlapping live occupation and every claim, that a lapsed provisional
occupation is taken by someone else, and the hours, closed days and national holidays. Also: the
holiday list `madoguchi migrate` loaded from schema/holidays-jp.csv."""
import os
import subprocess
import uuid

from helpers import BUILD_DIR, CONFIG, madoguchi, sql


def test_occupations_never_overlap_under_a_race():
    slug = f"cal-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "暦テスト", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    race = os.path.join(BUILD_DIR, "tests", "db", "calendar_race")
    out = subprocess.run([race, CONFIG, tenant_id], capture_output=True, text=True, timeout=300)
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FAILED" not in out.stdout
    assert out.stdout.count("ok ") >= 35, out.stdout
    # the claims it made are this tenant's only
    assert int(sql(f"SELECT COUNT(*) FROM calendar_claim WHERE tenant_id = {tenant_id}").strip()) > 100


def test_the_national_holidays_are_loaded_from_the_shipped_list():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "schema", "holidays-jp.csv"), encoding="utf-8") as f:
        shipped = [line.strip().split(",", 1) for line in f if line.strip() and not line.startswith("#")]
    assert len(shipped) > 100
    loaded = dict(row.split("\t") for row in sql("SELECT day, name FROM holiday_jp").strip().splitlines())
    for day, name in shipped:
        assert loaded.get(day) == name, day
    assert loaded["2026-09-22"] == "休日"  # 国民の休日 between 敬老の日 and 秋分の日
    assert loaded["2027-01-11"] == "成人の日"
    assert "2026-12-29" not in loaded
