"""The pytest modules of tests/http and tests/browser import no test module and not conftest.py
(run by tests/check-test-imports.sh). Usage: check_test_imports.py SRCDIR"""
import ast
import glob
import os
import sys

src = sys.argv[1]
problems = []
for path in sorted(glob.glob(os.path.join(src, "tests", "http", "*.py")) +
                   glob.glob(os.path.join(src, "tests", "browser", "*.py"))):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top == "conftest" or top.startswith("test_"):
                problems.append(f"{os.path.relpath(path, src)}:{node.lineno}: imports {name}"
                                " (shared helpers go to tests/http/helpers.py, fixtures to conftest.py)")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
