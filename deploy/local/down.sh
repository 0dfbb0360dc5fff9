#!/usr/bin/env bash
# Stops a local deployment started with deploy/local/up.sh --detach.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
home=${LIANXIN_HOME:-$root/.lianxin/local}
if [ ! -s "$home/pids" ]; then
  echo "down.sh: no local deployment is running ($home)"
  exit 0
fi
xargs -r kill -TERM <"$home/pids" 2>/dev/null || true
for _ in $(seq 100); do
  xargs -r kill -0 <"$home/pids" 2>/dev/null || break
  sleep 0.1
done
xargs -r kill -KILL <"$home/pids" 2>/dev/null || true
rm -f "$home/pids"
echo "lianxin local deployment stopped (data kept in $home)"
