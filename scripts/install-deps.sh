#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine, installed
# from the registries: Debian packages (only when missing, so a warm machine
# skips apt), the npm packages from the lock file, and the build. The Go
# toolchain comes with the machine; the Go-built test-bed binaries are built
# by tools/build.sh (cached outside the clone).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# openssl: test-bed certificates; lua5.4: the Argo CD health checks' tests;
# chromium: the web view's browser tests (driven by playwright-core from npm).
need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v lua5.4 >/dev/null 2>&1 || need+=(lua5.4)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || need+=(golang-go)
# iproute2 and python3: the BMv2 packet tests' network namespaces and raw-socket helper;
# iputils-ping and ethtool: the end-to-end zone packet tests (ping6 between
# instances; software checksums on the instances' links).
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v ethtool >/dev/null 2>&1 || [ -x /usr/sbin/ethtool ] || need+=(ethtool)
# openssl: the certificates of the switch path's mutual TLS tests (tools/harness/test-pki.ts).
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Only with ZONEKEEPER_WITH_NODE=1: the container image (tools/build-image.sh)
# and the hub's real node (testbed up --with-node). podman builds with runc;
# mmdebstrap makes the base from Debian packages; containerd, runc and the
# CNI plugins run pods; binutils strips the Node binary.
if [ "${ZONEKEEPER_WITH_NODE:-0}" = 1 ]; then
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
  command -v containerd >/dev/null 2>&1 || need+=(containerd)
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v strip >/dev/null 2>&1 || need+=(binutils)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The P4 reference toolchain (BMv2, p4c) ships as prebuilt binaries beside
# the clone (../shared/p4-toolchain, or $P4_TOOLCHAIN); it brings its own
# list of the Debian libraries it loads.
p4_dir="${P4_TOOLCHAIN:-../shared/p4-toolchain}"
if [ -f "$p4_dir/install-deps.sh" ]; then
  echo "== Debian packages of the P4 toolchain ($p4_dir)"
  bash "$p4_dir/install-deps.sh"
else
  echo "== no P4 toolchain at $p4_dir: the BMv2 tests will not run"
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "== build"
npm run build --silent
