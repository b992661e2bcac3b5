"""`madoguchi keys rotate`: every tenant's data key re-wrapped under a new master key, the new
key file in place and the old one kept; after SIGHUP the workers open personal data with the
new key, and the old key opens nothing any more."""

import glob
import os
import signal
import stat

from helpers import (CONFIG, create_staff, logged_in, madoguchi, master_pid, new_tenant, VAR_DIR, wait_until,
                    worker_pids)


def master_key_file():
    with open(CONFIG) as f:
        for line in f:
            key, _, value = line.partition("=")
            if key.strip() == "master_key_file":
                return value.strip()
    raise AssertionError("no master_key_file in " + CONFIG)


def read(path):
    with open(path) as f:
        return f.read().strip()


def config_with_key(path):
    """A copy of the stack's configuration that reads the master key from path."""
    copy = os.path.join(VAR_DIR, "tmp", "old-key.conf")
    with open(CONFIG) as f, open(copy, "w") as out:
        for line in f:
            out.write(f"master_key_file = {path}\n" if line.split("=")[0].strip() == "master_key_file" else line)
    return copy


def test_rotate_rewraps_every_tenant_key_and_workers_follow_after_sighup(workers):
    slug = new_tenant("keys")
    admin = create_staff(slug, "admin", "admin")
    create_staff(slug, "general", "general")
    current = master_key_file()
    old_key = read(current)
    same = madoguchi("keys", "rotate", "--new-key", current)
    assert same.returncode != 0 and "in use already" in same.stderr

    new_file = os.path.join(VAR_DIR, "tmp", f"new-master-{os.getpid()}.key")
    done = madoguchi("keys", "rotate", "--new-key", new_file)
    assert done.returncode == 0, done.stderr
    assert "SIGHUP" in done.stdout
    new_key = read(new_file)
    assert read(current) == new_key != old_key
    assert stat.S_IMODE(os.stat(current).st_mode) == 0o600
    kept = [p for p in glob.glob(current + ".old-*") if read(p) == old_key]
    assert len(kept) == 1 and stat.S_IMODE(os.stat(kept[0]).st_mode) == 0o600

    os.kill(master_pid(), signal.SIGHUP)
    wait_until(lambda: len(worker_pids()) == len(workers) and not set(worker_pids()) & set(workers),
               timeout=60, what="every worker replaced after SIGHUP")
    with logged_in(slug, "admin", admin) as c:
        staff = c.get(f"/{slug}/admin/staff")
        assert staff.status_code == 200
        assert "general 花子" in staff.text and "admin 花子" in staff.text

    refused = madoguchi("-c", config_with_key(kept[0]), "staff", "create", "--tenant", slug, "--login", "late",
                        "--name", "x", "--role", "general")
    assert refused.returncode != 0 and "cannot be unwrapped" in refused.stderr
    assert madoguchi("staff", "create", "--tenant", slug, "--login", "late", "--name", "x",
                     "--role", "general").returncode == 0
