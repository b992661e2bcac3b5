"""Customer accounts (issue 3, item 8) and the mail outbox: registration with a mailed
confirmation link, login with lockout, password reset by mail, "my account", answers that do
not tell whether an address is registered, personal data sealed in the database, customer
sessions apart from staff sessions and other tenants, delivery as .eml files (maildir) and
over SMTP (a small SMTP stub in this file)."""

import email
import email.policy
import os
import re
import socket
import socketserver
import threading
import urllib.parse
import uuid

import pytest

from helpers import (active_account, address, CONFIG, confirm, create_staff, link_path, logged_in, madoguchi,
                    mails_to, new_client, PASSWORD, post, register, run_bin, send_mail, SENT, set_clock, sql,
                    stack_ctl, the_mail_to, VAR_DIR)


@pytest.fixture(scope="module", autouse=True)
def no_scheduler():
    """These tests deliver the outbox themselves (`mail send`, sometimes to an SMTP stub), so
    the stack's scheduler, which runs the same pass every minute, is paused meanwhile."""
    stopped = stack_ctl("jobs-stop")
    assert stopped.returncode == 0, stopped.stderr
    yield
    started = stack_ctl("jobs-start")
    assert started.returncode == 0, started.stderr

WRONG = "The e-mail address or password is not correct, or the account is locked for a while."
RESET_SENT = "If an account exists for this address, we sent it a link to choose a new password."
EXPIRED = "This link has expired or was already used."


@pytest.fixture(autouse=True)
def real_clock():
    set_clock(0)
    yield
    set_clock(0)


def new_tenant():
    slug = f"pp-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "テスト市民ホール", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    return slug


@pytest.fixture
def hall():
    return new_tenant()


def tenant_id(slug):
    return sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()


def login(client, slug, mail, password, lang="en"):
    return post(client, f"/{slug}/account/login", {"email": mail, "password": password, "next": f"/{slug}/account/"},
                lang)


def main_text(html):
    """The page's main content without the per-visitor CSRF token."""
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return re.sub(r'name="csrf" value="[^"]*"', "", main)


# ---- the whole path a new customer takes ---------------------------------------------------

def test_register_confirm_by_mail_then_log_in(hall):
    mail = address()
    with new_client() as c:
        r = register(c, hall, mail)
        assert r.status_code == 200 and SENT in r.text
        assert sql(f"SELECT state, password_hash IS NULL FROM person WHERE tenant_id = {tenant_id(hall)}") \
            == "pending\t1\n"
        msg, raw = the_mail_to(mail)
        # RFC 5322 headers; the tenant's Japanese name travels RFC 2047 encoded
        assert msg["Subject"] == "[テスト市民ホール] Confirm your registration"
        assert b"\r\nSubject: =?UTF-8?B?" in raw and b"\r\nMessage-ID: <" in raw and raw.startswith(b"Date: ")
        assert msg["Content-Type"].startswith("text/plain") and msg.get_content_charset() == "utf-8"
        assert "noreply@localhost" in msg["From"]
        path = link_path(msg, "confirm")

        # opening the link shows a form and changes nothing (mail scanners open links)
        assert c.get(path).status_code == 200
        assert sql(f"SELECT state FROM person WHERE tenant_id = {tenant_id(hall)}") == "pending\n"

        wrong = confirm(c, path, "not-the-chosen-password")
        assert wrong.status_code == 200 and "not the password you chose" in wrong.text
        r = confirm(c, path)
        assert r.status_code == 303 and r.headers["Location"] == f"/{hall}/account/"
        assert c.cookies.get("__Host-mg_account") and not c.cookies.get("__Host-mg_session")
        home = c.get(f"/{hall}/account/", headers={"Accept-Language": "en"})
        assert home.status_code == 200 and mail in home.text and "山田 花子" in home.text

        # the link is spent
        assert c.get(path).status_code == 410
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["token"][0]
        again = post(c, f"/{hall}/account/confirm", {"token": token, "password": PASSWORD},
                     csrf_from=f"/{hall}/account/")
        assert again.status_code == 410

        out = post(c, f"/{hall}/account/logout", {}, csrf_from=f"/{hall}/account/")
        assert out.status_code == 303 and out.headers["Location"] == f"/{hall}/account/login"
        r = c.get(f"/{hall}/account/")
        assert r.status_code == 303 and r.headers["Location"].startswith(f"/{hall}/account/login")

        assert login(c, hall, mail.upper(), PASSWORD).status_code == 303  # addresses ignore case
        assert c.get(f"/{hall}/account/").status_code == 200
    actions = sql(f"SELECT actor, action, outcome FROM audit_log WHERE tenant_id = {tenant_id(hall)} ORDER BY seq")
    person = sql(f"SELECT id FROM person WHERE tenant_id = {tenant_id(hall)}").strip()
    for row in (f"customer:{person}\taccount.register\tsuccess", "anonymous\taccount.confirm\tfailure",
                f"customer:{person}\taccount.confirm\tsuccess", f"customer:{person}\taccount.logout\tsuccess",
                f"customer:{person}\taccount.login.success\tsuccess"):
        assert row in actions, row


def test_mails_follow_the_language_of_the_request(hall):
    mail = address()
    with new_client() as c:
        r = register(c, hall, mail, lang="ja")
        assert "メールをご確認ください" in r.text
    msg, _ = the_mail_to(mail, "ご登録の確認")
    assert msg["Subject"] == "【テスト市民ホール】ご登録の確認"
    assert "24時間以内に" in msg.get_content()


def test_an_expired_confirmation_link_is_refused(hall):
    mail = address()
    with new_client() as c:
        register(c, hall, mail)
        path = link_path(the_mail_to(mail)[0], "confirm")
        set_clock(23 * 3600)
        assert c.get(path).status_code == 200
        set_clock(25 * 3600)
        r = c.get(path, headers={"Accept-Language": "en"})
        assert r.status_code == 410 and EXPIRED in r.text and "Register again" in r.text
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["token"][0]
        r = post(c, f"/{hall}/account/confirm", {"token": token, "password": PASSWORD},
                 csrf_from=f"/{hall}/account/register")
        assert r.status_code == 410 and EXPIRED in r.text
    assert sql(f"SELECT state FROM person WHERE tenant_id = {tenant_id(hall)}") == "pending\n"


def test_a_second_registration_by_someone_else_cannot_take_the_account(hall):
    """The owner's link works with the owner's password; the other registration's link (in
    the owner's mailbox too) cannot be used without the other password."""
    mail = address()
    with new_client() as owner, new_client() as other:
        register(owner, hall, mail)
        register(other, hall, mail, password="someone-elses-password-9")
        send_mail()
        (first, _), (second, _) = mails_to(mail)
        links = [link_path(first, "confirm"), link_path(second, "confirm")]
        assert "not the password you chose" in confirm(owner, links[1]).text
        assert confirm(owner, links[0]).status_code == 303
        assert confirm(other, links[1], "someone-elses-password-9").status_code == 410
    with new_client() as c:
        assert WRONG in login(c, hall, mail, "someone-elses-password-9").text
        assert login(c, hall, mail, PASSWORD).status_code == 303


# ---- never telling whether an address is registered -------------------------------------------

def test_registered_and_new_addresses_get_the_same_answer(hall):
    known = address()
    active_account(hall, known).close()
    with new_client() as c:
        again = register(c, hall, known, password="another-password-here-1")
        fresh = register(c, hall, address())
    assert again.status_code == fresh.status_code == 200
    assert main_text(again.text) == main_text(fresh.text)
    send_mail()
    notices = [m for m, _ in mails_to(known) if m["Subject"] == "[テスト市民ホール] You already have an account"]
    assert len(notices) == 1 and len(mails_to(known)) == 2  # the first confirmation, then the notice
    assert "/account/confirm" not in notices[0].get_content() and "/account/reset" in notices[0].get_content()


def test_reset_answers_the_same_for_unknown_addresses(hall):
    known = address()
    active_account(hall, known).close()
    with new_client() as c:
        r_known = post(c, f"/{hall}/account/reset", {"email": known})
        r_unknown = post(c, f"/{hall}/account/reset", {"email": address()})
    assert r_known.status_code == r_unknown.status_code == 200
    assert RESET_SENT in r_known.text and main_text(r_known.text) == main_text(r_unknown.text)


# ---- password reset ---------------------------------------------------------------------------

def test_reset_by_mail_works_once_and_ends_sessions(hall):
    mail = address()
    before = active_account(hall, mail)
    with new_client() as c:
        post(c, f"/{hall}/account/reset", {"email": mail})
        msg, _ = the_mail_to(mail, "new password")
        assert msg["Subject"] == "[テスト市民ホール] Choose a new password"
        path = link_path(msg, "reset/confirm")
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["token"][0]
        form = c.get(path)
        assert form.status_code == 200 and 'name="token"' in form.text

        def submit(password, again=None):
            return post(c, f"/{hall}/account/reset/confirm",
                        {"token": token, "password": password, "confirm": again or password},
                        csrf_from=f"/{hall}/account/reset")

        r = submit("new-password-for-me-3", "new-password-for-me-4")
        assert r.status_code == 200 and re.search(r'id="confirm"[^>]*aria-invalid="[^"]+".*?not the same', r.text, re.S)
        r = submit("short")
        assert r.status_code == 200 and "at least 12 characters" in r.text
        r = submit("new-password-for-me-3")
        assert r.status_code == 303 and r.headers["Location"] == f"/{hall}/account/login?done=reset"
        reused = submit("yet-another-password-5")
        assert reused.status_code == 410 and EXPIRED in reused.text
        assert c.get(path).status_code == 410
    # the session from before the reset has ended
    assert before.get(f"/{hall}/account/").status_code == 303
    with new_client() as c:
        assert WRONG in login(c, hall, mail, PASSWORD).text
        assert login(c, hall, mail, "new-password-for-me-3").status_code == 303
    actions = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = {tenant_id(hall)}")
    assert "account.reset.request\tsuccess" in actions and "account.reset\tsuccess" in actions


def test_a_reset_link_lives_one_hour(hall):
    mail = address()
    active_account(hall, mail).close()
    with new_client() as c:
        post(c, f"/{hall}/account/reset", {"email": mail})
        path = link_path(the_mail_to(mail, "new password")[0], "reset/confirm")
        set_clock(61 * 60)
        r = c.get(path, headers={"Accept-Language": "en"})
        assert r.status_code == 410 and "Ask for a new one" in r.text


# ---- login ------------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(hall):
    mail = address()
    active_account(hall, mail).close()
    with new_client() as c:
        unknown = login(c, hall, address(), "whatever-password")
        assert unknown.status_code == 200 and WRONG in unknown.text
        for _ in range(5):
            assert WRONG in login(c, hall, mail, "a-wrong-guess-here").text
        r = login(c, hall, mail, PASSWORD)
        assert WRONG in r.text and mail in r.text and PASSWORD not in r.text
        set_clock(16 * 60)
        assert login(c, hall, mail, PASSWORD).status_code == 303
    actions = sql(f"SELECT action, outcome FROM audit_log WHERE tenant_id = {tenant_id(hall)}")
    assert "account.lock\tsuccess" in actions and "account.login.failure\tdenied" in actions


def test_form_errors_stand_beside_their_fields_and_typed_values_stay(hall):
    with new_client() as c:
        r = register(c, hall, "not-an-address", name="佐藤 次郎", password="short", confirm="other")
        assert r.status_code == 200
        for field, text in (("email", "valid e-mail address"), ("password", "at least 12 characters"),
                            ("confirm", "not the same")):
            m = re.search(rf'id="{field}"[^>]*aria-invalid="[^"]+".*?class="field-error">([^<]+)<', r.text, re.S)
            assert m and text in m.group(1), field
        assert 'value="not-an-address"' in r.text and 'value="佐藤 次郎"' in r.text
        assert "short" not in re.sub(r"<p[^>]*>[^<]*</p>", "", r.text.split("<main")[1])
        ja = register(c, hall, "not-an-address", lang="ja")
        assert "正しいメールアドレスを入力してください" in ja.text
    assert sql(f"SELECT COUNT(*) FROM person WHERE tenant_id = {tenant_id(hall)}") == "0\n"


def test_full_width_addresses_are_the_same_account(hall):
    mail = address()
    active_account(hall, mail).close()
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in mail)
    with new_client() as c:
        assert login(c, hall, wide, PASSWORD).status_code == 303


# ---- my account -------------------------------------------------------------------------------

def test_my_account_changes_name_and_phone(hall):
    mail = address()
    with active_account(hall, mail) as c:
        r = post(c, f"/{hall}/account/", {"name": "山田 太郎", "phone": "090-12ab"})
        assert r.status_code == 200 and re.search(r'id="phone"[^>]*aria-invalid=', r.text)
        assert 'value="山田 太郎"' in r.text and 'value="090-12ab"' in r.text
        r = post(c, f"/{hall}/account/", {"name": "山田 太郎", "phone": "０９０－１２３４－５６７８"})
        assert r.status_code == 303
        page = c.get(r.headers["Location"], headers={"Accept-Language": "en"})
        assert "Saved." in page.text and 'value="090-1234-5678"' in page.text and "山田 太郎" in page.text


# ---- what the database holds --------------------------------------------------------------------

def test_personal_data_and_tokens_are_not_in_the_database_in_plain(hall):
    mail = address()
    with active_account(hall, mail) as c:
        post(c, f"/{hall}/account/", {"name": "秘密 花子", "phone": "03-9876-5432"})
        post(c, f"/{hall}/account/reset", {"email": mail})
    msg, _ = the_mail_to(mail, "new password")
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(link_path(msg, "reset/confirm")).query)["token"][0]
    tid = tenant_id(hall)
    dump = sql(f"SELECT * FROM person WHERE tenant_id = {tid}") + \
        sql(f"SELECT * FROM person_token WHERE tenant_id = {tid}") + \
        sql(f"SELECT * FROM mail_outbox WHERE tenant_id = {tid}") + \
        sql(f"SELECT * FROM audit_log WHERE tenant_id = {tid}")
    local = mail.split("@")[0]
    for secret in (local, "秘密", "花子", "9876-5432", "98765432", token):
        assert secret not in dump, secret
    assert sql(f"SELECT COUNT(*) FROM person_token WHERE tenant_id = {tid} AND purpose = 'reset'") == "1\n"
    # what is stored is the token's SHA-256
    import hashlib
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert sql(f"SELECT COUNT(*) FROM person_token WHERE tenant_id = {tid} AND token_hash = '{digest}'") == "1\n"


# ---- sessions ----------------------------------------------------------------------------------

def test_customer_sessions_are_apart_from_staff_and_other_tenants(hall):
    other = new_tenant()
    mail = address()
    with active_account(hall, mail) as c:
        assert c.get(f"/{hall}/account/").status_code == 200
        r = c.get(f"/{other}/account/")
        assert r.status_code == 303 and r.headers["Location"].startswith(f"/{other}/account/login")
        # the customer cookie under the staff cookie's name opens no back office
        c.cookies.set("__Host-mg_session", c.cookies.get("__Host-mg_account"))
        r = c.get(f"/{hall}/admin/")
        assert r.status_code == 303 and "/admin/login" in r.headers["Location"]
    # a staff member logged in to the back office is no customer on the public pages
    password = create_staff(hall, "admin", "admin")
    with logged_in(hall, "admin", password) as staff:
        assert staff.get(f"/{hall}/admin/").status_code == 200
        r = staff.get(f"/{hall}/account/")
        assert r.status_code == 303 and "/account/login" in r.headers["Location"]
        staff.cookies.set("__Host-mg_account", staff.cookies.get("__Host-mg_session"))
        assert staff.get(f"/{hall}/account/").status_code == 303
        assert staff.get(f"/{hall}/admin/").status_code == 200  # and both cookies live side by side


# ---- delivery ---------------------------------------------------------------------------------

class SMTPStub(socketserver.ThreadingTCPServer):
    """Just enough SMTP for libcurl: records each message; refuses recipients in reject."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, reject=()):
        self.messages, self.reject = [], set(reject)
        super().__init__(("127.0.0.1", 0), SMTPHandler)


class SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        def say(line):
            self.wfile.write(line.encode() + b"\r\n")
        say("220 stub ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                say("250 stub")
            elif verb == "MAIL":
                sender = command
                say("250 ok")
            elif verb == "RCPT":
                to = command.split(":", 1)[1].strip().strip("<>")
                if to in self.server.reject:
                    say("550 no such mailbox")
                else:
                    recipients.append(to)
                    say("250 ok")
            elif verb == "DATA":
                say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append((sender, recipients, data))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")


def smtp_config(port):
    """A copy of the stack's configuration that delivers to smtp://127.0.0.1:port."""
    with open(CONFIG) as f:
        text = f.read()
    text = re.sub(r"^mail_transport\s*=.*$", "mail_transport = smtp", text, flags=re.M)
    text += f"\nsmtp_url = smtp://127.0.0.1:{port}\n"
    path = os.path.join(VAR_DIR, "tmp", f"smtp-{port}.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queued_row(hall):
    return sql(f"SELECT state, attempts, last_error IS NOT NULL FROM mail_outbox WHERE tenant_id = {tenant_id(hall)}")


def test_smtp_delivery_retries_a_relay_that_is_away_then_sends(hall):
    send_mail()  # whatever other tests left queued goes to the maildir first
    mail = address()
    with new_client() as c:
        register(c, hall, mail)
    port = free_port()  # nothing listens there yet
    config = smtp_config(port)
    assert "0 sent, 1 to retry" in send_mail(config)
    assert queued_row(hall) == "queued\t1\t1\n"
    server = SMTPStub()
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        config = smtp_config(server.server_address[1])
        assert "0 sent" in send_mail(config)  # not due again before its back-off
        set_clock(2 * 60)
        assert "1 sent" in send_mail(config)
    finally:
        server.shutdown()
        server.server_close()
    assert queued_row(hall) == "sent\t2\t0\n"
    (sender, recipients, data), = server.messages
    assert "noreply@localhost" in sender and recipients == [mail]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["To"] == mail and "/account/confirm?token=" in msg.get_content()
    assert mails_to(mail) == []  # it went to the relay, not the folder


def test_smtp_refusal_fails_the_message_at_once(hall):
    send_mail()
    mail = address()
    with new_client() as c:
        register(c, hall, mail)
    server = SMTPStub(reject=[mail])
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert "1 failed" in send_mail(smtp_config(server.server_address[1]))
    finally:
        server.shutdown()
        server.server_close()
    assert queued_row(hall) == "failed\t1\t1\n"
    listed = run_bin("mail", "list", config=CONFIG)
    assert listed.returncode == 0 and re.search(r"failed: +[1-9]", listed.stdout)


def test_the_scheduler_job_delivers_the_outbox(hall):
    """`core.mail` is the same pass, run by `madoguchi jobs` every minute."""
    send_mail()
    mail = address()
    with new_client() as c:
        assert SENT in register(c, hall, mail).text
    assert mails_to(mail) == []
    done = run_bin("jobs", "run", "core.mail", config=CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [m["Subject"] for m, _ in mails_to(mail)] and queued_row(hall) == "sent\t1\t0\n"
