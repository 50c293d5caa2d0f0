#!/usr/bin/env bash
# Kept under the original script's name so existing runbooks still work. The
# checks it used to make with curl and the AWS CLI now live in `npm run verify`
# (docs/verify.md); every argument is passed through, e.g.
#   scripts/optimize-performance.sh --stack production --probe
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec npm run --silent verify -- "$@"
