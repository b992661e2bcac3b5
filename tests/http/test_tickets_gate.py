"""The gate (issue 4, items 5 and 6): staff API tokens (created in the back office, shown once,
stored hashed, used as "Authorization: Bearer" on /<slug>/api/ only, revoked), check-in on the
page and through POST /<slug>/api/v1/checkin (signature first, one conditional UPDATE, a
second scan answers when and at which gate), and what restricted staff may do."""

import base64
import hashlib
import os
import re
import subprocess
import tempfile
import uuid

import pytest

from helpers import (buy, create_staff, hold, logged_in, madoguchi, make_show, new_cart, new_client,
                    page_csrf, sql, unit_states)

pytestmark = pytest.mark.usefixtures("real_clock")


EN = {"Accept-Language": "en"}


def tenant_id_of(slug):
    return int(sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip())


def staff_id(slug, login_id):
    return int(sql(f"SELECT s.id FROM staff s JOIN tenant t ON t.id = s.tenant_id "
                   f"WHERE t.slug = '{slug}' AND s.login = '{login_id}'").strip())


def insert(query):
    """Runs an INSERT as the database owner and returns LAST_INSERT_ID()."""
    return int(sql(query + "; SELECT LAST_INSERT_ID()").strip().splitlines()[-1])


# ---- signed codes without the shop: a key of the test's own, signed with the openssl tool ----

class Signer:
    """An Ed25519 key whose public half is stored as the tenant's signing key (the private half,
    which the server never needs to verify, stays in the test)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mg-gate-")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key], check=True,
                       capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.public = der[-32:]

    def sign(self, payload):
        path = os.path.join(self.dir, "payload")
        with open(path, "wb") as f:
            f.write(payload.encode())
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", self.key, "-in", path],
                             check=True, capture_output=True).stdout
        return payload + "." + base64.urlsafe_b64encode(sig).decode().rstrip("=")

    def install(self, tenant_id):
        sql(f"INSERT INTO signing_key (tenant_id, key_id, public_key, private_sealed, created_at) "
            f"VALUES ({tenant_id}, 1, UNHEX('{self.public.hex()}'), UNHEX('00'), UTC_TIMESTAMP())")


@pytest.fixture
def gate(hall):
    """hall with a signing key, an event with two performances and a paid order of three
    tickets for the first one: gate["codes"][i], gate["tickets"][i]."""
    slug = hall["slug"]
    tid = tenant_id_of(slug)
    signer = Signer()
    signer.install(tid)
    event = insert(f"INSERT INTO tickets_event (tenant_id, title, description, venue_id, kind, state) "
                   f"VALUES ({tid}, '入場テスト公演', '', 1, 'ga', 'published')")
    perfs = [insert(f"INSERT INTO tickets_performance (tenant_id, event_id, starts_at, sale_starts_at, sale_ends_at)"
                    f" VALUES ({tid}, {event}, UTC_TIMESTAMP() + INTERVAL {h} HOUR, UTC_TIMESTAMP() - INTERVAL 1 DAY,"
                    f" UTC_TIMESTAMP() + INTERVAL {h} HOUR)") for h in (2, 26)]
    order = insert(f"INSERT INTO orders (tenant_id, code, state, channel, payment_method, total, created_at, paid_at) "
                   f"VALUES ({tid}, 'G{uuid.uuid4().hex[:11].upper()}', 'paid', 'box_office', 'box_office', 9000,"
                   f" UTC_TIMESTAMP(), UTC_TIMESTAMP())")
    tickets, codes = [], []
    for line in (1, 2, 3):
        sql(f"INSERT INTO order_line (tenant_id, order_id, line_no, module, kind, resource_id, unit, description,"
            f" amount) VALUES ({tid}, {order}, {line}, 'tickets', 'tickets.ga', 1, {line}, '自由席 {line}', 3000)")
        ticket = insert(f"INSERT INTO tickets_ticket (tenant_id, order_id, line_no, performance_id, kind, resource_id,"
                        f" unit, code) VALUES ({tid}, {order}, {line}, {perfs[0]}, 'tickets.ga', 1, {line}, 'pending')")
        code = signer.sign(f"T1-{ticket}")
        sql(f"UPDATE tickets_ticket SET code = '{code}' WHERE tenant_id = {tid} AND id = {ticket}")
        tickets.append(ticket)
        codes.append(code)
    return {**hall, "tenant_id": tid, "signer": signer, "performances": perfs, "tickets": tickets, "codes": codes}


def make_token(admin, slug, name, acts_as):
    """Creates an API token on the back-office page; returns (token, page text)."""
    page = admin.get(f"/{slug}/admin/api-tokens", headers=EN)
    assert page.status_code == 200, page.text
    r = admin.post(f"/{slug}/admin/api-tokens", headers=EN,
                   data={"name": name, "staff": str(staff_id(slug, acts_as)), "csrf": page_csrf(page.text)})
    assert r.status_code == 200, r.text
    return re.search(r'class="secret token">([A-Za-z0-9_-]{43})<', r.text).group(1), r.text


def checkin(token, slug, code, gate=None, performance=None, lang="en"):
    body = {"code": code}
    if gate is not None:
        body["gate"] = gate
    if performance is not None:
        body["performance"] = performance
    with new_client() as c:
        return c.post(f"/{slug}/api/v1/checkin", json=body,
                      headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})


def checked_in(tid, ticket):
    return sql(f"SELECT COALESCE(checked_in_at, 'NULL'), COALESCE(checked_in_gate, 'NULL') FROM tickets_ticket "
               f"WHERE tenant_id = {tid} AND id = {ticket}").strip().split("\t")


# ---- API tokens ----------------------------------------------------------------------------------

def test_api_token_is_shown_once_stored_hashed_used_and_revoked(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, shown = make_token(admin, slug, "東ゲート スキャナー1", "restricted")
        assert "東ゲート スキャナー1" in shown
        stored = sql(f"SELECT token_hash FROM api_token WHERE tenant_id = {tid}").split()
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]
        listing = admin.get(f"/{slug}/admin/api-tokens", headers=EN)
        assert "東ゲート スキャナー1" in listing.text and token not in listing.text
        assert "Not used yet" in listing.text

        r = checkin(token, slug, gate["codes"][0], gate="東")
        assert r.status_code == 200, r.text
        assert r.json()["result"] == "ok"
        assert sql(f"SELECT checked_in_by FROM tickets_ticket WHERE tenant_id = {tid} AND id = {gate['tickets'][0]}"
                   ).strip() == str(staff_id(slug, "restricted"))
        assert sql(f"SELECT last_used_at IS NOT NULL FROM api_token WHERE tenant_id = {tid}").strip() == "1"
        assert "Not used yet" not in admin.get(f"/{slug}/admin/api-tokens", headers=EN).text

        token_id = sql(f"SELECT id FROM api_token WHERE tenant_id = {tid}").strip()
        page = admin.get(f"/{slug}/admin/api-tokens", headers=EN)
        r = admin.post(f"/{slug}/admin/api-tokens/{token_id}/revoke", data={"csrf": page_csrf(page.text)})
        assert r.status_code == 303
        assert "Revoked" in admin.get(f"/{slug}/admin/api-tokens", headers=EN).text
    r = checkin(token, slug, gate["codes"][1])
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert checked_in(tid, gate["tickets"][1])[0] == "NULL"
    actions = sql(f"SELECT action FROM audit_log WHERE tenant_id = {tid}").split()
    assert "api_token.create" in actions and "api_token.revoke" in actions


def test_new_token_form_keeps_the_name_and_says_what_is_wrong(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        page = admin.get(f"/{slug}/admin/api-tokens", headers=EN)
        r = admin.post(f"/{slug}/admin/api-tokens", headers=EN,
                       data={"name": "西ゲート", "staff": "999999999", "csrf": page_csrf(page.text)})
        assert r.status_code == 422
        assert 'value="西ゲート"' in r.text and "Choose an active staff member." in r.text
        r = admin.post(f"/{slug}/admin/api-tokens", headers=EN, data={"name": "", "csrf": page_csrf(page.text)})
        assert r.status_code == 422 and "Give the token a name" in r.text
        assert sql("SELECT COUNT(*) FROM api_token t JOIN tenant n ON n.id = t.tenant_id "
                   f"WHERE n.slug = '{slug}'").strip() == "0"


def test_only_administrators_manage_tokens(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"]) as general:
        assert general.get(f"/{slug}/admin/api-tokens").status_code == 403


def test_a_token_of_a_deactivated_member_or_unknown_token_is_401(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "general")
        sid = staff_id(slug, "general")
        page = admin.get(f"/{slug}/admin/staff/{sid}", headers=EN)
        r = admin.post(f"/{slug}/admin/staff/{sid}/deactivate", data={"csrf": page_csrf(page.text)})
        assert r.status_code == 303
    r = checkin(token, slug, gate["codes"][0])
    assert r.status_code == 401, r.text
    assert checked_in(tid, gate["tickets"][0])[0] == "NULL"
    for bad in ("x" * 43, token[:-1], ""):
        r = checkin(bad, slug, gate["codes"][0])
        assert r.status_code == 401 and r.json()["error"] == "unauthorized", bad
    with new_client() as c:  # no token at all: refused (by the CSRF check or the missing staff member)
        r = c.post(f"/{slug}/api/v1/checkin", json={"code": gate["codes"][0]})
        assert r.status_code in (401, 403) and r.headers["Content-Type"] == "application/json"
    assert checked_in(tid, gate["tickets"][0])[0] == "NULL"


def test_a_token_works_only_for_its_own_tenant(gate):
    slug = gate["slug"]
    other = f"bo-{uuid.uuid4().hex[:10]}"
    assert madoguchi("tenant", "create", "--slug", other, "--name", "別の会館", "--modules", "tickets").returncode == 0
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
    r = checkin(token, other, gate["codes"][0])
    assert r.status_code == 401


def test_bearer_token_is_ignored_outside_the_api(gate):
    slug = gate["slug"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "admin")
    with new_client() as c:
        for path in ("/admin/", "/admin/tickets/checkin", "/admin/api-tokens"):
            r = c.get(f"/{slug}{path}", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 303 and "/admin/login" in r.headers["Location"], path
        r = c.post(f"/{slug}/admin/tickets/checkin", data={"code": gate["codes"][0]},
                   headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403  # no CSRF token: a bearer does not stand in for a session here
    assert checked_in(gate["tenant_id"], gate["tickets"][0])[0] == "NULL"


# ---- check-in through the API ----------------------------------------------------------------

def test_first_scan_200_second_409_with_the_time_in_jst_and_the_gate(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
    r = checkin(token, slug, gate["codes"][0], gate="北口")
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["result"] == "ok" and first["gate"] == "北口" and first["ticket"]["id"] == gate["tickets"][0]
    assert first["ticket"]["description"] == "自由席 1" and first["ticket"]["event"] == "入場テスト公演"
    at_utc, gate_name = checked_in(tid, gate["tickets"][0])
    assert gate_name == "北口"
    jst = sql(f"SELECT DATE_FORMAT(checked_in_at + INTERVAL 9 HOUR, '%H:%i'),"
              f" DATE_FORMAT(checked_in_at + INTERVAL 9 HOUR, '%Y-%m-%dT%H:%i:%s+09:00')"
              f" FROM tickets_ticket WHERE tenant_id = {tid} AND id = {gate['tickets'][0]}").strip().split("\t")

    r = checkin(token, slug, gate["codes"][0], gate="南口")
    assert r.status_code == 409, r.text
    again = r.json()
    assert again["error"] == "already_checked_in"
    assert again["checked_in_at"] == jst[1] and again["gate"] == "北口"
    assert again["message"] == f"Already checked in at {jst[0]} (北口)."
    assert checked_in(tid, gate["tickets"][0]) == [at_utc, "北口"]  # the second scan changed nothing
    r = checkin(token, slug, gate["codes"][0], lang="ja")
    assert r.status_code == 409 and r.json()["message"] == f"{jst[0]} に入場済みです（北口）。"


def test_an_altered_or_forged_code_is_refused_without_touching_the_ticket(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
    code = gate["codes"][0]
    payload, sig = code.split(".")
    other_ticket = gate["tickets"][1]
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    forged = [
        f"{payload}.{flipped}",                 # signature altered
        f"T1-{other_ticket}.{sig}",             # payload altered, signature kept
        Signer().sign(f"T1-{other_ticket}"),   # signed with a key that is not the tenant's
        payload,                                # no signature
        "not a code",
    ]
    for bad in forged:
        r = checkin(token, slug, bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"] == "invalid_code"
    for ticket in gate["tickets"]:
        assert checked_in(tid, ticket)[0] == "NULL"
    # a code correctly signed for a ticket that does not exist
    r = checkin(token, slug, gate["signer"].sign("T1-999999999"))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = checkin(token, slug, gate["signer"].sign("X9-1"))
    assert r.status_code == 400


def test_void_ticket_and_wrong_performance_are_refused(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
    r = checkin(token, slug, gate["codes"][1], performance=gate["performances"][1])
    assert r.status_code == 409 and r.json()["error"] == "wrong_performance", r.text
    assert checked_in(tid, gate["tickets"][1])[0] == "NULL"
    r = checkin(token, slug, gate["codes"][1], performance=gate["performances"][0])
    assert r.status_code == 200
    sql(f"UPDATE tickets_ticket SET state = 'void' WHERE tenant_id = {tid} AND id = {gate['tickets'][2]}")
    r = checkin(token, slug, gate["codes"][2])
    assert r.status_code == 410 and r.json()["error"] == "void"
    assert checked_in(tid, gate["tickets"][2])[0] == "NULL"


def test_malformed_json_is_400(gate):
    slug = gate["slug"]
    with logged_in(slug, "admin", gate["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
    with new_client() as c:
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for body in (b"{", b"[]", b'{"code": 5}', b'{"code": "x", "performance": "a"}'):
            r = c.post(f"/{slug}/api/v1/checkin", data=body, headers=auth)
            assert r.status_code == 400 and r.json()["error"] in ("bad_json", "bad_request"), body


# ---- the check-in page, and restricted staff ---------------------------------------------------

def test_restricted_staff_check_in_on_the_page_and_can_do_nothing_else(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    with logged_in(slug, "restricted", gate["restricted"]) as gatekeeper:
        page = gatekeeper.get(f"/{slug}/admin/tickets/checkin", headers=EN)
        assert page.status_code == 200
        assert re.search(r'<input id="code"[^>]*autofocus', page.text)
        # the menu offers the check-in page and none of the back office's other tickets pages
        assert f'href="/{slug}/admin/tickets/checkin"' in page.text
        assert "/admin/staff" not in page.text and "/admin/api-tokens" not in page.text
        form = {"code": gate["codes"][0], "gate": "正面", "performance": str(gate["performances"][0]),
                "csrf": page_csrf(page.text)}
        r = gatekeeper.post(f"/{slug}/admin/tickets/checkin", headers=EN, data=form)
        assert r.status_code == 200 and 'data-result="ok"' in r.text and "自由席 1" in r.text
        assert 'value="正面"' in r.text  # the gate stays for the next scan
        r = gatekeeper.post(f"/{slug}/admin/tickets/checkin", headers=EN, data=form)
        assert r.status_code == 409 and 'data-result="already_checked_in"' in r.text
        assert "(正面)" in r.text
        r = gatekeeper.post(f"/{slug}/admin/tickets/checkin", headers=EN, data={**form, "code": "T1-1.AAAA"})
        assert r.status_code == 400 and 'data-result="invalid_code"' in r.text
        r = gatekeeper.post(f"/{slug}/admin/tickets/checkin", headers=EN, data={**form, "code": ""})
        assert r.status_code == 422 and "Type or scan a ticket code." in r.text
        for path in ("/admin/api-tokens", "/admin/staff", "/admin/audit"):
            assert gatekeeper.get(f"/{slug}{path}").status_code == 403, path
    assert checked_in(tid, gate["tickets"][0])[1] == "正面"


# ---- sales per performance ------------------------------------------------------------------------

def test_sales_per_performance_counts_units_and_revenue_with_a_chart(gate):
    slug, tid = gate["slug"], gate["tenant_id"]
    first, second = gate["performances"]
    # the first performance: 10 seats (3 sold, 1 held, 2 blocked) and a quota of 5 places (2 sold)
    for unit in range(1, 11):
        state = "sold" if unit <= 3 else "held" if unit == 4 else "blocked" if unit <= 6 else "free"
        expires = "UTC_TIMESTAMP() + INTERVAL 1 HOUR" if state == "held" else "NULL"
        sql(f"INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state, hold_token, hold_expires)"
            f" VALUES ({tid}, 'tickets.seat', {first}, {unit}, '{state}', {1 if state == 'held' else 'NULL'}, {expires})")
    quota = insert(f"INSERT INTO tickets_ga_quota (tenant_id, performance_id, name, price_category, capacity)"
                   f" VALUES ({tid}, {first}, '立見', '', 5)")
    for unit in range(1, 6):
        sql(f"INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state) VALUES"
            f" ({tid}, 'tickets.ga', {quota}, {unit}, '{'sold' if unit <= 2 else 'free'}')")
    # a hold that lapsed counts as free
    sql(f"INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state, hold_token, hold_expires)"
        f" VALUES ({tid}, 'tickets.seat', {second}, 1, 'held', 2, UTC_TIMESTAMP() - INTERVAL 1 HOUR)")
    with logged_in(slug, "general", gate["general"]) as general:
        r = general.get(f"/{slug}/admin/tickets/sales", headers=EN)
        assert r.status_code == 200, r.text
    row = re.search(rf'<tr data-performance="{first}">(.*?)</tr>', r.text, re.S).group(1)
    cells = dict(re.findall(r'data-col="([a-z]+)">([0-9,]+)<', row))
    # the fixture's paid order: three tickets of the first performance at 3,000 yen
    assert cells == {"sold": "5", "held": "1", "free": "7", "blocked": "2", "paid": "9,000", "pending": "0"}
    row = re.search(rf'<tr data-performance="{second}">(.*?)</tr>', r.text, re.S).group(1)
    assert dict(re.findall(r'data-col="([a-z]+)">([0-9,]+)<', row))["free"] == "1"
    # the chart: one bar per performance, its segments in proportion (600 units wide)
    svg = re.search(r"<svg[^>]*>.*?</svg>", r.text, re.S).group(0)
    bar = re.search(rf'<g data-performance="{first}">(.*?)</g>', svg, re.S).group(1)
    widths = {k: int(w) for w, k in re.findall(r'<rect x="\d+" width="(\d+)" y="\d+" height="\d+" class="([a-z]+)"',
                                                 bar)}
    assert widths == {"sold": 200, "held": 40, "blocked": 80, "free": 280}
    assert len(re.findall(r"<g data-performance=", svg)) == 2
    with logged_in(slug, "restricted", gate["restricted"]) as gatekeeper:
        assert gatekeeper.get(f"/{slug}/admin/tickets/sales").status_code == 403


# ---- orders in the back office, the box office, CSV (on the shop's orders) ------------------------


@pytest.fixture
def shop():
    """A show (test_tickets_api.make_show: 40 seats, S 1-20 at 5,000 yen, A 21-40 at 3,000, 10
    standing places) with an administrator, a general and a restricted staff member."""
    show = make_show()
    show.update({role: create_staff(show["slug"], role, role) for role in ("admin", "general", "restricted")})
    return show


def order_state(show, code):
    return sql(f"SELECT state FROM orders WHERE tenant_id = {show['tid']} AND code = '{code}'").strip()


def ticket_states(show, code):
    return sql(f"SELECT t.state FROM tickets_ticket t JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id"
               f" WHERE o.tenant_id = {show['tid']} AND o.code = '{code}' ORDER BY t.line_no").split()


def post_action(client, show, code, action):
    page = client.get(f"/{show['slug']}/admin/tickets/orders/{code}", headers=EN)
    assert page.status_code == 200, page.text
    return client.post(f"/{show['slug']}/admin/tickets/orders/{code}/{action}", headers=EN,
                       data={"csrf": page_csrf(page.text)})


def test_orders_are_found_by_code_email_state_and_performance(shop):
    slug = shop["slug"]
    first = buy(shop, [1], email="Sato.Hanako@Example.jp", name="佐藤 花子")
    second = buy(shop, [2, 3], email="suzuki@example.jp", name="鈴木 一郎")
    with logged_in(slug, "general", shop["general"]) as general:
        def found(**query):
            r = general.get(f"/{slug}/admin/tickets/orders", params=query, headers=EN)
            assert r.status_code == 200, r.text
            return set(re.findall(r'<tr data-order="([A-Z0-9]{12})"', r.text)), r.text

        codes, page = found()
        assert codes == {first["order"], second["order"]}
        assert "佐藤 花子" in page and "suzuki@example.jp" in page  # unsealed for staff
        assert found(q="sato.hanako@example.JP")[0] == {first["order"]}
        assert found(q=second["order"].lower())[0] == {second["order"]}
        assert found(q="nobody@example.jp")[0] == set()
        assert found(state="pending")[0] == {first["order"], second["order"]}
        assert found(state="paid")[0] == set()
        assert found(performance=str(shop["perf"]))[0] == {first["order"], second["order"]}
        assert found(performance="999999999")[0] == set()
        r = general.get(f"/{slug}/admin/tickets/orders", params={"q": "短い"}, headers=EN)
        assert r.status_code == 422 and 'value="短い"' in r.text and "Type an order code" in r.text
        detail = general.get(f"/{slug}/admin/tickets/orders/{first['order']}", headers=EN)
        assert detail.status_code == 200 and "佐藤 花子" in detail.text and "1階 A列 1番" in detail.text
        assert "/cancel" not in detail.text  # general staff may not cancel
        assert post_action(general, shop, first["order"], "cancel").status_code == 403
    assert order_state(shop, first["order"]) == "pending"


def test_cancel_frees_the_seat_for_someone_else_and_voids_the_tickets(shop):
    slug, tid, perf = shop["slug"], shop["tid"], shop["perf"]
    order = buy(shop, [5, 6])
    assert unit_states(tid, "seat", perf)[5] == "sold"
    with logged_in(slug, "admin", shop["admin"]) as admin:
        r = post_action(admin, shop, order["order"], "cancel")
        assert r.status_code == 303, r.text
        page = admin.get(r.headers["Location"], headers=EN)
        assert "The order is cancelled" in page.text and 'data-state="cancelled"' in page.text
        token, _ = make_token(admin, slug, "gate", "restricted")
        # a second cancel finds nothing to cancel
        assert post_action(admin, shop, order["order"], "cancel").status_code == 409
    assert order_state(shop, order["order"]) == "cancelled"
    assert ticket_states(shop, order["order"]) == ["void", "void"]
    assert unit_states(tid, "seat", perf)[5] == "free"
    # someone else can buy the seat now, and the old ticket does not get in
    other = new_cart(slug)
    assert hold(slug, other, perf, seats=[5, 6]).status_code == 200
    r = checkin(token, slug, order["tickets"][0]["code"])
    assert r.status_code == 410 and r.json()["error"] == "void"
    tid_actions = sql(f"SELECT action FROM audit_log WHERE tenant_id = {tid}").split()
    assert "order.cancelled" in tid_actions


def test_box_office_sells_for_cash_and_a_refund_frees_the_seats(shop):
    slug, tid, perf = shop["slug"], shop["tid"], shop["perf"]
    with logged_in(slug, "general", shop["general"]) as general:
        form = general.get(f"/{slug}/admin/tickets/box-office/{perf}", headers=EN)
        assert form.status_code == 200
        assert 'name="seat" value="7"' in form.text
        r = general.post(f"/{slug}/admin/tickets/box-office/{perf}", headers=EN,
                         data={"seat": ["7", "8"], "type": str(shop["type"]), "name": "", "email": "",
                               "csrf": page_csrf(form.text)})
        assert r.status_code == 303, r.text
        code = r.headers["Location"].rsplit("/", 1)[1]
        detail = general.get(r.headers["Location"], headers=EN)
        assert 'data-state="paid"' in detail.text and "Box office customer" in detail.text
        links = re.findall(rf'href="(/{slug}/tickets/t/T1-[^"]+)"', detail.text)
        assert len(links) == 2
        with new_client() as anyone:  # printable at once
            assert anyone.get(links[0]).status_code == 200
        # the seats are gone from the form; selling one again is refused with the form kept
        form = general.get(f"/{slug}/admin/tickets/box-office/{perf}", headers=EN)
        assert 'name="seat" value="7"' not in form.text
        r = general.post(f"/{slug}/admin/tickets/box-office/{perf}", headers=EN,
                         data={"seat": ["7", "9"], "type": str(shop["type"]), "name": "窓口 太郎",
                               "csrf": page_csrf(form.text)})
        assert r.status_code == 422 and "were taken meanwhile" in r.text and 'value="窓口 太郎"' in r.text
        assert unit_states(tid, "seat", perf)[9] == "free"
        assert "/refund" not in detail.text  # general staff may not refund
    row = sql(f"SELECT state, channel, staff_id FROM orders WHERE tenant_id = {tid} AND code = '{code}'").split()
    assert row == ["paid", "box_office", str(staff_id(slug, "general"))]
    with logged_in(slug, "admin", shop["admin"]) as admin:
        token, _ = make_token(admin, slug, "gate", "restricted")
        ticket_code = links[1].rsplit("/", 1)[1]
        assert checkin(token, slug, ticket_code, gate="正面").status_code == 200
        assert post_action(admin, shop, code, "cancel").status_code == 409  # paid: refund, not cancel
        r = post_action(admin, shop, code, "refund")
        assert r.status_code == 303, r.text
    assert order_state(shop, code) == "refunded"
    assert ticket_states(shop, code) == ["void", "void"]
    assert unit_states(tid, "seat", perf)[7] == "free" and unit_states(tid, "seat", perf)[8] == "free"
    again = new_cart(slug)
    assert hold(slug, again, perf, seats=[7]).status_code == 200


def test_a_bank_transfer_is_confirmed_by_staff(shop):
    slug = shop["slug"]
    order = buy(shop, [11], payment="bank_transfer")
    card = buy(shop, [12])
    with logged_in(slug, "general", shop["general"]) as general:
        detail = general.get(f"/{slug}/admin/tickets/orders/{card['order']}", headers=EN)
        assert "/confirm-transfer" not in detail.text
        assert post_action(general, shop, card["order"], "confirm-transfer").status_code == 409
        r = post_action(general, shop, order["order"], "confirm-transfer")
        assert r.status_code == 303, r.text
        assert "The payment is recorded" in general.get(r.headers["Location"], headers=EN).text
    assert order_state(shop, order["order"]) == "paid"
    assert order_state(shop, card["order"]) == "pending"


def test_orders_csv_has_a_bom_crlf_the_orders_and_guards_formulas(shop):
    slug, tid = shop["slug"], shop["tid"]
    plain = buy(shop, [13], name="高橋 美咲")
    formula = buy(shop, [14], name="=HYPERLINK(\"http://x\")")
    with logged_in(slug, "general", shop["general"]) as general:
        r = general.get(f"/{slug}/admin/tickets/orders.csv", headers=EN)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/csv")
        body = r.content
        assert body.startswith(b"\xef\xbb\xbf")
        text = body[3:].decode("utf-8")
        lines = text.split("\r\n")
        assert lines[0].startswith("Order code,Ordered at (JST),Order state")
        assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")
        assert any(plain["order"] in line and "高橋 美咲" in line for line in lines)
        guarded = next(line for line in lines if formula["order"] in line)
        assert "\"'=HYPERLINK(\"\"http://x\"\")\"" in guarded
        only = general.get(f"/{slug}/admin/tickets/orders.csv", params={"q": plain["order"]}).content.decode("utf-8-sig")
        assert plain["order"] in only and formula["order"] not in only
        ja = general.get(f"/{slug}/admin/tickets/orders.csv", headers={"Accept-Language": "ja"})
        assert ja.content.decode("utf-8-sig").startswith("注文番号,")
    assert "order.export" in sql(f"SELECT action FROM audit_log WHERE tenant_id = {tid}").split()


def test_restricted_staff_cannot_open_orders_or_the_box_office(shop):
    slug = shop["slug"]
    order = buy(shop, [15])
    with logged_in(slug, "restricted", shop["restricted"]) as gatekeeper:
        for path in ("/admin/tickets/orders", f"/admin/tickets/orders/{order['order']}", "/admin/tickets/orders.csv",
                     "/admin/tickets/box-office", f"/admin/tickets/box-office/{shop['perf']}", "/admin/tickets/sales"):
            assert gatekeeper.get(f"/{slug}{path}").status_code == 403, path
        page = gatekeeper.get(f"/{slug}/admin/tickets/checkin", headers=EN)
        assert page.status_code == 200
        assert "/admin/tickets/orders" not in page.text and "/admin/tickets/box-office" not in page.text
        r = gatekeeper.post(f"/{slug}/admin/tickets/orders/{order['order']}/refund", data={"csrf": page_csrf(page.text)})
        assert r.status_code == 403
    assert order_state(shop, order["order"]) == "pending"
