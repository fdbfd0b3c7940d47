# Sourced by the test scripts: finds the P4 reference toolchain (BMv2
# simple_switch_grpc and p4c-bm2-ss) and puts it on PATH. Looks at
# $P4_TOOLCHAIN, then ../shared/p4-toolchain beside the clone; a toolchain
# already on PATH is used as it is. Sets P4_TOOLCHAIN_STATUS to one line the
# test summary repeats.
_p4_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
_p4_dir="${P4_TOOLCHAIN:-}"
if [[ -z "$_p4_dir" && -d "$_p4_repo/../shared/p4-toolchain" ]]; then
  _p4_dir="$(cd "$_p4_repo/../shared/p4-toolchain" && pwd -P)"
fi
if [[ -n "$_p4_dir" && -f "$_p4_dir/env.sh" ]]; then
  # shellcheck disable=SC1091
  source "$_p4_dir/env.sh"
  # A copy that lost its symlinks holds lib/libX.so.N as a text file naming
  # the real library; links in a folder on LD_LIBRARY_PATH (searched before
  # the binaries' RUNPATH) make it load again.
  _p4_links=""
  for _p4_f in "$_p4_dir"/lib/*.so.[0-9]; do
    if [[ -f "$_p4_f" && ! -L "$_p4_f" && $(stat -c %s "$_p4_f") -lt 256 ]]; then
      _p4_links="${_p4_links:-$(mktemp -d /tmp/zonekeeper-p4-libs.XXXXXX)}"
      ln -sf "$_p4_dir/lib/$(cat "$_p4_f")" "$_p4_links/$(basename "$_p4_f")"
    fi
  done
  if [[ -n "$_p4_links" ]]; then export LD_LIBRARY_PATH="$_p4_links${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
  unset _p4_f _p4_links
fi
if command -v simple_switch_grpc >/dev/null 2>&1 && command -v p4c-bm2-ss >/dev/null 2>&1; then
  P4_TOOLCHAIN_STATUS="P4 toolchain: $(command -v simple_switch_grpc), $(command -v p4c-bm2-ss)"
else
  P4_TOOLCHAIN_STATUS="P4 toolchain: not found (set P4_TOOLCHAIN or put simple_switch_grpc and p4c-bm2-ss on PATH); the BMv2 tests do not run, the software-switch tests do"
fi
export P4_TOOLCHAIN_STATUS
unset _p4_repo _p4_dir
