"""Keeping contractors informed (issue 16): maintenance windows announced by mail and on the
dashboards, switched on and off by the job core.maintenance; the watcher opening one incident
for a failure past its threshold, mailing once (flapping included), closing it with the downtime;
/status and its Atom feed; the incident export as CSV with a UTF-8 BOM.

Time moves through `jobs run --now` and the test clock file; the watcher is called once per step
(`madoguchi monitor --once`) instead of waiting for the scheduler's minutes."""

import os
import re
import subprocess
import time
import uuid

import pytest

from helpers import (BASE_URL, BIN, CONFIG, create_staff, logged_in, madoguchi, new_client, run_bin, send_mail,
                     set_clock, sql, stack_ctl, wait_until)
from helpers import mails_to as mails_with_raw

pytestmark = pytest.mark.usefixtures("real_clock")


def mails_to(address):
    """Sends what is queued, then the messages to address (oldest first)."""
    send_mail()
    return [msg for msg, _ in mails_with_raw(address)]


def tenant_with_admin(state=None):
    slug = f"st-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "運用状況テスト会館", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    password = create_staff(slug, "admin", "admin")
    address = f"{slug}@example.jp"
    done = madoguchi("staff", "email", "--tenant", slug, "--login", "admin", address.upper().replace("@", "＠"))
    assert done.returncode == 0, done.stderr
    assert address in done.stdout
    if state:
        done = madoguchi("tenant", state, slug)
        assert done.returncode == 0, done.stderr
    return {"slug": slug, "password": password, "address": address}


def utc_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def run_job(job, at):
    done = madoguchi("jobs", "run", job, "--now", utc_iso(at))
    assert done.returncode == 0, done.stdout + done.stderr


def switch():
    return madoguchi("maintenance").stdout.strip()


def test_a_scheduled_window_is_mailed_once_reminded_shown_and_switches_itself(tmp_path):
    first, second = tenant_with_admin(), tenant_with_admin()
    suspended = tenant_with_admin("suspend")
    start = (int(time.time()) // 3600 + 72) * 3600  # on the hour, three days ahead
    end = start + 2 * 3600
    done = madoguchi("maintenance", "schedule", "--from", utc_iso(start), "--to", utc_iso(end),
                     "--reason", "データベースの更新")
    assert done.returncode == 0, done.stderr
    window = re.search(r"window (\d+) scheduled", done.stdout).group(1)
    try:
        # every active tenant's administrators, at once, once; not a suspended tenant's
        for t in (first, second):
            mails = mails_to(t["address"])
            assert len(mails) == 1, [m["Subject"] for m in mails]
            assert "メンテナンスのお知らせ" in mails[0]["Subject"]
            body = mails[0].get_content()
            assert "データベースの更新" in body and "日本時間" in body
        assert mails_to(suspended["address"]) == []

        # the banner on the dashboard, in the tenant's zone, in both languages
        jst = time.gmtime(start + 9 * 3600)
        admin = logged_in(first["slug"], "admin", first["password"])
        page = admin.get(f"/{first['slug']}/admin/", headers={"Accept-Language": "ja"})
        assert page.status_code == 200
        assert f"{jst.tm_mon}月{jst.tm_mday}日" in page.text
        assert "はメンテナンスのためご利用いただけません" in page.text
        page = admin.get(f"/{first['slug']}/admin/", headers={"Accept-Language": "en"})
        assert "unavailable for maintenance" in page.text

        # and, from the lead time (72 h in the test stack's defaults), on the public pages
        public = new_client().get(f"/{second['slug']}/", headers={"Accept-Language": "ja"})
        assert public.status_code == 200 and "はメンテナンスのためご利用いただけません" in public.text
        assert f"{jst.tm_mon}月{jst.tm_mday}日" in public.text

        # no reminder two days ahead; one 24 h before, and only one
        run_job("core.maintenance", start - 2 * 86400)
        assert len(mails_to(first["address"])) == 1
        run_job("core.maintenance", start - 86400 + 60)
        run_job("core.maintenance", start - 86400 + 120)
        for t in (first, second):
            mails = mails_to(t["address"])
            assert len(mails) == 2, [m["Subject"] for m in mails]
            assert "前日" in mails[1]["Subject"]

        # on at the start, with its notice; every tenant page answers 503; off at the end
        assert switch() == "maintenance: off"
        run_job("core.maintenance", start + 30)
        assert switch().startswith("maintenance: on"), switch()
        r = new_client().get(f"/{first['slug']}/", headers={"Accept-Language": "ja"})
        assert r.status_code == 503 and "データベースの更新" in r.text
        assert new_client().get("/status").status_code == 200, "the status page stays up during maintenance"
        run_job("core.maintenance", end + 30)
        assert switch() == "maintenance: off"
        assert new_client().get(f"/{first['slug']}/").status_code == 200
        assert sql(f"SELECT state FROM maintenance_window WHERE id = {window}").strip() == "done"
    finally:
        madoguchi("maintenance", "cancel", window)
        madoguchi("maintenance", "off")


def test_a_window_in_the_past_or_without_reason_is_refused():
    now = int(time.time())
    done = madoguchi("maintenance", "schedule", "--from", utc_iso(now - 3600), "--to", utc_iso(now + 3600),
                     "--reason", "x")
    assert done.returncode == 1 and "past" in done.stderr
    done = madoguchi("maintenance", "schedule", "--from", "2026-13-01T00:00", "--to", utc_iso(now + 3600),
                     "--reason", "x")
    assert done.returncode == 1 and "not a time" in done.stderr
    done = madoguchi("maintenance", "schedule", "--from", utc_iso(now + 7200), "--to", utc_iso(now + 3600),
                     "--reason", "x")
    assert done.returncode == 1


def monitor(offset, config):
    """One round of the watcher's scheduler and web checks at the clock moved by offset. What the
    stack's own core.monitor recorded of the other checks while its scheduler ran is left out."""
    set_clock(offset)
    sql("DELETE FROM monitor_check WHERE name <> 'scheduler' AND name NOT LIKE 'web %'")
    return run_bin("monitor", "--once", "--check", "scheduler", "--check", "web", "--url", BASE_URL + "/healthz",
                   "--insecure", config=config)


def test_a_stopped_scheduler_opens_one_incident_mails_once_and_closing_measures_the_downtime(tmp_path):
    t = tenant_with_admin()
    operator = f"ops-{uuid.uuid4().hex[:8]}@example.jp"
    config = tmp_path / "watcher.conf"
    with open(CONFIG) as f:
        config.write_text(f.read() + f"\noperator_mail = {operator}\nmonitor_threshold = 180\n")
    config = str(config)
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    try:
        # its last heartbeat is now (an earlier test's moved clock may have left one ahead)
        sql("UPDATE platform_setting SET value = UNIX_TIMESTAMP() WHERE name = 'scheduler_heartbeat'")
        sql("DELETE FROM monitor_check; UPDATE incident SET ended_at = started_at WHERE ended_at IS NULL;"
            " UPDATE incident SET ended_at = started_at - INTERVAL 1 DAY, started_at = started_at - INTERVAL 1 DAY"
            " WHERE ended_at >= UTC_TIMESTAMP() - INTERVAL 2 HOUR")
        done = monitor(0, config)
        assert done.returncode == 0, done.stdout + done.stderr
        # no heartbeat for 6 minutes: failing, not yet past the threshold
        done = monitor(400, config)
        assert done.returncode == 1 and "1 failing" in done.stdout and "incident" not in done.stdout, done.stdout
        done = monitor(650, config)
        incident = re.search(r"incident (\d+) open", done.stdout).group(1)
        monitor(700, config)
        assert sql(f"SELECT COUNT(*) FROM incident WHERE ended_at IS NULL").strip() == "1"
        mails = mails_to(operator)
        assert len(mails) == 1 and "障害のお知らせ" in mails[0]["Subject"], [m["Subject"] for m in mails]
        assert "scheduler" in mails[0].get_content()
        assert len(mails_to(t["address"])) == 1

        # /status and the feed show it, ongoing
        page = new_client().get("/status", headers={"Accept-Language": "ja"})
        assert page.status_code == 200 and "一部のサービスに障害が発生しています" in page.text
        assert "対応中" in page.text
        feed = new_client().get("/status.atom", headers={"Accept-Language": "en"})
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
        assert f"urn:madoguchi:incident:{incident}" in feed.text and "ongoing" in feed.text

        # the scheduler back: closed, the downtime from the first failure to the healthy round
        started = stack_ctl("jobs-start")
        assert started.returncode == 0, started.stderr
        wait_until(lambda: int(sql("SELECT value FROM platform_setting WHERE name = 'scheduler_heartbeat'"))
                   >= time.time() + 600, timeout=30, what="a heartbeat at the moved clock")
        # (closed by this round, or already by the scheduler's own core.monitor at about +700)
        monitor(800, config)
        seconds = sql(f"SELECT TIMESTAMPDIFF(SECOND, started_at, ended_at) FROM incident WHERE id = {incident}")
        assert seconds.strip() != "NULL", "the incident is closed"
        assert 280 <= int(seconds) <= 420, seconds

        # flapping: stopped again minutes later, the same incident goes on, no second mail
        assert stack_ctl("jobs-stop").returncode == 0
        monitor(1300, config)
        done = monitor(1600, config)
        assert f"incident {incident} open" in done.stdout, done.stdout
        assert stack_ctl("jobs-start").returncode == 0
        wait_until(lambda: int(sql("SELECT value FROM platform_setting WHERE name = 'scheduler_heartbeat'"))
                   >= time.time() + 1500, timeout=30, what="a heartbeat at the moved clock")
        monitor(1700, config)
        assert sql(f"SELECT ended_at IS NOT NULL FROM incident WHERE id = {incident}").strip() == "1"
        assert sql("SELECT COUNT(*) FROM incident WHERE ended_at IS NULL").strip() == "0"
        assert len(mails_to(operator)) == 1
        assert len(mails_to(t["address"])) == 1

        # the operator's cause and measures, shown on /status and in the CSV export
        done = run_bin("incident", "report", incident, "--cause", "スケジューラの停止",
                       "--measures", "監視間隔を短縮", config=config)
        assert done.returncode == 0, done.stderr
        set_clock(0)
        page = new_client().get("/status", headers={"Accept-Language": "en"})
        assert "スケジューラの停止" in page.text and "All services are operating normally." in page.text
        assert re.search(r"\d+\.\d\d %", page.text)
        admin = logged_in(t["slug"], "admin", t["password"])
        board = admin.get(f"/{t['slug']}/admin/", headers={"Accept-Language": "ja"})
        assert "スケジューラの停止" in board.text and "監視間隔を短縮" in board.text and "過去90日間の障害" in board.text
        export = run_bin("incident", "export", config=config)
        assert export.returncode == 0
        assert export.stdout.startswith("\ufeff")
        assert "監視間隔を短縮" in export.stdout
    finally:
        set_clock(0)
        if not stack_ctl("jobs-pid").stdout.strip():
            stack_ctl("jobs-start")


def test_the_cli_finds_the_configuration_of_the_dev_checkout_it_runs_in(tmp_path):
    """Without -c or $MG_CONFIG, madoguchi reads var/madoguchi.conf of the checkout (the folder
    holding configure.ac) at or above the current folder, as scripts/run writes it."""
    (tmp_path / "configure.ac").write_text("AC_INIT\n")
    (tmp_path / "var").mkdir()
    with open(CONFIG) as f:
        (tmp_path / "var" / "madoguchi.conf").write_text(f.read())
    inside = tmp_path / "core" / "web"
    inside.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "MG_CONFIG"}
    done = subprocess.run([BIN, "maintenance"], cwd=inside, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("maintenance: "), done.stdout + done.stderr
    # elsewhere it falls back to /etc/madoguchi/madoguchi.conf (absent on a test machine)
    if os.path.exists("/etc/madoguchi/madoguchi.conf"):
        return
    done = subprocess.run([BIN, "maintenance"], cwd="/", env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "/etc/madoguchi/madoguchi.conf" in done.stderr
