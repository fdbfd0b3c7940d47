#!/usr/bin/env bash
# Compiles p4/zone_switch.p4 with p4c's BMv2 backend into the two files the
# project ships beside it: p4/zone_switch.p4info.txtpb (the P4Info every
# controller and the software switch read) and p4/zone_switch.json (the BMv2
# program the sidecar pushes as p4_device_config). Both are generated, never
# edited; test/interop/p4/compiled-program.test.ts recompiles and compares.
#   bash scripts/build-p4.sh [OUT_DIR]   (default: p4/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/p4-toolchain.sh
if ! command -v p4c-bm2-ss >/dev/null 2>&1; then
  echo "$P4_TOOLCHAIN_STATUS" >&2
  exit 1
fi
out="${1:-p4}"
mkdir -p "$out"
# Run from the repository root with a relative path: the JSON records the
# source file name, and the shipped file must not depend on where it was built.
p4c-bm2-ss --p4v 16 --p4runtime-files "$out/zone_switch.p4info.txtpb" -o "$out/zone_switch.json" p4/zone_switch.p4
echo "$out/zone_switch.p4info.txtpb $out/zone_switch.json"
