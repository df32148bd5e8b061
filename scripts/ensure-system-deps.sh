#!/usr/bin/env bash
# Usage: ensure-system-deps.sh command:debian-package ... lib:soname:debian-package ...
# For each command (or, with `lib:`, shared library such as libpango-1.0.so.0) that is
# missing, install its Debian package with apt-get when we can (root, or passwordless
# sudo); otherwise stop with a one-line instruction.
set -euo pipefail

# A shared library is there when the dynamic linker's cache, or a library folder, has it.
have_lib() {
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true; } | grep -qF "$1 " && return 0
  [ -n "$(find /lib /usr/lib /usr/local/lib -name "$1" -print -quit 2>/dev/null)" ]
}

missing_pkgs=()
for pair in "$@"; do
  if [ "${pair%%:*}" = lib ]; then
    rest=${pair#lib:}
    have_lib "${rest%%:*}" || missing_pkgs+=("${rest#*:}")
    continue
  fi
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
