#!/usr/bin/env bash
# golden.sh: golden tests of rendered diagnostics.
#
# Each case in tests/golden is NN-slug.yaml (one rules file) or
# NN-slug.1.yaml, NN-slug.2.yaml, ... (files loaded in that order), plus
# NN-slug.expected: the exact stdout of `stoopc lint FILE...` run in
# tests/golden (so paths are relative), followed by a line `exit: <status>`.
#
#   tests/e2e/golden.sh              compare every case, diff on mismatch
#   UPDATE=1 tests/e2e/golden.sh     rewrite the .expected files
#   tests/e2e/golden.sh 042 ...      only the cases whose name starts so
#
# The run also fails if a code of compiler/codes.def occurs in no .expected
# file (the golden set must cover every code), except codes that a rules
# file cannot produce and, while they have no report site in compiler/*.c,
# codes that are declared but not implemented yet.
#
# ctest sets STOOPC and STOOP_SOURCE_DIR; by hand the defaults below work
# from a checkout built with `cmake -B build/test`.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
golden=$src/tests/golden
codes_def=$src/compiler/codes.def

case $stoopc in /*) ;; *) stoopc=$(pwd)/$stoopc ;; esac
if [ ! -x "$stoopc" ]; then
    echo "golden.sh: stoopc not found at $stoopc (set STOOPC)" >&2
    exit 2
fi

# Codes no rules file can produce.
unproducible="LOAD_ERR_FILE_READ LOAD_ERR_EXTENSION LOAD_WARNING_EXTENSION"
# Codes exempt only while no compiler source reports them.
exempt_if_unimplemented="STOOP_DUPLICATE_KEY STOOP_APPEND_PRECEDENCE"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Case names: every NN-slug that has a .yaml, a .N.yaml or a .expected.
cases=$(cd "$golden" && ls -1 -- *.yaml *.expected 2>/dev/null |
        sed -E 's/(\.[0-9]+)?\.yaml$//; s/\.expected$//' | sort -u)
if [ -z "$cases" ]; then
    echo "golden.sh: no cases in $golden" >&2
    exit 1
fi

failed=0 ran=0 updated=0
for c in $cases; do
    if [ $# -gt 0 ]; then
        match=0
        for p in "$@"; do case $c in "$p"*) match=1 ;; esac; done
        [ $match = 1 ] || continue
    fi
    if [ -f "$golden/$c.yaml" ]; then
        files=("$c.yaml")
    else
        mapfile -t files < <(cd "$golden" && ls -1 -- "$c".[0-9]*.yaml 2>/dev/null | sort -t. -k2,2n)
    fi
    if [ ${#files[@]} -eq 0 ]; then
        echo "FAIL $c: $c.expected has no rules file ($c.yaml or $c.1.yaml ...)"
        failed=$((failed + 1))
        continue
    fi
    ran=$((ran + 1))
    out=$tmp/$c.out
    (cd "$golden" && "$stoopc" lint "${files[@]}") >"$out" 2>"$tmp/$c.err"
    status=$?
    echo "exit: $status" >>"$out"
    if [ -s "$tmp/$c.err" ]; then
        echo "FAIL $c: stoopc wrote to stderr:"
        sed 's/^/    /' "$tmp/$c.err"
        failed=$((failed + 1))
        continue
    fi
    if [ "$status" -gt 1 ]; then
        echo "FAIL $c: stoopc exited with status $status (crash or usage error)"
        failed=$((failed + 1))
        continue
    fi
    if [ "${UPDATE:-0}" = 1 ]; then
        if ! cmp -s "$out" "$golden/$c.expected"; then
            cp "$out" "$golden/$c.expected"
            echo "updated $c.expected"
            updated=$((updated + 1))
        fi
    elif [ ! -f "$golden/$c.expected" ]; then
        echo "FAIL $c: no $c.expected (run with UPDATE=1 and review it)"
        failed=$((failed + 1))
    elif ! diff -u --label "$c.expected" --label "$c (actual)" "$golden/$c.expected" "$out"; then
        echo "FAIL $c"
        failed=$((failed + 1))
    fi
done

# Coverage: every code of codes.def must appear as [CODE] in some .expected.
missing=""
if [ $# -eq 0 ]; then
    for code in $(sed -n 's/^DIAG_CODE([A-Z_0-9]*, *"\([A-Z_0-9]*\)".*/\1/p' "$codes_def"); do
        case " $unproducible " in *" $code "*) continue ;; esac
        case " $exempt_if_unimplemented " in
        *" $code "*)
            if ! grep -l -- "$code" "$src"/compiler/*.c >/dev/null 2>&1; then
                echo "note: $code has no report site in compiler/*.c; not required yet"
                continue
            fi
            ;;
        esac
        if ! grep -q -F -- "[$code]" "$golden"/*.expected 2>/dev/null; then
            missing="$missing $code"
        fi
    done
    if [ -n "$missing" ]; then
        echo "FAIL coverage: no golden case produces:$missing"
        failed=$((failed + 1))
    fi
fi

if [ "${UPDATE:-0}" = 1 ]; then
    echo "golden: $ran cases run, $updated .expected files rewritten"
fi
if [ $failed -ne 0 ]; then
    echo "golden: $failed failure(s) out of $ran cases"
    exit 1
fi
echo "golden: $ran cases passed"
