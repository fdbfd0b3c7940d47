#!/usr/bin/env bash
# Builds the test bed's binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, etcd, kwok, pause) from the Go module proxy, in one
# go build of the wrapper module tools/testbed-bins, into a cache outside the
# clone, so every clone and every CI run on this machine shares one build.
#
#   bash tools/build.sh            # build what is missing, print the bin dir
#   ZONEKEEPER_BIN_CACHE=DIR ...   # cache root (default ~/.cache/zonekeeper/bin)
#   ZONEKEEPER_BUILD_JOBS=N ...    # go build -p (default 2; the machine has 2 cores)
#
# The binaries land in <cache>/testbed-bins-<k8s version>-<hash>/ where the
# hash covers go.mod, go.sum, the two local mains and the build flags, so a
# bumped dependency or a changed flag rebuilds them. A finished build is
# marked by a .complete file; an interrupted one is thrown away and redone.
# The last line of stdout is the directory that the test bed reads (as
# ZONEKEEPER_TESTBED_BIN): <cache>/current-<hash>, holding symlinks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# HOME may be unset in a bare CI environment; fall back to the passwd entry.
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
cache="${ZONEKEEPER_BIN_CACHE:-${home}/.cache/zonekeeper/bin}"
jobs="${ZONEKEEPER_BUILD_JOBS:-2}"
mkdir -p "$cache"

# Two clones (or CI and a developer) building at once would both write the
# same .tmp folders: one build at a time per cache.
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  echo "build.sh: another build holds $cache/.build.lock; waiting ..." >&2
  flock 9
fi

# Versions are read from the wrapper module so go.mod stays the one truth.
# `go mod edit -json` reads both the one-line and the block form of require.
module_version() {
  (cd "$1" && go mod edit -json) | MODULE="$2" node -e '
    const mod = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const hit = (mod.Require || []).find((r) => r.Path === process.env.MODULE);
    if (!hit) { console.error("no require of " + process.env.MODULE); process.exit(1); }
    console.log(hit.Version);'
}
mod="$here/testbed-bins"
k8s_version="$(module_version "$mod" k8s.io/kubernetes)"
etcd_version="$(module_version "$mod" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$mod" sigs.k8s.io/kwok)"

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
# Bump when the way the binaries are built changes in a way the flags do not show.
recipe=2

log() { echo "build.sh: $*" >&2; }

# build NAME MODULE_DIR OUT_DIR -- go build args...
build_component() {
  local name="$1" dir="$2" out="$3"
  shift 3
  if [[ -f "$out/.complete" ]]; then
    log "$name: cached in $out"
    return 0
  fi
  rm -rf "$out" "$out.tmp"
  mkdir -p "$out.tmp"
  log "$name: building into $out (go build -p $jobs) ..."
  local start=$SECONDS
  # nice: the build takes both cores for many minutes; people still work.
  (cd "$dir" && CGO_ENABLED=0 nice -n 10 go build -p "$jobs" -mod=readonly -trimpath -buildvcs=false -o "$out.tmp/" "$@")
  mv "$out.tmp" "$out"
  echo "$((SECONDS - start))" > "$out/.build-seconds"
  touch "$out/.complete"
  log "$name: built in $((SECONDS - start)) s"
}

k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
build_date="2026-01-01T00:00:00Z" # fixed so rebuilds are reproducible
ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X ${pkg}.gitVersion=${k8s_version} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${k8s_minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${build_date}"
done

# One module and one go build for all seven binaries: kwok and etcd use the
# same k8s.io, grpc, otel and prometheus packages as the kube binaries, so
# with one module graph each package is compiled once. (Three modules at
# three dependency sets compiled much of it three times.) An -X flag for a
# package a binary does not link is ignored, so one ldflags string serves all.
bins_dir="$cache/testbed-bins-${k8s_version}-$(hash_of "$mod/go.mod" "$mod/go.sum" "$mod"/cmd/*/main.go <(echo "$recipe $ldflags"))"
build_component testbed-bins "$mod" "$bins_dir" -ldflags "$ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
  sigs.k8s.io/kwok/cmd/kwok ./cmd/etcd ./cmd/pause

current="$cache/current-$(echo "$bins_dir" | sha256sum | cut -c1-12)"
if [[ ! -d "$current" ]]; then
  mkdir -p "$current.tmp"
  for bin in kube-apiserver kube-controller-manager kube-scheduler kubelet etcd kwok pause; do
    ln -sf "$bins_dir/$bin" "$current.tmp/$bin"
  done
  cat > "$current.tmp/versions.json" <<EOF
{"kubernetes":"${k8s_version}","etcd":"${etcd_version}","kwok":"${kwok_version}"}
EOF
  rm -rf "$current" && mv "$current.tmp" "$current"
fi
echo "$current"
