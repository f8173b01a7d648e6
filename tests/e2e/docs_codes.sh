#!/usr/bin/env bash
# The code table in docs/diagnostics.md is what `stoopc codes --markdown`
# prints from compiler/codes.def (one source of truth).
set -euo pipefail
doc=$STOOP_SOURCE_DIR/docs/diagnostics.md
marker='(`scripts/update-docs.sh` rewrites it; a test fails when it is stale).'
line=$(grep -nF "$marker" "$doc" | cut -d: -f1)
if ! diff -u <(tail -n +"$((line + 2))" "$doc") <("$STOOPC" codes --markdown); then
  echo "docs/diagnostics.md code table is stale: run scripts/update-docs.sh" >&2
  exit 1
fi
echo "docs code table matches codes.def ($("$STOOPC" codes --markdown | grep -c '^| `') codes)"
