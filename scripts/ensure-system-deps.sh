#!/usr/bin/env bash
# Usage: ensure-system-deps.sh command:debian-package ...
# For each command that is missing, install its Debian package with apt-get when we
# can (root, or passwordless sudo); otherwise stop with a one-line instruction.
set -euo pipefail

missing_pkgs=()
for pair in "$@"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing_pkgs+=("$pkg")
done
[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "missing system packages: ${missing_pkgs[*]}. Install them with: sudo apt-get install -y ${missing_pkgs[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing_pkgs[*]}. Install them with your package manager (no apt-get here)." >&2
  exit 1
fi
echo "installing system packages: ${missing_pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
