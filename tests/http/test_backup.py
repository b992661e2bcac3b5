"""Backups, restores and the restore drill (core/ops/backup.c, core/ops/drill.c) against the live stack:
a backup taken while requests are served and transactions commit is consistent and verifies;
restore --into gives a datadir with exactly the manifest's counts; the drill passes on a good
backup and shows on the operator console; one flipped byte makes verify and the drill fail
naming the file; a scheduler killed during a backup leaves a .partial that is never listed and
is caught up at the next start; retention follows --now.

The stack's own scheduler is stopped for this module (only one scheduler should decide what is
due while these tests move the clock and read the history) and started again at the end. Rows
written here belong to tenant ids no real tenant has; they are deleted at the end.
"""

import calendar
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from helpers import (backup_now, BIN, CONFIG, console_login, console_post, create_operator, EN, jst_iso,
                    madoguchi, new_client, ScratchServer, set_clock, sql_root, stack_ctl, VAR_DIR, wait_until)


BACKUPS = os.path.join(VAR_DIR, "backups")
PROBE = 990303          # tenant id of the rows the writer commits in pairs during a backup
JST = 9 * 3600


@pytest.fixture(scope="module", autouse=True)
def own_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    set_clock(0)
    sql_root(f"DELETE FROM session WHERE tenant_id = {PROBE}")
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


def console_home(lang=EN):
    """The operator console's dashboard, read by an operator logged in at the clock's time."""
    login, password = create_operator()
    client = new_client()
    try:
        assert console_login(client, login, password).status_code == 303
        r = console_post(client, "/_operator/password",
                         {"current": password, "password": "backup-no-himitsu-88", "confirm": "backup-no-himitsu-88"},
                         page="/_operator/password")
        assert r.status_code == 303, r.text
        home = client.get("/_operator/", headers=lang)
        assert home.status_code == 200
        return home.text
    finally:
        client.close()


def listed():
    done = madoguchi("backup", "list")
    assert done.returncode == 0, done.stderr
    return [line.split()[0] for line in done.stdout.splitlines()[1:] if not line.startswith("(")]


def manifest(backup_id):
    with open(os.path.join(BACKUPS, backup_id, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


class PairWriter:
    """Commits two session rows per transaction (token 'a…' and 'b…' with the same number, a
    pause between the two inserts) until told to stop: a consistent copy holds every pair whole."""

    def __init__(self):
        self.stop_token = "stop" + os.urandom(30).hex()
        row = ("INSERT INTO session (tenant_id, token_hash, kind, subject_id, stage, csrf_token, created_at,"
               " last_seen_at, expires_at) VALUES ({t}, CONCAT('{p}', LPAD(i, 63, '0')), 'staff', 1, 'complete',"
               " REPEAT('c', 43), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY);")
        block = (f"BEGIN NOT ATOMIC DECLARE i INT DEFAULT 0;"
                 f" WHILE i < 100000 AND NOT EXISTS (SELECT 1 FROM session WHERE tenant_id = {PROBE}"
                 f" AND token_hash = '{self.stop_token}') DO"
                 f" START TRANSACTION; {row.format(t=PROBE, p='a')} DO SLEEP(0.01); {row.format(t=PROBE, p='b')}"
                 f" COMMIT; SET i = i + 1; END WHILE; END")
        self.proc = subprocess.Popen(["mariadb", "--no-defaults", f"--socket={os.path.join(VAR_DIR, 'run', 'mysqld.sock')}",
                                      "-u", "root", "madoguchi"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write(f"DELIMITER //\n{block} //\n")
        self.proc.stdin.close()
        wait_until(lambda: self.pairs() >= 5, timeout=15, what="the writer's first pairs")

    @staticmethod
    def pairs():
        return int(sql_root(f"SELECT COUNT(*) FROM session WHERE tenant_id = {PROBE} AND token_hash LIKE 'b%'")[0][0])

    def stop(self):
        sql_root(f"INSERT INTO session (tenant_id, token_hash, kind, subject_id, stage, csrf_token, created_at,"
                 f" last_seen_at, expires_at) VALUES ({PROBE}, '{self.stop_token}', 'staff', 1, 'complete',"
                 f" REPEAT('c', 43), UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP())")
        self.proc.wait(timeout=30)
        assert self.proc.returncode == 0, self.proc.stderr.read()


class Requests(threading.Thread):
    """Keeps requesting pages while a backup runs; every answer is recorded."""

    def __init__(self):
        super().__init__(daemon=True)
        self.statuses, self.done = [], threading.Event()
        self.client = new_client()

    def run(self):
        while not self.done.is_set():
            for path in ("/healthz", "/"):
                self.statuses.append(self.client.get(path).status_code)

    def finish(self):
        self.done.set()
        self.join(timeout=30)
        self.client.close()


def test_a_backup_taken_while_serving_and_writing_is_consistent_and_restores_with_the_manifests_counts():
    writer = PairWriter()
    requests_ = Requests()
    requests_.start()
    try:
        backup_id = backup_now()
    finally:
        requests_.finish()
        writer.stop()
    assert requests_.statuses and set(requests_.statuses) == {200}, "every request was served during the backup"
    assert backup_id in listed()
    assert not [n for n in os.listdir(BACKUPS) if n.endswith(".partial")]

    m = manifest(backup_id)
    assert m["id"] == backup_id and m["server_version"].startswith("10.")
    assert "binlog" in m
    assert {"tenant", "session", "audit_log", "restore_drill"} <= set(m["tables"])
    paths = {f["path"] for f in m["files"]}
    assert "db/ibdata1.gz.enc" in paths and "db/madoguchi/tenant.ibd.gz.enc" in paths
    assert all(len(f["sha256"]) == 64 for f in m["files"])
    # the writer committed pairs during the backup: the manifest counts whole pairs only
    in_backup = m["tenants"]["session"][str(PROBE)]
    assert in_backup > 0 and in_backup % 2 == 0

    verified = madoguchi("backup", "verify", backup_id, timeout=300)
    assert verified.returncode == 0, verified.stderr
    assert f"{backup_id}: ok" in verified.stdout

    into = tempfile.mkdtemp(prefix="into-", dir=os.path.join(VAR_DIR, "tmp"))
    os.rmdir(into)
    try:
        restored = madoguchi("restore", backup_id, "--into", into, timeout=300)
        assert restored.returncode == 0, restored.stderr
        assert os.path.exists(os.path.join(into, "ibdata1"))
        # restoring over something is refused
        again = madoguchi("restore", backup_id, "--into", into)
        assert again.returncode == 1 and "not empty" in again.stderr
        server = ScratchServer(into)
        try:
            for table, want in m["tables"].items():
                assert server.query(f"SELECT COUNT(*) FROM `{table}`") == [[str(want["rows"])]], table
            a, b = (int(server.query(f"SELECT COUNT(*) FROM session WHERE tenant_id = {PROBE}"
                                     f" AND token_hash LIKE '{p}%'")[0][0]) for p in "ab")
            assert a == b == in_backup // 2, "no transaction is half in the copy"
        finally:
            server.stop()
    finally:
        shutil.rmtree(into, ignore_errors=True)
    # the live database went on after the copy
    assert PairWriter.pairs() >= in_backup // 2


def test_the_drill_passes_on_a_good_backup_and_the_console_shows_it():
    backup_id = backup_now()
    done = madoguchi("drill", timeout=300)  # the newest
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"drill passed: {backup_id}")
    assert "CHECK TABLE" in done.stderr
    assert not [n for n in os.listdir(os.path.join(VAR_DIR, "tmp")) if n.startswith("drill-")], "scratch deleted"
    [row] = sql_root("SELECT backup_id, outcome FROM restore_drill ORDER BY id DESC LIMIT 1")
    assert row == [backup_id, "passed"]

    home = console_home()
    assert "Last restore drill: passed" in home and backup_id in home
    assert 'id="drill-alert"' not in home
    # two days later by the clock, with no drill since: the console alerts
    set_clock(49 * 3600)
    home = console_home()
    assert 'id="drill-alert"' in home
    assert "No restore drill has passed in the last 48 hours" in home
    assert "過去48時間に合格したリストア訓練がありません" in console_home(lang={"Accept-Language": "ja"})


def test_one_flipped_byte_fails_verify_and_the_drill_naming_the_file():
    backup_id = backup_now()
    name = "db/madoguchi/tenant.ibd.gz.enc"
    path = os.path.join(BACKUPS, backup_id, name)
    try:
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x01]))
        verified = madoguchi("backup", "verify", backup_id, timeout=300)
        assert verified.returncode == 1
        assert f"{backup_id}/{name}" in verified.stderr and "FAILED" in verified.stderr

        drilled = madoguchi("drill", backup_id, timeout=300)
        assert drilled.returncode == 1
        assert "drill: FAILED" in drilled.stderr and name in drilled.stderr
        [row] = sql_root("SELECT backup_id, outcome, detail FROM restore_drill ORDER BY id DESC LIMIT 1")
        assert row[:2] == [backup_id, "failed"] and name in row[2]
        home = console_home()
        assert "Last restore drill: FAILED" in home and name in home

        # a changed manifest is refused as well (its signature no longer matches)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            f.write(byte)
        with open(os.path.join(BACKUPS, backup_id, "manifest.json"), "r+", encoding="utf-8") as f:
            text = f.read().replace('"rows": 0', '"rows": 1', 1)
            f.seek(0)
            f.write(text)
        verified = madoguchi("backup", "verify", backup_id)
        assert verified.returncode == 1 and "manifest.json" in verified.stderr
    finally:
        shutil.rmtree(os.path.join(BACKUPS, backup_id), ignore_errors=True)


def next_0305_jst():
    """The next 03:05 JST after now: the backup's slot is due then, its lease minutes away."""
    now = int(time.time())
    day = (now + JST) // 86400 * 86400 - JST
    t = day + 3 * 3600 + 300
    return t if t > now else t + 86400


def backup_runs():
    return [dict(slot=int(float(r[0])), outcome=r[1], attempt=int(r[2]), detail=r[3])
            for r in sql_root("SELECT UNIX_TIMESTAMP(scheduled_for), outcome, attempt, COALESCE(detail, '')"
                              " FROM job_run WHERE job = 'core.backup' AND manual = 0 ORDER BY id")]


def test_a_scheduler_killed_during_a_backup_leaves_no_listed_backup_and_the_next_start_catches_up():
    slot = next_0305_jst() - 300
    set_clock(slot + 60 - int(time.time()))
    before = listed()
    runs_before = len(backup_runs())
    killed = subprocess.Popen([BIN, "-c", CONFIG, "jobs", "--once"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        partial = wait_until(lambda: [n for n in os.listdir(BACKUPS) if n.endswith(".partial")], timeout=60,
                             interval=0.02, what="the backup's .partial folder")
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=15)
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait()
    [partial] = partial
    assert os.path.isdir(os.path.join(BACKUPS, partial))
    assert listed() == before, "a .partial is never listed"
    assert backup_runs()[-1]["outcome"] == "running"

    # two minutes later by the clock the lease has expired: the next start records the run as
    # abandoned, runs the slot again, and deletes the stale .partial
    set_clock(slot + 180 - int(time.time()))
    later = subprocess.run([BIN, "-c", CONFIG, "jobs", "--once"], capture_output=True, text=True, timeout=300)
    assert later.returncode == 0, later.stderr
    runs = backup_runs()[runs_before:]
    assert [(r["slot"], r["outcome"], r["attempt"]) for r in runs] == [(slot, "abandoned", 1), (slot, "ok", 2)]
    assert not [n for n in os.listdir(BACKUPS) if n.endswith(".partial")]
    now_listed = listed()
    assert len(now_listed) == len(before) + 1 and now_listed[:-1] == before
    # the abandoned run is among the failed runs the console lists
    home = console_home()
    assert 'id="failed-runs"' in home and "core.backup" in home and "abandoned" in home


def test_the_backup_job_deletes_backups_older_than_keep_days_as_of_its_now():
    backup_now()
    ids = listed()
    assert len(ids) >= 2
    oldest = calendar.timegm(time.strptime(ids[0], "%Y%m%dT%H%M%SZ"))
    # 29 days after the oldest: nothing is old enough
    done = madoguchi("jobs", "run", "core.backup", "--now", jst_iso(int(oldest) + 29 * 86400), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 backup(s) older than 30 days deleted" in done.stdout
    assert "sealed" not in done.stderr, "no progress lines from a job (they are for `backup now`)"
    kept = listed()
    assert set(ids) < set(kept) and len(kept) == len(ids) + 1
    # 31 days after the newest: every backup but the one just taken goes
    newest = calendar.timegm(time.strptime(max(kept), "%Y%m%dT%H%M%SZ"))
    done = madoguchi("jobs", "run", "core.backup", "--now", jst_iso(int(newest) + 31 * 86400), timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} backup(s) older than 30 days deleted" in done.stdout
    [left] = listed()
    assert left not in kept
    deleted = sql_root("SELECT object FROM audit_log WHERE tenant_id = 0 AND action = 'backup.delete'")
    assert {r[0] for r in deleted} >= set(kept)
