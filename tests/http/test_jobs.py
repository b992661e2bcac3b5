"""The job scheduler, `madoguchi jobs` (core/ops/jobs.c), against the live database: a manual run
with its clock set by --now, the session sweep, catch-up of missed slots, retry after a real
failure (a lock wait timeout on a row the test holds locked), the lease that lets only one
scheduler run a job, and a scheduler killed with SIGKILL in the middle of a run.

The stack's own scheduler is stopped for this module (only one scheduler should decide what is
due while a test writes the history) and started again at the end. The session rows written
here belong to a tenant id no real tenant has; the fixture deletes them as root.
"""

import os
import pwd
import signal
import subprocess
import time
import uuid

import pytest

from helpers import BIN, CONFIG, JST, jst_iso, madoguchi, set_clock, sql_root, stack_ctl, VAR_DIR, wait_until


JOB = "core.session_sweep"
PERIOD = 600            # its schedule: every 10m
TENANT = 990101         # sessions written by these tests


def scheduler(*args):
    """A scheduler process of the test's own (`madoguchi jobs …`)."""
    return subprocess.Popen([BIN, "-c", CONFIG, "jobs", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def clock_into_next_slot(seconds_in=120):
    """Moves the clock to `seconds_in` seconds after the next 10-minute slot and returns that slot,
    so a test has the rest of the slot (minutes) before another one begins."""
    real = int(time.time())
    slot = ((real + JST) // PERIOD + 1) * PERIOD - JST
    set_clock(slot + seconds_in - real)
    return slot


def runs():
    """The job's recorded runs, oldest first."""
    rows = sql_root(f"SELECT id, UNIX_TIMESTAMP(scheduled_for), manual, attempt, outcome, COALESCE(detail, ''),"
                    f" holder, finished_at IS NOT NULL FROM job_run WHERE job = '{JOB}' ORDER BY id")
    return [dict(id=int(r[0]), slot=int(float(r[1])), manual=r[2] == "1", attempt=int(r[3]), outcome=r[4],
                 detail=r[5], holder=r[6], finished=r[7] == "1") for r in rows]


def add_session(last_seen, expires):
    token_hash = uuid.uuid4().hex + uuid.uuid4().hex
    sql_root("INSERT INTO session (tenant_id, token_hash, kind, subject_id, stage, csrf_token, created_at,"
             f" last_seen_at, expires_at) VALUES ({TENANT}, '{token_hash}', 'staff', 1, 'complete', '{'c' * 43}',"
             f" FROM_UNIXTIME({last_seen}), FROM_UNIXTIME({last_seen}), FROM_UNIXTIME({expires}))")
    return token_hash


def sessions_left():
    return {r[0] for r in sql_root(f"SELECT token_hash FROM session WHERE tenant_id = {TENANT}")}


class RowLock:
    """A lock on one session row, held by a connection of its own until released: the sweep's
    DELETE of that row waits for it (and gives up after innodb_lock_wait_timeout, 10 s)."""

    def __init__(self, token_hash):
        self.marker = "heldlock" + uuid.uuid4().hex[:12]
        query = (f"START TRANSACTION; SELECT token_hash FROM session WHERE tenant_id = {TENANT}"
                 f" AND token_hash = '{token_hash}' FOR UPDATE; SELECT SLEEP(120) AS {self.marker};")
        self.proc = subprocess.Popen(["mariadb", "--no-defaults",
                                      f"--socket={os.path.join(VAR_DIR, 'run', 'mysqld.sock')}",
                                      "-u", pwd.getpwuid(os.geteuid()).pw_name, "madoguchi", "-e", query],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.connection = wait_until(self._connection_id, timeout=15, what="the row lock")

    def _connection_id(self):
        # split so that this query's own text does not match
        rows = sql_root("SELECT ID FROM information_schema.PROCESSLIST"
                        f" WHERE INFO LIKE CONCAT('%', 'heldlo', '{self.marker[6:]}', '%')")
        return rows[0][0] if rows else None

    def release(self):
        if self.proc.poll() is None:
            sql_root(f"KILL {self.connection}")
            self.proc.wait(timeout=15)


@pytest.fixture(scope="module", autouse=True)
def own_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    set_clock(0)
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


@pytest.fixture(autouse=True)
def fresh_history():
    """No run and a free lease for the job, no test sessions, the real clock."""
    def clean():
        set_clock(0)
        sql_root(f"DELETE FROM job_run WHERE job = '{JOB}'; DELETE FROM job_lease WHERE job = '{JOB}';"
                 f" DELETE FROM session WHERE tenant_id = {TENANT};")
    clean()
    yield
    clean()


def test_jobs_list_names_the_core_jobs_with_schedule_and_next_due():
    done = madoguchi("jobs", "list")
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith(JOB))
    assert "every 10m" in line and "never" in line  # no run yet
    assert " now " in line  # never ran: due at once


def test_run_now_sweeps_expired_sessions_as_of_the_given_time_and_records_the_run():
    t = int(time.time())
    idle = add_session(last_seen=t - 31 * 60, expires=t + 3600)
    idle_exactly = add_session(last_seen=t - 30 * 60, expires=t + 3600)
    past_absolute = add_session(last_seen=t - 60, expires=t - 1)
    live = add_session(last_seen=t - 29 * 60, expires=t + 3600)

    # two hours earlier, none of them had expired yet
    earlier = madoguchi("jobs", "run", JOB, "--now", jst_iso(t - 7200))
    assert earlier.returncode == 0, earlier.stderr
    assert sessions_left() == {idle, idle_exactly, past_absolute, live}

    done = madoguchi("jobs", "run", JOB, "--now", jst_iso(t))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{JOB}: ok")
    assert "expired session(s)" in done.stdout
    assert sessions_left() == {live}

    recorded = runs()
    assert [(r["manual"], r["attempt"], r["outcome"], r["finished"]) for r in recorded] == [(True, 1, "ok", True)] * 2
    assert [r["slot"] for r in recorded] == [t - 7200, t]  # a manual run is recorded "as of" --now
    assert "deleted" in recorded[1]["detail"]
    history = madoguchi("jobs", "history", "--job", JOB, "--limit", "1")
    assert history.returncode == 0, history.stderr
    [header, line] = history.stdout.splitlines()  # the limit holds
    assert line.split()[:3] == [str(recorded[1]["id"]), JOB, "manual"]


def test_run_refuses_an_unknown_job_or_time():
    done = madoguchi("jobs", "run", "core.no_such_job")
    assert done.returncode == 1
    assert "no job 'core.no_such_job'" in done.stderr
    done = madoguchi("jobs", "run", JOB, "--now", "2026-02-31T03:00")
    assert done.returncode == 1
    assert "--now" in done.stderr
    assert runs() == []


def test_missed_slots_are_caught_up_once_at_start():
    slot = clock_into_next_slot()
    three_days_ago = slot - 3 * 86400
    sql_root("INSERT INTO job_run (job, scheduled_for, manual, attempt, started_at, finished_at, outcome, holder)"
             f" VALUES ('{JOB}', FROM_UNIXTIME({three_days_ago}), 0, 1, FROM_UNIXTIME({three_days_ago}),"
             f" FROM_UNIXTIME({three_days_ago + 1}), 'ok', 'test')")
    done = scheduler("--once")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    recorded = runs()
    # 431 slots were missed; only the latest runs, once
    assert [(r["slot"], r["outcome"], r["attempt"]) for r in recorded[1:]] == [(slot, "ok", 1)]
    again = scheduler("--once")
    again.communicate(timeout=60)
    assert again.returncode == 0
    assert len(runs()) == 2, "the slot ran already"


def test_the_scheduler_runs_each_new_slot_and_stops_cleanly_on_sigterm():
    slot = clock_into_next_slot()
    proc = scheduler()
    try:
        wait_until(lambda: [r for r in runs() if r["slot"] == slot and r["outcome"] == "ok"], timeout=30,
                   what="the catch-up run at start")
        # ten minutes later by the clock: the loop notices and runs the next slot, once
        set_clock(slot + PERIOD + 5 - int(time.time()))
        wait_until(lambda: [r for r in runs() if r["slot"] == slot + PERIOD and r["outcome"] == "ok"], timeout=30,
                   what="the next slot's run")
        time.sleep(1)
        assert len(runs()) == 2
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in err
    assert f"{JOB} ok" in err


def test_a_failed_run_stays_visible_and_is_retried_after_its_back_off():
    slot = clock_into_next_slot()
    t = int(time.time())
    locked = add_session(last_seen=t - 3600, expires=t + 3600)
    lock = RowLock(locked)
    try:
        first = scheduler("--once")
        _, err = first.communicate(timeout=60)
    finally:
        lock.release()
    assert first.returncode == 1, "a failed run makes --once exit non-zero"
    assert f"{JOB} failed (attempt 1 of 5)" in err
    [failed] = runs()
    assert (failed["slot"], failed["attempt"], failed["outcome"], failed["manual"]) == (slot, 1, "failed", False)
    assert "Lock wait timeout" in failed["detail"], failed["detail"]

    # the back-off after a first failure is a minute: not yet
    soon = scheduler("--once")
    soon.communicate(timeout=60)
    assert soon.returncode == 0
    assert len(runs()) == 1
    listed = madoguchi("jobs", "list")
    assert "failed" in next(l for l in listed.stdout.splitlines() if l.startswith(JOB))

    set_clock(slot + 300 - t)  # the failure was at about slot + 2 min; the retry waits one minute
    retry = scheduler("--once")
    _, err = retry.communicate(timeout=60)
    assert retry.returncode == 0, err
    recorded = runs()
    assert [(r["slot"], r["attempt"], r["outcome"]) for r in recorded] == [(slot, 1, "failed"), (slot, 2, "ok")]
    assert locked not in sessions_left()


def test_two_schedulers_at_once_run_the_job_once():
    slot = clock_into_next_slot()
    t = int(time.time())
    lock = RowLock(add_session(last_seen=t - 3600, expires=t + 3600))
    first = scheduler("--once")
    try:
        # the first holds the lease and waits on the locked row while the second looks
        [running] = wait_until(lambda: [r for r in runs() if r["outcome"] == "running"], timeout=15,
                               what="the first scheduler's run")
        second = scheduler("--once")
        _, second_err = second.communicate(timeout=30)
        assert second.returncode == 0, second_err
        assert f"{JOB}: held by {running['holder']}" in second_err
        manual = madoguchi("jobs", "run", JOB)
        assert manual.returncode == 1
        assert "is being run by" in manual.stderr
    finally:
        lock.release()
        _, first_err = first.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert [(r["slot"], r["outcome"]) for r in runs()] == [(slot, "ok")]


def test_a_scheduler_killed_mid_run_leaves_an_abandoned_run_that_the_next_runs_again():
    slot = clock_into_next_slot()
    t = int(time.time())
    lock = RowLock(add_session(last_seen=t - 3600, expires=t + 3600))
    killed = scheduler("--once")
    try:
        wait_until(lambda: [r for r in runs() if r["outcome"] == "running"], timeout=15, what="the run to start")
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=15)
    finally:
        lock.release()
        if killed.poll() is None:
            killed.kill()
            killed.wait()
    [left] = runs()
    assert (left["outcome"], left["finished"]) == ("running", False)

    # its lease has not expired: nobody else may run the job yet
    early = scheduler("--once")
    _, err = early.communicate(timeout=60)
    assert early.returncode == 0, err
    assert "held by" in err
    assert [r["outcome"] for r in runs()] == ["running"]

    # a minute later by the clock the lease has expired: the next scheduler records the run as
    # abandoned and runs the slot again
    set_clock(slot + 300 - t)  # the lease was taken at about slot + 2 min, for one minute
    later = scheduler("--once")
    _, err = later.communicate(timeout=60)
    assert later.returncode == 0, err
    recorded = runs()
    assert [(r["slot"], r["attempt"], r["outcome"]) for r in recorded] == [(slot, 1, "abandoned"),
                                                                           (slot, 2, "ok")]
    assert recorded[0]["finished"] and "abandoned" in recorded[0]["detail"]
    assert left["holder"] in recorded[0]["detail"]
    lease = sql_root(f"SELECT holder FROM job_lease WHERE job = '{JOB}'")
    assert lease == [[""]], "released at the end of the run"
