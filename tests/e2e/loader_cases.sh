#!/usr/bin/env bash
# Falco's regression loader cases: stoopc lint must accept/reject each scenario of tests/loader_cases.tsv as
# Falco does, report Falco's error code among its errors and every expected warning code.
# Environment (set by ctest): STOOPC, STOOP_SOURCE_DIR, STOOP_SHARED_DIR. Works from any cwd.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$(cd "$src/../shared" 2>/dev/null && pwd)}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
table=$src/tests/loader_cases.tsv
cases=$shared/peer/loader-cases

for need in "$stoopc" "$table" "$cases"; do
    [ -e "$need" ] || { echo "loader_cases: missing $need" >&2; exit 2; }
done

exec python3 - "$stoopc" "$table" "$cases" <<'PY'
import json, os, subprocess, sys

stoopc, table, cases = sys.argv[1:4]
failures, passed, used = [], 0, set()

def split_expect(s):
    """'CODE' or 'CODE@item' entries, comma-separated; '-' for none."""
    if s.strip() == '-':
        return []
    out = []
    for e in s.split(','):
        code, _, item = e.strip().partition('@')
        out.append((code, item or None))
    return out

def has(diags, code, item):
    return any(d['code'] == code and (item is None or d.get('item') == item) for d in diags)

def fmt(diags):
    return ['%s %s %s:%s [%s] %s' % (d['severity'], d['code'], os.path.basename(d['file'] or '-').split('__')[0],
                                      d['line'], d.get('item'), d['message']) for d in diags]

with open(table, encoding='utf-8') as f:
    rows = [l.rstrip('\n') for l in f if l.strip() and not l.startswith('#')]

for lineno, row in enumerate(rows, 1):
    cols = row.split('\t')
    if len(cols) != 6:
        failures.append(('table row %d' % lineno, ['expected 6 tab-separated columns, got %d: %r' % (len(cols), row)]))
        print('FAIL table row %d: malformed' % lineno)
        continue
    name, files, verdict, ecode, warns, why = cols
    files = files.split()
    used.update(files)
    paths = [os.path.join(cases, f) for f in files]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing or verdict not in ('accept', 'reject'):
        problems = ['missing case file %s' % m for m in missing] or ['bad verdict %r' % verdict]
        failures.append((name, problems))
        print('FAIL %s: %s' % (name, '; '.join(problems)))
        continue
    proc = subprocess.run([stoopc, 'lint', '--format', 'json'] + paths, capture_output=True, text=True)
    try:
        doc = json.loads(proc.stdout)
        diags = doc['diagnostics']
    except (ValueError, KeyError) as e:
        failures.append((name, ['stoopc exit %d, unreadable JSON (%s)' % (proc.returncode, e), proc.stderr.strip()]))
        print('FAIL %s: stoopc exit %d, unreadable JSON' % (name, proc.returncode))
        continue
    errors = [d for d in diags if d['severity'] == 'error']
    warnings = [d for d in diags if d['severity'] == 'warning']
    problems = []
    got = 'reject' if errors else 'accept'
    if got != verdict:
        problems.append('verdict: expected %s, stoop %ss' % (verdict, got))
    if proc.returncode != (1 if errors else 0):
        problems.append('exit status %d with %d errors' % (proc.returncode, len(errors)))
    if doc.get('errors') != len(errors) or doc.get('warnings') != len(warnings):
        problems.append('summary counts %s/%s do not match the diagnostics' % (doc.get('errors'), doc.get('warnings')))
    if ecode != '-':
        for code, item in split_expect(ecode):
            if not has(errors, code, item):
                problems.append('missing error %s%s' % (code, '@' + item if item else ''))
    for code, item in split_expect(warns):
        if not has(warnings, code, item):
            problems.append('missing warning %s%s' % (code, '@' + item if item else ''))
    if problems:
        failures.append((name, problems))
        print('FAIL %s (%s)' % (name, ' '.join(files)))
        for p in problems:
            print('    - ' + p)
        print('    stoop said:')
        for l in fmt(diags) or ['(nothing)']:
            print('      ' + l)
        print('    why Falco does so: ' + why)
    else:
        passed += 1
        print('PASS %s' % name)

uncovered = sorted(set(os.listdir(cases)) - used)
for f in uncovered:
    failures.append(('coverage', ['%s is in no scenario' % f]))
    print('FAIL coverage: %s is in no scenario of %s' % (f, table))

print('\nloader cases: %d passed, %d failed' % (passed, len(failures)))
sys.exit(1 if failures else 0)
PY
