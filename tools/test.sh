#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test with ctest.
# Extra arguments go to ctest (e.g. -L unit, -R EventStore).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LIANXIN_BUILD_DIR:-$root/build/test}
"$root/tools/build.sh" "$build" RelWithDebInfo
cd "$build"
ctest --output-on-failure --timeout 600 -j "${LIANXIN_TEST_JOBS:-2}" "$@"
