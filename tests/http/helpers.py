"""What the HTTP tests share besides fixtures (those are in conftest.py): the stack's environment,
HTTP clients, the madoguchi binary and the database, the test clock, logins, and the shows and
carts of the tickets tests. Test modules import from here, never from one another."""

import base64
import email
import email.policy
import glob
import hashlib
import hmac
import http.client
import os
import pwd
import re
import shutil
import ssl
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import pytest
import requests


# ---- the stack: environment, HTTP clients, processes ------------------------------------------

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


def lang_of(html):
    m = re.search(r'<html[^>]*\blang="([^"]*)"', html)
    return m.group(1) if m else None


# ---- the binary, the database, the test clock, staff logins -----------------------------------

CLOCK = os.path.join(VAR_DIR, "tmp", "clock-offset")

WRONG = "The login ID or password is not correct, or the account is locked for a while."


def madoguchi(*args, timeout=60):
    return subprocess.run([BIN, "-c", CONFIG, *args], capture_output=True, text=True, timeout=timeout)


def sql(query):
    sock = os.path.join(VAR_DIR, "run", "mysqld.sock")
    out = subprocess.run(["mariadb", f"--socket={sock}", "-u", "root", "-N", "-B", "madoguchi", "-e", query],
                         capture_output=True, text=True, errors="replace", timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def set_clock(seconds):
    with open(CLOCK, "w") as f:
        f.write(str(int(seconds)))


def clock_offset():
    try:
        with open(CLOCK) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0


def totp(secret, offset=0):
    """RFC 6238 (SHA-1, 30 s, 6 digits) for the server's clock moved by the test clock + offset."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    step = int(time.time() + clock_offset() + offset) // 30
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF) % 1000000)


def next_totp_step():
    """Moves the test clock one 30-second step on, so the next code is a fresh one (each code is
    accepted once)."""
    set_clock(clock_offset() + 30)


def enrol_two_factor(client, slug):
    """Turns two-factor login on for the logged-in client; returns (secret, recovery codes)."""
    page = client.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    secret = re.search(r'class="secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    pending = re.search(r'name="pending" value="([^"]+)"', page.text).group(1)
    r = client.post(f"/{slug}/admin/two-factor/enable", headers={"Accept-Language": "en"},
                    data={"pending": pending, "code": totp(secret), "csrf": page_csrf(page.text)})
    assert r.status_code == 200 and "Recovery codes" in r.text, r.text
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", r.text)
    assert len(codes) == 10
    return secret, codes


def create_staff(slug, login, role):
    done = madoguchi("staff", "create", "--tenant", slug, "--login", login, "--name", f"{login} 花子", "--role", role)
    assert done.returncode == 0, done.stderr
    return re.search(r"initial password \(shown once; changed at first login\): (\S+)", done.stdout).group(1)


def csrf(client, slug):
    r = client.get(f"/{slug}/admin/login")
    assert r.status_code == 200
    return client.cookies.get("__Host-mg_csrf")


def login(client, slug, user, password, lang="en"):
    return client.post(f"/{slug}/admin/login", headers={"Accept-Language": lang},
                       data={"login": user, "password": password, "next": f"/{slug}/admin/",
                             "csrf": csrf(client, slug)})


def page_csrf(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def change_password(client, slug, current, fresh, confirm=None):
    form = client.get(f"/{slug}/admin/password", headers={"Accept-Language": "en"})
    return client.post(f"/{slug}/admin/password", headers={"Accept-Language": "en"},
                       data={"current": current, "password": fresh, "confirm": confirm or fresh,
                             "csrf": page_csrf(form.text)})


def logged_in(slug, user, password, new_password="sora-no-mukou-ni-42"):
    """A client past the first login and its forced password change (an administrator also
    past the two-factor enrolment required of them)."""
    client = new_client()
    assert login(client, slug, user, password).status_code == 303
    r = change_password(client, slug, password, new_password)
    assert r.status_code == 303, r.text
    if user.startswith("admin"):
        client.totp_secret, client.recovery_codes = enrol_two_factor(client, slug)
    return client


# ---- the database as root, JST ----------------------------------------------------------------

JST = 9 * 3600


def sql_root(statements):
    """Runs SQL as the database root (the OS user over the socket) in UTC; returns the rows."""
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={os.path.join(VAR_DIR, 'run', 'mysqld.sock')}",
                          "-u", pwd.getpwuid(os.geteuid()).pw_name, "--default-character-set=utf8mb4",
                          "--batch", "--skip-column-names", "--raw", "madoguchi"],
                         input="SET time_zone = '+00:00';\n" + statements, capture_output=True, text=True,
                         encoding="utf-8", timeout=60)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


def jst_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.gmtime(t + JST))


# ---- the operator console ---------------------------------------------------------------------

EN = {"Accept-Language": "en"}


def create_operator():
    login = f"op-{uuid.uuid4().hex[:8]}"
    done = madoguchi("operator", "create", login, "--name", "運用 太郎")
    assert done.returncode == 0, done.stderr
    password = re.search(r"initial password \(shown once; changed at first login\): (\S+)", done.stdout).group(1)
    return login, password


def console_login(client, login, password):
    form = client.get("/_operator/login", headers=EN)
    assert form.status_code == 200
    return client.post("/_operator/login", headers=EN,
                       data={"login": login, "password": password, "next": "/_operator/",
                             "csrf": page_csrf(form.text)})


def console_post(client, path, data, page="/_operator/"):
    """Posts a console form with the CSRF token of the page it sits on."""
    form = client.get(page, headers=EN)
    assert form.status_code == 200, (page, form.status_code)
    return client.post(path, headers=EN, data={**data, "csrf": page_csrf(form.text)})


def new_tenant(prefix="op"):
    slug = f"{prefix}-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "運用テスト会館", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    return slug


def field_error(html, field):
    m = re.search(rf'id="{field}"[^>]*aria-invalid="[^"]+".*?class="field-error">([^<]+)<', html, re.S)
    return m and m.group(1)


# ---- backups ----------------------------------------------------------------------------------


def backup_now():
    done = madoguchi("backup", "now", timeout=300)
    assert done.returncode == 0, done.stderr
    backup_id = done.stdout.strip()
    assert len(backup_id) == 16 and backup_id.endswith("Z")
    assert "sealed" in done.stderr and "files" in done.stderr  # progress lines
    return backup_id


class ScratchServer:
    """A mariadbd of the test's own on a restored datadir (no grant tables, its own socket)."""

    def __init__(self, datadir):
        self.run_dir = tempfile.mkdtemp(prefix="srv-", dir=os.path.join(VAR_DIR, "tmp"))
        self.socket = os.path.join(self.run_dir, "s.sock")
        args = ["mariadbd", "--no-defaults", f"--datadir={datadir}", f"--socket={self.socket}", "--skip-networking",
                "--skip-grant-tables", f"--pid-file={self.run_dir}/pid", f"--log-error={self.run_dir}/log",
                f"--tmpdir={self.run_dir}", "--innodb-buffer-pool-size=64M"]
        if os.geteuid() == 0:
            args.append("--user=root")
        env = dict(os.environ, PATH=os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_until(lambda: self.proc.poll() is None and os.path.exists(self.socket) and self.query("SELECT 1"),
                   timeout=60, what="the scratch server on the restored datadir")

    def query(self, statement):
        out = subprocess.run(["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root", "--batch",
                              "--skip-column-names", "madoguchi", "-e", statement],
                             capture_output=True, text=True, timeout=60)
        return [line.split("\t") for line in out.stdout.splitlines()] if out.returncode == 0 else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.run_dir, ignore_errors=True)


# ---- tickets: shows, carts and orders through the API -----------------------------------------


def make_tenant():
    slug = f"shop-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト劇場", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    return slug, int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())


def add_performance(tid, event, seat_map, days=30, ga=0):
    """A performance on sale (starting in `days` days) with a free unit per seat of the map and
    `ga` general-admission places; returns (performance id, quota id or None)."""
    out = sql(f"""
        INSERT INTO tickets_performance (tenant_id, event_id, starts_at, sale_starts_at, sale_ends_at)
          VALUES ({tid}, {event}, UTC_TIMESTAMP() + INTERVAL {days} DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY,
                  UTC_TIMESTAMP() + INTERVAL {days} DAY - INTERVAL 1 HOUR);
        SET @perf = LAST_INSERT_ID();
        INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
          SELECT {tid}, 'tickets.seat', @perf, seat_no, 'free' FROM tickets_seat
          WHERE tenant_id = {tid} AND seat_map_id = {seat_map};
        SET @quota = NULL;
        INSERT INTO tickets_ga_quota (tenant_id, performance_id, name, price_category, capacity)
          SELECT {tid}, @perf, '立見', 'GA', {ga} FROM DUAL WHERE {ga} > 0;
        SET @quota = IF({ga} > 0, LAST_INSERT_ID(), NULL);
        INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
          WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < {max(ga, 1)})
          SELECT {tid}, 'tickets.ga', @quota, u, 'free' FROM n WHERE @quota IS NOT NULL;
        SELECT @perf, COALESCE(@quota, 0);
    """).split()
    return int(out[0]), (int(out[1]) or None)


def make_show(seats=40, ga=10, per_order_limit=8):
    """A tenant with the tickets module, a venue whose map has `seats` seats (first half S at
    5,000 yen, the rest A at 3,000; labels "1階 A列 1番"…), a published event with one ticket
    type and one performance on sale with `ga` standing places at 2,000 yen."""
    slug, tid = make_tenant()
    ids = sql(f"""
        INSERT INTO tickets_venue (tenant_id, name) VALUES ({tid}, '市民会館 大ホール');
        SET @venue = LAST_INSERT_ID();
        INSERT INTO tickets_seat_map (tenant_id, venue_id, name, xml, width, height, seat_count)
          VALUES ({tid}, @venue, '標準', '<seatmap/>', 1000, 800, {seats});
        SET @map = LAST_INSERT_ID();
        INSERT INTO tickets_seat (tenant_id, seat_map_id, seat_no, section, row_label, number_label, label,
                                  category, x, y, best, row_order)
          WITH RECURSIVE n (u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM n WHERE u < {seats})
          SELECT {tid}, @map, u, '1階', CHAR(65 + (u - 1) DIV 10 USING ascii), (u - 1) MOD 10 + 1,
                 CONCAT('1階 ', CHAR(65 + (u - 1) DIV 10 USING ascii), '列 ', (u - 1) MOD 10 + 1, '番'),
                 IF(u <= {seats // 2}, 'S', 'A'), ((u - 1) MOD 10) * 40, ((u - 1) DIV 10) * 40, u,
                 (u - 1) MOD 10 + 1 FROM n;
        INSERT INTO tickets_event (tenant_id, title, description, venue_id, seat_map_id, kind, state,
                                   per_order_limit)
          VALUES ({tid}, '春の演奏会', '', @venue, @map, 'seated', 'published', {per_order_limit});
        SET @event = LAST_INSERT_ID();
        INSERT INTO tickets_ticket_type (tenant_id, event_id, name, sort_no) VALUES ({tid}, @event, '一般', 1);
        SET @type = LAST_INSERT_ID();
        INSERT INTO tickets_price (tenant_id, event_id, category, ticket_type_id, amount)
          VALUES ({tid}, @event, 'S', @type, 5000), ({tid}, @event, 'A', @type, 3000),
                 ({tid}, @event, 'GA', @type, 2000);
        SELECT @event, @map, @type;
    """).split()
    event, seat_map, ticket_type = (int(x) for x in ids)
    perf, quota = add_performance(tid, event, seat_map, ga=ga)
    return {"slug": slug, "tid": tid, "event": event, "map": seat_map, "type": ticket_type, "perf": perf,
            "quota": quota, "seats": seats}


def api(method, path, body=None, lang="en", raw=None, headers=None, session=None):
    """One API call without cookies (as a program makes it)."""
    hdrs = {"Accept-Language": lang, **(headers or {})}
    kwargs = {"headers": hdrs, "timeout": TIMEOUT, "verify": False, "allow_redirects": False}
    if raw is not None:
        kwargs["data"] = raw
        hdrs.setdefault("Content-Type", "application/json")
    elif body is not None:
        kwargs["json"] = body
    return (session or requests).request(method, BASE_URL + path, **kwargs)


def new_cart(slug, session=None):
    r = api("POST", f"/{slug}/api/v1/carts", session=session)
    assert r.status_code == 201, r.text
    return r.json()["cart"]


def hold(slug, cart, perf, seats=None, quantity=None, session=None, lang="en"):
    body = {"performance": perf}
    if seats is not None:
        body["seats"] = seats
    if quantity is not None:
        body["quantity"] = quantity
    return api("POST", f"/{slug}/api/v1/carts/{cart}/seats", body, session=session, lang=lang)


def checkout(slug, cart, payment="box_office", email=None, session=None, name="山田 花子"):
    email = email or f"buyer-{uuid.uuid4().hex[:8]}@example.jp"
    return api("POST", f"/{slug}/api/v1/carts/{cart}/checkout",
               {"name": name, "email": email, "payment": payment}, session=session)


def unit_states(tid, kind, resource):
    rows = sql(f"SELECT unit, state FROM inventory_unit WHERE tenant_id = {tid} AND kind = 'tickets.{kind}'"
               f" AND resource_id = {resource} ORDER BY unit").split("\n")
    return {int(u): s for u, s in (r.split("\t") for r in rows if r)}


def buy(show, seats, payment="box_office", email=None, name="山田 花子"):
    cart = new_cart(show["slug"])
    assert hold(show["slug"], cart, show["perf"], seats=seats).status_code == 200
    r = checkout(show["slug"], cart, payment=payment, email=email, name=name)
    assert r.status_code == 201, r.text
    return r.json()


def jst(offset):
    """A datetime-local value in JST, offset seconds from now (the server's clock unmoved)."""
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + offset + 9 * 3600))


class Hall:
    """A tenant with the tickets module, a venue with a six-seat map (S: 2, A: 4) and its
    administrator logged in."""

    def __init__(self):
        self.slug = f"cat-{uuid.uuid4().hex[:10]}"
        done = madoguchi("tenant", "create", "--slug", self.slug, "--name", "カタログ会館", "--modules", "tickets")
        assert done.returncode == 0, done.stderr
        self.id = sql(f"SELECT id FROM tenant WHERE slug = '{self.slug}'").strip()
        self.password = create_staff(self.slug, "admin", "admin")
        self.venue = self.insert("tickets_venue", "(tenant_id, name, address) VALUES ({t}, '大ホール', '東京都千代田区1-1')")
        self.seat_map = self.insert(
            "tickets_seat_map",
            "(tenant_id, venue_id, name, xml, width, height, seat_count) VALUES ({t}, %s, '通常', '<map/>', 100, 100, 6)"
            % self.venue)
        seats = ",".join(f"({self.id}, {self.seat_map}, {n}, '1階', 'A', '{n}', '1階 A列 {n}番', '{'S' if n <= 2 else 'A'}',"
                         f" {n * 10}, 10, {n}, {n})" for n in range(1, 7))
        sql("INSERT INTO tickets_seat (tenant_id, seat_map_id, seat_no, section, row_label, number_label, label,"
            f" category, x, y, best, row_order) VALUES {seats}")
        self.admin = logged_in(self.slug, "admin", self.password)
        self.csrf = page_csrf(self.admin.get(f"/{self.slug}/admin/", headers=EN).text)

    def insert(self, table, values):
        return sql(f"INSERT INTO {table} {values.format(t=self.id)}; SELECT LAST_INSERT_ID()").strip()

    def get(self, path, lang=EN):
        return self.admin.get(f"/{self.slug}/admin{path}", headers=lang)

    def post(self, path, data, lang=EN):
        return self.admin.post(f"/{self.slug}/admin{path}", headers=lang, data={**data, "csrf": self.csrf})

    def public(self, path, lang=EN):
        with new_client() as c:
            return c.get(f"/{self.slug}{path}", headers=lang)

    def event(self, kind="seated", title="春の演奏会", **extra):
        data = {"title": title, "description": "弦楽四重奏の夕べ", "venue_id": self.venue, "kind": kind,
                "seat_map_id": self.seat_map if kind == "seated" else "", "per_order_limit": "6", **extra}
        r = self.post("/tickets/events", data)
        assert r.status_code == 303, r.text
        return re.search(r"/tickets/events/(\d+)$", r.headers["Location"]).group(1)

    def performance(self, event, starts, sale_from, sale_to):
        r = self.post(f"/tickets/events/{event}/performances",
                      {"starts_at": jst(starts), "doors_at": jst(starts - 1800), "sale_starts_at": jst(sale_from),
                       "sale_ends_at": jst(sale_to)})
        assert r.status_code == 303, r.text
        return re.search(r"/tickets/performances/(\d+)$", r.headers["Location"]).group(1)

    def ticket_type(self, event, name, order):
        assert self.post(f"/tickets/events/{event}/types", {"name": name, "sort_no": order}).status_code == 303
        return sql(f"SELECT id FROM tickets_ticket_type WHERE tenant_id = {self.id} AND event_id = {event}"
                   f" AND name = '{name}'").strip()

    def units(self, kind, resource, state=None):
        where = f" AND state = '{state}'" if state else ""
        return int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {self.id} AND kind = 'tickets.{kind}'"
                       f" AND resource_id = {resource}{where}").strip())

    def set_units(self, kind, resource, units, state):
        hold = ", hold_token = 99, hold_expires = NOW(3) + INTERVAL 1 DAY" if state == "held" else ""
        sql(f"UPDATE inventory_unit SET state = '{state}'{hold} WHERE tenant_id = {self.id} AND kind = 'tickets.{kind}'"
            f" AND resource_id = {resource} AND unit IN ({','.join(map(str, units))})")

    def audited(self, action):
        return sql(f"SELECT COUNT(*) FROM audit_log WHERE tenant_id = {self.id} AND action = '{action}'").strip() != "0"


# ---- customers: registration and the mail the stack sends -------------------------------------

PASSWORD = "yama-no-ue-no-sora-7"
MAIL_DIR = os.path.join(VAR_DIR, "mail")
SENT = "We sent a message to the address you entered."


def form_csrf(client, path, lang="en"):
    r = client.get(path, headers={"Accept-Language": lang})
    assert r.status_code == 200, (path, r.status_code)
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


def post(client, path, data, lang="en", csrf_from=None):
    data = {**data, "csrf": form_csrf(client, csrf_from or path, lang)}
    return client.post(path, data=data, headers={"Accept-Language": lang})


def register(client, slug, mail, name="山田 花子", password=PASSWORD, confirm=None, lang="en"):
    return post(client, f"/{slug}/account/register",
                {"email": mail, "name": name, "password": password, "confirm": confirm or password}, lang)


def address():
    return f"hanako.{uuid.uuid4().hex[:10]}@example.jp"


def send_mail(config=None):
    done = run_bin("mail", "send", config=config or CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mails_to(mail):
    found = []
    for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml"))):
        with open(path, "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if msg["To"] == mail:
            found.append((msg, raw))
    return found


def the_mail_to(mail, about="Confirm your registration"):
    """Runs `madoguchi mail send` and returns the one message to mail whose subject says
    about (and its raw bytes)."""
    assert "sent" in send_mail()
    found = [(m, raw) for m, raw in mails_to(mail) if about in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m, _ in mails_to(mail)]
    return found[0]


def public_url():
    with open(CONFIG) as f:
        return re.search(r"^public_url\s*=\s*(\S+)", f.read(), re.M).group(1)


def link_path(msg, what):
    """The path and query of the link to /account/<what> in the mail, checked to start with
    the configured public_url."""
    m = re.search(r"(https?://\S+/account/" + what + r"\?token=[A-Za-z0-9_-]{43})", msg.get_content())
    assert m, msg.get_content()
    assert m.group(1).startswith(public_url() + "/")
    parts = urllib.parse.urlsplit(m.group(1))
    return f"{parts.path}?{parts.query}"


def confirm(client, path, password=PASSWORD):
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["token"][0]
    slug = path.split("/")[1]
    return post(client, path.split("?")[0], {"token": token, "password": password},
                csrf_from=f"/{slug}/account/register")


def active_account(slug, mail, password=PASSWORD):
    """Registers mail and confirms it; returns a client logged in as that customer."""
    client = new_client()
    assert SENT in register(client, slug, mail, password=password).text
    msg, _ = the_mail_to(mail)
    r = confirm(client, link_path(msg, "confirm"), password)
    assert r.status_code == 303, r.text
    return client


# ---- rentals (tests/http/test_rentals_*.py, tests/browser/test_browser_rentals.py) ----

import datetime as _datetime  # noqa: E402

JST_ZONE = _datetime.timezone(_datetime.timedelta(hours=9))


def rentals_tenant(modules="tickets rentals"):
    slug = f"rent-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト市民会館", "--modules", modules)
    assert done.returncode == 0, done.stderr
    return slug, int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())


def utc(t):
    return t.astimezone(_datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_ahead(days, weekday=None):
    """A local date `days` days from today, moved on to the next `weekday` (0 Monday) if given."""
    d = _datetime.datetime.now(JST_ZONE).date() + _datetime.timedelta(days=days)
    while weekday is not None and d.weekday() != weekday:
        d += _datetime.timedelta(days=1)
    return d.isoformat()


def make_center(tid):
    """A 市民会館 (午前 9–12, 午後 13–17, 夜間 18–22; 土日祝 +20 %; 全日 −10 %) with a 会議室 and a
    体育館 of two parts on calendar spaces, purposes 一般 ×1.0 and 営利 ×3.0, and one projector."""
    out = sql(f"""
        INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES ({tid}, '第1会議室', 'room', 40);
        SET @s_room = LAST_INSERT_ID();
        INSERT INTO calendar_space (tenant_id, name, kind, capacity) VALUES ({tid}, '体育館', 'court', 300);
        SET @s_gym = LAST_INSERT_ID();
        INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity)
          VALUES ({tid}, @s_gym, 1, 'A面', 'court', 150);
        SET @s_a = LAST_INSERT_ID();
        INSERT INTO calendar_space (tenant_id, parent_id, depth, name, kind, capacity)
          VALUES ({tid}, @s_gym, 1, 'B面', 'court', 150);
        SET @s_b = LAST_INSERT_ID();
        INSERT INTO rentals_facility (tenant_id, name, weekend_percent, full_day_percent)
          VALUES ({tid}, '市民会館', 20, 10);
        SET @f = LAST_INSERT_ID();
        INSERT INTO rentals_block (tenant_id, facility_id, code, label, start_minute, end_minute, sort_order)
          VALUES ({tid}, @f, 'am', '午前', 540, 720, 1), ({tid}, @f, 'pm', '午後', 780, 1020, 2),
                 ({tid}, @f, 'night', '夜間', 1080, 1320, 3);
        INSERT INTO rentals_purpose (tenant_id, facility_id, code, label, percent, sort_order)
          VALUES ({tid}, @f, 'general', '一般', 100, 1), ({tid}, @f, 'commercial', '営利', 300, 2);
        INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, @s_room, '第1会議室', 40, 1);
        SET @room = LAST_INSERT_ID();
        INSERT INTO rentals_room (tenant_id, facility_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, @s_gym, '体育館', 300, 2);
        SET @gym = LAST_INSERT_ID();
        INSERT INTO rentals_room (tenant_id, facility_id, parent_room_id, space_id, name, capacity, sort_order)
          VALUES ({tid}, @f, @gym, @s_a, 'A面', 150, 1);
        SET @a = LAST_INSERT_ID();
        INSERT INTO rentals_fee (tenant_id, room_id, block_code, amount)
          SELECT {tid}, r.id, b.code, CASE b.code WHEN 'am' THEN 1000 WHEN 'pm' THEN 1500 ELSE 2000 END
          FROM rentals_room r JOIN rentals_block b ON b.tenant_id = r.tenant_id AND b.facility_id = r.facility_id
          WHERE r.tenant_id = {tid};
        INSERT INTO rentals_equipment (tenant_id, facility_id, name, stock, fee_per_block)
          VALUES ({tid}, @f, 'プロジェクター', 1, 1000);
        SET @projector = LAST_INSERT_ID();
        SELECT @room, @gym, @a, @projector, @s_room;
    """).split()
    room, gym, a, projector, space = (int(x) for x in out)
    return {"room": room, "gym": gym, "a": a, "projector": projector, "space": space}



def rentals_api_token(admin, slug, name, acts_as):
    """A staff API token made on the back-office page for the staff member acts_as."""
    page = admin.get(f"/{slug}/admin/api-tokens", headers=EN)
    assert page.status_code == 200, page.text
    staff = sql(f"SELECT s.id FROM staff s JOIN tenant t ON t.id = s.tenant_id"
                f" WHERE t.slug = '{slug}' AND s.login = '{acts_as}'").strip()
    r = admin.post(f"/{slug}/admin/api-tokens", headers=EN,
                   data={"name": name, "staff": staff, "csrf": page_csrf(page.text)})
    assert r.status_code == 200, r.text
    return re.search(r'class="secret token">([A-Za-z0-9_-]{43})<', r.text).group(1)
