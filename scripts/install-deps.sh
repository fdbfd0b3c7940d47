#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine, installed
# from the registries: Debian packages (only when missing, so a warm machine
# skips apt), the npm packages from the lock file, and the build. The Go
# toolchain comes with the machine; the Go-built test-bed binaries are built
# by tools/build.sh (cached outside the clone).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# openssl: test-bed certificates; lua5.4: the Argo CD health checks' tests.
need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v lua5.4 >/dev/null 2>&1 || need+=(lua5.4)
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || need+=(golang-go)
# The container image (tools/build-image.sh) and the hub's real node
# (testbed up --with-node): podman builds with runc; mmdebstrap makes the
# base from Debian packages; containerd, runc and the CNI plugins run pods;
# binutils strips the Node binary.
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v strip >/dev/null 2>&1 || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "== build"
npm run build --silent
