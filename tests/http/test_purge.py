"""The 30/60-day purges (issue 5, item 4) with a moved clock (`madoguchi purge run --now`): a
tenant whose contract ended on day T keeps its data at T+29 (its administrator logs in to a
read-only back office and downloads the export, which holds its rows with personal data
opened; a change is refused with a 403 in ja and en), has zero rows in every table with a
tenant_id column at T+30 while another tenant is untouched, and at T+60 has no backup from
before the purge and no data key left; every step leaves a deletion record and a ledger line,
and `purge replay` deletes again what a restore brought back.

The tests share one scenario and run in file order. T is a day in the 2000s, so the purge runs
as of then touch no other test's tenant (their contracts end in the 2020s); the stack's
scheduler is paused meanwhile so that only these runs decide what is purged.
"""

import csv
import datetime
import io
import json
import os
import random
import re
import subprocess
import uuid
import zipfile

import pytest

from helpers import (BUILD_DIR, CONFIG, console_login, console_post, create_operator, create_staff, logged_in, login,
                    madoguchi, new_client, page_csrf, register, set_clock, sql, stack_ctl)


EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}
JST = datetime.timezone(datetime.timedelta(hours=9))
PERSON = "山田 花子"


@pytest.fixture(scope="module", autouse=True)
def no_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


def backup_dir():
    with open(CONFIG) as f:
        return re.search(r"^backup_dir\s*=\s*(\S+)", f.read(), re.M).group(1)


def backup_id(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def fake_backup(name):
    """A folder standing for a backup (the backup helper's layout: <id>/manifest.json)."""
    path = os.path.join(backup_dir(), name)
    os.makedirs(path)
    with open(os.path.join(path, "manifest.json"), "w") as f:
        json.dump({"id": name, "files": []}, f)
    with open(os.path.join(path, "data.sql.gz.enc"), "wb") as f:
        f.write(os.urandom(64))
    return path


def purge_run(day):
    """`madoguchi purge run` as of 04:00 JST on `day` (its daily slot)."""
    when = datetime.datetime.combine(day, datetime.time(4, 0), JST)
    done = madoguchi("purge", "run", "--now", when.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def tenant_tables():
    return sql("SELECT c.TABLE_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t"
               " USING (TABLE_SCHEMA, TABLE_NAME) WHERE c.TABLE_SCHEMA = 'madoguchi'"
               " AND c.COLUMN_NAME = 'tenant_id' AND t.TABLE_TYPE = 'BASE TABLE'").split()


def rows_of(tenant_id):
    """{table: rows of the tenant} over every table with a tenant_id column."""
    return {t: int(sql(f"SELECT COUNT(*) FROM `{t}` WHERE tenant_id = {tenant_id}")) for t in tenant_tables()}


def ledger_lines(tenant_id):
    path = os.path.join(backup_dir(), "purge-ledger.jsonl")
    with open(path) as f:
        return [line for line in map(json.loads, f) if line["tenant_id"] == tenant_id]


def records(slug):
    out = sql("SELECT step, row_count, file_count, job, COALESCE(job_run_id, 0) FROM deletion_record"
              f" WHERE subject_slug = '{slug}' ORDER BY id")
    return [line.split("\t") for line in out.splitlines()]


@pytest.fixture(scope="module")
def scenario():
    """Tenant `gone` (contract ended on T) with staff, an administrator's session, a customer and
    queued mail; tenant `kept` (active) with the same; backup folders from before and after
    the T+30 purge."""
    T = datetime.date(2001, 1, 1) + datetime.timedelta(days=random.randrange(3000))
    s = {"T": T}
    for key in ("gone", "kept"):
        slug = f"pg-{uuid.uuid4().hex[:10]}"
        done = madoguchi("tenant", "create", "--slug", slug, "--name", "パージ試験会館", "--modules", "tickets",
                         "--start", (T - datetime.timedelta(days=400)).isoformat())
        assert done.returncode == 0, done.stderr
        password = create_staff(slug, "admin", "admin")
        general = create_staff(slug, "general", "general")
        admin = logged_in(slug, "admin", password, "kami-no-shiro-ni-99")
        mail = f"hanako.{uuid.uuid4().hex[:8]}@example.jp"
        with new_client() as c:
            assert register(c, slug, mail).status_code == 200
        # commerce rows: provisional holds, booking orders with their history, fee and refund
        # payments, the invoice registration number (tests/db/commerce_flow)
        flows = subprocess.run([os.path.join(BUILD_DIR, "tests", "db", "commerce_flow"), CONFIG, slug, "flows"],
                               capture_output=True, text=True, timeout=120)
        assert flows.returncode == 0, flows.stdout + flows.stderr
        sql(f"INSERT INTO tenant_setting (tenant_id, name, value) SELECT id, 'invoice_registration_number',"
            f" 'T1234567890123' FROM tenant WHERE slug = '{slug}'")
        s[key] = {"slug": slug, "id": int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'")), "admin": admin,
                  "general": general, "mail": mail}
    done = madoguchi("tenant", "terminate", s["gone"]["slug"], "--on", T.isoformat())
    assert done.returncode == 0, done.stderr
    purge_at = datetime.datetime.combine(T + datetime.timedelta(days=30), datetime.time(4, 0), JST)
    s["before"] = [backup_id(purge_at - datetime.timedelta(days=20)),
                   backup_id(purge_at - datetime.timedelta(hours=1)),          # the 03:00 backup that day
                   backup_id(purge_at - datetime.timedelta(minutes=30)) + ".partial"]
    s["after"] = [backup_id(purge_at + datetime.timedelta(hours=23))]         # the next day's
    for name in s["before"] + s["after"]:
        fake_backup(name)
    s["kept_rows"] = rows_of(s["kept"]["id"])
    yield s
    for key in ("gone", "kept"):
        s[key]["admin"].close()


def test_at_t29_the_data_stays_and_the_back_office_is_read_only(scenario):
    gone, T = scenario["gone"], scenario["T"]
    purge_run(T + datetime.timedelta(days=29))
    before = rows_of(gone["id"])
    for table in ("staff", "session", "person", "mail_outbox", "audit_log", "staff_recovery_code"):
        assert before[table] > 0, (table, before)
    admin, slug = gone["admin"], gone["slug"]
    assert admin.get(f"/{slug}/admin/", headers=EN).status_code == 200
    page = admin.get(f"/{slug}/admin/export", headers=EN)
    assert page.status_code == 200
    assert (T + datetime.timedelta(days=30)).isoformat() in page.text  # the day the data goes
    # every change is refused, in the reader's language, with the reason
    for headers, words in ((EN, "read-only"), (JA, "閲覧のみ")):
        r = admin.post(f"/{slug}/admin/staff", headers=headers,
                       data={"login": "newcomer", "name": "新人", "role": "general", "csrf": page_csrf(page.text)})
        assert r.status_code == 403 and words in r.text, r.text
    notice = admin.post(f"/{slug}/admin/notices", headers=EN,
                        data={"kind": "info", "title": "x", "body": "y", "csrf": page_csrf(page.text)})
    assert notice.status_code == 403
    assert rows_of(gone["id"])["staff"] == before["staff"]
    # and a staff member can still log in to look
    with new_client() as c:
        r = login(c, slug, "general", gone["general"])
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/{slug}/admin/password")


def test_at_t29_the_export_holds_every_table_with_personal_data_opened(scenario):
    gone = scenario["gone"]
    r = gone["admin"].get(f"/{gone['slug']}/admin/export.zip", headers=EN)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert "attachment" in r.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    files = {os.path.basename(n): archive.read(n).decode("utf-8-sig") for n in archive.namelist()}
    counts = rows_of(gone["id"])
    index = {row["table"]: int(row["rows"]) for row in csv.DictReader(io.StringIO(files["index.csv"]))}
    assert set(index) == set(tenant_tables())
    counts["audit_log"] -= 1  # the export's own record, written after the archive
    for table in ("staff", "person", "audit_log"):
        assert index[table] == counts[table] > 0
        assert f"{table}.csv" in files
    people = list(csv.DictReader(io.StringIO(files["person.csv"])))
    assert [p["email"] for p in people] == [gone["mail"]] and people[0]["name"] == PERSON
    staff = list(csv.DictReader(io.StringIO(files["staff.csv"])))
    assert {s["login"] for s in staff} == {"admin", "general"}
    assert "password_hash" not in staff[0] and "totp_secret_sealed" not in staff[0]
    assert not any("_sealed" in column for text in files.values() for column in text.splitlines()[0].split(","))
    # the bookings' buyers opened; the signing key's private half never leaves
    assert "hanako+" in files["orders.csv"] and "private" not in files["signing_key.csv"].splitlines()[0]
    assert "export.download" in sql(f"SELECT action FROM audit_log WHERE tenant_id = {gone['id']}")


def test_at_t30_every_row_of_the_tenant_is_gone_and_the_other_tenant_untouched(scenario):
    gone, kept, T = scenario["gone"], scenario["kept"], scenario["T"]
    out = purge_run(T + datetime.timedelta(days=30))
    assert "1 tenant(s) purged" in out, out
    before = scenario["kept_rows"]
    assert all(before[t] > 0 for t in ("provisional_hold", "order_history", "payment", "tenant_setting")), before
    left = rows_of(gone["id"])
    assert left and not any(left.values()), left
    assert rows_of(kept["id"]) == scenario["kept_rows"]
    # the tombstone stays: slug taken for good, key still there until T+60
    stone = sql(f"SELECT slug, state, purged_at IS NOT NULL, data_key_wrapped IS NOT NULL FROM tenant"
                f" WHERE id = {gone['id']}").split()
    assert stone == [gone["slug"], "terminated", "1", "1"]
    again = madoguchi("tenant", "create", "--slug", gone["slug"], "--name", "再利用")
    assert again.returncode != 0 and "taken" in again.stderr
    assert gone["admin"].get(f"/{gone['slug']}/admin/").status_code == 410
    assert new_client().get(f"/{gone['slug']}/").status_code == 410
    assert kept["admin"].get(f"/{kept['slug']}/admin/").status_code == 200
    for name in scenario["before"] + scenario["after"]:
        assert os.path.isdir(os.path.join(backup_dir(), name)), name
    assert [r[0] for r in records(gone["slug"])] == ["rows"]
    [line] = ledger_lines(gone["id"])
    assert line["step"] == "rows" and line["slug"] == gone["slug"] and line["job"] == "core.purge"
    assert line["job_run"] > 0 and line["rows"] > 0
    # a second run the same day finds nothing more to do
    assert "0 tenant(s) purged" in purge_run(T + datetime.timedelta(days=30))
    assert len(ledger_lines(gone["id"])) == 1


def test_at_t60_the_backups_from_before_the_purge_and_the_key_are_gone(scenario):
    gone, T = scenario["gone"], scenario["T"]
    other = os.path.join(backup_dir(), "notes")
    os.makedirs(other, exist_ok=True)
    purge_run(T + datetime.timedelta(days=59))
    assert all(os.path.isdir(os.path.join(backup_dir(), n)) for n in scenario["before"])
    out = purge_run(T + datetime.timedelta(days=60))
    assert "1 data key(s) destroyed" in out and "3 backup(s) deleted" in out, out
    for name in scenario["before"]:
        assert not os.path.exists(os.path.join(backup_dir(), name)), name
    for name in scenario["after"]:
        assert os.path.isdir(os.path.join(backup_dir(), name)), name
    assert os.path.isdir(other)
    assert sql(f"SELECT data_key_wrapped IS NULL FROM tenant WHERE id = {gone['id']}").strip() == "1"
    steps = records(gone["slug"])
    assert [r[0] for r in steps] == ["rows", "backups", "key"]
    assert steps[1][2] == "3" and steps[2][1] == "1"
    assert all(r[3] == "core.purge" and int(r[4]) > 0 for r in steps)
    assert [line["step"] for line in ledger_lines(gone["id"])] == ["rows", "backups", "key"]
    shown = madoguchi("tenant", "show", gone["slug"])
    assert "data key:       destroyed" in shown.stdout


def test_deletion_records_print_and_export(scenario):
    gone = scenario["gone"]
    listed = madoguchi("purge", "records", "--tenant", gone["slug"])
    assert listed.returncode == 0 and listed.stdout.count(gone["slug"]) == 3, listed.stdout
    exported = madoguchi("purge", "records", "--tenant", gone["slug"], "--csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert [r["Step"] for r in rows] == ["rows", "backups", "key"]
    status = madoguchi("purge", "status")
    assert status.returncode == 0 and gone["slug"] in status.stdout
    login_name, password = create_operator()
    with new_client() as op:
        assert console_login(op, login_name, password).status_code == 303
        assert console_post(op, "/_operator/password", {"current": password, "password": "sakujo-no-kiroku-55",
                                                        "confirm": "sakujo-no-kiroku-55"},
                            page="/_operator/password").status_code == 303
        page = op.get(f"/_operator/deletions?tenant={gone['slug']}", headers=JA)
        assert page.status_code == 200
        assert page.text.count('class="deletion-record"') == 3 and "削除記録" in page.text
        sheet = op.get(f"/_operator/deletions.csv?tenant={gone['slug']}", headers=EN)
        assert sheet.status_code == 200 and sheet.content.startswith(b"\xef\xbb\xbf")
        assert sheet.text.count(gone["slug"]) == 3


def test_replay_deletes_again_what_a_restore_brought_back(scenario):
    gone = scenario["gone"]
    tid = gone["id"]
    # as if an older backup was restored: the tenant active with its key, rows, no records
    sql(f"UPDATE tenant SET state = 'active', purged_at = NULL, data_key_wrapped = x'00112233' WHERE id = {tid};"
        f" DELETE FROM deletion_record WHERE subject_tenant_id = {tid};"
        f" INSERT INTO staff (tenant_id, login, name_sealed, role, password_hash)"
        f"  VALUES ({tid}, 'restored', x'00', 'admin', 'x');"
        f" INSERT INTO audit_head (tenant_id, last_seq, last_hash) VALUES ({tid}, 1, REPEAT('0', 64));"
        f" INSERT INTO tenant_module (tenant_id, module) VALUES ({tid}, 'tickets')")
    fake_backup(scenario["before"][0])
    assert rows_of(tid)["staff"] == 1
    done = madoguchi("purge", "replay")
    assert done.returncode == 0, done.stderr
    assert "3 row(s) and 1 backup(s) deleted again, 1 data key(s) destroyed again" in done.stdout, done.stdout
    assert not any(rows_of(tid).values())
    assert sql(f"SELECT state, purged_at IS NOT NULL, data_key_wrapped IS NULL FROM tenant WHERE id = {tid}"
               ).split() == ["terminated", "1", "1"]
    assert not os.path.exists(os.path.join(backup_dir(), scenario["before"][0]))
    assert sorted(r[0] for r in records(gone["slug"])) == ["backups", "key", "replay", "replay", "replay", "rows"]
    # idempotent: a second replay finds nothing to do
    again = madoguchi("purge", "replay")
    assert again.returncode == 0 and "0 row(s) and 0 backup(s) deleted again, 0 data key(s)" in again.stdout
    assert len(records(gone["slug"])) == 6


def test_replay_puts_back_the_tombstone_of_a_tenant_older_than_the_backup(scenario):
    gone = scenario["gone"]
    sql(f"DELETE FROM tenant WHERE id = {gone['id']}")
    done = madoguchi("purge", "replay")
    assert done.returncode == 0 and "1 tombstone(s)" in done.stdout, done.stdout + done.stderr
    assert sql(f"SELECT slug, state FROM tenant WHERE id = {gone['id']}").split() == [gone["slug"], "terminated"]
    again = madoguchi("tenant", "create", "--slug", gone["slug"], "--name", "再利用")
    assert again.returncode != 0
