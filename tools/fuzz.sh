#!/usr/bin/env bash
# Fuzzing with libFuzzer (docs/fuzzing.md).
#
#   tools/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]
#       builds build/fuzz (clang, libFuzzer, AddressSanitizer and UBSan) and
#       searches from fuzz/corpus/TARGET for SECONDS (default 60); new inputs
#       go to build/fuzz/found/TARGET, a crash to build/fuzz/crashes/TARGET.
#   tools/fuzz.sh --search-tests
#       builds build/fuzz and runs every target's one-minute search (ctest
#       label fuzz there).
#
# TARGET: rpc_fuzzer, consume_fuzzer, config_fuzzer. After a run, `-merge=1`
# keeps what is new: tools/fuzz.sh TARGET 0 -merge=1 (the corpus takes the
# inputs of build/fuzz/found/TARGET that add coverage). Fix what a crash shows,
# add the crashing input to the corpus, and the tests run it from then on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/fuzz
targets=(rpc_fuzzer consume_fuzzer config_fuzzer)

configure_and_build() {
  "$root/tools/setup.sh"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLIANXIN_FUZZ=ON -DLIANXIN_WERROR=OFF >/dev/null
  cmake --build "$build" -j "${LIANXIN_JOBS:-2}" --target "${targets[@]}"
}

if [ "${1:-}" = "--search-tests" ]; then
  configure_and_build
  exec ctest --test-dir "$build" -L fuzz -R _search --output-on-failure
fi

target=${1:?usage: tools/fuzz.sh TARGET [SECONDS] [libFuzzer flags...] (see the header)}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
case " ${targets[*]} " in *" $target "*) ;; *) echo "fuzz.sh: no target '$target' (${targets[*]})" >&2; exit 2 ;; esac
configure_and_build
found=$build/found/$target
crashes=$build/crashes/$target
mkdir -p "$found" "$crashes"
corpus=$root/fuzz/corpus/$target
if [ "${1:-}" = "-merge=1" ]; then
  exec "$build/bin/$target" -merge=1 "$corpus" "$found"
fi
exec "$build/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix="$crashes/" "$@" "$found" "$corpus"
