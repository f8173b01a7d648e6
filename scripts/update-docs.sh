#!/usr/bin/env bash
# Regenerates the code table at the end of docs/diagnostics.md from
# compiler/codes.def (through `stoopc codes --markdown`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stoopc=${STOOPC:-$root/build/bin/stoopc}
doc=$root/docs/diagnostics.md
marker='(`scripts/update-docs.sh` rewrites it; a test fails when it is stale).'
head -n "$(grep -nF "$marker" "$doc" | cut -d: -f1)" "$doc" > "$doc.tmp"
{ echo; "$stoopc" codes --markdown; } >> "$doc.tmp"
mv "$doc.tmp" "$doc"
