#!/usr/bin/env bash
# The live web view of a local federation: installs what it needs, brings
# the test bed up, runs the operator and the gateway, prints the page's
# address and a viewer token, and plays the paper's Tables II and III so the
# page shows them as they happen. Ctrl-C stops it and takes the federation
# down again (KEEP=1 leaves it up).
#
#   PORT=8080 PAUSE=3 bash scripts/web-view.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/usr/local/go/bin:$PATH"
bash scripts/install-deps.sh >&2

started_here=0
if [[ ! -f "${TESTBED_DIR:-.testbed}/state.json" ]]; then started_here=1; fi
cleanup() {
  if [[ "$started_here" == 1 && "${KEEP:-0}" != 1 ]]; then
    node dist/tools/testbed/cli.js down >&2 || true
  fi
}
trap cleanup EXIT
node dist/tools/harness/web-view.js --port "${PORT:-8080}" --pause "${PAUSE:-3}"
