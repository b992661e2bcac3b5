"""Orders of the tickets module against the live stack: a hold that lapses mid-checkout (410,
nothing written, the seat sold to someone else after), the confirmation mail, the printable
ticket with its QR (an altered code refused), the test card provider (redirect, pay / decline,
the asynchronous signed callback, a bad signature refused, a replay changing nothing) and the
expiry of unpaid orders (seats back, tickets void)."""
import email
import email.policy
import glob
import hashlib
import hmac
import json
import os
import re

import pytest

from helpers import (api, checkout, CONFIG, hold, madoguchi, make_show, new_cart, new_client, run_bin,
                    set_clock, sql, unit_states, VAR_DIR, wait_until)


MAIL_DIR = os.path.join(VAR_DIR, "mail")


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


@pytest.fixture
def show():
    return make_show()


def order_row(tid, code):
    row = sql(f"SELECT state, payment_method, total FROM orders WHERE tenant_id = {tid} AND code = '{code}'")
    return row.strip().split("\t")


def payment_state(tid, code):
    return sql(f"SELECT p.state FROM payment p JOIN orders o ON o.tenant_id = p.tenant_id AND o.id = p.order_id"
               f" WHERE o.tenant_id = {tid} AND o.code = '{code}' ORDER BY p.id DESC LIMIT 1").strip()


def mails_to(address):
    done = run_bin("mail", "send", config=CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr
    found = []
    for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml"))):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        if msg["To"] == address:
            found.append(msg)
    return found


def bought(show, seats, payment="box_office", address=None, lang="en"):
    slug = show["slug"]
    cart = new_cart(slug)
    assert hold(slug, cart, show["perf"], seats=seats).status_code == 200
    r = api("POST", f"/{slug}/api/v1/carts/{cart}/checkout",
            {"name": "山田 花子", "email": address or "hanako@example.jp", "payment": payment}, lang=lang)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_hold_that_lapses_mid_checkout_is_410_and_the_seat_goes_to_someone_else(show):
    slug, tid, perf = show["slug"], show["tid"], show["perf"]
    late = new_cart(slug)
    assert hold(slug, late, perf, seats=[5]).status_code == 200
    set_clock(601)  # past the 10-minute hold
    r = checkout(slug, late)
    assert r.status_code == 410, r.text
    assert r.json()["error"] == "cart_expired"
    assert sql(f"SELECT COUNT(*) FROM orders WHERE tenant_id = {tid}").strip() == "0"
    assert sql(f"SELECT COUNT(*) FROM tickets_ticket WHERE tenant_id = {tid}").strip() == "0"
    assert hold(slug, late, perf, seats=[6]).status_code == 410  # the lapsed cart takes nothing more
    other = new_cart(slug)
    assert hold(slug, other, perf, seats=[5]).status_code == 200
    r = checkout(slug, other)
    assert r.status_code == 201, r.text
    assert [t["seat"] for t in r.json()["tickets"]] == [5]
    assert unit_states(tid, "seat", perf)[5] == "sold"


def test_the_confirmation_mail_names_the_order_and_links_to_the_tickets(show):
    address = "taro.mail@example.jp"
    order = bought(show, [1, 2], address=address, lang="ja")
    (msg,) = [m for m in mails_to(address) if order["order"] in m["Subject"]]
    assert "ご注文を承りました" in msg["Subject"]
    body = msg.get_content()
    assert "山田 花子 様" in body and order["order"] in body
    assert "1階 A列 1番" in body and "¥10,000" in body
    assert "窓口でお支払い" in body
    # the tickets module composes its mail (the core's order text, then its tickets) with the tax
    assert "うち消費税(10%): ¥909" in body and "ご注文とチケット:" in body
    link = re.search(r"https://\S+(/" + show["slug"] + r"/tickets/orders/\S+)", body).group(1)
    assert link == order["order_url"]
    page = new_client().get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert order["order"] in page.text and "Awaiting payment" in page.text
    assert page.text.count("/tickets/t/T1-") == 2


def test_the_ticket_page_shows_a_qr_code_and_refuses_an_altered_code(show):
    order = bought(show, [3])
    (ticket,) = order["tickets"]
    with new_client() as c:
        page = c.get(ticket["url"], headers={"Accept-Language": "en"})
        assert page.status_code == 200, page.text
        assert "<svg" in page.text and re.search(r'<path fill="#000" d="M[0-9]', page.text)
        assert "春の演奏会" in page.text and "1階 A列 3番" in page.text and order["order"] in page.text
        payload, signature = ticket["code"].split(".")
        flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        assert c.get(f"/{show['slug']}/tickets/t/{payload}.{flipped}").status_code == 404
        number = int(payload[3:])
        assert c.get(f"/{show['slug']}/tickets/t/T1-{number + 1}.{signature}").status_code == 404
        # another tenant's key does not open it
        other = make_show(seats=2, ga=0)
        assert c.get(f"/{other['slug']}/tickets/t/{ticket['code']}").status_code == 404


def pay_on_the_test_card_page(payment_url, card, action="pay"):
    with new_client() as c:
        page = c.get(payment_url, headers={"Accept-Language": "en"})
        assert page.status_code == 200, page.text
        form = re.search(r'name="csrf" value="([^"]+)"', page.text)
        token = form.group(1) if form else c.cookies.get("__Host-mg_csrf")  # a page without its form
        return c.post(payment_url, data={"card": card, "action": action, "csrf": token},
                      headers={"Accept-Language": "en"}), page


def test_a_test_card_payment_is_confirmed_by_the_asynchronous_callback(show):
    tid = show["tid"]
    address = "card.payer@example.jp"
    order = bought(show, [8, 9], payment="test_card", address=address)
    assert order["state"] == "pending" and order["payment_url"].startswith("/_testcard/pay/")
    assert not [m for m in mails_to(address) if order["order"] in m["Subject"]]  # not before it is paid
    r, page = pay_on_the_test_card_page(order["payment_url"], "4242 4242 4242 4242")
    assert "¥10,000" in page.text
    assert r.status_code == 303 and r.headers["Location"] == order["order_url"]
    wait_until(lambda: order_row(tid, order["order"])[0] == "paid", what="the callback to mark the order paid")
    assert payment_state(tid, order["order"]) == "succeeded"
    (msg,) = [m for m in mails_to(address) if order["order"] in m["Subject"]]
    assert "is confirmed" in msg["Subject"]
    # each change of state is a row of the order's history
    history = sql(f"SELECT h.actor, COALESCE(h.from_state, '-'), h.to_state FROM order_history h JOIN orders o"
                  f" ON o.tenant_id = h.tenant_id AND o.id = h.order_id WHERE o.tenant_id = {tid}"
                  f" AND o.code = '{order['order']}' ORDER BY h.id").split("\n")[:-1]
    assert history == ["buyer\t-\tpending", "provider:test_card\tpending\tpaid"]
    # once paid: the tax it contains, and the printable receipt from the order page
    assert order["tax"] == 909
    page = new_client().get(order["order_url"], headers={"Accept-Language": "en"}).text
    receipt_path = re.search(r'href="(/' + show["slug"] + r'/receipts/R1-[^"]+)"', page).group(1)
    assert "¥909" in page
    receipt = new_client().get(receipt_path, headers={"Accept-Language": "en"})
    assert receipt.status_code == 200 and "Receipt" in receipt.text and "¥909" in receipt.text
    assert "山田 花子" in receipt.text and "¥10,000" in receipt.text
    # the provider's page cannot be used twice
    again, page = pay_on_the_test_card_page(order["payment_url"], "4000 0000 0000 0002")
    assert "The payment was made." in page.text and 'name="card"' not in page.text
    assert again.status_code == 409
    assert order_row(tid, order["order"])[0] == "paid"


def test_a_declined_test_card_leaves_the_order_unpaid(show):
    tid = show["tid"]
    order = bought(show, [10], payment="test_card")
    r, _ = pay_on_the_test_card_page(order["payment_url"], "4000-0000-0000-0002")
    assert r.status_code == 303
    wait_until(lambda: payment_state(tid, order["order"]) == "failed", what="the decline callback")
    assert order_row(tid, order["order"])[0] == "pending"
    # a number the test provider does not know is refused on its page
    other = bought(show, [11], payment="test_card")
    r, _ = pay_on_the_test_card_page(other["payment_url"], "1234 5678")
    assert r.status_code == 400 and "4242 4242 4242 4242" in r.text


def callback_key():
    with open(os.path.join(VAR_DIR, "secrets", "master.key")) as f:
        master = bytes.fromhex(f.read().strip())
    return hmac.new(master, b"test_card-callback", hashlib.sha256).hexdigest().encode()


def callback(slug, body, signature):
    return api("POST", f"/{slug}/payments/test_card/callback", raw=body,
               headers={"X-Testcard-Signature": signature})


def test_callbacks_with_a_bad_signature_are_refused_and_replays_change_nothing(show):
    slug, tid = show["slug"], show["tid"]
    order = bought(show, [12], payment="test_card")
    session = order["payment_url"].rsplit("/", 1)[1]
    body = json.dumps({"session": session, "order": order["order"], "result": "succeeded",
                       "amount": order["total"]}).encode()
    good = "sha256=" + hmac.new(callback_key(), body, hashlib.sha256).hexdigest()
    bad = "sha256=" + hmac.new(b"not the key", body, hashlib.sha256).hexdigest()
    r = callback(slug, body, bad)
    assert r.status_code == 400, r.text
    assert callback(slug, body, "").status_code == 400
    assert callback(slug, body.replace(b"succeeded", b"declined"), good).status_code == 400
    assert order_row(tid, order["order"])[0] == "pending"
    r = callback(slug, body, good)
    assert r.status_code == 200 and r.json() == {"ok": True, "already": False}
    assert order_row(tid, order["order"])[0] == "paid"
    r = callback(slug, body, good)
    assert r.status_code == 200 and r.json()["already"] is True
    declined = body.replace(b"succeeded", b"declined")
    r = callback(slug, declined, "sha256=" + hmac.new(callback_key(), declined, hashlib.sha256).hexdigest())
    assert r.status_code == 200 and r.json()["already"] is True
    assert order_row(tid, order["order"])[0] == "paid" and payment_state(tid, order["order"]) == "succeeded"
    # the signature is the tenant site's: another tenant finds no such payment
    other = make_show(seats=2, ga=0)
    assert callback(other["slug"], body, good).status_code == 404


def test_unpaid_orders_expire_at_their_deadline_and_give_their_seats_back(show):
    slug, tid, perf = show["slug"], show["tid"], show["perf"]
    order = bought(show, [30, 31])
    paid = bought(show, [32], payment="test_card")
    r, _ = pay_on_the_test_card_page(paid["payment_url"], "4242424242424242")
    wait_until(lambda: order_row(tid, paid["order"])[0] == "paid", what="the callback")
    set_clock(3 * 24 * 3600 - 60)  # a minute before the box-office deadline: nothing yet
    done = madoguchi("jobs", "run", "tickets.order_expiry")
    assert done.returncode == 0, done.stdout + done.stderr
    assert order_row(tid, order["order"])[0] == "pending"
    set_clock(3 * 24 * 3600 + 60)
    done = madoguchi("jobs", "run", "tickets.order_expiry")
    assert done.returncode == 0, done.stdout + done.stderr
    assert order_row(tid, order["order"])[0] == "expired"
    assert order_row(tid, paid["order"])[0] == "paid"
    states = unit_states(tid, "seat", perf)
    assert states[30] == "free" and states[31] == "free" and states[32] == "sold"
    assert sql(f"SELECT GROUP_CONCAT(DISTINCT t.state) FROM tickets_ticket t JOIN orders o"
               f" ON o.tenant_id = t.tenant_id AND o.id = t.order_id"
               f" WHERE o.tenant_id = {tid} AND o.code = '{order['order']}'").strip() == "void"
    page = new_client().get(order["tickets"][0]["url"], headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "no longer valid" in page.text and "<svg" not in page.text
    assert payment_state(tid, order["order"]) == "failed"
    # the seats can be bought again
    cart = new_cart(slug)
    assert hold(slug, cart, perf, seats=[30, 31]).status_code == 200
