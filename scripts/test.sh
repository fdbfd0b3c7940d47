#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: installs what it needs,
# lints, runs the unit tests, the interop tests (real binaries, no cluster),
# then the integration tests against the real local federation
# (kube-apiservers, etcd and KWOK built from the Go module proxy).
# README and .ci/run both run exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/usr/local/go/bin:$PATH"

# The image and the hub's real node are part of the suite (the helm install
# test); ZONEKEEPER_WITH_NODE=0 leaves them out on a machine that cannot run them.
export ZONEKEEPER_WITH_NODE="${ZONEKEEPER_WITH_NODE:-1}"
bash scripts/install-deps.sh
# BMv2 and p4c on PATH when the toolchain is there (scripts/p4-toolchain.sh).
source scripts/p4-toolchain.sh
echo "== $P4_TOOLCHAIN_STATUS"

echo "== lint"
npm run lint --silent

echo "== unit tests"
npx mocha --config .mocharc.unit.json

# The interop tests run real binaries beside each other (the switch and the
# sidecar as processes, a Go P4Runtime client, helm) but no test bed. The
# chart tests need a real helm; Debian ships none, so it is built from the
# Go module proxy (cached outside the clone, seconds when warm).
echo "== helm for the chart tests (tools/build-helm.sh)"
HELM="$(bash tools/build-helm.sh | tail -n 1)"
export HELM
echo "== interop tests"
npx mocha --config .mocharc.interop.json

bash scripts/integration-tests.sh
