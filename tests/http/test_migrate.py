"""Migrations are recorded and safe to run twice; a broken config names its line."""

import re

from helpers import CONFIG, run_bin


def test_migrate_again_has_nothing_to_apply():
    out = run_bin("migrate", config=CONFIG)
    assert out.returncode == 0, out.stderr
    assert "up to date" in (out.stdout + out.stderr)


def test_broken_config_line_is_named(tmp_path):
    with open(CONFIG) as f:
        lines = f.read().splitlines()
    lines.insert(3, "this line has no equals sign")
    path = tmp_path / "broken.conf"
    path.write_text("\n".join(lines) + "\n")
    out = run_bin("check-config", config=str(path))
    assert out.returncode != 0
    assert re.search(r"\bline 4\b", out.stderr), out.stderr


def test_unknown_key_is_named(tmp_path):
    with open(CONFIG) as f:
        text = f.read()
    path = tmp_path / "typo.conf"
    path.write_text(text + "wokrers = 3\n")
    out = run_bin("check-config", config=str(path))
    assert out.returncode != 0
    assert "wokrers" in out.stderr


def test_missing_config_file_is_an_error(tmp_path):
    out = run_bin("check-config", config=str(tmp_path / "nowhere.conf"))
    assert out.returncode != 0
    assert "nowhere.conf" in out.stderr
