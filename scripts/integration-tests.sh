#!/usr/bin/env bash
# Integration tests against the real local federation (docs/testbed.md):
# builds the Go binaries (cached outside the clone), brings the test bed up,
# runs the integration suite, and always takes the test bed down again.
# Called by scripts/test.sh after the unit tests; expects `npm ci` and
# `npm run build` to have run.
#
#   TESTBED_DIR=...           state folder (default: a fresh temp folder)
#   ZONEKEEPER_BIN_CACHE=...  binary cache (default ~/.cache/zonekeeper/bin)
#   ZONEKEEPER_WITH_NODE=0    no image and no real node: the helm install test
#                             is skipped (default 1: built, and required)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A temp state folder: two clones on one machine never share a test bed.
export TESTBED_DIR="${TESTBED_DIR:-$(mktemp -d /tmp/zonekeeper-testbed.XXXXXX)}"
# BMv2 and p4c on PATH when the toolchain is there (scripts/p4-toolchain.sh).
source scripts/p4-toolchain.sh

echo "== Go binaries for the test bed (tools/build.sh)"
start=$SECONDS
bin_dir="$(bash tools/build.sh | tail -n 1)"
echo "binaries in $bin_dir ($((SECONDS - start)) s)"
export ZONEKEEPER_TESTBED_BIN="$bin_dir"

# Mocha's output is kept so that a failing run can end with its failures: CI
# shows only the tail of the output, and the test bed logs would bury them.
mocha_log="$(mktemp /tmp/zonekeeper-mocha.XXXXXX)"

teardown() {
  local rc=$?
  if [[ $rc -ne 0 && -d "$TESTBED_DIR/logs" ]]; then
    # Enough of each log to see why, before `down` removes them.
    echo "== test bed logs (last lines of each, exit code $rc)"
    node dist/tools/testbed/cli.js status || true
    for f in "$TESTBED_DIR"/logs/*.log; do
      echo "--- $f"
      tail -n 20 "$f" || true
    done
  fi
  echo "== testbed down"
  node dist/tools/testbed/cli.js down || true
  if [[ $rc -ne 0 && -s "$mocha_log" ]]; then
    echo "== integration test failures (repeated from above)"
    # Mocha prints "N failing" and then every failure with its stack; a
    # run that died before its summary shows its last lines instead.
    if grep -q '^ *[0-9][0-9]* failing' "$mocha_log"; then
      sed -n '/^ *[0-9][0-9]* failing/,$p' "$mocha_log"
    else
      tail -n 40 "$mocha_log"
    fi
  fi
  rm -f "$mocha_log" "${image_archive:-}"
  exit $rc
}
trap teardown EXIT

up_args=()
if [[ "${ZONEKEEPER_WITH_NODE:-1}" == 1 ]]; then
  # The helm install test runs the operator from the project's image as a
  # pod on the hub's real node; without both it would be skipped, so here
  # it must run.
  echo "== image (tools/build-image.sh)"
  start=$SECONDS
  image_archive="$(mktemp /tmp/zonekeeper-image.XXXXXX.tar)"
  ZONEKEEPER_IMAGE_SAVE="$image_archive" bash tools/build-image.sh | tail -n 1
  echo "image built and saved in $((SECONDS - start)) s"
  up_args=(--with-node --image "$image_archive")
  export ZONEKEEPER_REQUIRE_NODE=1
fi

echo "== testbed up"
node dist/tools/testbed/cli.js up "${up_args[@]}"
if [[ -n "${image_archive:-}" ]]; then rm -f "$image_archive"; fi
node dist/tools/testbed/cli.js status

echo "== integration tests"
npx mocha --config .mocharc.integration.json 2>&1 | tee "$mocha_log"
