#!/usr/bin/env bash
# Runs every libFuzzer harness for SECONDS each, seeded with the checked-in
# corpus tests/fuzz/corpus_<name> plus, for fuzz_decoders, the shared sample
# events and, for the others, the bundled rules and (when present) Falco's
# loader cases; first replays the kept regression inputs (tests/fuzz/
# regressions, inputs of every harness), which must all pass every harness.
set -euo pipefail
bin=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${STOOP_SHARED_DIR:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for fuzzer in "$bin"/fuzz_*; do
  name=$(basename "$fuzzer")
  corpus=$root/tests/fuzz/corpus_${name#fuzz_}
  regress=$root/tests/fuzz/regressions
  mkdir -p "$work/$name"
  cp "$corpus"/* "$work/$name"/ 2>/dev/null || true
  case $name in
    fuzz_decoders)
      # the shared sample events of every source (not kept in the tree)
      for f in "$shared"/peer/events/*/*.json; do
        [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] &&
          cp "$f" "$work/$name/$(basename "$(dirname "$f")")_$(basename "$f")"
      done
      ;;
    *)
      cp "$root"/rules/*.yaml "$work/$name"/
      [ -d "$shared/peer/loader-cases" ] && cp "$shared"/peer/loader-cases/*.yaml "$work/$name"/
      ;;
  esac
  if compgen -G "$regress/*" >/dev/null; then
    echo "== $name: replaying regression inputs"
    "$fuzzer" -rss_limit_mb=4096 "$regress"/* >/dev/null 2>"$work/$name.replay.log" ||
      { cat "$work/$name.replay.log"; exit 1; }
  fi
  echo "== $name: fuzzing for ${seconds}s"
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 "$work/$name" 2>"$work/$name.log" || { tail -50 "$work/$name.log"; exit 1; }
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$name.log" || true
done
