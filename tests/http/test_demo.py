from helpers import new_client, sql
"""The demo tenant that scripts/run (and scripts/test) seed: a hall of at least 500 seats, a
concert with two performances on sale, a general-admission event and merchandise (issue 4,
item 8), all reachable the way a visitor finds them."""


def test_the_demo_tenant_has_a_hall_two_performances_on_sale_a_ga_event_and_merchandise():
    tenant = sql("SELECT id FROM tenant WHERE slug = 'demo'").strip()
    assert tenant, "scripts/test seeds the demo tenant as scripts/run does"
    assert int(sql(f"SELECT MAX(seat_count) FROM tickets_seat_map WHERE tenant_id = {tenant}")) >= 500
    seated = sql(f"SELECT e.id FROM tickets_event e WHERE e.tenant_id = {tenant} AND e.kind = 'seated'"
                 " AND e.state = 'published'").split()
    assert len(seated) == 1
    on_sale = int(sql(f"SELECT COUNT(*) FROM tickets_performance WHERE tenant_id = {tenant} AND event_id = {seated[0]}"
                      " AND sale_starts_at <= UTC_TIMESTAMP() AND sale_ends_at > UTC_TIMESTAMP()"))
    assert on_sale == 2
    # every seat of both performances is a free unit
    units = int(sql(f"SELECT COUNT(*) FROM inventory_unit u JOIN tickets_performance p ON p.tenant_id = u.tenant_id"
                    f" AND p.id = u.resource_id WHERE u.tenant_id = {tenant} AND u.kind = 'tickets.seat'"
                    f" AND p.event_id = {seated[0]} AND u.state = 'free'"))
    assert units == 2 * int(sql(f"SELECT seat_count FROM tickets_seat_map WHERE tenant_id = {tenant}"))
    assert int(sql(f"SELECT COUNT(*) FROM tickets_event WHERE tenant_id = {tenant} AND kind = 'ga'"
                   " AND state = 'published'")) == 1
    assert int(sql(f"SELECT COUNT(*) FROM inventory_unit WHERE tenant_id = {tenant} AND kind = 'tickets.ga'")) == 200
    assert int(sql(f"SELECT COUNT(*) FROM tickets_merch WHERE tenant_id = {tenant}")) == 2

    client = new_client()
    page = client.get("/demo/tickets", headers={"Accept-Language": "ja"})
    assert page.status_code == 200
    assert "秋の定期演奏会" in page.text and "ロビーコンサート" in page.text
