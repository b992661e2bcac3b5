"""The platform operator console (/_operator/): operator accounts with the staff's login rules,
tenants created and suspended/resumed/terminated from the console, platform and tenant notices
on the staff dashboard, and the maintenance switch (503 with Retry-After and the notice
everywhere but the console and /healthz)."""

import re
import uuid

import pytest

from helpers import (console_login, console_post, create_operator, create_staff, EN, field_error, logged_in,
                    madoguchi, new_client, new_tenant, page_csrf, set_clock, sql, WRONG)


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


def test_first_login_forces_a_password_change_and_is_audited():
    login, password = create_operator()
    with new_client() as c:
        assert console_login(c, login, password).headers["Location"] == "/_operator/password"
        assert c.get("/_operator/").headers["Location"] == "/_operator/password"
        weak = console_post(c, "/_operator/password", {"current": password, "password": "short",
                                                        "confirm": "short"}, page="/_operator/password")
        assert weak.status_code == 200 and "at least 12 characters" in field_error(weak.text, "password")
        r = console_post(c, "/_operator/password", {"current": password, "password": "atarashii-kagi-1234",
                                                     "confirm": "atarashii-kagi-1234"}, page="/_operator/password")
        assert r.status_code == 303
        home = c.get("/_operator/", headers=EN)
        assert home.status_code == 200 and "Operator console" in home.text and "運用 太郎" in home.text
    op_id = sql(f"SELECT id FROM operator WHERE login = '{login}'").strip()
    actions = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = 0 AND actor = 'operator:{op_id}' "
                  "ORDER BY seq")
    assert "login.success\tsuccess" in actions and "password.change\tsuccess" in actions


def test_five_failures_lock_an_operator_for_fifteen_minutes():
    login, password = create_operator()
    with new_client() as c:
        for _ in range(5):
            assert WRONG in console_login(c, login, "not-the-password").text
        assert WRONG in console_login(c, login, password).text
        set_clock(14 * 60)
        assert WRONG in console_login(c, login, password).text
        set_clock(16 * 60)
        assert console_login(c, login, password).status_code == 303
    op_id = sql(f"SELECT id FROM operator WHERE login = '{login}'").strip()
    actions = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = 0 AND actor IN "
                  f"('operator:{op_id}', 'system') AND object = 'login:{login}' ORDER BY seq")
    assert actions.count("login.failure\tfailure") == 5
    assert "account.lock\tsuccess" in actions and "login.failure\tdenied" in actions


def test_console_needs_an_operator_not_a_staff_session():
    slug = new_tenant()
    admin_password = create_staff(slug, "admin", "admin")
    with logged_in(slug, "admin", admin_password) as staff:
        r = staff.get("/_operator/")
        assert r.status_code == 303 and r.headers["Location"].startswith("/_operator/login")
        # the staff session's token presented as an operator cookie is nothing either
        token = staff.cookies.get("__Host-mg_session")
        staff.cookies.set("__Host-mg_operator", token)
        r = staff.get("/_operator/tenants")
        assert r.status_code == 303 and r.headers["Location"].startswith("/_operator/login")
        assert staff.get(f"/{slug}/admin/").status_code == 200
    with new_client() as anonymous:
        assert anonymous.get("/_operator/").status_code == 303


def test_an_operator_session_is_nothing_in_a_back_office(operator):
    slug = new_tenant()
    r = operator.get(f"/{slug}/admin/")
    assert r.status_code == 303 and f"/{slug}/admin/login" in r.headers["Location"]


def test_tenant_create_with_a_bad_slug_keeps_what_was_typed(operator):
    bad = operator.get("/_operator/new-tenant")
    assert bad.status_code == 200
    r = console_post(operator, "/_operator/tenants",
                     {"slug": "Bad_Slug", "name": "港区民センター", "contract_start": "2026-12-01",
                      "contract_end": "", "module_tickets": "on"}, page="/_operator/new-tenant")
    assert r.status_code == 200
    assert "lower-case" in field_error(r.text, "slug")
    assert 'value="Bad_Slug"' in r.text and 'value="港区民センター"' in r.text
    assert 'value="2026-12-01"' in r.text
    assert re.search(r'name="module_tickets"[^>]*checked', r.text)
    assert not re.search(r'name="module_lessons"[^>]*checked', r.text)

    r = console_post(operator, "/_operator/tenants",
                     {"slug": "fine-slug-x", "name": "港区民センター", "contract_start": "2026-12-01",
                      "contract_end": "2026-11-01"}, page="/_operator/new-tenant")
    assert "cannot end before it starts" in field_error(r.text, "contract_end")

    slug = f"oc-{uuid.uuid4().hex[:10]}"
    r = console_post(operator, "/_operator/tenants",
                     {"slug": slug, "name": "港区民センター", "contract_start": "2026-12-01",
                      "module_tickets": "on", "module_rentals": "on"}, page="/_operator/new-tenant")
    assert r.status_code == 303 and r.headers["Location"] == f"/_operator/tenants/{slug}"
    shown = madoguchi("tenant", "show", slug)
    assert "modules:        rentals tickets" in shown.stdout and "present" in shown.stdout
    again = console_post(operator, "/_operator/tenants",
                         {"slug": slug, "name": "Other", "contract_start": "2026-12-01"},
                         page="/_operator/new-tenant")
    assert "never reused" in field_error(again.text, "slug")
    assert slug in operator.get("/_operator/tenants").text
    assert f"tenant:{slug}" in sql("SELECT object FROM audit_log WHERE tenant_id = 0 AND action = 'tenant.create'")


def test_suspend_resume_and_terminate_from_the_console(operator):
    slug = new_tenant()
    page = f"/_operator/tenants/{slug}"
    with new_client() as public:
        assert console_post(operator, f"{page}/suspend", {}, page=page).status_code == 303
        r = public.get(f"/{slug}/")
        assert r.status_code == 503 and r.headers.get("Retry-After")
        assert console_post(operator, f"{page}/resume", {}, page=page).status_code == 303
        assert public.get(f"/{slug}/").status_code == 200
        bad = console_post(operator, f"{page}/terminate", {"on": "31/12/2026"}, page=page)
        assert bad.status_code == 200 and "YYYY-MM-DD" in field_error(bad.text, "on")
        assert 'value="31/12/2026"' in bad.text
        assert console_post(operator, f"{page}/terminate", {"on": "2026-12-31"}, page=page).status_code == 303
        assert public.get(f"/{slug}/").status_code == 410
        refused = console_post(operator, f"{page}/resume", {}, page=page)
        assert refused.status_code == 200 and "not reopened" in refused.text
    assert "2026-12-31" in madoguchi("tenant", "show", slug).stdout
    assert operator.get("/_operator/tenants/no-such-tenant-here").status_code == 404
    audited = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = 0 AND object = 'tenant:{slug}' ORDER BY seq")
    assert audited.split("\n")[:4] == ["tenant.suspend\tsuccess", "tenant.resume\tsuccess",
                                       "tenant.terminate\tsuccess", "tenant.resume\tdenied"]


def post_platform_notice(operator, title, body, kind="maintenance"):
    r = console_post(operator, "/_operator/notices", {"kind": kind, "title": title, "body": body},
                     page="/_operator/notices")
    assert r.status_code == 303, r.text
    return sql(f"SELECT id FROM notice WHERE tenant_id = 0 AND title = '{title}'").strip()


def healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    return r.json()


def test_maintenance_closes_everything_but_the_console_and_healthz(operator):
    slug = new_tenant()
    title = f"定期メンテナンス {uuid.uuid4().hex[:6]}"
    notice = post_platform_notice(operator, title, "12月1日 2:00〜4:00 に作業を行います。")
    with new_client() as public:
        try:
            r = console_post(operator, "/_operator/maintenance",
                             {"state": "on", "notice": notice, "retry_after": "1200"})
            assert r.status_code == 303
            for path in ("/", f"/{slug}/", f"/{slug}/admin/login"):
                closed = public.get(path)
                assert closed.status_code == 503, path
                assert closed.headers["Retry-After"] == "1200"
                assert title in closed.text and "2:00〜4:00" in closed.text
            assert public.get("/", headers=EN).text.count("maintenance") >= 1
            home = operator.get("/_operator/", headers=EN)
            assert home.status_code == 200 and "Maintenance is ON" in home.text
            assert operator.get(f"/_operator/tenants/{slug}").status_code == 200
            assert healthz(public)["maintenance"] is True
            bad = console_post(operator, "/_operator/maintenance", {"state": "on", "retry_after": "0"})
            assert bad.status_code == 200 and "604800" in field_error(bad.text, "retry_after")
            r = console_post(operator, "/_operator/maintenance", {"state": "off"})
            assert r.status_code == 303
            assert public.get("/").status_code == 200
            assert healthz(public)["maintenance"] is False

            done = madoguchi("maintenance", "on", "--notice", notice, "--retry-after", "60")
            assert done.returncode == 0, done.stderr
            closed = public.get(f"/{slug}/")
            assert closed.status_code == 503 and closed.headers["Retry-After"] == "60" and title in closed.text
            missing = madoguchi("maintenance", "on", "--notice", "999999999")
            assert missing.returncode != 0 and "no platform notice" in missing.stderr
        finally:
            assert madoguchi("maintenance", "off").returncode == 0
        assert public.get(f"/{slug}/").status_code == 200
    audited = sql("SELECT action FROM audit_log WHERE tenant_id = 0 AND action LIKE 'maintenance.%' ORDER BY seq")
    assert "maintenance.on" in audited and "maintenance.off" in audited


def test_notices_reach_staff_until_they_mark_them_read(operator):
    slug = new_tenant()
    admin = create_staff(slug, "admin", "admin")
    general = create_staff(slug, "general", "general")
    platform_title = f"障害のお知らせ {uuid.uuid4().hex[:6]}"
    post_platform_notice(operator, platform_title, "決済が一時的に遅くなっています。", kind="incident")
    tenant_title = f"館内点検 {uuid.uuid4().hex[:6]}"
    with logged_in(slug, "admin", admin) as a:
        page = f"/{slug}/admin/notices"
        empty = a.post(page, headers=EN, data={"kind": "info", "title": "", "body": "本文だけ書いた",
                                               "csrf": page_csrf(a.get(page).text)})
        assert empty.status_code == 200 and "title is required" in field_error(empty.text, "title")
        assert "本文だけ書いた" in empty.text
        r = a.post(page, data={"kind": "info", "title": tenant_title, "body": "3階は午後閉鎖します。",
                               "csrf": page_csrf(a.get(page).text)})
        assert r.status_code == 303
        assert tenant_title in a.get(page).text
    with logged_in(slug, "general", general) as g:
        assert g.get(f"/{slug}/admin/notices").status_code == 403
        dash = g.get(f"/{slug}/admin/")
        assert tenant_title in dash.text and "3階は午後閉鎖します。" in dash.text and platform_title in dash.text
        notice_id = sql(f"SELECT id FROM notice WHERE title = '{tenant_title}'").strip()
        action = f"/{slug}/admin/notices/{notice_id}/read"
        assert f'action="{action}"' in dash.text
        assert g.post(action, data={"csrf": page_csrf(dash.text)}).status_code == 303
        dash = g.get(f"/{slug}/admin/")
        assert tenant_title not in dash.text and platform_title in dash.text
    other = new_tenant()
    other_admin = create_staff(other, "admin", "admin")
    with logged_in(other, "admin", other_admin) as o:
        dash = o.get(f"/{other}/admin/")
        assert tenant_title not in dash.text and platform_title in dash.text
        r = o.post(f"/{other}/admin/notices/{notice_id}/read", data={"csrf": page_csrf(dash.text)})
        assert r.status_code == 404


def test_operator_cli_lists_accounts():
    login, _ = create_operator()
    listed = madoguchi("operator", "list")
    assert listed.returncode == 0 and login in listed.stdout
    taken = madoguchi("operator", "create", login, "--name", "x")
    assert taken.returncode != 0 and "taken" in taken.stderr
