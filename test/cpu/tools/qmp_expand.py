#!/usr/bin/env python3
"""Dump QEMU 7.2's view of every built-in x86 CPU model as JSON, through QMP.

Used once to transcribe src/target/i386/cpu-models.ts (and re-run to audit it):
query-cpu-definitions, then query-cpu-model-expansion type=full for each
versioned model under TCG (plain, and with vmx/svm on so that the VMX/SVM
capability words, which are cleared while vmx/svm is off, become visible) and
under KVM (vme: TCG forces vme=off), and with full-cpuid-auto-level=off (the
definition's own level).
usage: qmp_expand.py OUT.json
"""
import json, subprocess, sys

def qmp_session(accel, commands):
    p = subprocess.Popen(['qemu-system-x86_64', '-M', 'none', '-accel', accel, '-display', 'none',
                          '-qmp', 'stdio', '-nodefaults'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    lines = [json.dumps({'execute': 'qmp_capabilities'})] + [json.dumps(c) for c in commands] + \
            [json.dumps({'execute': 'quit'})]
    out, _ = p.communicate('\n'.join(lines) + '\n', timeout=300)
    replies = [json.loads(l) for l in out.splitlines() if l.strip()]
    replies = [r for r in replies if 'return' in r or 'error' in r][1:]
    return replies[:len(commands)]

def expand(name, props=None):
    m = {'name': name}
    if props: m['props'] = props
    return {'execute': 'query-cpu-model-expansion', 'arguments': {'type': 'full', 'model': m}}

defs = qmp_session('tcg', [{'execute': 'query-cpu-definitions'}])[0]['return']
names = [d['name'] for d in defs if not d.get('alias-of') and d['name'] not in ('host',)]
tcg = qmp_session('tcg', [expand(n) for n in names])
tcgv = qmp_session('tcg', [expand(n, {'vmx': True, 'svm': True}) for n in names])
tcgnoauto = qmp_session('tcg', [expand(n, {'full-cpuid-auto-level': False}) for n in names])
kvm = qmp_session('kvm', [expand(n) for n in names])
out = {'definitions': defs, 'models': {}}
for n, a, b, c, d in zip(names, tcg, tcgv, kvm, tcgnoauto):
    out['models'][n] = {'tcg': a['return']['model']['props'], 'tcg_vmx_svm': b['return']['model']['props'],
                        'tcg_noauto': d['return']['model']['props'],
                        'kvm': c['return']['model']['props'] if 'return' in c else None}
json.dump(out, open(sys.argv[1], 'w'), indent=1, sort_keys=True)
