#!/usr/bin/env bash
# Configures and builds lianxin: tools/build.sh DIR BUILD_TYPE [extra cmake args].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?build dir}; type=${2:?build type}; shift 2
"$root/tools/setup.sh"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
# Two jobs: the machines have 2 cores and gRPC translation units are large.
cmake --build "$dir" -j "${LIANXIN_JOBS:-2}"
