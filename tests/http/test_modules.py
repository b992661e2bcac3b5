"""Plug-in modules: each of the three is dlopen()ed and answers its own route; a missing module or
one built for another ABI is a clear start-up error."""

import os
import re
import shutil

import pytest

from helpers import BUILD_DIR, CONFIG, ROOT, run_bin


def core_abi():
    """The module ABI the binary says it has ("madoguchi 0.1.0 (module ABI 2)")."""
    out = run_bin("version", config=CONFIG)
    return int(re.search(r"module ABI (\d+)", out.stdout).group(1))


@pytest.mark.parametrize("name", ["tickets", "rentals", "lessons"])
def test_module_answers_its_route(session, name):
    r = session.get(f"/_modules/{name}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"module": name, "abi": core_abi()}


def test_unloaded_module_route_is_404(session):
    r = session.get("/_modules/nosuch")
    assert r.status_code == 404


def config_with(tmp_path, **overrides):
    """A copy of the stack's config with some keys replaced."""
    lines = []
    with open(CONFIG) as f:
        for line in f:
            key = line.split("=", 1)[0].strip()
            if key in overrides:
                line = f"{key} = {overrides[key]}\n"
            lines.append(line)
    path = tmp_path / "madoguchi.conf"
    path.write_text("".join(lines))
    return str(path)


def test_check_config_accepts_the_real_config():
    out = run_bin("check-config", config=CONFIG)
    assert out.returncode == 0, out.stderr


def test_missing_module_is_a_start_up_error(tmp_path):
    out = run_bin("check-config", config=config_with(tmp_path, modules="tickets nosuch"))
    assert out.returncode != 0
    assert "nosuch" in out.stderr


def test_module_with_wrong_abi_is_refused(tmp_path):
    src = os.path.join(BUILD_DIR, "tests", "modules", "badabi.so")
    assert os.path.exists(src), f"{src} is built by make check"
    (tmp_path / "mods" / "badabi").mkdir(parents=True)
    shutil.copy(src, tmp_path / "mods" / "badabi" / "badabi.so")
    conf = config_with(tmp_path, modules="badabi", module_dir=str(tmp_path / "mods"))
    out = run_bin("check-config", config=conf)
    assert out.returncode != 0
    assert "ABI" in out.stderr
    assert "badabi" in out.stderr


def test_version_prints_the_version():
    with open(os.path.join(ROOT, "configure.ac")) as f:
        m = re.search(r"AC_INIT\(\[madoguchi\],\s*\[([^\]]+)\]", f.read())
    assert m, "AC_INIT in configure.ac"
    out = run_bin("version")
    assert out.returncode == 0
    assert m.group(1) in out.stdout


# ---- the example module of docs/modules.md (modules/example), loaded by the test stack ----


def test_example_module_serves_its_route_in_the_visitors_language(session):
    r = session.get("/_modules/example/greeting", params={"name": "窓口 太郎"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["greeting"] == "こんにちは"
    assert body["name"] == "窓口 太郎"
    assert body["lang"] == "ja"


def test_example_module_route_checks_its_declared_field(session):
    r = session.get("/_modules/example/greeting", params={"name": "<script>"})
    assert r.status_code == 400
    assert "氏名" in r.text  # the field's label, in Japanese


def test_example_module_is_404_for_a_tenant_that_has_not_contracted_it(session):
    r = session.get("/demo/example/greeting")
    assert r.status_code == 404


def test_example_module_is_built_against_the_public_header_only():
    path = os.path.join(ROOT, "modules", "example", "example.c")
    with open(path, encoding="utf-8") as f:
        includes = re.findall(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]', f.read(), re.M)
    assert includes == ["core/module.h"]


def test_binary_exports_only_the_module_api():
    """nm -D of the binary: every function it exports is listed in core/module.sym."""
    import subprocess

    out = subprocess.run(["nm", "-D", "--defined-only", os.path.join(BUILD_DIR, "madoguchi")],
                         capture_output=True, text=True, check=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
    with open(os.path.join(ROOT, "core", "module.sym"), encoding="utf-8") as f:
        listed = set(re.findall(r"\b(mg_[a-z0-9_]+)\s*;", re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)))
    assert exported, "the binary exports the module API"
    assert exported <= listed, sorted(exported - listed)
    assert "mg_db_open" not in exported and "mg_http_handle" not in exported
