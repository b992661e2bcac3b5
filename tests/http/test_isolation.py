"""Isolation by construction: every registered route (core and modules, read from the route
table, so routes added later are walked without editing this file) is called as tenant A's
administrator with the object ids of tenant B. Each answer must be 404 and carry none of B's
data.

B's object ids are collected from every table that has a tenant_id column (its `id` and
`code` columns), less any value A also owns, so an id that happens to name one of A's own
objects in another table cannot pass for a leak or hide one."""

import json
import re
import uuid

import pytest

from helpers import create_staff, logged_in, madoguchi, page_csrf, sql

pytestmark = pytest.mark.usefixtures("real_clock")

try:  # Python 3.11+ keeps the regular-expression parser here (sre_parse is deprecated)
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants
    import sre_parse


GROUP = re.compile(r"\(\?<([a-z_]+)>((?:[^()]|\([^()]*\))*)\)")
KEY_COLUMNS = ("id", "code")


def sample(pattern):
    """One string that the (simple) regular expression matches: the shortest non-empty choice
    at each step. Enough for the field patterns routes declare."""
    def walk(parsed):
        out = []
        for op, arg in parsed:
            if op == sre_constants.LITERAL:
                out.append(chr(arg))
            elif op == sre_constants.IN:
                out.append(first_in(arg))
            elif op == sre_constants.ANY:
                out.append("a")
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, _, sub = arg
                out.append(walk(sub) * max(low, 1))
            elif op == sre_constants.SUBPATTERN:
                out.append(walk(arg[-1]))
            elif op == sre_constants.BRANCH:
                out.append(walk(arg[1][0]))
        return "".join(out)

    def first_in(items):
        if items and items[0][0] == sre_constants.NEGATE:
            return "a"  # a negated class: the patterns routes use never exclude letters
        for op, arg in items:
            if op == sre_constants.LITERAL:
                return chr(arg)
            if op == sre_constants.RANGE:
                return chr(arg[0])
            if op == sre_constants.CATEGORY:
                return "1" if arg == sre_constants.CATEGORY_DIGIT else "a"
        return "a"

    return walk(sre_parse.parse(pattern))


def tenant_tables():
    out = sql("SELECT TABLE_NAME, GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS "
              "WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME")
    tables = {}
    for line in out.splitlines():
        name, columns = line.split("\t")
        columns = columns.split(",")
        if "tenant_id" in columns:
            tables[name] = [c for c in KEY_COLUMNS if c in columns]
    return tables


def owned_keys(tenant_id, tables):
    keys = set()
    for table, columns in tables.items():
        for column in columns:
            out = sql(f"SELECT DISTINCT `{column}` FROM `{table}` WHERE tenant_id = {tenant_id}")
            keys.update(v for v in out.split("\n") if v and v != "NULL")
    return keys


def tenant_with_data(prefix, marker):
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", f"{marker} 会館",
                     "--modules", "tickets rentals lessons")
    assert done.returncode == 0, done.stderr
    passwords = {role: create_staff(slug, role, role) for role in ("admin", "general", "restricted")}
    for n in range(3):
        madoguchi("staff", "create", "--tenant", slug, "--login", f"{marker}-{n}", "--name", f"{marker} 職員{n}",
                  "--role", "general")
    tenant_id = sql(f"SELECT id FROM tenant WHERE slug = '{slug}'").strip()
    return slug, tenant_id, passwords


def concrete(route, slug, key):
    """The route's path for tenant slug with every other group filled with key; None when key
    does not fit a group's pattern (that route names another kind of object)."""
    path = route["pattern"]
    for name, pattern in GROUP.findall(path):
        if name != "tenant" and not re.fullmatch(pattern, key):
            return None
    path = GROUP.sub(lambda m: slug if m.group(1) == "tenant" else key, path)
    return path.replace("(?:", "").replace(")", "").lstrip("^").rstrip("$")


def form_for(route, csrf):
    data = {"csrf": csrf}
    for field in route["fields"]:
        if field["source"] == "form" and field["required"]:
            data[field["name"]] = sample(field["pattern"]) if field["pattern"] else "1"
    return data


def test_every_route_with_another_tenants_ids_is_404_without_their_data():
    a_marker, b_marker = f"A{uuid.uuid4().hex[:8]}", f"B{uuid.uuid4().hex[:8]}"
    a_slug, a_id, a_passwords = tenant_with_data("iso-a", a_marker)
    b_slug, b_id, _ = tenant_with_data("iso-b", b_marker)
    tables = tenant_tables()
    assert "staff" in tables and "tenant_module" in tables
    b_keys = sorted(owned_keys(b_id, tables) - owned_keys(a_id, tables))
    assert b_keys, "tenant B owns no objects to try"

    routes = json.loads(madoguchi("routes").stdout)
    walked, calls = set(), 0
    with logged_in(a_slug, "admin", a_passwords["admin"]) as admin:
        csrf = page_csrf(admin.get(f"/{a_slug}/admin/").text)
        for route in routes:
            if route["scope"] not in ("tenant", "admin"):
                continue  # the platform's and the operator's routes belong to no tenant
            names = [n for n, _ in GROUP.findall(route["pattern"]) if n != "tenant"]
            if not names:
                continue  # nothing in the path names an object
            for key in b_keys:
                path = concrete(route, a_slug, key)
                if path is None:
                    continue
                if route["method"] in ("GET", "HEAD"):
                    r = admin.get(path)
                else:
                    # a public route checks the visitor's token (the back office's is the session's)
                    token = admin.cookies.get("__Host-mg_csrf") if route["scope"] == "tenant" else csrf
                    r = admin.request(route["method"], path, data=form_for(route, token))
                calls += 1
                walked.add((route["method"], route["pattern"]))
                assert r.status_code == 404, (route["method"], path, r.status_code, r.text[:300])
                assert b_marker not in r.text and b_slug not in r.text, (route["method"], path)
    # the walk covered something real: the staff pages at least
    assert any("/staff/" in p for _, p in walked), walked
    assert calls >= len(walked)


def test_the_sample_generator_matches_what_it_samples():
    for pattern in (r"[0-9]{1,19}", r"(admin|general|restricted)", r"[A-Z2-7]{1,200}",
                    r"/[^\x00-\x1f]*", r"[a-z0-9][a-z0-9-]{0,62}", r"\d{4}-\d{2}-\d{2}"):
        value = sample(pattern)
        assert value and re.fullmatch(pattern, value), (pattern, value)
