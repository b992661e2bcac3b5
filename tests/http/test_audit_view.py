"""The back office's audit view and CSV export (core/web/audit_view.c, issue 3 item 7): only the
tenant's own rows, filters by action, outcome, actor and JST date, keyset pages of 50, the
CSV file for Excel (BOM, CRLF, RFC 4180, formula guard, Japanese header by default), and both
the view and the export recorded in the log they show."""

import csv
import datetime
import html
import io
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import create_staff, logged_in, login, madoguchi, new_client, sql


JST = datetime.timedelta(hours=9)


def record(slug, action, obj, outcome="success", actor=None, detail=None):
    args = ["audit", "record", "--tenant", slug, "--action", action, f"--object={obj}", "--outcome", outcome]
    if actor is not None:
        args += ["--actor", actor]
    if detail is not None:
        args.append(f"--detail={detail}")
    done = madoguchi(*args)
    assert done.returncode == 0, done.stderr


def new_tenant(prefix="av"):
    slug = f"{prefix}-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "監査テスト会館")
    assert done.returncode == 0, done.stderr
    return slug


def tenant_id(slug):
    return sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()


@pytest.fixture(scope="module")
def office():
    """One tenant with its three roles logged in (a module fixture: logins cost a KDF each)."""
    slug = new_tenant()
    passwords = {role: create_staff(slug, role, role) for role in ("admin", "general", "restricted")}
    clients = {role: logged_in(slug, role, passwords[role], "kaze-no-tayori-77") for role in passwords}
    yield {"slug": slug, **clients}
    for c in clients.values():
        c.close()


def view(client, slug, lang="en", **query):
    return client.get(f"/{slug}/admin/audit", params=query, headers={"Accept-Language": lang})


def entries(page):
    """The table's rows as dicts (the columns of core/admin_audit.xhtml)."""
    keys = ("seq", "at", "actor", "action", "object", "outcome", "ip", "detail", "user_agent")
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    if body is None:
        return []
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows.append(dict(zip(keys, cells)))
    return rows


def older_link(page):
    for a in re.findall(r"<a [^>]*>", page):
        if 'rel="next"' in a:
            return html.unescape(re.search(r'href="([^"]+)"', a).group(1))
    return None


def export(client, slug, lang=None, **query):
    headers = {"Accept-Language": lang} if lang else {}
    return client.get(f"/{slug}/admin/audit.csv", params=query, headers=headers)


def parse_csv(response):
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_admin_sees_own_login_rows_by_login_in_jst(office):
    slug = office["slug"]
    r = view(office["admin"], slug, action="login.success", actor="admin")
    assert r.status_code == 200
    rows = entries(r.text)
    assert rows and all(e["action"] == "login.success" and e["actor"] == "admin" for e in rows)
    assert "staff:" not in r.text.split("<tbody>")[1]  # ids are resolved to logins
    tid = tenant_id(slug)
    seq, utc = sql(f"SELECT seq, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s') FROM audit_log WHERE tenant_id = {tid} "
                   f"AND action = 'login.success' AND actor = CONCAT('staff:', "
                   f"(SELECT id FROM staff WHERE tenant_id = {tid} AND login = 'admin')) "
                   f"ORDER BY seq DESC LIMIT 1").split("\t")
    jst = datetime.datetime.strptime(utc.strip(), "%Y-%m-%d %H:%M:%S") + JST
    assert rows[0]["seq"] == seq and rows[0]["at"] == jst.strftime("%Y-%m-%d %H:%M:%S")


def test_the_nav_offers_the_audit_log_to_admins_only(office):
    slug = office["slug"]
    assert f'href="/{slug}/admin/audit"' in office["admin"].get(f"/{slug}/admin/").text
    for role in ("general", "restricted"):
        page = office[role].get(f"/{slug}/admin/")
        assert page.status_code == 200 and f"/{slug}/admin/audit" not in page.text


def test_filters_by_action_prefix_outcome_and_actor(office):
    slug, marker = office["slug"], f"flt-{uuid.uuid4().hex[:8]}"
    for i in range(3):
        record(slug, "test.alpha", f"{marker}-a{i}")
    for i in range(2):
        record(slug, "test.beta", f"{marker}-b{i}", outcome="failure", actor="cli:tester")
    admin = office["admin"]
    alpha = entries(view(admin, slug, action="test.al", q=marker).text)
    assert sorted(e["object"] for e in alpha) == [f"{marker}-a{i}" for i in range(3)]
    failed = entries(view(admin, slug, action="test.", outcome="failure", q=marker).text)
    assert sorted(e["object"] for e in failed) == [f"{marker}-b0", f"{marker}-b1"]
    assert all(e["outcome"] == "Failure" for e in failed)
    by_actor = entries(view(admin, slug, actor="cli:tester", q=marker).text)
    assert {e["action"] for e in by_actor} == {"test.beta"} and len(by_actor) == 2
    # a staff login filters that account's rows, failed logins included
    with new_client() as c:
        login(c, slug, "general", "not-the-password-at-all")
    general = entries(view(admin, slug, actor="general", action="login.failure").text)
    assert general and all(e["actor"] == "general" and e["object"] == "login:general" for e in general)
    # LIKE wildcards typed by the user are literal text
    assert entries(view(admin, slug, q=marker.replace("-", "_")).text) == []
    empty = view(admin, slug, action="no.such.action")
    assert empty.status_code == 200 and entries(empty.text) == [] and "No entries match." in empty.text
    # the typed filter stays in the form
    page = view(admin, slug, action="test.al", outcome="failure", q=marker).text
    assert 'value="test.al"' in page and f'value="{marker}"' in page
    assert re.search(r'<option value="failure" selected="selected">', page)


def test_date_filter_takes_jst_dates_inclusively(office):
    slug, marker = office["slug"], f"day-{uuid.uuid4().hex[:8]}"
    record(slug, "test.dated", marker)
    utc = sql(f"SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s') FROM audit_log WHERE tenant_id = {tenant_id(slug)} "
              f"AND object = '{marker}'").strip()
    day = (datetime.datetime.strptime(utc, "%Y-%m-%d %H:%M:%S") + JST).date()
    one = datetime.timedelta(days=1)
    admin = office["admin"]

    def found(**dates):
        r = view(admin, slug, q=marker, **dates)
        assert r.status_code == 200, r.text
        return [e["object"] for e in entries(r.text)]

    assert found(**{"from": str(day), "to": str(day)}) == [marker]
    assert found(**{"from": str(day)}) == [marker]
    assert found(to=str(day)) == [marker]
    assert found(to=str(day - one)) == []
    assert found(**{"from": str(day + one)}) == []
    assert found(**{"from": "2020-01-01", "to": "2020-01-31"}) == []


@pytest.mark.parametrize("query,field,message,japanese", [
    ({"from": "2026-13-45"}, "from", "Enter a date as YYYY-MM-DD", "日付は YYYY-MM-DD の形で"),
    ({"to": "yesterday"}, "to", "Enter a date as YYYY-MM-DD", "日付は YYYY-MM-DD の形で"),
    ({"from": "2026-02-30"}, "from", "Enter a date as YYYY-MM-DD", "日付は YYYY-MM-DD の形で"),
    ({"from": "2026-04-02", "to": "2026-04-01"}, "to", "The end date is before the start date.",
     "終了日が開始日より前"),
])
def test_a_bad_date_answers_400_next_to_the_field_with_the_typed_values_kept(office, query, field, message,
                                                                             japanese):
    slug = office["slug"]
    r = view(office["admin"], slug, actor="someone", **query)
    assert r.status_code == 400
    m = re.search(rf'<input id="{field}" name="{field}" type="date" value="([^"]*)" aria-invalid="true" '
                  rf'aria-describedby="{field}-error"/>\s*<p id="{field}-error" class="field-error">([^<]+)</p>',
                  r.text)
    assert m, r.text
    assert m.group(1) == query[field] and message in m.group(2)
    assert 'value="someone"' in r.text
    assert "<tbody>" not in r.text
    assert export(office["admin"], slug, **query).status_code == 400
    ja = view(office["admin"], slug, lang="ja", **query)
    assert ja.status_code == 400 and japanese in ja.text


def test_pages_of_fifty_by_keyset_newest_first(office):
    slug, marker = office["slug"], f"pg-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: record(slug, "test.page", f"{marker}-{i:03d}"), range(110)))
    admin = office["admin"]
    first = view(admin, slug, q=marker)
    rows1 = entries(first.text)
    assert len(rows1) == 50
    # a row appended between two pages does not shift the next page
    record(slug, "test.page", f"{marker}-late")
    second = admin.get(older_link(first.text), headers={"Accept-Language": "en"})
    assert second.status_code == 200
    rows2 = entries(second.text)
    assert len(rows2) == 50 and "Newest entries" in second.text
    third = admin.get(older_link(second.text))
    rows3 = entries(third.text)
    assert len(rows3) == 10 and older_link(third.text) is None
    seqs = [int(e["seq"]) for e in rows1 + rows2 + rows3]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 110
    stored = sql(f"SELECT seq FROM audit_log WHERE tenant_id = {tenant_id(slug)} AND object LIKE '{marker}-0%' "
                 f"OR tenant_id = {tenant_id(slug)} AND object LIKE '{marker}-1%'").split()
    assert sorted(map(int, stored)) == sorted(seqs)
    assert "OFFSET" not in older_link(first.text).upper()
    # the filter rides along in the page links
    assert f"q={marker}" in older_link(first.text)
    # a page link naming no row of this tenant is not found
    assert view(admin, slug, before="9999999999").status_code == 404


def test_another_tenants_rows_never_appear(office):
    slug, other = office["slug"], new_tenant("avx")
    marker = f"foreign-{uuid.uuid4().hex[:8]}"
    for i in range(3):
        record(other, "test.foreign", f"{marker}-{i}")
    admin = office["admin"]
    # (the marker does show up in the detail of this admin's own audit.view rows: the filter)
    assert entries(view(admin, slug, q=marker).text) == []
    assert entries(view(admin, slug, action="test.foreign").text) == []
    assert not any(marker in e["object"] or e["action"] == "test.foreign" for e in entries(view(admin, slug).text))
    rows = parse_csv(export(admin, slug))
    assert len(rows) > 1 and not any("test.foreign" in row or marker in "".join(row[:10]) for row in rows[1:])
    # nor does this admin's session open the other tenant's log
    r = admin.get(f"/{other}/admin/audit")
    assert r.status_code == 303 and f"/{other}/admin/login" in r.headers["Location"]


@pytest.mark.parametrize("role", ["general", "restricted"])
def test_other_roles_are_refused_and_audited(office, role):
    slug = office["slug"]
    for path in ("/admin/audit", "/admin/audit.csv"):
        r = office[role].get(f"/{slug}{path}", params={"q": "x"})
        assert r.status_code == 403
        assert "text/csv" not in r.headers.get("Content-Type", "")
    denied = entries(view(office["admin"], slug, action="access.denied", actor=role).text)
    objects = {e["object"] for e in denied}
    assert {f"/{slug}/admin/audit", f"/{slug}/admin/audit.csv"} <= objects
    assert all(e["outcome"] == "Denied" and e["detail"] == "core.audit.view" for e in denied)


def test_viewing_is_itself_audited_with_the_filter(office):
    slug, marker = office["slug"], f"seen-{uuid.uuid4().hex[:8]}"
    assert view(office["admin"], slug, q=marker, outcome="denied").status_code == 200
    details = sql(f"SELECT actor, detail FROM audit_log WHERE tenant_id = {tenant_id(slug)} "
                  f"AND action = 'audit.view' AND detail LIKE '%{marker}%'")
    assert details.startswith("staff:") and '"outcome":"denied"' in details


def test_csv_export_for_excel(office):
    slug, marker = office["slug"], f"csv-{uuid.uuid4().hex[:8]}"
    hostile = '=HYPERLINK("http://evil.example/","click")'
    record(slug, "test.csv", hostile, detail=marker)
    record(slug, "test.csv", f"{marker}-plain", detail='a,"quoted"\r\nsecond line')
    record(slug, "test.csv", f"{marker}-minus", detail="-1+2")
    admin = office["admin"]
    r = export(admin, slug, action="test.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    m = re.fullmatch(rf'attachment; filename="audit-{slug}-(\d{{8}})\.csv"', r.headers["Content-Disposition"])
    assert m, r.headers["Content-Disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    # every record ends with CRLF; no bare LF outside the one quoted field that holds a line break
    assert r.content.endswith(b"\r\n") and r.content.count(b"\n") == r.content.count(b"\r\n")
    rows = parse_csv(r)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["番号", "日時（日本時間）", "日時（UTC）", "操作者"]  # Japanese by default
    col = {name: i for i, name in enumerate(header)}
    assert len(body) == 3 and all(len(row) == len(header) for row in body)
    by_detail = {row[col["詳細"]]: row for row in body}
    assert by_detail[marker][col["対象"]] == "'" + hostile
    assert by_detail['a,"quoted"\r\nsecond line'][col["対象"]] == f"{marker}-plain"
    assert by_detail["'-1+2"][col["対象"]] == f"{marker}-minus"
    assert [int(row[0]) for row in body] == sorted((int(row[0]) for row in body), reverse=True)
    # the hash chain rides along: each row's previous hash is the next older row's hash here
    stored = sql(f"SELECT seq, hash FROM audit_log WHERE tenant_id = {tenant_id(slug)} AND action = 'test.csv'")
    hashes = dict(line.split("\t") for line in stored.strip().splitlines())
    assert {row[0]: row[col["ハッシュ"]] for row in body} == hashes

    english = parse_csv(export(admin, slug, lang="en", action="test.csv"))
    assert english[0][:4] == ["No.", "Time (JST)", "Time (UTC)", "Actor"]


def test_the_export_is_itself_audited(office):
    slug, marker = office["slug"], f"exp-{uuid.uuid4().hex[:8]}"
    record(slug, "test.export", marker)
    assert export(office["admin"], slug, q=marker).status_code == 200
    rows = entries(view(office["admin"], slug, action="audit.export").text)
    assert rows and rows[0]["actor"] == "admin" and rows[0]["outcome"] == "Success"
    assert f'"q":"{marker}"' in rows[0]["detail"] and '"rows":1' in rows[0]["detail"]
