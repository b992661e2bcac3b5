"""The public buying pages of the tickets module (modules/tickets/web_pick.c, web_cart.c) against the
live stack, through the HTML forms as a browser sends them (the CSRF token the pages give): a guest
picks two seats and buys them, best available never leaves a lone seat, a seat taken meanwhile comes
back named with the other choices kept and nothing held, a lapsed hold answers 410, a bad e-mail
address comes back beside its field with what was typed, general admission and merchandise, a
performance not on sale, a big map one section at a time, a logged-in customer's details prefilled.

The shows are made with SQL (make_show of test_tickets_api.py): a 40-seat map in one section, rows
A-D of ten seats ("1階 A列 1番"…), S for seats 1-20 at 5,000 yen, A for 21-40 at 3,000."""
import re
import uuid

import pytest

from helpers import (active_account, address, hold, make_show, new_cart, new_client, set_clock, sql,
                    stack_ctl, unit_states)


EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


@pytest.fixture
def show():
    return make_show()


def page_of(show):
    return f"/{show['slug']}/tickets/performances/{show['perf']}"


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def open_page(client, show, query=""):
    r = client.get(page_of(show) + query, headers=EN)
    assert r.status_code == 200, r.text
    return r


def ticked(html):
    """The seat numbers whose boxes are ticked in the picker."""
    return sorted(int(v) for v in re.findall(r'<input type="checkbox" name="seat" value="(\d+)"[^>]*checked', html))


def boxes(html):
    return sorted(int(v) for v in re.findall(r'<input type="checkbox" name="seat" value="(\d+)"', html))


def pick(client, show, seats, html=None):
    html = html or open_page(client, show).text
    # a page without forms (not on sale) has no token field: the visitor's cookie holds it
    token = csrf_of(html) if 'name="csrf"' in html else client.cookies.get("__Host-mg_csrf")
    return client.post(page_of(show) + "/seats", headers=EN,
                       data={"csrf": token, "ticket_type": str(show["type"]), "seat": [str(s) for s in seats]})


def cart_page(client, show):
    return client.get(f"/{show['slug']}/tickets/cart", headers=EN)


def checkout(client, show, **fields):
    form = client.get(f"/{show['slug']}/tickets/checkout", headers=EN)
    assert form.status_code == 200, form.text
    data = {"name": "山田 花子", "email": f"hanako-{uuid.uuid4().hex[:6]}@example.jp", "phone": "",
            "payment": "box_office", **fields, "csrf": csrf_of(form.text)}
    return client.post(f"/{show['slug']}/tickets/checkout", headers=EN, data=data)


def lone_seats(states, first, last):
    """Free seats of a row (seat numbers first..last) with a taken seat on both sides."""
    return [u for u in range(first + 1, last) if states[u] == "free"
            and states[u - 1] != "free" and states[u + 1] != "free"]


# ---- the whole purchase -------------------------------------------------------------------------

def test_a_guest_picks_two_seats_on_the_map_and_buys_them(show):
    slug, tid, perf = show["slug"], show["tid"], show["perf"]
    with new_client() as c:
        page = open_page(c, show)
        assert "<svg" in page.text and boxes(page.text) == list(range(1, 41))
        assert 'for="seat-5"' in page.text and "1階 A列 5番" in page.text
        r = pick(c, show, [5, 6], page.text)
        assert r.status_code == 303 and r.headers["Location"] == f"/{slug}/tickets/cart", r.text
        assert c.cookies.get(f"mg_cart_{slug}")
        assert [unit_states(tid, "seat", perf)[s] for s in (5, 6)] == ["held", "held"]
        # back on the map, the buyer's seats are drawn and ticked as theirs
        assert ticked(open_page(c, show).text) == [5, 6]
        cart = cart_page(c, show)
        assert cart.status_code == 200
        assert "1階 A列 5番" in cart.text and "1階 A列 6番" in cart.text and "¥10,000" in cart.text
        # the hold's deadline in JST and the minutes left; the countdown script is there
        assert re.search(r"<time datetime=\"[0-9T:-]+Z\">\d{4}-\d\d-\d\d \d\d:\d\d</time>", cart.text)
        assert re.search(r'class="hold__clock">10 min<', cart.text) and "cart-countdown.js" in cart.text
        r = checkout(c, show, email="hanako@example.jp")
        assert r.status_code == 303, r.text
        order_path = r.headers["Location"]
        assert order_path.startswith(f"/{slug}/tickets/orders/O1-")
        assert not c.cookies.get(f"mg_cart_{slug}")  # the cart is spent
        order = c.get(order_path, headers=EN)
        assert order.status_code == 200 and "1階 A列 5番" in order.text
        tickets = re.findall(rf'href="(/{slug}/tickets/t/[^"]+)"', order.text)
        assert len(tickets) == 2
        ticket = c.get(tickets[0], headers=EN)
        assert ticket.status_code == 200 and "<svg" in ticket.text
    assert [unit_states(tid, "seat", perf)[s] for s in (5, 6)] == ["sold", "sold"]
    lines = sql(f"SELECT l.unit FROM order_line l JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id"
                f" WHERE o.tenant_id = {tid} AND o.channel = 'web' ORDER BY l.unit").split()
    assert lines == ["5", "6"]


def test_unticking_a_seat_of_the_cart_gives_it_back(show):
    with new_client() as c:
        assert pick(c, show, [11, 12]).status_code == 303
        page = open_page(c, show).text
        r = c.post(page_of(show) + "/seats", headers=EN,
                   data={"csrf": csrf_of(page), "ticket_type": str(show["type"]), "seat": ["11"],
                         "had": ["11", "12"]})
        assert r.status_code == 303
    states = unit_states(show["tid"], "seat", show["perf"])
    assert states[11] == "held" and states[12] == "free"


def test_an_item_is_removed_and_the_cart_emptied(show):
    slug, tid, perf = show["slug"], show["tid"], show["perf"]
    with new_client() as c:
        assert pick(c, show, [31, 32, 33]).status_code == 303
        cart = cart_page(c, show).text
        assert '<input type="hidden" name="kind" value="seat"/>' in cart
        r = c.post(f"/{slug}/tickets/cart/remove", headers=EN,
                   data={"csrf": csrf_of(cart), "kind": "seat", "resource": str(perf), "unit": "32"})
        assert r.status_code == 303
        assert unit_states(tid, "seat", perf)[32] == "free"
        cart = cart_page(c, show).text
        assert "1階 D列 2番" not in cart and "1階 D列 1番" in cart and "¥6,000" in cart
        r = c.post(f"/{slug}/tickets/cart/empty", headers=EN, data={"csrf": csrf_of(cart)})
        assert r.status_code == 303
        assert "Your cart is empty." in cart_page(c, show).text
    states = unit_states(tid, "seat", perf)
    assert states[31] == "free" and states[33] == "free"


# ---- best available ---------------------------------------------------------------------------

def test_best_available_never_leaves_a_lone_seat(show):
    tid, perf = show["tid"], show["perf"]
    # seat 4 of row A is sold: the best two (1-2) would strand seat 3 between them and seat 4
    sql(f"UPDATE inventory_unit SET state = 'sold' WHERE tenant_id = {tid} AND kind = 'tickets.seat'"
        f" AND resource_id = {perf} AND unit = 4")
    with new_client() as c:
        page = open_page(c, show).text
        assert 'id="best-category"' in page
        r = c.post(page_of(show) + "/best", headers=EN,
                   data={"csrf": csrf_of(page), "category": "S", "quantity": "2", "ticket_type": str(show["type"])})
        assert r.status_code == 303, r.text
        cart = cart_page(c, show).text
        assert "1階 A列 2番" in cart and "1階 A列 3番" in cart
    states = unit_states(tid, "seat", perf)
    assert [states[s] for s in (1, 2, 3, 4)] == ["free", "held", "held", "sold"]
    assert lone_seats(states, 1, 10) == []


def test_best_available_fills_rows_without_stranding_seats_and_says_when_nothing_fits(show):
    tid, perf = show["tid"], show["perf"]
    # row A: 1 and 5 sold; row B: full. Two seats: 2-3 and 3-4 each strand one; 6-7 is next.
    sql(f"UPDATE inventory_unit SET state = 'sold' WHERE tenant_id = {tid} AND kind = 'tickets.seat'"
        f" AND resource_id = {perf} AND (unit IN (1, 5) OR unit BETWEEN 11 AND 20)")
    with new_client() as c:
        page = open_page(c, show).text
        r = c.post(page_of(show) + "/best", headers=EN,
                   data={"csrf": csrf_of(page), "category": "S", "quantity": "2", "ticket_type": str(show["type"])})
        assert r.status_code == 303
        states = unit_states(tid, "seat", perf)
        assert [states[s] for s in (6, 7)] == ["held", "held"] and lone_seats(states, 1, 10) == []
        # eight more S seats side by side are not there
        page = open_page(c, show).text
        r = c.post(page_of(show) + "/best", headers=EN,
                   data={"csrf": csrf_of(page), "category": "S", "quantity": "8", "ticket_type": str(show["type"])})
        assert r.status_code == 409
        assert "There are no longer 8 seats side by side in that category." in r.text
        # "the best category with seats left" goes on to A when S has no block
        r = c.post(page_of(show) + "/best", headers=EN,
                   data={"csrf": csrf_of(page), "category": "", "quantity": "4", "ticket_type": str(show["type"])})
        assert r.status_code == 303
    states = unit_states(tid, "seat", perf)
    assert [states[s] for s in (21, 22, 23, 24)] == ["held"] * 4


# ---- conflicts and lapses -------------------------------------------------------------------------

def test_a_seat_taken_meanwhile_comes_back_named_with_the_rest_still_ticked(show):
    slug, tid, perf = show["slug"], show["tid"], show["perf"]
    with new_client() as c:
        page = open_page(c, show).text  # the buyer looks at the map while someone else is quicker
        other = new_cart(slug)
        assert hold(slug, other, perf, seats=[8]).status_code == 200
        r = pick(c, show, [7, 8, 9], page)
        assert r.status_code == 409
        assert "Someone else has just taken 1階 A列 8番." in r.text
        assert ticked(r.text) == [7, 9] and 8 not in boxes(r.text)
        states = unit_states(tid, "seat", perf)
        assert [states[s] for s in (7, 8, 9)] == ["free", "held", "free"]  # nothing of the set held
        assert "Your cart is empty." in cart_page(c, show).text
        # the kept choice goes through as it is
        r = pick(c, show, ticked(r.text), r.text)
        assert r.status_code == 303
    states = unit_states(tid, "seat", perf)
    assert [states[s] for s in (7, 9)] == ["held", "held"]


def test_a_lapsed_hold_answers_410_and_the_seats_go_to_someone_else(show):
    slug, perf = show["slug"], show["perf"]
    with new_client() as c:
        assert pick(c, show, [15]).status_code == 303
        form = c.get(f"/{slug}/tickets/checkout", headers=EN)
        assert form.status_code == 200
        set_clock(11 * 60)  # past the 10-minute hold
        r = c.post(f"/{slug}/tickets/checkout", headers=EN,
                   data={"csrf": csrf_of(form.text), "name": "山田 花子", "email": "late@example.jp",
                         "payment": "box_office"})
        assert r.status_code == 410
        assert "Your hold has lapsed" in r.text and "the seats were released" in r.text
        assert f'href="/{slug}/tickets"' in r.text
        assert not c.cookies.get(f"mg_cart_{slug}")
        assert sql(f"SELECT COUNT(*) FROM orders WHERE tenant_id = {show['tid']}").strip() == "0"
    # somebody else buys the seat now
    with new_client() as d:
        assert pick(d, show, [15]).status_code == 303
        assert checkout(d, show).status_code == 303
    assert unit_states(show["tid"], "seat", perf)[15] == "sold"


def test_a_bad_email_comes_back_beside_its_field_with_the_typed_values(show):
    slug = show["slug"]
    with new_client() as c:
        assert pick(c, show, [25]).status_code == 303
        r = checkout(c, show, name="山田 花子", email="hanako@", phone="090-1234-5678", payment="bank_transfer")
        assert r.status_code == 400
        assert 'value="山田 花子"' in r.text and 'value="hanako@"' in r.text and 'value="090-1234-5678"' in r.text
        assert re.search(r'id="buyer-email"[^>]*aria-invalid="[^"]+"', r.text)
        email_field = re.search(r'id="buyer-email".*?</div>', r.text, re.S).group(0)
        assert "This is not an e-mail address we can send to." in email_field
        assert re.search(r'value="bank_transfer"[^>]*checked', r.text)
        assert not re.search(r'id="buyer-name"[^>]*aria-invalid', r.text)
        # Japanese too, and nothing was ordered
        r = checkout(c, show, email="", payment="box_office")
        assert r.status_code == 400 and "Enter your e-mail address" in r.text
        assert sql(f"SELECT COUNT(*) FROM orders WHERE tenant_id = {show['tid']}").strip() == "0"
        form = c.get(f"/{slug}/tickets/checkout", headers={"Accept-Language": "ja"})
        r = c.post(f"/{slug}/tickets/checkout", headers={"Accept-Language": "ja"},
                   data={"csrf": csrf_of(form.text), "name": "", "email": "x@example.jp", "payment": "box_office"})
        assert r.status_code == 400 and "お名前を入力してください" in r.text


def test_the_test_card_sends_the_buyer_to_the_provider(show):
    with new_client() as c:
        assert pick(c, show, [26]).status_code == 303
        r = checkout(c, show, payment="test_card")
        assert r.status_code == 303
        assert r.headers["Location"].startswith(f"/_testcard/pay/{show['slug']}/")


# ---- general admission, merchandise, sale states, big maps ------------------------------------

def test_general_admission_and_merchandise_go_in_the_cart(show):
    tid, slug = show["tid"], show["slug"]
    sql(f"UPDATE tickets_event SET kind = 'ga', seat_map_id = NULL WHERE tenant_id = {tid} AND id = {show['event']};"
        f" INSERT INTO tickets_merch (tenant_id, event_id, name, price, stock)"
        f"   VALUES ({tid}, {show['event']}, 'パンフレット', 1500, 2);"
        f" SET @m = LAST_INSERT_ID();"
        f" INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)"
        f"   VALUES ({tid}, 'tickets.merch', @m, 1, 'free'), ({tid}, 'tickets.merch', @m, 2, 'free')")
    merch = int(sql(f"SELECT id FROM tickets_merch WHERE tenant_id = {tid}").strip())
    with new_client() as c:
        page = open_page(c, show).text
        assert 'name="seat"' not in page and f'name="quota" value="{show["quota"]}"' in page
        assert "10 left" in page and "パンフレット" in page
        r = c.post(page_of(show) + "/places", headers=EN,
                   data={"csrf": csrf_of(page), "quota": str(show["quota"]), "quantity": "3",
                         "ticket_type": str(show["type"])})
        assert r.status_code == 303, r.text
        r = c.post(page_of(show) + "/merch", headers=EN,
                   data={"csrf": csrf_of(page), "item": str(merch), "quantity": "2"})
        assert r.status_code == 303, r.text
        r = c.post(page_of(show) + "/merch", headers=EN,
                   data={"csrf": csrf_of(page), "item": str(merch), "quantity": "1"})
        assert r.status_code == 409 and "Not enough of this item is left." in r.text
        cart = cart_page(c, show).text
        assert cart.count("立見") == 3 and cart.count("パンフレット") == 2 and "¥9,000" in cart
        r = checkout(c, show)
        assert r.status_code == 303
        order = c.get(r.headers["Location"], headers=EN).text
        assert len(re.findall(rf'href="/{slug}/tickets/t/', order)) == 3  # a ticket per place, none for goods
    assert set(unit_states(tid, "merch", merch).values()) == {"sold"}


def test_a_performance_not_on_sale_says_so_and_sells_nothing(show):
    tid, perf = show["tid"], show["perf"]
    sql(f"UPDATE tickets_performance SET sale_starts_at = UTC_TIMESTAMP() + INTERVAL 2 DAY"
        f" WHERE tenant_id = {tid} AND id = {perf}")
    with new_client() as c:
        page = open_page(c, show).text
        assert "Sales for this performance have not started yet." in page and "Sales start on" in page
        assert 'name="seat"' not in page
        r = pick(c, show, [1], page)
        assert r.status_code == 409 and "have not started yet" in r.text
    assert unit_states(tid, "seat", perf)[1] == "free"
    sql(f"UPDATE tickets_performance SET state = 'cancelled' WHERE tenant_id = {tid} AND id = {perf}")
    with new_client() as c:
        assert "This performance has been cancelled." in open_page(c, show).text
    # another tenant's performance, a draft's, or none: 404
    other = make_show(seats=4, ga=0)
    assert new_client().get(f"/{show['slug']}/tickets/performances/{other['perf']}").status_code == 404
    sql(f"UPDATE tickets_event SET state = 'draft' WHERE tenant_id = {other['tid']}")
    assert new_client().get(page_of(other)).status_code == 404


def test_a_big_map_shows_its_picker_one_section_at_a_time():
    big = make_show(seats=200, ga=0)
    tid = big["tid"]
    # a second floor of 200 more seats (rows A-T again), with their units
    sql(f"""
        INSERT INTO tickets_seat (tenant_id, seat_map_id, seat_no, section, row_label, number_label, label,
                                  category, x, y, best, row_order)
          WITH RECURSIVE n (u) AS (SELECT 201 UNION ALL SELECT u + 1 FROM n WHERE u < 400)
          SELECT {tid}, {big['map']}, u, '2階', CHAR(65 + (u - 201) DIV 10 USING ascii), (u - 1) MOD 10 + 1,
                 CONCAT('2階 ', CHAR(65 + (u - 201) DIV 10 USING ascii), '列 ', (u - 1) MOD 10 + 1, '番'),
                 'A', ((u - 1) MOD 10) * 40, 1000 + ((u - 201) DIV 10) * 40, u, (u - 1) MOD 10 + 1 FROM n;
        UPDATE tickets_seat_map SET seat_count = 400, height = 2000 WHERE tenant_id = {tid} AND id = {big['map']};
        INSERT INTO inventory_unit (tenant_id, kind, resource_id, unit, state)
          SELECT {tid}, 'tickets.seat', {big['perf']}, seat_no, 'free' FROM tickets_seat
          WHERE tenant_id = {tid} AND seat_map_id = {big['map']} AND seat_no > 200;
    """)
    with new_client() as c:
        page = open_page(c, big).text
        assert boxes(page) == list(range(1, 201))
        links = re.findall(r'<a href="([^"]*section=[^"]*)"', page)
        assert len(links) == 2 and page.count('aria-current="page"') == 1
        second = c.get(links[1].replace("&amp;", "&"), headers=EN)
        assert second.status_code == 200 and boxes(second.text) == list(range(201, 401))
        assert 'name="section" value="2階"' in second.text
        r = pick(c, big, [250], second.text)
        assert r.status_code == 303


def test_a_logged_in_customer_finds_their_details_filled_in(show):
    stopped = stack_ctl("jobs-stop")  # as test_people does: it delivers the mail itself
    assert stopped.returncode == 0, stopped.stderr
    try:
        mail = address()
        with active_account(show["slug"], mail) as c:
            assert pick(c, show, [35]).status_code == 303
            form = c.get(f"/{show['slug']}/tickets/checkout", headers=EN)
            assert form.status_code == 200
            assert f'value="{mail}"' in form.text and 'value="山田 花子"' in form.text
            assert "No account is needed." not in form.text
    finally:
        started = stack_ctl("jobs-start")
        assert started.returncode == 0, started.stderr
