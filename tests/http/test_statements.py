"""Statements: every statement of the core and of the loaded modules prepares against the
migrated schema (`madoguchi check-statements`), and a broken one fails the check by name."""

import os
import re
import shutil

from helpers import BUILD_DIR, CONFIG, ROOT, run_bin


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


def statements_in_source():
    """How many statements the core's and the tickets module's tables hold, counted in the
    source (comments left out): every entry is `[CONSTANT] = { "owner.what", …`, or a
    DELETE_BATCH line. Fewer prepared than written means a table nobody registers, or a hole
    (an enum constant without its entry) that ends a table early."""
    count = 0
    for top in ("core", "modules"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".c", ".h")):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
                    count += len(re.findall(r'\[\w+\] = \{\s*"[a-z]+\.[a-z0-9_]+",', text))
                    count += len(re.findall(r'^\tDELETE_BATCH\("', text, re.M))
    return count


def test_every_statement_prepares():
    out = run_bin("check-statements", config=CONFIG)
    assert out.returncode == 0, out.stderr
    m = re.search(r"(\d+) statement\(s\) prepared", out.stdout)
    assert m, out.stdout
    # all of them, the tickets module's included (rentals and lessons have none yet)
    assert int(m.group(1)) == statements_in_source() > 250


def test_a_broken_statement_fails_the_check_by_name(tmp_path):
    src = os.path.join(BUILD_DIR, "tests", "modules", "brokensql.so")
    assert os.path.exists(src), f"{src} is built by make check"
    (tmp_path / "mods" / "brokensql").mkdir(parents=True)
    shutil.copy(src, tmp_path / "mods" / "brokensql" / "brokensql.so")
    conf = config_with(tmp_path, modules="brokensql", module_dir=str(tmp_path / "mods"))
    out = run_bin("check-statements", config=conf)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "brokensql.missing_table" in out.stderr
    assert "brokensql_nosuch" in out.stderr
    assert "brokensql.fine" not in out.stderr
    assert "1 of " in out.stderr
