#!/usr/bin/env bash
# Builds the test bed's binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, etcd, kwok, pause) from the Go module proxy into a cache outside the clone, so
# every clone and every CI run on this machine shares one build.
#
#   bash tools/build.sh            # build what is missing, print the bin dir
#   ZONEKEEPER_BIN_CACHE=DIR ...   # cache root (default ~/.cache/zonekeeper/bin)
#   ZONEKEEPER_BUILD_JOBS=N ...    # go build -p (default 2; the machine has 2 cores)
#
# Each component lands in <cache>/<name>-<version>-<hash>/ where the hash
# covers its go.mod, go.sum and build flags, so a bumped dependency or a
# changed flag rebuilds it and nothing else. A finished build is marked by
# a .complete file; an interrupted one is thrown away and redone.
# The last line of stdout is the directory that the test bed reads (as
# ZONEKEEPER_TESTBED_BIN): <cache>/current-<hash of all three>, holding symlinks.
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

# Versions are read from the wrapper modules so go.mod stays the one truth.
# `go mod edit -json` reads both the one-line and the block form of require.
module_version() {
  (cd "$1" && go mod edit -json) | MODULE="$2" node -e '
    const mod = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const hit = (mod.Require || []).find((r) => r.Path === process.env.MODULE);
    if (!hit) { console.error("no require of " + process.env.MODULE); process.exit(1); }
    console.log(hit.Version);'
}
k8s_version="$(module_version "$here/kubebins" k8s.io/kubernetes)"
etcd_version="$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$here/kwok" sigs.k8s.io/kwok)"

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
# Bump when the way a component is built changes in a way its flags do not show.
recipe=1

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
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X ${pkg}.gitVersion=${k8s_version} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${k8s_minor}"
  k8s_ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${build_date}"
done

kube_dir="$cache/kubernetes-${k8s_version}-$(hash_of "$here/kubebins/go.mod" "$here/kubebins/go.sum" <(echo "$recipe $k8s_ldflags"))"
etcd_dir="$cache/etcd-${etcd_version}-$(hash_of "$here/etcd/go.mod" "$here/etcd/go.sum" "$here/etcd/main.go" <(echo "$recipe"))"
kwok_dir="$cache/kwok-${kwok_version}-$(hash_of "$here/kwok/go.mod" "$here/kwok/go.sum" <(echo "$recipe"))"
pause_dir="$cache/pause-$(hash_of "$here/pause/go.mod" "$here/pause/main.go" <(echo "$recipe"))"

# etcd and kwok first: they are quick, and a failure there shows early.
build_component etcd "$here/etcd" "$etcd_dir" -ldflags "-s -w" .
build_component kwok "$here/kwok" "$kwok_dir" \
  -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}" sigs.k8s.io/kwok/cmd/kwok
# The real node's pod sandbox process (standard library only: seconds).
build_component pause "$here/pause" "$pause_dir" -ldflags "-s -w" .
# One go build for the four kube binaries shares the compiled packages (the
# kubelet, for the hub's one real node, adds about a minute to a warm cache).
build_component kubernetes "$here/kubebins" "$kube_dir" -ldflags "$k8s_ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet

current="$cache/current-$(echo "$kube_dir $etcd_dir $kwok_dir $pause_dir" | sha256sum | cut -c1-12)"
if [[ ! -d "$current" ]]; then
  mkdir -p "$current.tmp"
  ln -sf "$kube_dir/kube-apiserver" "$current.tmp/kube-apiserver"
  ln -sf "$kube_dir/kube-controller-manager" "$current.tmp/kube-controller-manager"
  ln -sf "$kube_dir/kube-scheduler" "$current.tmp/kube-scheduler"
  ln -sf "$kube_dir/kubelet" "$current.tmp/kubelet"
  ln -sf "$etcd_dir/etcd" "$current.tmp/etcd"
  ln -sf "$kwok_dir/kwok" "$current.tmp/kwok"
  ln -sf "$pause_dir/pause" "$current.tmp/pause"
  cat > "$current.tmp/versions.json" <<EOF
{"kubernetes":"${k8s_version}","etcd":"${etcd_version}","kwok":"${kwok_version}"}
EOF
  rm -rf "$current" && mv "$current.tmp" "$current"
fi
echo "$current"
