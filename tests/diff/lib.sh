# lib.sh: what run_diff.sh and run_corpora.sh share (sourced, not run):
# locating the programs, running one engine, comparing two runs, and
# detecting which engines exist.
#
# Engine specs: "stoop:interp" (the reference), "stoop:native" (native code
# compiled by stoopc and cached), "stoopc:jit" (stoopc run, JIT in process),
# "stoop:" (stoop run without --engine, before engines existed).
#
# Expects $0's directory in $here; sets src, shared, stoop, stoopc, work
# (a temporary directory, removed at exit unless $keep is set), ref,
# engines[] (the engines that really run native code), and exports TZ,
# FALCO_HOSTNAME, STOOP, STOOPC, STOOP_CACHE_DIR.

src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
shared=${STOOP_SHARED_DIR:-$src/../shared}
stoop=${STOOP:-$src/build/test/bin/stoop}
stoopc=${STOOPC:-$src/build/test/bin/stoopc}
case $stoop in /*) ;; *) stoop=$(pwd)/$stoop ;; esac
case $stoopc in /*) ;; *) stoopc=$(pwd)/$stoopc ;; esac
prog_name=$(basename "$0")
[ -x "$stoop" ] || { echo "$prog_name: stoop not found at $stoop (set STOOP)" >&2; exit 2; }
[ -x "$stoopc" ] || { echo "$prog_name: stoopc not found at $stoopc (set STOOPC)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$prog_name: python3 is needed" >&2; exit 2; }

export TZ=UTC FALCO_HOSTNAME=diff-host STOOP=$stoop STOOPC=$stoopc
work=$(mktemp -d "${TMPDIR:-/tmp}/stoop-diff.XXXXXX")
export STOOP_CACHE_DIR=$work/cache
keep=${DIFF_KEEP:-}
cleanup() {
    if [ -z "$keep" ]; then
        rm -rf "$work"
    else
        echo "$prog_name: work directory kept: $work"
    fi
}
trap cleanup EXIT

# The rule selection of the "sel" mode: falco.yaml's selection, applied in
# Falco's order (runtime/eval.h); rules enabled by a tag go to the end.
export DIFF_SELECTION="--min-priority notice --disable-rule *_1* --enable-tag alpha"

# run_engine SPEC SOURCE INPUT MODE OUTBASE RULES...: one run; MODE is
# MATCHING-FORMAT: all-json, first-text, or sel-json (rule matching first
# with $DIFF_SELECTION); writes OUTBASE.out, .err, .rc.
run_engine() {
    local spec=$1 source=$2 input=$3 mode=$4 out=$5
    shift 5
    local prog=${spec%%:*} eng=${spec#*:} exe=$stoop m=${mode%-*} sel=()
    [ "$prog" = stoopc ] && exe=$stoopc
    if [ "$m" = sel ]; then
        m=first
        read -r -a sel <<<"$DIFF_SELECTION"
    fi
    local args=(run)
    [ -n "$eng" ] && args+=(--engine "$eng")
    args+=(-r "$@" --source "$source" --input "$input" --rule-matching "$m" ${sel[@]+"${sel[@]}"})
    [ "${mode#*-}" = json ] && args+=(--json)
    "$exe" "${args[@]}" -o "$out.out" 2>"$out.err"
    echo $? >"$out.rc"
}

# The stderr of a run without what may differ between engines or runs: the
# program name, the timing of the summary, progress lines.
norm_err() {
    sed -E -e 's/^stoopc?: /stoop: /' -e 's/ in [0-9.]+ s, [0-9.]+ events\/s$//' \
        -e '/^stoop: [0-9]+ events, [0-9.]+ MB, /d' "$1"
}

# Says why a run of a native engine did not run native code ("" if it did).
fell_back() {
    grep -m1 -E 'no native code|interpreting the rules' "$1"
}

# spec_cmd SPEC: the command line an engine spec stands for.
spec_cmd() {
    local prog=${1%%:*} eng=${1#*:}
    echo "$prog run${eng:+ --engine $eng}"
}

# detect_engines: sets ref and engines[], and prints what it found.
detect_engines() {
    local help chelp names n e tag why
    local candidates=()
    ref=stoop:
    help=$("$stoop" run --help 2>&1)
    if grep -q -- '--engine' <<<"$help"; then
        ref=stoop:interp
        for n in $(grep -o -- '--engine [a-z|]*' <<<"$help" | head -1 | cut -d' ' -f2 | tr '|' ' '); do
            [ "$n" = interp ] || candidates+=("stoop:$n")
        done
    fi
    if chelp=$("$stoopc" run --help 2>&1); then
        names=$(grep -o -- '--engine [a-z|]*' <<<"$chelp" | head -1 | cut -d' ' -f2 | tr '|' ' ')
        for n in ${names:-jit}; do
            [ "$n" = interp ] || candidates+=("stoopc:$n")
        done
    fi
    local probe=$work/probe
    mkdir -p "$probe"
    cat >"$probe/rules.yaml" <<'YAML'
- rule: probe
  desc: probe
  condition: json.value[/a] = x and evt.num > 0
  output: "#%evt.num a=%json.value[/a]"
  priority: WARNING
  source: json
YAML
    printf '{"a":"x"}\n{"a":"y"}\n' >"$probe/events.json"
    run_engine "$ref" json "$probe/events.json" all-json "$probe/ref" "$probe/rules.yaml"
    if [ "$(cat "$probe/ref.rc")" != 0 ]; then
        echo "$prog_name: the interpreter fails on a one-rule probe:" >&2
        cat "$probe/ref.err" >&2
        exit 2
    fi
    engines=()
    echo "reference: $ref ($(spec_cmd "$ref"): the interpreter)"
    for e in ${candidates[@]+"${candidates[@]}"}; do
        tag=${e//:/_}
        run_engine "$e" json "$probe/events.json" all-json "$probe/$tag" "$probe/rules.yaml"
        why=$(fell_back "$probe/$tag.err")
        if [ "$(cat "$probe/$tag.rc")" != 0 ]; then
            echo "engine $e: not available (exit $(cat "$probe/$tag.rc"): $(head -c 300 "$probe/$tag.err"))"
        elif [ -n "$why" ]; then
            echo "engine $e: not available ($why)"
        else
            # A probe that disagrees is still an engine to test: the cases show how.
            engines+=("$e")
            echo "engine $e ($(spec_cmd "$e")): compared with $ref"
        fi
    done
    if [ ${#engines[@]} -eq 0 ]; then
        echo "native engine not available: only the interpreter runs; checking that its output is deterministic (two runs compared)"
    fi
    # The ctest entry requires both native engines (DIFF_REQUIRE_ENGINES=2):
    # a build whose native code silently stopped working must not pass by
    # comparing the interpreter with itself.
    if [ ${#engines[@]} -lt "${DIFF_REQUIRE_ENGINES:-0}" ]; then
        echo "$prog_name: ${#engines[@]} native engine(s) available, ${DIFF_REQUIRE_ENGINES} required" >&2
        exit 1
    fi
}

# engines_label: "stoop:interp vs ..." for summaries.
engines_label() {
    if [ ${#engines[@]} -gt 0 ]; then
        echo "$ref vs ${engines[*]}"
    else
        echo "$ref vs itself (native engine not available)"
    fi
}

# mode_desc MODE: a mode in words.
mode_desc() {
    case $1 in
        all-json) echo "rule matching all, JSON alerts" ;;
        first-text) echo "rule matching first, text alerts" ;;
        sel-json) echo "rule matching first with $DIFF_SELECTION, JSON alerts" ;;
        *) echo "$1" ;;
    esac
}

# compare_one DIR TAG_REF TAG_OTHER SPEC_OTHER SOURCE INPUT MODE RULES: 0
# when the two runs agree (exit status, alerts byte for byte, normalized
# stderr); otherwise explains (report_diff.py, which shrinks generated
# cases) and returns 1.
compare_one() {
    local d=$1 a=$2 b=$3 spec=$4 source=$5 input=$6 mode=$7 rules=$8
    local why bad=
    why=$(fell_back "$d/$b.err")
    if [ -n "$why" ]; then
        echo "FAIL: $spec did not run native code: $why"
        return 1
    fi
    if [ "$(cat "$d/$a.rc")" != "$(cat "$d/$b.rc")" ]; then
        echo "FAIL: exit status $ref $(cat "$d/$a.rc"), $spec $(cat "$d/$b.rc") ($(mode_desc "$mode"); $rules over $input)"
        tail -c 1500 "$d/$b.err"
        bad=1
    elif ! cmp -s "$d/$a.out" "$d/$b.out"; then
        echo "FAIL: alerts differ between $ref and $spec ($(mode_desc "$mode"); $rules over $input)"
        echo "  $ref: $(wc -l <"$d/$a.out") alerts, $spec: $(wc -l <"$d/$b.out") alerts"
        bad=1
    fi
    if [ -n "$bad" ]; then
        local mini=(--minimize)
        [ "${DIFF_MINIMIZE:-1}" = 0 ] && mini=()
        python3 "$here/report_diff.py" --rules "$rules" --events "$input" --source "$source" \
            --mode "${mode%-*}" --fmt "${mode#*-}" --ref "$ref" --other "$spec" \
            --ref-out "$d/$a.out" --other-out "$d/$b.out" --repro "$d/repro-$b" \
            ${mini[@]+"${mini[@]}"} 2>&1
        return 1
    fi
    if ! diff <(norm_err "$d/$a.err") <(norm_err "$d/$b.err") >"$d/$b.errdiff"; then
        echo "FAIL: stderr differs between $ref and $spec ($mode; $rules over $input):"
        head -20 "$d/$b.errdiff"
        return 1
    fi
    return 0
}

# run_all DIR TAG SOURCE INPUT MODE RULES: the reference and every engine
# (or the reference a second time), compared. 0 or 1. `stoopc run`
# JIT-compiles on every run, so it only runs all-json (stoop's native
# engine, cached, runs every mode with the same code generator).
run_all() {
    local d=$1 tag=$2 source=$3 input=$4 mode=$5 rules=$6
    run_engine "$ref" "$source" "$input" "$mode" "$d/$tag.ref" "$rules"
    if [ "$(cat "$d/$tag.ref.rc")" != 0 ]; then
        echo "FAIL: the interpreter exits $(cat "$d/$tag.ref.rc") ($mode; $rules over $input):"
        head -c 2000 "$d/$tag.ref.err"
        return 1
    fi
    local e t others=(${engines[@]+"${engines[@]}"})
    [ ${#others[@]} -gt 0 ] || others=("$ref")
    for e in "${others[@]}"; do
        if [ "${e%%:*}" = stoopc ] && [ "$mode" != all-json ] && [ -z "${DIFF_JIT_ALL_MODES:-}" ]; then
            continue
        fi
        t=$tag.${e//:/_}
        [ "$e" = "$ref" ] && t=$tag.again
        run_engine "$e" "$source" "$input" "$mode" "$d/$t" "$rules"
        compare_one "$d" "$tag.ref" "$t" "$e" "$source" "$input" "$mode" "$rules" || return 1
    done
    return 0
}

# elapsed START: seconds since START (date +%s.%N), one decimal.
elapsed() {
    python3 -c "import sys, time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$1"
}
