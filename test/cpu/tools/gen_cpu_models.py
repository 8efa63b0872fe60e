#!/usr/bin/env python3
"""Prints the body of builtinX86Defs (src/target/i386/cpu-models.ts) from QEMU 7.2's view.

usage: gen_cpu_models.py MODELS.json WORDS.json src/target/i386/cpu-features.ts > table
  MODELS.json: output of qmp_expand.py
  WORDS.json:  {word: [[bit, name], ...]} dumped from the compiled cpu-features.js
               (node -e "import('./dist/src/target/i386/cpu-features.js').then(...)")
Version N lists the props that differ from version N-1 (QEMU applies versions cumulatively).
"""
import subprocess, sys
import json, re
d = json.load(open(sys.argv[1]))
src = open(sys.argv[3]).read()
# word -> names, from our feature table
word_names = {w: [tuple(x) for x in l] for w, l in json.load(open(sys.argv[2])).items()}
name2word = {}
for w, l in word_names.items():
    for b, n in l:
        name2word.setdefault(n, w)
VMXW = {w for w in word_names if w.startswith('FEAT_VMX')}
WORD_ORDER = re.findall(r"^  (FEAT_\w+),$", src.split('export enum FeatureWord')[1].split('}')[0], re.M)

help_txt = subprocess.run(['qemu-system-x86_64', '-cpu', 'help'], capture_output=True, text=True).stdout
desc = {}
for line in help_txt.split('Recognized')[0].splitlines()[1:]:
    m = re.match(r"x86 (\S+)\s{2,}(.*)$", line) or re.match(r"x86 (\S+)\s*$", line)
    if m: desc[m.group(1)] = m.group(2) if m.lastindex == 2 else ''

def feats(mn):
    M = d['models'][mn]
    t, v, k = M['tcg'], M['tcg_vmx_svm'], M['kvm']
    on = {n for n in name2word if t.get(n) is True}
    on.discard('hypervisor')
    if k.get('vme'): on.add('vme')
    for n in name2word:
        w = name2word[n]
        if (w in VMXW or w == 'FEAT_SVM') and v.get(n) is True: on.add(n)
    return on

def scal(mn):
    t = d['models'][mn]['tcg']; na = d['models'][mn]['tcg_noauto']
    return {'vendor': t['vendor'], 'family': t['family'], 'model': t['model'], 'stepping': t['stepping'],
            'model-id': t['model-id'], 'level': na['min-level'], 'xlevel': na['min-xlevel'], 'xlevel2': na['min-xlevel2']}

defs = d['definitions']
aliases = {}
for x in defs:
    if x.get('alias-of') and not re.search(r'-v\d+$', x['name']):
        aliases.setdefault(x['alias-of'], []).append(x['name'])
bases = {}
for x in defs:
    m = re.match(r'(.*)-v(\d+)$', x['name'])
    if m: bases.setdefault(m.group(1), []).append(int(m.group(2)))
CACHE = {'EPYC': 'epyc', 'Dhyana': 'epyc', 'EPYC-Rome': 'epycRome', 'EPYC-Milan': 'epycMilan'}

def tsstr(s): return json.dumps(s)
def hx(n): return '0x%x' % n if n > 9 else str(n)

out = []
for b in sorted(bases, key=lambda s: s):
    vers = sorted(bases[b])
    v1 = f'{b}-v1'
    s = scal(v1); f = feats(v1)
    ew = {}
    for n in f: ew.setdefault(name2word[n], []).append(n)
    lines = [f"  {{", f"    name: {tsstr(b)},", f"    level: {hx(s['level'])}, xlevel: {hx(s['xlevel'])}," + (f" xlevel2: {hx(s['xlevel2'])}," if s['xlevel2'] else ''),
             f"    vendor: {tsstr(s['vendor'])}, family: {s['family']}, model: {s['model']}, stepping: {s['stepping']},",
             "    features: {"]
    for w in WORD_ORDER:
        if w not in ew: continue
        bits = sorted(ew[w], key=lambda n: [bb for bb, nn in word_names[w] if nn == n][0])
        items = [tsstr(n) for n in bits]
        if w == 'FEAT_VMX_EPT_VPID_CAPS': items.append('14 /* EPT write-back, unnamed */')
        text = ', '.join(items)
        lines.append(f"      {w}: [{text}],")
    lines.append("    },")
    lines.append(f"    modelId: {tsstr(s['model-id'])},")
    if b in CACHE: lines.append(f"    cacheInfo: {CACHE[b]}CacheInfo,")
    vlines = []
    prev_s, prev_f = s, f
    for v in vers:
        name = f'{b}-v{v}'
        cs, cf = scal(name), feats(name)
        props = []
        for n in sorted(cf - prev_f): props.append((n, 'on'))
        for n in sorted(prev_f - cf): props.append((n, 'off'))
        for k in ('vendor', 'family', 'model', 'stepping', 'level', 'xlevel', 'model-id'):
            if cs[k] != prev_s[k]:
                val = cs[k]
                props.append(('min-' + k if k in ('level', 'xlevel') else k, (hx(val) if k in ('level', 'xlevel') else str(val)) if isinstance(val, int) else val))
        prev_s, prev_f = cs, cf
        dsc = desc.get(name, '')
        note = None
        if dsc != cs['model-id']:
            assert dsc.startswith(cs['model-id'] + ' ['), (name, dsc)
            note = dsc[len(cs['model-id']) + 2:-1]
        al = [a for a in aliases.get(name, []) if a != b]
        parts = [f"version: {v}"]
        if al: parts.append(f"alias: {tsstr(al[0])}"); assert len(al) == 1
        if note: parts.append(f"note: {tsstr(note)}")
        if props: parts.append("props: [" + ', '.join(f"[{tsstr(p)}, {tsstr(str(q))}]" for p, q in props) + "]")
        vlines.append("      { " + ', '.join(parts) + " },")
    if len(vers) > 1 or vlines[0] != "      { version: 1 },":
        lines.append("    versions: [")
        lines += vlines
        lines.append("    ],")
    lines.append("  },")
    out += lines
sys.stdout.write('\n'.join(out) + '\n')
