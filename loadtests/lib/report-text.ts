/**
 * The end-of-test text summary printed on stdout. k6 prints nothing itself once
 * handleSummary exists, and its textSummary helper is a jslib URL import, so the
 * project renders its own: verdict, SLOs, thresholds, per-endpoint numbers, checks.
 */
import { stepFailures } from "./capacity.ts";
import { capacityHeadline } from "./capacity-report.ts";
import { formatMetricValues, formatMs, formatPercent } from "./format.ts";
import type { Report, ReportPaths } from "./report.ts";

const mark = (ok: boolean | undefined) => (ok === undefined ? "-" : ok ? "✓" : "✗");

function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
    const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
    return rows.map(
        (row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "),
    );
}

export function renderTextReport(report: Report, paths: ReportPaths): string {
    const verdict =
        report.capacity !== undefined
            ? `CAPACITY ${capacityHeadline(report.capacity)}`
            : report.passed === undefined
              ? "NO THRESHOLD RESULTS"
              : report.passed
                ? "PASSED"
                : "FAILED (k6 exits 99)";
    const lines: string[] = [
        "",
        `CredLink ${report.testType} test, ${report.workload} workload, against ${report.targetUrl}`,
        `Result: ${verdict}` +
            (report.k6.durationSeconds === undefined ? "" : ` after ${report.k6.durationSeconds.toFixed(1)}s`),
    ];
    const c = report.capacity;
    if (c !== undefined) {
        const fmt = (n: number | null, f: (x: number) => string) => (n === null ? "n/a" : f(n));
        lines.push(
            "",
            `CAPACITY STEPS (${c.stepSeconds}s each; held = p95 < ${c.slo.latencyP95Ms}ms, failed < ` +
                `${formatPercent(c.slo.errorRate)}, nothing dropped)`,
            ...table([
                ["", "step", "offered", "achieved", "p95", "failed", "dropped", "verdict"],
                ...c.steps.map((s) => [
                    mark(s.verdict === "held" ? true : s.verdict === "failed" ? false : undefined),
                    String(s.step),
                    `${s.rate}/s`,
                    fmt(s.achievedRps, (x) => `${x}/s`),
                    fmt(s.p95Ms, formatMs),
                    fmt(s.errorRate, formatPercent),
                    String(s.droppedIterations),
                    s.held ? "held" : `${s.verdict}${s.verdict === "failed" ? `: ${stepFailures(s).join(", ")}` : ""}`,
                ]),
            ]),
            ...c.notes.map((n) => `  Note: ${n}`),
        );
    }
    if (report.slo.length > 0) {
        lines.push("", "SLO", ...table(report.slo.map((r) => [mark(r.ok), r.objective, r.target, r.actual])));
    }
    if (report.thresholds.length > 0) {
        lines.push(
            "",
            "THRESHOLDS",
            ...table(report.thresholds.map((t) => [mark(t.ok), t.metric, t.expression, t.actual])),
        );
    }
    if (report.endpoints.length > 0) {
        const fmt = (n: number | undefined, f: (x: number) => string) => (n === undefined ? "n/a" : f(n));
        lines.push(
            "",
            "ENDPOINTS",
            ...table([
                ["endpoint", "requests", "p95", "failed", "checks"],
                ...report.endpoints.map((e) => [
                    e.endpoint,
                    fmt(e.requests, String),
                    fmt(e.p95Ms, formatMs),
                    fmt(e.failedRate, formatPercent),
                    fmt(e.checksRate, formatPercent),
                ]),
            ]),
        );
    }
    if (report.rateLimited !== undefined && report.rateLimited.count > 0) {
        lines.push(
            "",
            `RATE LIMITED: ${report.rateLimited.count} responses were HTTP 429 ` +
                `(${formatPercent(report.rateLimited.rate)}).`,
            "  Raise the API's limits for load runs (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, " +
                "SIGN_RATE_LIMIT_MAX): see loadtests/README.md.",
        );
    }
    if (report.checks.length > 0) {
        lines.push(
            "",
            "CHECKS",
            ...table(
                report.checks.map((c) => [mark(c.fails === 0), c.name, `${c.passes} passed`, `${c.fails} failed`]),
            ),
        );
    }
    const metricNames = Object.keys(report.metrics)
        .filter((n) => !n.includes("{"))
        .sort();
    lines.push("", "METRICS", ...table(metricNames.map((n) => [n, formatMetricValues(report.metrics[n])])));
    const files = [paths.html, paths.json, paths.raw, ...(c === undefined ? [] : [paths.capacity])];
    lines.push("", `Reports: ${files.join(", ")}`, "");
    return `${lines.join("\n")}\n`;
}
