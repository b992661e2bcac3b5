"""The back office's security core: staff login with lockout, forced first password change,
the password policy, session time-outs (with a clock the tests move), CSRF on every
state-changing route and role checks."""

import json
import re
import uuid

import pytest

from helpers import (change_password, enrol_two_factor, logged_in, login, madoguchi, new_client, page_csrf,
                    set_clock, sql, WRONG)

pytestmark = pytest.mark.usefixtures("real_clock")


def test_first_login_forces_a_password_change(hall):
    slug = hall["slug"]
    with new_client() as c:
        r = login(c, slug, "admin", hall["admin"])
        assert r.status_code == 303
        assert r.headers["Location"].endswith(f"/{slug}/admin/password")
        assert c.cookies.get("__Host-mg_session")
        assert c.get(f"/{slug}/admin/").headers["Location"].endswith("/admin/password")
        r = change_password(c, slug, hall["admin"], "kawa-no-nagare-no-yo-ni")
        assert r.status_code == 303
        # an administrator next has to turn on two-factor login before anything else
        assert c.get(f"/{slug}/admin/").headers["Location"].endswith(f"/{slug}/admin/two-factor")
        enrol_two_factor(c, slug)
        dashboard = c.get(f"/{slug}/admin/", headers={"Accept-Language": "en"})
        assert dashboard.status_code == 200
        assert "admin 花子" in dashboard.text


@pytest.mark.parametrize("fresh,confirm,field,message", [
    ("short-one", None, "password", "at least 12 characters"),
    ("password1234", None, "password", "too common"),
    ("admin-is-my-password", None, "password", "must not contain your login ID"),
    ("a-good-long-password", "a-different-password", "confirm", "not the same"),
])
def test_password_policy_answers_next_to_the_field(hall, fresh, confirm, field, message):
    slug = hall["slug"]
    with new_client() as c:
        login(c, slug, "admin", hall["admin"])
        r = change_password(c, slug, hall["admin"], fresh, confirm)
        assert r.status_code == 200
        m = re.search(rf'id="{field}"[^>]*aria-invalid="([^"]+)".*?class="field-error">([^<]+)<', r.text, re.S)
        assert m, r.text
        assert message in m.group(2)


def test_wrong_current_password_and_reuse_are_refused(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"], "first-own-password-1") as c:
        wrong = change_password(c, slug, "not-my-password-at-all", "second-own-password-2")
        assert wrong.status_code == 200 and "current password is not correct" in wrong.text
        assert change_password(c, slug, "first-own-password-1", "second-own-password-2").status_code == 303
        back = change_password(c, slug, "second-own-password-2", "first-own-password-1")
        assert back.status_code == 200 and "used recently" in back.text
        issued = change_password(c, slug, "second-own-password-2", hall["general"])
        assert "used recently" in issued.text


def test_unknown_id_and_wrong_password_look_the_same(hall):
    slug = hall["slug"]
    with new_client() as c:
        unknown = login(c, slug, "nobody-here", "whatever-password")
        wrong = login(c, slug, "general", "whatever-password")
    assert unknown.status_code == wrong.status_code == 200
    assert WRONG in unknown.text and WRONG in wrong.text
    assert 'value="nobody-here"' in unknown.text  # the typed ID is kept, the password is not
    assert "whatever-password" not in unknown.text


def test_five_failures_lock_for_fifteen_minutes(hall):
    slug = hall["slug"]
    with new_client() as c:
        for _ in range(5):
            assert WRONG in login(c, slug, "restricted", "wrong-password-guess").text
        locked = login(c, slug, "restricted", hall["restricted"])
        assert locked.status_code == 200 and WRONG in locked.text
        set_clock(14 * 60)
        assert WRONG in login(c, slug, "restricted", hall["restricted"]).text
        set_clock(16 * 60)
        assert login(c, slug, "restricted", hall["restricted"]).status_code == 303
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    actions = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = {tenant_id} ORDER BY seq")
    assert "account.lock\tsuccess" in actions
    assert actions.count("login.failure\tfailure") == 5
    assert "login.failure\tdenied" in actions
    assert actions.strip().endswith("login.success\tsuccess")


def test_guessing_the_current_password_locks_the_account(hall):
    """A stolen session cannot try current passwords without limit: 5 wrong ones lock the
    account and end its sessions."""
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"], "mine-and-only-mine-7") as c:
        for _ in range(5):
            r = change_password(c, slug, "a-wrong-guess-here", "another-new-password-8")
            if r.status_code == 303:  # the session ended with the fifth failure
                break
            assert "current password is not correct" in r.text
        assert c.get(f"/{slug}/admin/").status_code == 303
    with new_client() as c:
        assert WRONG in login(c, slug, "general", "mine-and-only-mine-7").text
        set_clock(16 * 60)
        assert login(c, slug, "general", "mine-and-only-mine-7").status_code == 303


def test_a_new_account_can_log_out_before_changing_its_password(hall):
    slug = hall["slug"]
    with new_client() as c:
        assert login(c, slug, "restricted", hall["restricted"]).status_code == 303
        form = c.get(f"/{slug}/admin/password")
        r = c.post(f"/{slug}/admin/logout", data={"csrf": page_csrf(form.text)})
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/login")
        assert c.get(f"/{slug}/admin/password").status_code == 303


def test_idle_session_expires_after_thirty_minutes(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"]) as c:
        set_clock(29 * 60)
        assert c.get(f"/{slug}/admin/").status_code == 200
        set_clock(29 * 60 + 31 * 60)
        r = c.get(f"/{slug}/admin/")
        assert r.status_code == 303 and "/admin/login" in r.headers["Location"]


def test_session_ends_after_twelve_hours_even_when_busy(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"]) as c:
        minutes = 0
        while minutes + 20 < 12 * 60:
            minutes += 20
            set_clock(minutes * 60)
            assert c.get(f"/{slug}/admin/").status_code == 200, minutes
        set_clock(12 * 3600 + 60)
        assert c.get(f"/{slug}/admin/").status_code == 303


def test_logout_ends_the_session(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"]) as c:
        page = c.get(f"/{slug}/admin/")
        r = c.post(f"/{slug}/admin/logout", data={"csrf": page_csrf(page.text)})
        assert r.status_code == 303
        assert c.get(f"/{slug}/admin/").status_code == 303


def test_a_session_of_one_tenant_is_nothing_in_another(hall):
    other = f"bo-{uuid.uuid4().hex[:10]}"
    assert madoguchi("tenant", "create", "--slug", other, "--name", "Other").returncode == 0
    with logged_in(hall["slug"], "admin", hall["admin"]) as c:
        r = c.get(f"/{other}/admin/")
        assert r.status_code == 303 and r.headers["Location"].startswith(f"/{other}/admin/login")


def test_restricted_staff_is_refused_admin_pages_and_audited(hall):
    slug = hall["slug"]
    with logged_in(slug, "restricted", hall["restricted"]) as c:
        r = c.get(f"/{slug}/admin/staff")
        assert r.status_code == 403
        assert c.get(f"/{slug}/admin/").status_code == 200
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    denied = sql(f"SELECT actor, object, detail FROM audit_log WHERE tenant_id = {tenant_id} "
                 f"AND action = 'access.denied'")
    assert f"/{slug}/admin/staff" in denied and "core.staff.manage" in denied


def test_admin_sees_staff_with_names_decrypted_but_stored_sealed(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"]) as c:
        r = c.get(f"/{slug}/admin/staff")
        assert r.status_code == 200
        assert "restricted 花子" in r.text and "general 花子" in r.text
    dump = sql(f"SELECT login, name_sealed FROM staff WHERE tenant_id = "
               f"(SELECT id FROM tenant WHERE slug = '{slug}')")
    assert "花子" not in dump


def routes():
    out = madoguchi("routes")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def concrete(pattern, slug):
    """A path matching a route's full pattern: the tenant group becomes slug, other groups 1."""
    path = re.sub(r"^\^\(\?:", "", pattern)
    path = path.replace("/(?<tenant>[a-z0-9][a-z0-9-]{0,62})", f"/{slug}")
    path = re.sub(r"\(\?<[a-z_]+>[^)]*\)", "1", path)
    path = path.replace("(?:", "").replace(")$", "").replace(")", "")
    return path


def test_every_state_changing_route_refuses_a_request_without_csrf(hall):
    """Walked from the route table, so a route added later is covered without editing this."""
    slug = hall["slug"]
    checked = 0
    # every module's routes answer this tenant, not a 404 for a module it did not contract
    owners = {route["owner"] for route in routes()} - {"core"}
    tid = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    for owner in owners:
        sql(f"INSERT IGNORE INTO tenant_module (tenant_id, module) VALUES ({tid}, '{owner}')")
    with logged_in(slug, "admin", hall["admin"]) as c:
        for route in routes():
            if route["method"] in ("GET", "HEAD"):
                continue
            path = concrete(route["pattern"], slug)
            r = c.request(route["method"], path, data={"x": "1"})
            assert r.status_code == 403, (route, path, r.status_code)
            checked += 1
    assert checked >= 3  # /lang, login, logout, password at least
