"""Shared fixtures for the HTTP tests, which run against a live stack started by scripts/test.
The helpers that are not fixtures are in helpers.py; test modules import from there, never from
one another, so each module runs alone and in any order.

Environment (set by scripts/test):
    MG_BASE_URL   https://127.0.0.1:<port>   (self-signed certificate: verify=False)
    MG_HTTP_URL   http://127.0.0.1:<port>    (redirects to https)
    MG_VAR_DIR    the stack's directory (run/madoguchi.pid, log/, secrets/)
    MG_CONFIG     its madoguchi.conf
    MG_BIN        the madoguchi binary
    MG_BUILD_DIR  the build tree (tests/modules/badabi.so)
    MG_ROOT       the source tree
    MG_STACK_CTL  scripts/lib/stack.sh (db-stop, db-start, serve-pid)
"""

import uuid
import warnings

import pytest
import requests
import urllib3

from helpers import (BASE_URL, Client, configured_workers, console_login, console_post, create_operator,
                    create_staff, env, madoguchi, new_client, set_clock, stack_ctl, TIMEOUT, wait_until, worker_pids)

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    # pytest resets warning filters around each test; this one it keeps.
    config.addinivalue_line("filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")
    for name in ("MG_BASE_URL", "MG_HTTP_URL", "MG_VAR_DIR", "MG_CONFIG", "MG_BIN",
                 "MG_BUILD_DIR", "MG_ROOT", "MG_STACK_CTL"):
        env(name)


# ---- requests ---------------------------------------------------------------------------------


@pytest.fixture
def base_url():
    return BASE_URL


@pytest.fixture
def session():
    with Client(BASE_URL) as s:
        yield s


# ---- processes --------------------------------------------------------------------------------


@pytest.fixture
def workers():
    """The worker pids before the test; fails if the stack is not in its normal state."""
    pids = wait_until(lambda: len(worker_pids()) == configured_workers() and worker_pids(),
                      what=f"{configured_workers()} workers")
    return pids


# ---- tenants and the clock ----------------------------------------------------------------------


@pytest.fixture
def real_clock():
    """The test clock at the real time before and after the test (modules that move it use it
    for every test: pytestmark = pytest.mark.usefixtures("real_clock"))."""
    set_clock(0)
    yield
    set_clock(0)


@pytest.fixture
def hall():
    """A new tenant with the tickets module and one staff member per role (initial passwords)."""
    slug = f"bo-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト文化会館", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    return {"slug": slug, **{role: create_staff(slug, role, role) for role in ("admin", "general", "restricted")}}


# ---- the database going away ----------------------------------------------------------------------


def _database_answers():
    try:
        r = requests.get(BASE_URL + "/healthz", verify=False, timeout=TIMEOUT)
        return r.status_code == 200 and r.json().get("database") is True
    except (requests.RequestException, ValueError):
        return False


@pytest.fixture
def database_outage():
    """Stops and starts the stack's MariaDB for a test (outage.stop(), outage.start()). Whatever the
    test did, the database is running again afterwards, /healthz sees it and the stack's job
    scheduler runs, so the test may run anywhere in the suite."""
    class Outage:
        down = False

        def stop(self):
            done = stack_ctl("db-stop")
            self.down = True
            assert done.returncode == 0, done.stderr

        def start(self):
            done = stack_ctl("db-start")
            assert done.returncode == 0, done.stderr
            self.down = False

    outage = Outage()
    yield outage
    if outage.down:
        outage.start()
    wait_until(_database_answers, timeout=60, what="/healthz with the database back")
    jobs = stack_ctl("jobs-pid")
    if jobs.returncode != 0 or not jobs.stdout.strip():
        started = stack_ctl("jobs-start")
        assert started.returncode == 0, started.stderr


# ---- the operator console ----------------------------------------------------------------------


@pytest.fixture
def operator():
    """A client logged in to the console, past the forced password change."""
    login, password = create_operator()
    client = new_client()
    r = console_login(client, login, password)
    assert r.status_code == 303 and r.headers["Location"] == "/_operator/password"
    r = console_post(client, "/_operator/password",
                     {"current": password, "password": "unten-no-himitsu-77", "confirm": "unten-no-himitsu-77"},
                     page="/_operator/password")
    assert r.status_code == 303, r.text
    yield client
    client.close()
