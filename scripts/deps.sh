#!/usr/bin/env bash
# Installs the Debian 12 packages stoop builds with, when missing and when
# run as root; otherwise says what is missing.
set -euo pipefail
packages=(build-essential cmake pkg-config flex bison libyaml-dev libpcre2-dev libsimdjson-dev zlib1g-dev check time
          libsubunit-dev clang-19 llvm-19-dev python3 python3-jsonschema)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "stoop: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "stoop: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
