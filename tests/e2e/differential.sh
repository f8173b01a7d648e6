#!/usr/bin/env bash
# differential.sh: every engine (the interpreter, stoop's native code,
# stoopc's JIT; whichever exist) gives byte-identical alerts:
#   1. tests/diff/run_diff.sh: random rules over random events (default size:
#      8 seeds x 200 rules x 64 events = 102,400 (rule, event) pairs);
#   2. tests/diff/run_corpora.sh: the recorded corpora (Falco's sample events,
#      tests/events, rules/events) with the official and bundled rules.
# Both native engines must be there (DIFF_REQUIRE_ENGINES=2): run by hand
# with DIFF_REQUIRE_ENGINES=0, the scripts also work with the interpreter
# alone (they then check that it is deterministic).
#
# ctest sets STOOP, STOOPC, STOOP_SOURCE_DIR and STOOP_SHARED_DIR; by hand the
# defaults work from a checkout built with `cmake -B build/test`. The DIFF_*
# variables of run_diff.sh pass through (DIFF_SEEDS=1000 for a long run).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${STOOP_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
diff_dir=$src/tests/diff

export DIFF_REQUIRE_ENGINES=${DIFF_REQUIRE_ENGINES:-2}
rc=0
echo "== random rules over random events (tests/diff/run_diff.sh)"
bash "$diff_dir/run_diff.sh" || rc=1
echo
echo "== recorded corpora (tests/diff/run_corpora.sh)"
bash "$diff_dir/run_corpora.sh" || rc=1
exit $rc
