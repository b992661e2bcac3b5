"""The layer check of core/ (run by tests/check-layers.sh from `make check`).

core/README lists the layer folders lowest first (lines "name/  what lives there"); a file may
include headers of its own layer and of the layers below, never above. core/module.h is the
public module header: it declares what web/ and cli/ implement for modules, so only those
two may include it. Between files,
"a includes b" is counted per unit (a.c and a.h together); no cycle may remain among units.
Known violations still being removed are listed in tests/layers-allow.txt as "file: header"
or "cycle: unit unit …".
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else '.'
core = os.path.join(root, 'core')
layers = []
with open(os.path.join(core, 'README'), encoding='utf-8') as f:
    for line in f:
        m = re.match(r'^([a-z]+)/\s{2,}', line)
        if m:
            layers.append(m.group(1))
rank = {name: i for i, name in enumerate(layers)}
rank['module.h'] = rank.get('web', len(layers))

allowed = set()
allow_path = os.path.join(root, 'tests', 'layers-allow.txt')
if os.path.exists(allow_path):
    with open(allow_path, encoding='utf-8') as f:
        allowed = {line.strip() for line in f if line.strip() and not line.startswith('#')}

headers, files, problems = {}, [], []
for layer in os.listdir(core):
    folder = os.path.join(core, layer)
    if not os.path.isdir(folder):
        continue
    if layer not in rank:
        problems.append(f'core/{layer}/ is not a layer listed in core/README')
        continue
    for name in sorted(os.listdir(folder)):
        if name.endswith(('.c', '.h')):
            files.append((layer, name))
            if name.endswith('.h'):
                if name in headers:
                    problems.append(f'two headers named {name}: core/{headers[name]}/ and core/{layer}/')
                headers[name] = layer
loose = [n for n in os.listdir(core) if n.endswith(('.c', '.h')) and n != 'module.h']
problems += [f'core/{n} lies outside every layer folder' for n in loose]

include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
edges, used_allow = {}, set()
for layer, name in files:
    with open(os.path.join(core, layer, name), encoding='utf-8') as f:
        text = f.read()
    unit = f'{layer}/{os.path.splitext(name)[0]}'
    for target in include.findall(text):
        base = os.path.basename(target)
        if target == 'module.h' or target == 'core/module.h':
            to_layer, to_unit = 'module.h', 'module'
        elif base in headers:
            to_layer = headers[base]
            to_unit = f'{to_layer}/{os.path.splitext(base)[0]}'
        else:
            continue  # a system or generated header
        if to_unit != unit:
            edges.setdefault(unit, set()).add(to_unit)
        if rank[to_layer] > rank[layer]:
            key = f'core/{layer}/{name}: {base}'
            if key in allowed:
                used_allow.add(key)
            else:
                problems.append(f'core/{layer}/{name} includes {base} from {to_layer}, above {layer}/')

# Cycles among units (Tarjan's strongly connected components).
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)
for comp in sccs:
    key = 'cycle: ' + ' '.join(comp)
    if key in allowed:
        used_allow.add(key)
    else:
        problems.append('include cycle among: ' + ' '.join(comp))

for key in sorted(allowed - used_allow):
    problems.append(f'tests/layers-allow.txt lists "{key}", which no longer happens: remove it')

for p in problems:
    print('layers:', p)
print(f'layers: {len(layers)} layers, {len(files)} files, {len(allowed)} allowed exceptions, {len(sccs)} cycles')
sys.exit(1 if problems else 0)
