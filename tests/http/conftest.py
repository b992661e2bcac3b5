"""Shared fixtures for the HTTP tests, which run against a live stack started by scripts/test.

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

import http.client
import os
import re
import ssl
import subprocess
import time
import urllib.parse
import warnings

import pytest
import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)

TIMEOUT = 15  # seconds for one request; none of these should take more than a fraction


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the HTTP tests through scripts/test", returncode=2)
    return value


BASE_URL = os.environ.get("MG_BASE_URL", "")
HTTP_URL = os.environ.get("MG_HTTP_URL", "")
VAR_DIR = os.environ.get("MG_VAR_DIR", "")
CONFIG = os.environ.get("MG_CONFIG", "")
BIN = os.environ.get("MG_BIN", "")
BUILD_DIR = os.environ.get("MG_BUILD_DIR", "")
ROOT = os.environ.get("MG_ROOT", "")
STACK_CTL = os.environ.get("MG_STACK_CTL", "")


def pytest_configure(config):
    # pytest resets warning filters around each test; this one it keeps.
    config.addinivalue_line("filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")
    for name in ("MG_BASE_URL", "MG_HTTP_URL", "MG_VAR_DIR", "MG_CONFIG", "MG_BIN",
                 "MG_BUILD_DIR", "MG_ROOT", "MG_STACK_CTL"):
        env(name)


# ---- requests ---------------------------------------------------------------------------------

class Client(requests.Session):
    """A session bound to the stack's base URL: client.get("/healthz"). It does not verify the
    self-signed certificate and never follows redirects."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url
        self.verify = False

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", TIMEOUT)
        # Never follows redirects (Session.get would ask to): tests look at the 30x itself.
        kwargs["allow_redirects"] = False
        # Per request: a session's verify=False loses to REQUESTS_CA_BUNDLE in the environment.
        kwargs.setdefault("verify", False)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def base_url():
    return BASE_URL


@pytest.fixture
def session():
    with Client(BASE_URL) as s:
        yield s


def new_client():
    return Client(BASE_URL)


class RawResponse:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive, get_all()
        self.content = body

    @property
    def text(self):
        return self.content.decode("utf-8", errors="replace")


def raw_request(method, target, headers=None, body=None):
    """Sends exactly `target` (path and query, not re-quoted as requests would) over TLS.

    headers: a dict of str → str or bytes (bytes go on the wire as they are).
    """
    parts = urllib.parse.urlsplit(BASE_URL)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=TIMEOUT, context=ctx)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        hdrs = {"Host": f"{parts.hostname}:{parts.port}", **(headers or {})}
        if body is not None:
            hdrs.setdefault("Content-Length", str(len(body)))
        for name, value in hdrs.items():
            conn.putheader(name, value)
        conn.endheaders()
        if body is not None:
            conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, resp.headers, data)
    finally:
        conn.close()


# ---- processes --------------------------------------------------------------------------------

def master_pid():
    with open(os.path.join(VAR_DIR, "run", "madoguchi.pid")) as f:
        return int(f.read().strip())


def _ppid_and_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None, None
    # The command name is in parentheses and may hold spaces: split after the last ')'.
    rest = stat[stat.rindex(")") + 2:].split()
    return int(rest[1]), rest[0]


def alive(pid):
    _, state = _ppid_and_state(pid)
    return state is not None and state not in ("Z", "X")


def worker_pids(master=None):
    """The live child processes of the serve master, sorted."""
    master = master or master_pid()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        ppid, state = _ppid_and_state(int(entry))
        if ppid == master and state not in ("Z", "X"):
            pids.append(int(entry))
    return sorted(pids)


def configured_workers():
    with open(CONFIG) as f:
        for line in f:
            m = re.match(r"\s*workers\s*=\s*(\d+)\s*$", line)
            if m:
                return int(m.group(1))
    return 4


def wait_until(predicate, timeout=15.0, interval=0.1, what="condition"):
    """Polls predicate() until it returns a true value or the deadline passes (then fails)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def healthz_status():
    try:
        return requests.get(BASE_URL + "/healthz", verify=False, timeout=TIMEOUT).status_code
    except requests.RequestException as e:
        return f"error: {e}"


def stack_ctl(action, timeout=90):
    return subprocess.run([STACK_CTL, action], env={**os.environ, "MG_VAR_DIR": VAR_DIR},
                          capture_output=True, text=True, timeout=timeout)


def run_bin(*args, config=None, timeout=60):
    cmd = [BIN]
    if config is not None:
        cmd += ["-c", config]
    cmd += list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def workers():
    """The worker pids before the test; fails if the stack is not in its normal state."""
    pids = wait_until(lambda: len(worker_pids()) == configured_workers() and worker_pids(),
                      what=f"{configured_workers()} workers")
    return pids


def lang_of(html):
    m = re.search(r'<html[^>]*\blang="([^"]*)"', html)
    return m.group(1) if m else None
