"""Commerce for every module (core/commerce: hold.c, booking.c, money.c; core/web/receipt.c)
against the live stack.

The rentals and lessons modules do not exist yet, so tests/db/commerce_flow (C, linked with the
core) drives the booking functions exactly as a module's handler will, against the real MariaDB:
a 7-day provisional hold, approval and decline, a -50 % 減免 line, a cancellation with a 20 % fee
and its partial refund, a negative total refused. What has a page or a job is then checked
through them: the hold lapses when the application clock is moved 8 days on and the job
core.hold_sweep runs; the receipt page of a paid order shows the tax it contains and the
tenant's invoice registration number, set by an administrator in the back office."""
import email
import email.policy
import glob
import os
import re
import subprocess
import uuid

import pytest

from helpers import BUILD_DIR, CONFIG, VAR_DIR, logged_in, madoguchi, new_client, page_csrf, set_clock, sql

FLOW = os.path.join(BUILD_DIR, "tests", "db", "commerce_flow")
MAIL_DIR = os.path.join(VAR_DIR, "mail")
DAY = 86400


@pytest.fixture
def venue():
    slug = f"com-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "みどり市民会館", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    tid = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    return {"slug": slug, "tid": tid}


def flow_tenant():
    slug = f"com-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "別の会館", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    return slug


def flow(slug, what):
    out = subprocess.run([FLOW, CONFIG, slug, what], capture_output=True, text=True, timeout=120)
    print(out.stdout, out.stderr)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def mails_to(address):
    found = []
    for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml"))):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        if msg["To"] == address:
            found.append(msg)
    return found


def hold_job():
    done = madoguchi("jobs", "run", "core.hold_sweep")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_seven_day_provisional_hold_lapses_and_frees_its_units(venue, real_clock):
    tid = venue["tid"]
    hold, code, resource = re.search(r"hold (\d+) order (\w+) resource (\d+)", flow(venue["slug"], "hold")).groups()

    def hold_state():
        return sql(f"SELECT state FROM provisional_hold WHERE tenant_id = {tid} AND id = {hold}").strip()

    def units():
        return sql(f"SELECT unit, state, COALESCE(hold_token, 0) FROM inventory_unit WHERE tenant_id = {tid}"
                   f" AND kind = 'rentals.block' AND resource_id = {resource} ORDER BY unit").split("\n")[:-1]

    def order_state():
        return sql(f"SELECT state FROM orders WHERE tenant_id = {tid} AND code = '{code}'").strip()

    token = str((1 << 62) + int(hold))
    assert units() == [f"1\theld\t{token}", f"2\theld\t{token}", "3\tfree\t0", "4\tfree\t0"]
    assert hold_state() == "held" and order_state() == "requested"
    # six days on: still held, for nobody else
    set_clock(6 * DAY)
    hold_job()
    assert hold_state() == "held" and order_state() == "requested"
    assert units()[0] == f"1\theld\t{token}"
    # eight days on: the job lapses it, frees the units and expires the request
    set_clock(8 * DAY)
    assert "provisional hold(s) lapsed" in hold_job()
    assert hold_state() == "lapsed"
    assert units() == ["1\tfree\t0", "2\tfree\t0", "3\tfree\t0", "4\tfree\t0"]
    assert order_state() == "expired"
    history = sql(f"SELECT h.actor, COALESCE(h.from_state, '-'), h.to_state, h.note FROM order_history h"
                  f" JOIN orders o ON o.tenant_id = h.tenant_id AND o.id = h.order_id"
                  f" WHERE o.tenant_id = {tid} AND o.code = '{code}' ORDER BY h.id").split("\n")[:-1]
    assert history == ["staff:0\t-\trequested\t", "system\trequested\texpired\tprovisional hold lapsed"]
    # and the job has nothing more to do
    hold_job()
    assert hold_state() == "lapsed"


def test_approval_decline_reduction_fee_and_negative_total(venue):
    out = flow(venue["slug"], "flows")
    assert "FAILED" not in out and "all checks held" in out
    for expected in ("staff approve it", "its history: ->requested requested>approved approved>pending pending>paid",
                     "declining releases the hold", "its lines: unit:5500 admission:1100 reduction:-2750",
                     "fee 20 % ¥2,200, refund ¥8,800",
                     "charge:succeeded:11000 fee:succeeded:2200 refund:succeeded:8800",
                     "¥1,000 − ¥1,500 is refused"):
        assert expected in out, expected
    assert out.count("\nok ") >= 25, out
    # the bookings' mails are the core's (the order's module has no mailer of its own), sent by the
    # mail job in the buyer's language: nothing in them speaks of tickets
    done = madoguchi("mail", "send")
    assert done.returncode == 0, done.stdout + done.stderr
    mails = mails_to(f"hanako+{venue['slug']}@example.jp")
    subjects = sorted(m["Subject"] for m in mails)
    for about in ("を受け付けました", "を承認しました", "をお受けできませんでした", "を取り消しました", "確定"):
        assert any(about in s for s in subjects), (about, subjects)
    for m in mails:
        body = m.get_content()
        assert "チケット" not in body and "ticket" not in body.lower(), body
        assert "うち消費税(10%)" in body


def test_the_receipt_shows_the_tax_and_the_registration_number(venue):
    slug = venue["slug"]
    out = flow(slug, "flows")
    code, path = re.search(r"receipt (\w+) (\S+)", out).groups()
    unpaid = re.search(r"unpaid \w+ (\S+)", out).group(1)
    receipt = new_client().get(path, headers={"Accept-Language": "ja"})
    assert receipt.status_code == 200
    page = receipt.text
    assert "領収書" in page and "窓口 花子" in page and "みどり市民会館" in page
    assert "¥3,850" in page and "¥350" in page and "10%対象" in page and "消費税額(10%)" in page
    assert "入会金" in page and "-¥2,750" in page and f"ご注文 {code} の代金として" in page
    assert "T1234567890123" not in page and "登録番号" not in page  # none set yet
    # an administrator sets the registration number; a malformed one is refused with the form
    admin_password = re.search(r"initial password \(shown once; changed at first login\): (\S+)",
                               madoguchi("staff", "create", "--tenant", slug, "--login", "admin", "--name", "管理 太郎",
                                         "--role", "admin").stdout).group(1)
    admin = logged_in(slug, "admin", admin_password)
    form = admin.get(f"/{slug}/admin/settings/invoice", headers={"Accept-Language": "ja"})
    assert form.status_code == 200 and "登録番号" in form.text
    bad = admin.post(f"/{slug}/admin/settings/invoice", headers={"Accept-Language": "ja"},
                     data={"csrf": page_csrf(form.text), "invoice_number": "T12345"})
    assert bad.status_code == 400 and "T と13桁の数字です" in bad.text
    good = admin.post(f"/{slug}/admin/settings/invoice", headers={"Accept-Language": "ja"},
                      data={"csrf": page_csrf(form.text), "invoice_number": "t1234-5678-90123"})
    assert good.status_code == 200 and 'value="T1234567890123"' in good.text
    # as a Japanese IME types it: full-width, normalised (NFKC) before the check
    wide = admin.post(f"/{slug}/admin/settings/invoice", headers={"Accept-Language": "ja"},
                      data={"csrf": page_csrf(form.text), "invoice_number": "Ｔ１２３４５６７８９０１２３"})
    assert wide.status_code == 200 and 'value="T1234567890123"' in wide.text
    page = new_client().get(path, headers={"Accept-Language": "ja"}).text
    assert "T1234567890123" in page and "登録番号" in page
    assert "@media print" in new_client().get("/static/madoguchi.css").text
    # no receipt for an order that is not paid; none without the tenant's signature on the code
    assert new_client().get(unpaid).status_code == 409
    altered = path[:-5] + ("AAAAA" if not path.endswith("AAAAA") else "BBBBB")
    assert new_client().get(altered).status_code == 404
    assert new_client().get(f"/{slug}/orders/{code}/receipt").status_code == 404
    other = path.replace(f"/{slug}/", f"/{flow_tenant()}/")
    assert new_client().get(other).status_code == 404  # another tenant's key does not sign it


def test_the_commerce_migrations_are_safe_to_run_again():
    """MariaDB commits DDL at once, so a migration interrupted half-way is run again from its top:
    every step of these two must be a no-op the second time."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    before = sql("SELECT COUNT(*), COALESCE(SUM(kind LIKE 'tickets.%'), 0) FROM inventory_unit").split()
    for path in ("schema/core/0013_commerce.sql", "schema/tickets/0005_kinds.sql"):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            sql(f.read())
    assert sql("SELECT COUNT(*), COALESCE(SUM(kind LIKE 'tickets.%'), 0) FROM inventory_unit").split() == before
    assert sql("SELECT COUNT(*) FROM inventory_unit WHERE kind NOT LIKE '%.%'").strip() == "0"
    assert sql("SELECT COUNT(*) FROM tickets_ticket WHERE kind NOT LIKE 'tickets.%'").strip() == "0"
