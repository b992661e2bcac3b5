"""The module API is what core/module.sym lists (run by tests/check-module-api.sh).

* every name in core/module.sym is a function declared in core/module.h or in a core header
  it includes (directly or through others);
* the madoguchi binary exports exactly those names (nm -D), no other function of the core;
* every module built here (modules/*/*.so, tests/modules/*.so) imports from the core only names
  in the list.
Usage: check_module_api.py SRCDIR BUILDDIR
"""
import glob
import os
import re
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
core = os.path.join(src, 'core')
problems = []

with open(os.path.join(core, 'module.sym'), encoding='utf-8') as f:
    text = re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S)
api = set(re.findall(r'\b(mg_[a-z0-9_]+)\s*;', text))

headers = {os.path.basename(p): p for p in glob.glob(os.path.join(core, '*', '*.h'))}
headers['module.h'] = os.path.join(core, 'module.h')
seen, todo, declared = set(), ['module.h'], set()
while todo:
    name = todo.pop()
    if name in seen or name not in headers:
        continue
    seen.add(name)
    with open(headers[name], encoding='utf-8') as f:
        body = f.read()
    todo += [os.path.basename(h) for h in re.findall(r'^\s*#\s*include\s+"([^"]+)"', body, re.M)]
    declared |= set(re.findall(r'\b(mg_[a-z0-9_]+)\s*\(', re.sub(r'/\*.*?\*/', '', body, flags=re.S)))
for name in sorted(api - declared):
    problems.append(f'{name} is in core/module.sym but declared in no header module.h includes')


def symbols(path, flag):
    out = subprocess.run(['nm', '-D', flag, path], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()}


exported = {s for s in symbols(os.path.join(build, 'madoguchi'), '--defined-only') if s.startswith('mg_')}
for name in sorted(exported - api):
    problems.append(f'madoguchi exports {name}, which is not in core/module.sym')
for name in sorted(api - exported):
    problems.append(f'core/module.sym lists {name}, which madoguchi does not export')

modules = glob.glob(os.path.join(build, 'modules', '*', '*.so')) + glob.glob(os.path.join(build, 'tests', 'modules', '*.so'))
if not modules:
    problems.append('no module was built: nothing to check the imports of')
for so in sorted(modules):
    for name in sorted(s for s in symbols(so, '--undefined-only') if s.startswith('mg_') and s not in api):
        problems.append(f'{os.path.relpath(so, build)} imports {name}, which is not in the module API')

for p in problems:
    print('module api:', p)
print(f'module api: {len(api)} functions, {len(exported)} exported, {len(modules)} modules checked')
sys.exit(1 if problems else 0)
