#!/usr/bin/env bash
# Installs the Debian 12 packages lianxin needs to build, test and run.
# Called by both README commands; does nothing when everything is there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git python3
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libabsl-dev libssl-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat python3-grpcio python3-protobuf
  prometheus python3-yaml systemd file dpkg-dev
  libxlsxwriter-dev
  libminizip-dev
  libexpat1-dev
  python3-openpyxl
  libcpp-httplib-dev
  chromium
  fonts-noto-cjk
  openssl
  iproute2 iputils-ping
  curl
)

# The console is built with npm (web/): Debian's nodejs and npm when no node is there.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "setup: apt-get not found; lianxin builds on Debian 12 (bookworm)" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
