#!/usr/bin/env bash
# Renders one county's manifests: ./render-county.sh 654322 [COUNTIES_ON_LIANXIN]
set -euo pipefail
code=${1:?county code}; counties=${2:-$code}
[[ $code =~ ^[0-9]{6}$ ]] || { echo "render-county.sh: $code is not a 6-digit county code" >&2; exit 2; }
sed -e "s/@COUNTY@/$code/g" -e "s/@COUNTIES@/$counties/g" "$(dirname "$0")/county-template.yaml"
