"""Two-factor login for staff (TOTP, RFC 6238): enrolment with a QR code, the second login
step, recovery codes used once, wrong codes counting toward the lockout, and administrators
required to enrol."""

import re

import pytest

from helpers import (change_password, enrol_two_factor, logged_in, login, new_client, next_totp_step,
                    page_csrf, sql, totp)

pytestmark = pytest.mark.usefixtures("real_clock")


def second_factor(client, slug, code):
    page = client.get(f"/{slug}/admin/login/second-factor", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.status_code
    return client.post(f"/{slug}/admin/login/second-factor", headers={"Accept-Language": "en"},
                       data={"code": code, "next": f"/{slug}/admin/", "csrf": page_csrf(page.text)})


def test_enrolment_page_shows_key_uri_and_qr(hall):
    slug = hall["slug"]
    with new_client() as c:
        login(c, slug, "admin", hall["admin"])
        change_password(c, slug, hall["admin"], "hoshi-ga-kirei-na-yoru")
        page = c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert "Administrators must turn on two-factor login" in page.text
        uri = re.search(r'class="uri">([^<]+)<', page.text).group(1)
        assert uri.startswith("otpauth://totp/") and "secret=" in uri
        assert re.search(r'<svg[^>]*viewBox="0 0 \d+ \d+"', page.text)
        assert re.search(r'<path fill="#000" d="M\d+ \d+h', page.text)
        # a wrong first code keeps the same key on the page, with the message by the field
        secret = re.search(r'class="secret">([A-Z2-7 ]+)<', page.text).group(1)
        pending = re.search(r'name="pending" value="([^"]+)"', page.text).group(1)
        wrong = "000000" if totp(secret.replace(" ", "")) != "000000" else "111111"
        r = c.post(f"/{slug}/admin/two-factor/enable", headers={"Accept-Language": "en"},
                   data={"pending": pending, "code": wrong, "csrf": page_csrf(page.text)})
        assert r.status_code == 200 and "The code is not correct" in r.text
        assert secret in r.text
        # a pending key from someone else's form (tampered) is refused, not stored
        r = c.post(f"/{slug}/admin/two-factor/enable", headers={"Accept-Language": "en"},
                   data={"pending": "A" * 98, "code": "123456", "csrf": page_csrf(page.text)})
        assert r.status_code == 200 and "took too long or the form was changed" in r.text
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    assert sql(f"SELECT totp_secret_sealed IS NULL FROM staff WHERE tenant_id = {tenant_id} "
               f"AND login = 'admin'").strip() == "1"


def test_totp_login_then_recovery_code_once(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"], "yama-no-ue-no-sora-77") as first:
        secret, codes = first.totp_secret, first.recovery_codes
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    stored = sql(f"SELECT totp_secret_sealed FROM staff WHERE tenant_id = {tenant_id} AND login = 'admin'")
    assert secret not in stored
    hashes = sql(f"SELECT code_hash FROM staff_recovery_code WHERE tenant_id = {tenant_id}")
    assert len(hashes.split()) == 10 and codes[0].replace("-", "") not in hashes

    with new_client() as c:
        r = login(c, slug, "admin", "yama-no-ue-no-sora-77")
        assert r.status_code == 303 and "/admin/login/second-factor" in r.headers["Location"]
        # the password alone opens nothing
        assert c.get(f"/{slug}/admin/").headers["Location"].endswith("/admin/login/second-factor")
        next_totp_step()
        r = second_factor(c, slug, totp(secret))
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/{slug}/admin/")
        assert c.get(f"/{slug}/admin/staff").status_code == 200

    with new_client() as c:
        login(c, slug, "admin", "yama-no-ue-no-sora-77")
        r = second_factor(c, slug, codes[0].lower())  # typed in lower case: still the code
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/two-factor")
        assert "Recovery codes left: 9" in c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"}).text

    with new_client() as c:
        login(c, slug, "admin", "yama-no-ue-no-sora-77")
        r = second_factor(c, slug, codes[0])
        assert r.status_code == 200 and "The code is not correct" in r.text
    outcomes = sql(f"SELECT outcome, detail FROM audit_log WHERE tenant_id = {tenant_id} "
                   f"AND action = 'login.second_factor' ORDER BY seq")
    assert "success\tauthenticator code" in outcomes and "success\trecovery code" in outcomes
    assert "failure\twrong code" in outcomes


def test_a_code_is_accepted_only_once(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"], "umi-no-mukou-no-shima-5") as first:
        secret = first.totp_secret
    next_totp_step()
    code = totp(secret)
    with new_client() as c:
        login(c, slug, "admin", "umi-no-mukou-no-shima-5")
        assert second_factor(c, slug, code).status_code == 303
    with new_client() as c:
        login(c, slug, "admin", "umi-no-mukou-no-shima-5")
        assert second_factor(c, slug, code).status_code == 200  # replayed: refused


def test_five_wrong_codes_lock_the_account_and_end_the_half_session(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"], "kaze-ga-fuku-oka-no-ue") as first:
        secret = first.totp_secret
    with new_client() as c:
        login(c, slug, "admin", "kaze-ga-fuku-oka-no-ue")
        good = totp(secret)
        wrong = "123456" if good != "123456" else "654321"
        for _ in range(4):
            assert second_factor(c, slug, wrong).status_code == 200
        page = c.get(f"/{slug}/admin/login/second-factor")
        r = c.post(f"/{slug}/admin/login/second-factor",
                   data={"code": wrong, "csrf": page_csrf(page.text)})
        assert r.status_code == 303 and r.headers["Location"].endswith("/admin/login")
        # locked: even the right password is refused now
        r = login(c, slug, "admin", "kaze-ga-fuku-oka-no-ue")
        assert r.status_code == 200
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    assert "account.lock" in sql(f"SELECT action FROM audit_log WHERE tenant_id = {tenant_id}")


def test_general_staff_may_turn_it_on_and_off(hall):
    slug = hall["slug"]
    with logged_in(slug, "general", hall["general"], "tsuki-no-hikari-ga-sasu") as c:
        page = c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
        assert "Administrators must" not in page.text
        secret, _ = enrol_two_factor(c, slug)
        page = c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
        assert "Two-factor login is on." in page.text
        next_totp_step()
        r = c.post(f"/{slug}/admin/two-factor/disable",
                   data={"code": totp(secret), "csrf": page_csrf(page.text)})
        assert r.status_code == 303
        page = c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
        assert "Two-factor login is on." not in page.text and 'name="pending"' in page.text


def test_administrators_cannot_turn_it_off(hall):
    slug = hall["slug"]
    with logged_in(slug, "admin", hall["admin"], "ame-ga-futte-mo-hare-demo") as c:
        page = c.get(f"/{slug}/admin/two-factor", headers={"Accept-Language": "en"})
        assert "Turn two-factor login off" not in page.text
        next_totp_step()
        r = c.post(f"/{slug}/admin/two-factor/disable",
                   data={"code": totp(c.totp_secret), "csrf": page_csrf(page.text)})
        assert r.status_code == 403
