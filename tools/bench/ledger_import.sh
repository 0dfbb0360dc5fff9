#!/usr/bin/env bash
# Import speed of `lxctl import` (docs/benchmarks.md): a lianxin-broker and one
# registry (Fuyun) in a scratch directory, an outflow ledger of N rows
# (tools/bench/ledger_rows.py), imported once; prints rows per second.
#
#   tools/bench/ledger_import.sh build/release/bin 10000 [parallel]
set -euo pipefail
bin=$(cd "${1:?bin dir}" && pwd); rows=${2:-10000}; parallel=${3:-8}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /var/tmp/ledger-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# The registry's token file holds the token's digest (libs/runtime/auth.h), owner-only.
(umask 077 && echo "sha256:$(printf %s "$token" | sha256sum | cut -d' ' -f1) op-654322 654322 operator" \
  >"$dir/tokens.txt")
(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$dir/identity.key")

"$bin/lianxin-broker" >"$dir/broker.out" 2>"$dir/broker.err" &
pids+=($!)
for _ in $(seq 200); do [ -s "$dir/broker.out" ] && break; sleep 0.1; done
kafka=$(head -1 "$dir/broker.out")

"$bin/registry" --jurisdiction=654322 --data_dir="$dir/654322" --listen=127.0.0.1:0 \
  --metrics_address= --tokens_file="$dir/tokens.txt" --kafka_brokers="$kafka" \
  --kafka_config=fetch.wait.max.ms=5 --identity_key_file="$dir/identity.key" \
  --counties_on_lianxin=654322 >"$dir/registry.out" 2>"$dir/registry.err" &
pids+=($!)
address=
for _ in $(seq 300); do
  address=$(grep -ho 'listening [0-9.:]*' "$dir/registry.out" "$dir/registry.err" 2>/dev/null | head -1 | cut -d' ' -f2) || true
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "$address" ] || { echo "registry did not start" >&2; cat "$dir/registry.err" >&2; exit 1; }
printf '{"kafka": "%s", "counties": {"654322": {"name": "富蕴县", "token": "%s", "registry": "%s"}}}\n' \
  "$kafka" "$token" "$address" >"$dir/endpoints.json"
chmod 600 "$dir/endpoints.json"

/usr/bin/python3 "$here/ledger_rows.py" "$rows" >"$dir/ledger.csv"
start=$(date +%s.%N)
"$bin/lxctl" --endpoints "$dir/endpoints.json" --county 654322 import --ledger outflow \
  --file "$dir/ledger.csv" --parallel "$parallel" --timeout 120
end=$(date +%s.%N)
awk -v n="$rows" -v s="$start" -v e="$end" -v p="$parallel" \
  'BEGIN { printf "%d rows in %.1f s: %.0f rows/s (parallel %d)\n", n, e - s, n / (e - s), p }'
