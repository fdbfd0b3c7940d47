#!/usr/bin/env bash
# Integration tests against the real local federation (docs/testbed.md):
# builds the Go binaries (cached outside the clone), helm and the container
# image, brings the test bed up with the hub's real node and the image in
# it, runs the integration suite (the `helm install` test included), and
# always takes the test bed down again.
# Called by scripts/test.sh after the unit tests; expects `npm ci` and
# `npm run build` to have run.
#
#   TESTBED_DIR=...           state folder (default: a fresh temp folder)
#   ZONEKEEPER_BIN_CACHE=...  binary cache (default ~/.cache/zonekeeper/bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A temp state folder: two clones on one machine never share a test bed.
export TESTBED_DIR="${TESTBED_DIR:-$(mktemp -d /tmp/zonekeeper-testbed.XXXXXX)}"

echo "== Go binaries for the test bed (tools/build.sh)"
start=$SECONDS
bin_dir="$(bash tools/build.sh | tail -n 1)"
echo "binaries in $bin_dir ($((SECONDS - start)) s)"
export ZONEKEEPER_TESTBED_BIN="$bin_dir"

echo "== helm (tools/build-helm.sh)"
start=$SECONDS
export HELM="$(bash tools/build-helm.sh | tail -n 1)"
echo "helm: $HELM ($((SECONDS - start)) s)"

echo "== container image (tools/build-image.sh)"
start=$SECONDS
image_archive="$(mktemp /tmp/zonekeeper-image.XXXXXX.tar)"
export ZONEKEEPER_IMAGE="$(ZONEKEEPER_IMAGE_SAVE="$image_archive" bash tools/build-image.sh | tail -n 1)"
echo "image $ZONEKEEPER_IMAGE ($((SECONDS - start)) s)"
# The install test must run, not skip, here.
export ZONEKEEPER_REQUIRE_NODE=1

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
  rm -f "$mocha_log" "$image_archive"
  exit $rc
}
trap teardown EXIT

echo "== testbed up"
node dist/tools/testbed/cli.js up --with-node --image "$image_archive"
node dist/tools/testbed/cli.js status

echo "== integration tests"
npx mocha --config .mocharc.integration.json 2>&1 | tee "$mocha_log"
