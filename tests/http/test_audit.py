"""The audit log: hash chains written through `madoguchi audit record` (core/platform/audit.c), checked
by `madoguchi audit verify`, tampered with by hand as the database root, and the grants that
keep the application account from doing the same (core/db/grants.c).

Every chain here belongs to a tenant id no real tenant has (990001…990009), so other tests
never see these rows; the fixture deletes them as root before and after.
"""

import hashlib
import os
import pwd
import re
import subprocess

import pytest

from helpers import BIN, CONFIG, run_bin, VAR_DIR


TENANT = 990001      # written, tampered with and restored
FORGED = 990002      # the app account's raw INSERT
CONCURRENT = 990003  # many appenders at once
LONG = 990005        # a chain longer than one batch, built in Python
TEST_TENANTS = "tenant_id BETWEEN 990001 AND 990009"
GENESIS = "0" * 64
ROW_COLUMNS = ("tenant_id, seq, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), actor, action, object, ip, "
               "user_agent, outcome, detail, detail IS NULL, prev_hash, hash")


def socket_path():
    return os.path.join(VAR_DIR, "run", "mysqld.sock")


def sql_root(statements, check=True):
    """Runs SQL as the database root (the OS user over the socket); returns the rows."""
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={socket_path()}",
                          "-u", pwd.getpwuid(os.geteuid()).pw_name, "--default-character-set=utf8mb4",
                          "--batch", "--skip-column-names", "--raw", "madoguchi"],
                         input=statements, capture_output=True, text=True, encoding="utf-8", timeout=60)
    if check:
        assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


def sql_app(statement):
    """Runs one statement as the application account; returns the finished process."""
    with open(os.path.join(VAR_DIR, "secrets", "db_app.password")) as f:
        password = f.read().strip()
    return subprocess.run(["mariadb", "--no-defaults", f"--socket={socket_path()}", "-u", "mg_app",
                           "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "madoguchi",
                           "-e", statement],
                          env={**os.environ, "MYSQL_PWD": password},
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def quote(value):
    if value is None:
        return "NULL"
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def record(tenant_id, action="manual.fix", **fields):
    args = ["audit", "record", "--tenant-id", str(tenant_id), "--action", action]
    for name, value in fields.items():
        args += [f"--{name}", value]
    return run_bin(*args, config=CONFIG)


def verify(*args):
    return run_bin("audit", "verify", *args, config=CONFIG, timeout=120)


def rows_of(tenant_id):
    """Every row of a chain as dicts, in seq order, as the database holds them."""
    result = []
    for cells in sql_root(f"SELECT {ROW_COLUMNS} FROM audit_log WHERE tenant_id = {tenant_id} ORDER BY seq"):
        (tenant, seq, at, actor, action, obj, ip, agent, outcome, detail, detail_null, prev, hash_) = cells
        result.append(dict(tenant_id=int(tenant), seq=int(seq), at=at, actor=actor, action=action,
                           object=obj, ip=ip, user_agent=agent, outcome=outcome,
                           detail=None if detail_null == "1" else detail, prev_hash=prev, hash=hash_))
    return result


def canonical_hash(row):
    """The serialisation documented in core/platform/audit.h, written again independently."""
    def netstring(value):
        if value is None:
            return b"-,"
        data = str(value).encode()
        return str(len(data)).encode() + b":" + data + b","
    fields = ["mg-audit-v1", row["tenant_id"], row["seq"], row["at"], row["actor"], row["action"],
              row["object"], row["ip"], row["user_agent"], row["outcome"], row["detail"], row["prev_hash"]]
    return hashlib.sha256(b"".join(netstring(f) for f in fields)).hexdigest()


def insert_sql(rows):
    values = ",".join(
        "(" + ",".join([str(r["tenant_id"]), str(r["seq"])] +
                       [quote(r[k]) for k in ("at", "actor", "action", "object", "ip", "user_agent",
                                              "outcome", "detail", "prev_hash", "hash")]) + ")"
        for r in rows)
    return ("INSERT INTO audit_log (tenant_id, seq, at, actor, action, object, ip, user_agent, outcome,"
            f" detail, prev_hash, hash) VALUES {values}")


def cleanup():
    sql_root(f"DELETE FROM audit_log WHERE {TEST_TENANTS}; DELETE FROM audit_head WHERE {TEST_TENANTS}; "
             "DELETE FROM platform_setting WHERE name = 'test.audit.grants'")


@pytest.fixture(scope="module")
def chain():
    """Five rows for TENANT, written through the real code path; removed afterwards."""
    cleanup()
    for i in range(1, 6):
        out = record(TENANT, actor="operator:1", object=f"row {i}", detail=f"窓口 {i}")
        assert out.returncode == 0, out.stderr
    yield TENANT
    cleanup()


def assert_broken(out, tenant_id, seq, why):
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert re.search(rf"audit: chain broken: tenant .* \(id {tenant_id}\) row seq {seq}: {re.escape(why)}",
                     out.stdout), out.stdout


def assert_intact(out):
    assert out.returncode == 0, (out.stdout, out.stderr)
    assert re.match(r"audit: chain intact: \d+ rows in \d+ tenant\(s\)$", out.stdout.strip()), out.stdout


# ---- writing and verifying ----------------------------------------------------------------------

def test_record_then_verify_everything(chain):
    out = verify()
    assert_intact(out)
    out = verify("--tenant-id", str(chain))
    assert out.stdout.strip() == "audit: chain intact: 5 rows in 1 tenant(s)"


def test_rows_are_chained_as_documented(chain):
    rows = rows_of(chain)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS
    for prev, row in zip([None] + rows, rows):
        if prev is not None:
            assert row["prev_hash"] == prev["hash"]
        assert row["hash"] == canonical_hash(row), row
    assert rows[2]["detail"] == "窓口 3" and rows[2]["actor"] == "operator:1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", rows[0]["at"])
    head = sql_root(f"SELECT last_seq, last_hash FROM audit_head WHERE tenant_id = {chain}")
    assert head == [["5", rows[-1]["hash"]]]


def test_changed_row_is_named(chain):
    sql_root(f"UPDATE audit_log SET object = 'row 3, edited' WHERE tenant_id = {chain} AND seq = 3")
    try:
        assert_broken(verify(), chain, 3, "hash mismatch")
        assert_broken(verify("--tenant-id", str(chain)), chain, 3, "hash mismatch")
    finally:
        sql_root(f"UPDATE audit_log SET object = 'row 3' WHERE tenant_id = {chain} AND seq = 3")
    assert_intact(verify("--tenant-id", str(chain)))


def test_rehashed_row_breaks_the_next_link(chain):
    rows = rows_of(chain)
    forged = dict(rows[2], object="row 3, rewritten")
    forged["hash"] = canonical_hash(forged)
    sql_root(f"UPDATE audit_log SET object = {quote(forged['object'])}, hash = {quote(forged['hash'])} "
             f"WHERE tenant_id = {chain} AND seq = 3")
    try:
        assert_broken(verify("--tenant-id", str(chain)), chain, 4, "prev_hash does not link")
    finally:
        sql_root(f"UPDATE audit_log SET object = 'row 3', hash = {quote(rows[2]['hash'])} "
                 f"WHERE tenant_id = {chain} AND seq = 3")
    assert_intact(verify("--tenant-id", str(chain)))


def test_deleted_middle_row_is_named(chain):
    saved = rows_of(chain)[2]
    sql_root(f"DELETE FROM audit_log WHERE tenant_id = {chain} AND seq = 3")
    try:
        assert_broken(verify(), chain, 3, "seq 3 missing")
    finally:
        sql_root(insert_sql([saved]))
    assert_intact(verify("--tenant-id", str(chain)))


def test_deleted_last_row_is_named_by_the_head(chain):
    saved = rows_of(chain)[4]
    sql_root(f"DELETE FROM audit_log WHERE tenant_id = {chain} AND seq = 5")
    try:
        assert_broken(verify("--tenant-id", str(chain)), chain, 5, "head says 5 rows, chain has 4")
    finally:
        sql_root(insert_sql([saved]))
    assert_intact(verify("--tenant-id", str(chain)))


def test_head_set_back_is_named_and_stops_appends(chain):
    rows = rows_of(chain)
    sql_root(f"UPDATE audit_head SET last_seq = 4, last_hash = {quote(rows[3]['hash'])} WHERE tenant_id = {chain}")
    try:
        assert_broken(verify("--tenant-id", str(chain)), chain, 5, "head says 4 rows, chain has 5")
        # an append would have to reuse seq 5: it fails rather than fork the chain
        out = record(chain, object="after the head moved")
        assert out.returncode == 3, (out.stdout, out.stderr)
        assert len(rows_of(chain)) == 5
    finally:
        sql_root(f"UPDATE audit_head SET last_seq = 5, last_hash = {quote(rows[4]['hash'])} "
                 f"WHERE tenant_id = {chain}")
    assert_intact(verify("--tenant-id", str(chain)))


def test_concurrent_appends_neither_fork_nor_skip(chain):
    procs = [subprocess.Popen([BIN, "-c", CONFIG, "audit", "record", "--tenant-id", str(CONCURRENT),
                               "--action", "concurrent.append", "--object", f"writer {i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(24)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    rows = rows_of(CONCURRENT)
    assert [r["seq"] for r in rows] == list(range(1, 25))
    assert sorted(r["object"] for r in rows) == sorted(f"writer {i}" for i in range(24))
    assert verify("--tenant-id", str(CONCURRENT)).stdout.strip() == "audit: chain intact: 24 rows in 1 tenant(s)"


def test_long_chain_is_walked_in_batches_with_progress(chain):
    # Built here with the documented serialisation and loaded as root: proves the format
    # and the keyset pagination (1000 rows a query) past 10 000 rows, where progress shows.
    n = 10_500
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row = dict(tenant_id=LONG, seq=seq, at=f"2026-01-01 00:{seq // 60 % 60:02d}:{seq % 60:02d}.{seq:06d}",
                   actor="system:test", action="bulk.load", object=f"item {seq}", ip="192.0.2.7",
                   user_agent="pytest", outcome="success", detail=None if seq % 2 else "", prev_hash=prev)
        row["hash"] = prev = canonical_hash(row)
        rows.append(row)
    for start in range(0, n, 2000):
        sql_root(insert_sql(rows[start:start + 2000]))
    sql_root(f"INSERT INTO audit_head (tenant_id, last_seq, last_hash) VALUES ({LONG}, {n}, {quote(prev)})")
    out = verify("--tenant-id", str(LONG))
    assert out.stdout.strip() == f"audit: chain intact: {n} rows in 1 tenant(s)", (out.stdout, out.stderr)
    assert re.search(r"audit: 10000 rows checked", out.stderr), out.stderr
    # a change deep in the eleventh batch is still named
    sql_root(f"UPDATE audit_log SET actor = 'system:other' WHERE tenant_id = {LONG} AND seq = 10321")
    assert_broken(verify("--tenant-id", str(LONG)), LONG, 10321, "hash mismatch")
    # … and the whole-database walk names the first broken tenant and counts the rest
    sql_root(f"UPDATE audit_log SET object = 'x' WHERE tenant_id = {chain} AND seq = 2")
    try:
        out = verify()
        assert_broken(out, chain, 2, "hash mismatch")
        assert "1 more tenant(s) broken" in out.stdout
    finally:
        sql_root(f"UPDATE audit_log SET object = 'row 2' WHERE tenant_id = {chain} AND seq = 2")
        sql_root(f"DELETE FROM audit_log WHERE tenant_id = {LONG}; DELETE FROM audit_head WHERE tenant_id = {LONG}")
    assert_intact(verify())


def test_hostile_text_is_cleaned_before_hashing(chain):
    tenant = CONCURRENT + 1
    # invalid UTF-8 and an over-long field: stored cleaned and cut, and the chain still holds
    out = subprocess.run([BIN, "-c", CONFIG, "audit", "record", "--tenant-id", str(tenant),
                          "--action", "manual.fix", "--object", b"bad \xff\xfe bytes " + "長".encode() * 250,
                          "--detail", "ok"], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    row = rows_of(tenant)[0]
    assert row["object"].startswith("bad \ufffd\ufffd bytes 長")
    assert len(row["object"]) == 200
    assert row["hash"] == canonical_hash(row)
    assert_intact(verify("--tenant-id", str(tenant)))


def test_record_refuses_bad_arguments(chain):
    out = record(TENANT, outcome="maybe")
    assert out.returncode == 2 and "outcome" in out.stderr
    out = record(TENANT, action="Login Success")
    assert out.returncode == 2
    out = run_bin("audit", "record", "--action", "manual.fix", config=CONFIG)
    assert out.returncode == 2 and "--tenant" in out.stderr
    out = run_bin("audit", "record", "--tenant", "no-such-tenant-here", "--action", "manual.fix", config=CONFIG)
    assert out.returncode == 3 and "no tenant 'no-such-tenant-here'" in out.stderr
    out = run_bin("audit", "verify", "--tenant", "no-such-tenant-here", config=CONFIG)
    assert out.returncode == 3
    out = run_bin("audit", "verify", "--bogus", config=CONFIG)
    assert out.returncode == 2
    out = run_bin("audit", config=CONFIG)
    assert out.returncode == 2 and "audit verify" in out.stderr
    assert len(rows_of(TENANT)) == 5


def test_platform_chain_is_tenant_zero(chain):
    # Only read: a row written to the platform's chain could not be taken out again without
    # breaking it, and other tests may look at that chain.
    rows = int(sql_root("SELECT COUNT(*) FROM audit_log WHERE tenant_id = 0")[0][0])
    out = verify("--platform")
    assert_intact(out)
    assert out.stdout.strip() == f"audit: chain intact: {rows} rows in 1 tenant(s)"


# ---- grants -------------------------------------------------------------------------------------

def test_app_account_cannot_change_or_delete_audit_rows(chain):
    for statement in (f"UPDATE audit_log SET object = 'x' WHERE tenant_id = {chain} AND seq = 1",
                      f"DELETE FROM audit_log WHERE tenant_id = {chain} AND seq = 5",
                      f"REPLACE INTO audit_log SELECT * FROM audit_log WHERE tenant_id = {chain} AND seq = 1",
                      f"INSERT INTO audit_log SELECT * FROM audit_log WHERE tenant_id = {chain} AND seq = 1 "
                      "ON DUPLICATE KEY UPDATE object = 'x'",
                      f"DELETE FROM audit_head WHERE tenant_id = {chain}",
                      "UPDATE schema_version SET checksum = checksum",
                      "TRUNCATE TABLE audit_log"):
        out = sql_app(statement)
        assert out.returncode != 0, statement
        assert "ERROR 1142" in out.stderr, (statement, out.stderr)
    assert_intact(verify("--tenant-id", str(chain)))


def test_app_account_can_read_and_insert_audit_rows(chain):
    out = sql_app(f"SELECT COUNT(*) FROM audit_log WHERE tenant_id = {chain}")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "5"
    # a raw INSERT is allowed (the chain, not the grant, is what catches a forged row)
    out = sql_app("INSERT INTO audit_log (tenant_id, seq, at, actor, action, outcome, prev_hash, hash) "
                  f"VALUES ({FORGED}, 1, '2026-01-01 00:00:00', 'anonymous', 'forged.row', 'success', "
                  f"'{GENESIS}', '{'f' * 64}')")
    assert out.returncode == 0, out.stderr
    out = verify("--tenant-id", str(FORGED))
    assert out.returncode == 1 and f"(id {FORGED}) row seq 1: hash mismatch" in out.stdout, out.stdout
    sql_root(f"DELETE FROM audit_log WHERE tenant_id = {FORGED}")


def test_app_account_keeps_full_rights_on_other_tables(chain):
    for statement in ("INSERT INTO platform_setting (name, value) VALUES ('test.audit.grants', 'a')",
                      "UPDATE platform_setting SET value = 'b' WHERE name = 'test.audit.grants'",
                      "DELETE FROM platform_setting WHERE name = 'test.audit.grants'"):
        out = sql_app(statement)
        assert out.returncode == 0, (statement, out.stderr)


def test_app_account_has_no_database_wide_rights():
    grants = sql_root("SHOW GRANTS FOR 'mg_app'@'localhost'")
    database_wide = [g[0] for g in grants if re.search(r"ON `madoguchi`\.\*", g[0])]
    assert not any(re.search(r"\b(SELECT|INSERT|UPDATE|DELETE|ALL PRIVILEGES)\b", g) for g in database_wide), grants
    per_table = {m.group(2): m.group(1) for g in grants
                 for m in [re.match(r"GRANT (.*) ON `madoguchi`\.`(\w+)` TO", g[0])] if m}
    assert per_table["audit_log"] == "SELECT, INSERT"
    assert per_table["platform_setting"] == "SELECT, INSERT, UPDATE, DELETE"
    tables = {t[0] for t in sql_root("SELECT TABLE_NAME FROM information_schema.TABLES "
                                     "WHERE TABLE_SCHEMA = 'madoguchi' AND TABLE_TYPE = 'BASE TABLE'")}
    assert tables == set(per_table), (tables, per_table)


def test_migrate_takes_back_database_wide_rights():
    # what an older var/ had: database-wide DML, which would override every table grant
    sql_root("GRANT SELECT, INSERT, UPDATE, DELETE ON madoguchi.* TO 'mg_app'@'localhost'")
    out = run_bin("migrate", config=CONFIG)
    assert out.returncode == 0, out.stderr
    assert re.search(r"rights of mg_app@localhost set on \d+ table\(s\), \d+ of them restricted", out.stdout)
    out = sql_app("UPDATE audit_log SET object = object WHERE tenant_id = 990009")
    assert "ERROR 1142" in out.stderr, out.stderr
    test_app_account_has_no_database_wide_rights()
