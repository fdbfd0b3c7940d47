#!/usr/bin/env bash
# The paper's evaluation, live: a local federation (etcd, a hub and one
# kube-apiserver + KWOK per Table I provider), the zonekeeper operator
# running as its own ServiceAccount, Tables II and III applied as
# manifests in order, the Listing 3 state printed from the ExecutionZone
# statuses and Figures 3/4 written to out/.
#
#   scripts/demo-live.sh            # on a fresh machine: deps, build, run, tear down
#   KEEP=1 scripts/demo-live.sh     # leave the test bed up afterwards
#   OUT=dir scripts/demo-live.sh    # where the SVGs go (default out/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules/@kubernetes/client-node ]]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json

started_here=0
if [[ ! -f "${TESTBED_DIR:-.testbed}/state.json" ]]; then started_here=1; fi
cleanup() {
  if [[ "$started_here" == 1 && "${KEEP:-0}" != 1 ]]; then
    node dist/tools/testbed/cli.js down >&2 || true
  fi
}
trap cleanup EXIT

if [[ "${KEEP:-0}" == 1 ]]; then keep=--keep; else keep=; fi
node dist/tools/harness/demo.js --out "${OUT:-out}" $keep
