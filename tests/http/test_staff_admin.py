"""Staff management by a tenant's administrators: create an account (one-time password shown
once, forced change at first login), change a role, deactivate and reactivate, issue a new
password, lift a lockout, reset two-factor login. Every change ends the account's sessions
and is audited; no administrator can change their own role or status."""

import re

import pytest

from helpers import change_password, logged_in, login, new_client, page_csrf, sql, WRONG

pytestmark = pytest.mark.usefixtures("real_clock")


def post_form(client, url, data, lang="en"):
    """POSTs as the back office's forms do, with the session's CSRF token (read off the staff list)."""
    slug = url.split("/")[1]
    page = client.get(f"/{slug}/admin/staff", headers={"Accept-Language": lang})
    return client.post(url, headers={"Accept-Language": lang}, data={**data, "csrf": page_csrf(page.text)})


def staff_id(slug, login_id):
    return sql(f"SELECT s.id FROM staff s JOIN tenant t ON t.id = s.tenant_id "
               f"WHERE t.slug = '{slug}' AND s.login = '{login_id}'").strip()


def create(client, slug, login_id, name, role):
    form = client.get(f"/{slug}/admin/staff/new", headers={"Accept-Language": "en"})
    assert form.status_code == 200
    return client.post(f"/{slug}/admin/staff", headers={"Accept-Language": "en"},
                       data={"login": login_id, "name": name, "role": role, "csrf": page_csrf(form.text)})


def test_admin_creates_an_account_and_its_password_is_shown_once(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        r = create(admin, slug, "tanaka", "田中 一郎", "general")
        assert r.status_code == 200, r.text
        password = re.search(r'class="secret">([A-Za-z0-9]{16})<', r.text).group(1)
        assert r.headers["Cache-Control"] == "no-store"
        detail = admin.get(f"/{slug}/admin/staff/{staff_id(slug, 'tanaka')}", headers={"Accept-Language": "en"})
        assert "田中 一郎" in detail.text and password not in detail.text
    with new_client() as c:
        r = login(c, slug, "tanaka", password)
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/password")
        assert change_password(c, slug, password, "midori-no-mori-no-naka").status_code == 303
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    assert "staff.create" in sql(f"SELECT action FROM audit_log WHERE tenant_id = {tenant_id}")


def test_bad_new_account_keeps_typed_values_with_messages_by_the_fields(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        r = create(admin, slug, "bad id!", "佐藤 花", "restricted")
        assert r.status_code == 422
        assert 'value="bad id!"' in r.text and 'value="佐藤 花"' in r.text
        assert re.search(r'value="restricted" checked="checked"', r.text)
        assert re.search(r'id="login"[^>]*>.*?class="field-error">Use 1 to 64 letters', r.text, re.S)
        r = create(admin, slug, "general", "二人目", "general")  # taken by the fixture's account
        assert r.status_code == 409 and "already taken" in r.text and 'value="二人目"' in r.text
        r = create(admin, slug, "nobody", "", "boss")
        assert r.status_code == 422
        assert "Enter the person" in r.text and "Choose a role." in r.text


def test_role_change_and_deactivation_end_the_members_sessions(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"], "haru-no-ogawa-sarasara") as member:
        assert member.get(f"/{slug}/admin/").status_code == 200
        with logged_in(slug, "admin", hall["admin"]) as admin:
            target = f"/{slug}/admin/staff/{staff_id(slug, 'general')}"
            r = post_form(admin, f"{target}/role", {"role": "restricted"})
            assert r.status_code == 303
            assert "Restricted staff" in admin.get(target, headers={"Accept-Language": "en"}).text
            # the member was logged out by the change
            assert member.get(f"/{slug}/admin/").status_code == 303
            assert login(member, slug, "general", "haru-no-ogawa-sarasara").status_code == 303
            assert member.get(f"/{slug}/admin/staff").status_code == 403  # restricted now
            r = post_form(admin, f"{target}/deactivate", {})
            assert r.status_code == 303
            assert member.get(f"/{slug}/admin/").status_code == 303
            r = login(member, slug, "general", "haru-no-ogawa-sarasara")
            assert r.status_code == 200 and WRONG in r.text  # same answer as a wrong password
            assert post_form(admin, f"{target}/activate", {}).status_code == 303
            assert login(member, slug, "general", "haru-no-ogawa-sarasara").status_code == 303
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    actions = sql(f"SELECT action, detail FROM audit_log WHERE tenant_id = {tenant_id} AND action LIKE 'staff.%'")
    assert "staff.role\tgeneral -> restricted" in actions
    assert "staff.deactivate" in actions and "staff.activate" in actions


def test_an_admin_cannot_demote_or_deactivate_themself(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        own = f"/{slug}/admin/staff/{staff_id(slug, 'admin')}"
        page = admin.get(own, headers={"Accept-Language": "en"})
        assert "Deactivate" not in page.text
        r = admin.post(f"{own}/deactivate", data={"csrf": page_csrf(page.text)}, headers={"Accept-Language": "en"})
        assert r.status_code == 409 and "cannot change your own role" in r.text
        r = admin.post(f"{own}/role", data={"role": "general", "csrf": page_csrf(page.text)})
        assert r.status_code == 409
        assert admin.get(f"/{slug}/admin/staff").status_code == 200  # still an administrator


def test_new_one_time_password_and_unlock(hall):
    slug = hall["slug"]
    with new_client() as c:
        for _ in range(5):
            login(c, slug, "restricted", "not-the-password-at-all")
    with logged_in(slug, "admin", hall["admin"]) as admin:
        home = admin.get(f"/{slug}/admin/", headers={"Accept-Language": "en"})
        assert "Locked accounts" in home.text and ">restricted</a>" in home.text
        target = f"/{slug}/admin/staff/{staff_id(slug, 'restricted')}"
        assert "Locked after failed logins" in admin.get(target, headers={"Accept-Language": "en"}).text
        assert post_form(admin, f"{target}/unlock", {}).status_code == 303
        assert "Locked accounts" not in admin.get(f"/{slug}/admin/", headers={"Accept-Language": "en"}).text
        r = post_form(admin, f"{target}/password", {})
        assert r.status_code == 200
        fresh = re.search(r'class="secret">([A-Za-z0-9]{16})<', r.text).group(1)
    with new_client() as c:
        assert login(c, slug, "restricted", hall["restricted"]).status_code == 200  # old one gone
        r = login(c, slug, "restricted", fresh)
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/password")


def test_reset_two_factor_for_a_lost_phone(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        second = create(admin, slug, "admin2", "副 管理者", "admin")
        password = re.search(r'class="secret">([A-Za-z0-9]{16})<', second.text).group(1)
        with logged_in(slug, "admin2", password, "ichigo-ichie-no-kokoro") as other:
            assert other.totp_secret
        target = f"/{slug}/admin/staff/{staff_id(slug, 'admin2')}"
        page = admin.get(target, headers={"Accept-Language": "en"})
        assert "Reset two-factor login" in page.text
        assert post_form(admin, f"{target}/two-factor/reset", {}).status_code == 303
    with new_client() as c:
        r = login(c, slug, "admin2", "ichigo-ichie-no-kokoro")
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/")
        assert c.get(f"/{slug}/admin/").headers["Location"].endswith("/admin/two-factor")  # must enrol again


def test_unknown_account_ids_are_not_found(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as admin:
        page = admin.get(f"/{slug}/admin/staff")
        r = admin.get(f"/{slug}/admin/staff/999999999")
        assert r.status_code == 404
        r = admin.post(f"/{slug}/admin/staff/999999999/deactivate", data={"csrf": page_csrf(page.text)})
        assert r.status_code == 404
