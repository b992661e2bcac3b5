"""A restore never brings a purged tenant back (issue 5, "Restore of a backup from before a
purge, then check: the purged tenant is still gone"): a backup is taken while the tenant still
has its rows, the T+30 purge deletes them, then the backup is restored beside the live database
and the purge ledger replayed on it the way `madoguchi restore` does (`purge replay`): the copy
holds the tenant's rows before the replay and none after, and its tenant row is a tombstone.
The stack's scheduler is paused meanwhile; T is a day in 2003, so the purge touches no other
test's tenant."""
import datetime
import os
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest

from helpers import backup_now, BIN, CONFIG, create_staff, madoguchi, ScratchServer, sql, stack_ctl, VAR_DIR


T = datetime.date(2003, 4, 1)
JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture(scope="module", autouse=True)
def no_scheduler():
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr


def tenant_tables(query):
    return [row[0] for row in query(
        "SELECT c.TABLE_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t"
        " USING (TABLE_SCHEMA, TABLE_NAME) WHERE c.TABLE_SCHEMA = 'madoguchi'"
        " AND c.COLUMN_NAME = 'tenant_id' AND t.TABLE_TYPE = 'BASE TABLE'")]


def rows_in(query, tenant_id):
    return sum(int(query(f"SELECT COUNT(*) FROM `{t}` WHERE tenant_id = {tenant_id}")[0][0])
               for t in tenant_tables(query))


def live(statement):
    return [line.split("\t") for line in sql(statement).splitlines()]


def test_a_restored_backup_from_before_a_purge_does_not_bring_the_tenant_back():
    slug = f"rp-{uuid.uuid4().hex[:8]}"
    assert madoguchi("tenant", "create", "--slug", slug, "--name", "復元テスト館", "--modules", "tickets").returncode == 0
    create_staff(slug, "clerk", "general")
    tenant_id = int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'"))
    done = madoguchi("tenant", "terminate", slug, "--on", T.isoformat())
    assert done.returncode == 0, done.stderr
    assert rows_in(live, tenant_id) > 0

    backup_id = backup_now()  # still holds the tenant's rows

    when = datetime.datetime.combine(T + datetime.timedelta(days=30), datetime.time(4, 0), JST)
    purged = madoguchi("purge", "run", "--now", when.isoformat())
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert rows_in(live, tenant_id) == 0

    into = tempfile.mkdtemp(prefix="into-", dir=os.path.join(VAR_DIR, "tmp"))
    os.rmdir(into)
    server = None
    try:
        restored = madoguchi("restore", backup_id, "--into", into, timeout=300)
        assert restored.returncode == 0, restored.stderr
        assert "purge replay" in restored.stdout  # it tells the operator what must follow
        server = ScratchServer(into)
        assert rows_in(server.query, tenant_id) > 0, "the backup is from before the purge"

        # the same replay `madoguchi restore` runs, pointed at the restored copy
        with open(CONFIG) as f:
            text = f.read()
        scratch_conf = os.path.join(server.run_dir, "madoguchi.conf")
        with open(scratch_conf, "w") as f:
            f.write(re.sub(r"^db_socket\s*=.*$", f"db_socket = {server.socket}", text, flags=re.M))
        # (the secrets' paths in the stack's config are absolute: the copy reads the same ones)
        replayed = subprocess.run([BIN, "-c", scratch_conf, "purge", "replay"], capture_output=True, text=True,
                                  timeout=120)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr

        assert rows_in(server.query, tenant_id) == 0, "the purged tenant came back with the restore"
        [row] = server.query(f"SELECT slug, state, purged_at IS NOT NULL FROM tenant WHERE id = {tenant_id}")
        assert row == [slug, "terminated", "1"], "its tenant row stays as a tombstone"
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(into, ignore_errors=True)
