#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: installs what it needs,
# runs the unit tests, then the integration tests against the real local
# federation (kube-apiservers, etcd and KWOK built from the Go module proxy).
# README and .ci/run both run exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/usr/local/go/bin:$PATH"

bash scripts/install-deps.sh

# The chart tests lint and render with a real helm; Debian ships none, so it
# is built from the Go module proxy (cached outside the clone, seconds when warm).
echo "== helm for the chart tests (charts/build-helm.sh)"
HELM="$(bash charts/build-helm.sh | tail -n 1)"
export HELM

echo "== unit tests"
npx mocha --config .mocharc.unit.json

bash scripts/integration-tests.sh
