#!/usr/bin/env bash
# Builds helm from the Go module proxy into the shared binary cache, so the
# chart tests (test/interop/chart/helm-chart.test.ts) can lint and render the
# chart; Debian ships no helm package. Prints the binary's path.
#
#   bash tools/build-helm.sh            # ~/.cache/zonekeeper/bin/helm-<version>/helm
#   ZONEKEEPER_BIN_CACHE=DIR ...         # cache root, as tools/build.sh (default ~/.cache/zonekeeper/bin)
set -euo pipefail
version="${HELM_VERSION:-v3.22.0}"
cache="${ZONEKEEPER_BIN_CACHE:-${HOME}/.cache/zonekeeper/bin}"
out="$cache/helm-$version"
if [[ -x "$out/helm" ]]; then
  echo "$out/helm"
  exit 0
fi
mkdir -p "$out.tmp"
# -p 1 and nice: the machine is small and the test bed's builds share it.
GOBIN="$out.tmp" GOFLAGS=-buildvcs=false nice -n 15 go install -p "${ZONEKEEPER_BUILD_JOBS:-1}" -trimpath -ldflags="-s -w" "helm.sh/helm/v3/cmd/helm@$version" >&2
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out/helm"
