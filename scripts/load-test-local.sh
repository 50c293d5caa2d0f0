#!/usr/bin/env bash
# npm run loadtest:local — starts the CredLink reference API (loadtests/reference-server)
# on 127.0.0.1 with its rate limits raised for load runs, runs the smoke test against it
# through scripts/load-test.sh, stops the server and exits with k6's code.
#
#   npm run loadtest:local
#   TEST=load VUS=20 DURATION=1m npm run loadtest:local
#   LOCAL_PORT=3000 npm run loadtest:local -- -o experimental-prometheus-rw
set -uo pipefail

script_dir="${BASH_SOURCE[0]%/*}"
[[ "$script_dir" == "${BASH_SOURCE[0]}" ]] && script_dir="."
ROOT="$(cd -- "$script_dir/.." && pwd)"

refuse() {
    printf 'loadtest:local: %s\n' "$1" >&2
    exit "${2:-2}"
}

command -v k6 >/dev/null 2>&1 ||
    refuse "k6 is not installed: install k6 1.0 or newer (https://grafana.com/docs/k6/latest/set-up/install-k6/), then re-run; the reference API alone runs without it: npx tsx loadtests/reference-server/main.ts"
command -v node >/dev/null 2>&1 || refuse "node is not installed: install Node.js 20 or newer, then run 'npm ci' in $ROOT"
[[ -d "$ROOT/node_modules/tsx" ]] || refuse "dependencies are not installed: run 'npm ci' in $ROOT"
port="${LOCAL_PORT:-0}"
[[ "$port" =~ ^[0-9]{1,5}$ && "$port" -le 65535 ]] || refuse "LOCAL_PORT=$port is invalid: expected 0..65535 (0 picks a free port)"

ready_file="${TMPDIR:-/tmp}/credlink-reference-$$.url"
rm -f -- "$ready_file"
# One node process (no tsx wrapper), so its PID is the server's. Limits as documented for load runs.
(
    cd -- "$ROOT" &&
        exec env RATE_LIMIT_WINDOW_MS=1000 RATE_LIMIT_MAX=10000 SIGN_RATE_LIMIT_MAX=1000000 \
            PORT="$port" HOST=127.0.0.1 READY_FILE="$ready_file" \
            node --import tsx loadtests/reference-server/main.ts
) &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -f -- "$ready_file"' EXIT

for ((i = 0; i < 150; i++)); do
    [[ -s "$ready_file" ]] && break
    kill -0 "$server_pid" 2>/dev/null || refuse "the reference server did not start (its error is above)"
    sleep 0.1
done
[[ -s "$ready_file" ]] || refuse "the reference server did not report its address within 15s"
url="$(<"$ready_file")"
url="${url%%[[:space:]]*}"

TARGET_URL="$url" PROOFS_URL="$url" TEST="${TEST:-smoke}" bash "$ROOT/scripts/load-test.sh" "$@"
exit $?
