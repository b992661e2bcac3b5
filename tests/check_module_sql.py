"""Modules reach core data only through core functions (issue 10, item 3; docs/modules.md).

Lists the core's tables from schema/core/*.sql (CREATE TABLE) and fails when the SQL of any
module names one: the string literals of modules/**/*.c and *.h (adjacent literals joined, as
the compiler joins them) are searched for a core table after FROM, JOIN, INTO, UPDATE, TABLE,
or a comma in a FROM list.
There is no list of exceptions: where a module needs core data, it calls a core function.
Usage: check_module_sql.py SRCDIR
"""
import glob
import os
import re
import sys

src = sys.argv[1]
tables = set()
for path in glob.glob(os.path.join(src, 'schema', 'core', '*.sql')):
    with open(path, encoding='utf-8') as f:
        tables |= {t.lower() for t in re.findall(r'create\s+table\s+(?:if\s+not\s+exists\s+)?`?(\w+)', f.read(), re.I)}
problems = []
if not tables:
    problems.append('no CREATE TABLE found in schema/core/*.sql')

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
SQL_TABLE = re.compile(r'\b(?:from|join|into|update|table|exists)\s+`?(\w+)`?'
                       r'|\bfrom\s+\w+(?:\s+\w+)?\s*,\s*`?(\w+)`?', re.I)


def statements(text):
    """Yield (line, joined literal) for each run of adjacent string literals."""
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r"'(?:[^'\\\n]|\\.)'", "' '", text)
    pos, run, start = 0, [], None
    for m in LITERAL.finditer(text):
        gap = text[pos:m.start()]
        if run and re.fullmatch(r'[\s\\]*', gap) is None:
            yield start, ''.join(run)
            run = []
        if not run:
            start = text.count('\n', 0, m.start()) + 1
        run.append(m.group(1))
        pos = m.end()
    if run:
        yield start, ''.join(run)


found = set()
files = sorted(glob.glob(os.path.join(src, 'modules', '**', '*.[ch]'), recursive=True))
for path in files:
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for line, sql in statements(text):
        for m in SQL_TABLE.finditer(sql):
            name = (m.group(1) or m.group(2)).lower()
            rel = os.path.relpath(path, src)
            if name in tables:
                found.add((rel, name))
                problems.append(f'{os.path.relpath(path, src)}:{line}: names the core table {name}')

for p in problems:
    print('module sql:', p)
print(f'module sql: {len(tables)} core tables, {len(files)} module files, {len(problems)} problems')
sys.exit(1 if problems else 0)
