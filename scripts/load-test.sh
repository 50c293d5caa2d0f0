#!/usr/bin/env bash
# Runs one k6 load test against the CredLink API and keeps its reports.
#
#   TARGET_URL=https://d111111abcdef8.cloudfront.net TEST=load VUS=100 DURATION=10m scripts/load-test.sh
#   scripts/load-test.sh [extra k6 run flags, e.g. -o experimental-prometheus-rw]
#
# Environment (validated by loadtests/lib/env.ts, the module the k6 scripts use):
#   TEST        smoke | load (default) | stress | spike | soak | throughput | capacity
#   TARGET_URL  API base URL; if unset and `pulumi` is on PATH, the stack's apiUrl output
#   VUS, DURATION, RATE, SCENARIO, API_KEY, PROOFS_URL, THINK_TIME, ACCEPT_429, CREATOR
#   START_RATE, RATE_STEP, STEPS, STEP_DURATION, TASKS (TEST=capacity)
#   REPORTS_ROOT  where reports/<timestamp>-<test>/ goes (default: <repo>/reports)
#   HEALTH_TIMEOUT seconds for the /health pre-flight check (default 10)
#   TIME_SERIES   on (default): k6 also writes metrics.json.gz and the report gets charts over
#                 time (loadtests/cli/timeseries.ts, after k6 exits); off: neither
#
# Exit codes: 2 refused (bad environment or missing tool), 3 target not healthy,
# otherwise k6's own code (0 passed, 99 thresholds failed, 108 aborted by setup, ...).
# Never prompts.
set -uo pipefail

script_dir="${BASH_SOURCE[0]%/*}"
[[ "$script_dir" == "${BASH_SOURCE[0]}" ]] && script_dir="."
ROOT="$(cd -- "$script_dir/.." && pwd)"

refuse() {
    printf 'load-test: %s\n' "$1" >&2
    exit "${2:-2}"
}

# The original script fell back to `terraform output`; this stack's equivalent is its apiUrl output.
if [[ -z "${TARGET_URL:-}" ]] && command -v pulumi >/dev/null 2>&1; then
    TARGET_URL="$(cd -- "$ROOT" && pulumi stack output apiUrl --non-interactive </dev/null 2>/dev/null)" || TARGET_URL=""
    if [[ -n "$TARGET_URL" && -z "${PROOFS_URL:-}" ]]; then
        PROOFS_URL="$(cd -- "$ROOT" && pulumi stack output cdnUrl --non-interactive </dev/null 2>/dev/null)" || PROOFS_URL=""
        [[ -n "$PROOFS_URL" ]] && export PROOFS_URL
    fi
    [[ -n "$TARGET_URL" ]] && export TARGET_URL
fi

command -v node >/dev/null 2>&1 || refuse "node is not installed: install Node.js 20 or newer, then run 'npm ci' in $ROOT"
[[ -d "$ROOT/node_modules/tsx" ]] || refuse "dependencies are not installed: run 'npm ci' in $ROOT"

validation="$(cd -- "$ROOT" && node --import tsx loadtests/cli/validate-env.ts 2>&1)"
status=$?
test_type="" health_url="" profile="" problem=""
while IFS='=' read -r key value; do
    case "$key" in
        test) test_type="$value" ;;
        health_url) health_url="$value" ;;
        profile) profile="$value" ;;
        error) problem="$value" ;;
    esac
done <<<"$validation"
[[ -n "$problem" ]] && refuse "$problem"
if [[ $status -ne 0 || -z "$test_type" ]]; then
    refuse "could not validate the environment: ${validation%%$'\n'*}"
fi

command -v k6 >/dev/null 2>&1 ||
    refuse "k6 is not installed: install k6 1.0 or newer (https://grafana.com/docs/k6/latest/set-up/install-k6/ - e.g. brew install k6, winget install k6, or the dl.k6.io apt/rpm repository), then re-run"
command -v curl >/dev/null 2>&1 || refuse "curl is not installed: it runs the /health pre-flight check; install curl, then re-run"

time_series="${TIME_SERIES:-on}"
[[ "$time_series" == "on" || "$time_series" == "off" ]] ||
    refuse "TIME_SERIES=$time_series is invalid: expected on (record k6's JSON output and chart it) or off"

health_timeout="${HEALTH_TIMEOUT:-10}"
[[ "$health_timeout" =~ ^[1-9][0-9]{0,2}$ ]] || refuse "HEALTH_TIMEOUT=$health_timeout is invalid: expected whole seconds between 1 and 999"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time "$health_timeout" "$health_url")" || true
if [[ "$code" != "200" ]]; then
    if [[ -z "$code" || "$code" == "000" ]]; then
        code="no response (connection failed or no answer within ${health_timeout}s)"
    else
        code="HTTP $code"
    fi
    refuse "GET $health_url answered $code: check TARGET_URL and that the stack is up" 3
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
REPORT_DIR="${REPORTS_ROOT:-$ROOT/reports}/$stamp-$test_type"
mkdir -p -- "$REPORT_DIR" || refuse "cannot create the report directory $REPORT_DIR"
export REPORT_DIR
# With the dashboard on, also keep its HTML export next to the other reports.
if [[ "${K6_WEB_DASHBOARD:-}" == "true" && -z "${K6_WEB_DASHBOARD_EXPORT:-}" ]]; then
    export K6_WEB_DASHBOARD_EXPORT="$REPORT_DIR/dashboard.html"
fi

# k6's own time series (NDJSON, gzip by the .gz name) for the charts over time; extra flags still pass through.
out=()
[[ "$time_series" == "on" ]] && out=(--out "json=$REPORT_DIR/metrics.json.gz")

printf 'load-test: %s against %s; reports in %s\n' "$profile" "${health_url%/health}" "$REPORT_DIR"
# ${out[@]+...}: an empty array is "unbound" under set -u in bash < 4.4 (macOS).
k6 run ${out[@]+"${out[@]}"} "$@" "$ROOT/loadtests/$test_type.ts"
rc=$?

if [[ "$time_series" == "on" && -s "$REPORT_DIR/metrics.json.gz" && -s "$REPORT_DIR/report.html" ]]; then
    (cd -- "$ROOT" && node --import tsx loadtests/cli/timeseries.ts "$REPORT_DIR") ||
        printf 'load-test: warning: the report has no time series (see above); k6'"'"'s result stands\n' >&2
fi

case "$test_type:$rc" in
    capacity:0) outcome="every step held: capacity.json holds a lower bound" ;;
    capacity:99) outcome="a step missed the SLO and ended the run: the capacity is in capacity.json" ;;
    *:0) outcome="all thresholds passed" ;;
    *:99) outcome="thresholds failed" ;;
    *:108) outcome="aborted by the script, see its message above" ;;
    *) outcome="k6 failed" ;;
esac
printf 'load-test: k6 exited %d (%s); reports in %s\n' "$rc" "$outcome" "$REPORT_DIR" >&2
exit "$rc"
