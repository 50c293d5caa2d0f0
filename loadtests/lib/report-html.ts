/**
 * Self-contained HTML report: inline CSS and an inline SVG chart, no script and no
 * external resource, so it opens from a CI artifact or an air-gapped laptop alike.
 */
import { SLO } from "../../policies/slo.ts";
import { stepFailures } from "./capacity.ts";
import { capacityHeadline, type CapacityReport } from "./capacity-report.ts";
import { formatMetricValues, formatMs, formatMsTick, formatPercent } from "./format.ts";
import type { EndpointRow, Report } from "./report.ts";
import { escapeXml, lineChart } from "./svg-chart.ts";

/** Marks the section of report.html the time-series post-processor fills in (and replaces on a re-run). */
export const TIMESERIES_MARKERS = Object.freeze({
    start: "<!-- credlink:timeseries:start -->",
    end: "<!-- credlink:timeseries:end -->",
});

export const escapeHtml = escapeXml;

const STYLE = `
body{
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
  margin:2rem auto;
  max-width:72rem;
  padding:0 1rem;
  color:#1f2328
}
h1{font-size:1.5rem;margin-bottom:.25rem}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.meta{color:#59636e}.verdict{display:inline-block;padding:.2rem .7rem;border-radius:1rem;font-weight:600;color:#fff}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}.verdict.unknown{background:#6e7781}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa}
tr.fail td{background:#ffebe9}
tr.pass td:first-child{color:#1a7f37}
tr.fail td:first-child{color:#cf222e}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
.note{background:#fff8c5;padding:.6rem .8rem;border-radius:.4rem}
figure.chart{margin:1rem 0}
figcaption{color:#59636e;font-size:.9em}
.legend{white-space:nowrap;margin-right:.6rem}
.swatch{display:inline-block;width:.8rem;height:.25rem;margin-right:.3rem;vertical-align:middle}
`;

const rateLimitNote = (count: number, rate: number) =>
    `${count} responses were HTTP 429 (${formatPercent(rate)}): ` +
    "the API's per-IP limiters answered, not its capacity. " +
    "Raise RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS and SIGN_RATE_LIMIT_MAX for load runs (loadtests/README.md).";

const rowClass = (ok: boolean | undefined) => (ok === undefined ? "" : ok ? "pass" : "fail");
const mark = (ok: boolean | undefined) => (ok === undefined ? "–" : ok ? "✓" : "✗");

function tableHtml(headers: readonly string[], rows: readonly { cells: readonly string[]; ok?: boolean }[]): string {
    const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
    const body = rows
        .map((r) => `<tr class="${rowClass(r.ok)}">${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
        .join("\n");
    return `<table>\n${head}\n${body}\n</table>`;
}

/** Horizontal bars of p95 per endpoint with the SLO as a vertical line. */
function latencyChart(endpoints: readonly EndpointRow[]): string {
    const rows = endpoints.filter((e): e is EndpointRow & { p95Ms: number } => e.p95Ms !== undefined);
    if (rows.length === 0) return "";
    const scaleMax = Math.max(SLO.latencyP95Ms * 1.25, ...rows.map((r) => r.p95Ms));
    const width = 640;
    const label = 90;
    const barArea = width - label - 80;
    const rowHeight = 28;
    const x = (ms: number) => label + (ms / scaleMax) * barArea;
    const bars = rows
        .map((r, i) => {
            const y = 10 + i * rowHeight;
            const fill = r.p95Ms < SLO.latencyP95Ms ? "#2da44e" : "#cf222e";
            return (
                `<text x="0" y="${y + 14}">${escapeHtml(r.endpoint)}</text>` +
                `<rect x="${label}" y="${y}" width="${(x(r.p95Ms) - label).toFixed(1)}" height="18" fill="${fill}"/>` +
                `<text x="${(x(r.p95Ms) + 6).toFixed(1)}" y="${y + 14}">${escapeHtml(formatMs(r.p95Ms))}</text>`
            );
        })
        .join("");
    const height = 20 + rows.length * rowHeight;
    const sloX = x(SLO.latencyP95Ms).toFixed(1);
    return (
        `<svg role="img" aria-label="p95 latency per endpoint" width="${width}" ` +
        `height="${height + 16}" font-size="12" xmlns="http://www.w3.org/2000/svg">` +
        bars +
        `<line x1="${sloX}" x2="${sloX}" y1="4" y2="${height}" stroke="#1f2328" stroke-dasharray="4 3"/>` +
        `<text x="${sloX}" y="${height + 12}" text-anchor="middle">SLO ${SLO.latencyP95Ms} ms</text></svg>`
    );
}

/** Latency and error rate against the offered rate, the step table and the knee. */
function capacitySection(c: CapacityReport): string[] {
    const ran = c.steps.filter((s) => s.verdict !== "not run");
    const knee = c.kneeStep === null ? undefined : { x: c.capacityRps, label: `capacity ${c.capacityRps} req/s` };
    const common = { xLabel: "offered rate (req/s)", formatX: (x: number) => String(x), marker: knee };
    const sections = [
        "<h2>Capacity</h2>",
        `<p><strong>${escapeHtml(capacityHeadline(c))}</strong>. A step holds when its p95 latency is below ` +
            `${c.slo.latencyP95Ms} ms, less than ${formatPercent(c.slo.errorRate)} of its requests fail and no ` +
            `iteration is dropped, for its whole ${c.stepSeconds} s. The capacity is the highest step that held ` +
            "with every step below it; per task it is divided by the tasks behind the target.</p>",
        ...c.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`),
        lineChart({
            ...common,
            title: "p95 latency against offered rate",
            yLabel: "p95 latency",
            formatY: formatMsTick,
            series: [{ name: "p95 per step", color: "#0969da", dots: true, points: ran.map((s) => [s.rate, s.p95Ms]) }],
            references: [{ value: c.slo.latencyP95Ms, label: `SLO p95 < ${c.slo.latencyP95Ms} ms` }],
        }),
        lineChart({
            ...common,
            title: "Failed requests against offered rate",
            yLabel: "failed requests",
            formatY: (y) => `${Math.round(y * 1000) / 10}%`,
            series: [
                {
                    name: "failed share per step",
                    color: "#cf222e",
                    dots: true,
                    points: ran.map((s) => [s.rate, s.errorRate]),
                },
            ],
            references: [{ value: c.slo.errorRate, label: `SLO < ${formatPercent(c.slo.errorRate)}` }],
        }),
        tableHtml(
            ["", "Step", "Offered", "Achieved", "Requests", "p95", "Failed", "Dropped", "Verdict"],
            c.steps.map((s) => ({
                cells: [
                    mark(s.verdict === "held" ? true : s.verdict === "failed" ? false : undefined),
                    String(s.step),
                    `${s.rate} req/s`,
                    s.achievedRps === null ? "n/a" : `${s.achievedRps} req/s`,
                    String(s.requests),
                    s.p95Ms === null ? "n/a" : formatMs(s.p95Ms),
                    s.errorRate === null ? "n/a" : formatPercent(s.errorRate),
                    String(s.droppedIterations),
                    s.held ? "held" : `${s.verdict}${s.verdict === "failed" ? `: ${stepFailures(s).join(", ")}` : ""}`,
                ],
                ok: s.verdict === "held" ? true : s.verdict === "failed" ? false : undefined,
            })),
        ),
    ];
    return sections;
}

/** What the verdict badge says: the thresholds' result, or for a capacity run the kind of result. */
function verdict(report: Report): { cls: string; text: string } {
    if (report.capacity !== undefined) {
        const r = report.capacity.result;
        return { cls: r === "measured" ? "pass" : r === "lower-bound" ? "unknown" : "fail", text: r.replace("-", " ") };
    }
    if (report.passed === undefined) return { cls: "unknown", text: "no threshold results" };
    return report.passed ? { cls: "pass", text: "passed" } : { cls: "fail", text: "failed" };
}

/** Placeholder the time-series post-processor replaces (loadtests/cli/timeseries.ts). */
const TIMESERIES_PLACEHOLDER =
    `${TIMESERIES_MARKERS.start}\n<h2>Over time</h2>\n<p class="meta">No time series: run through ` +
    "<code>scripts/load-test.sh</code>, which records k6's JSON output and adds latency, throughput and errors " +
    `over time here.</p>\n${TIMESERIES_MARKERS.end}`;

export function renderHtmlReport(report: Report): string {
    const { cls: verdictClass, text: verdictText } = verdict(report);
    const fmt = (n: number | undefined, f: (x: number) => string) => (n === undefined ? "n/a" : f(n));
    const title = `CredLink ${report.testType} test (${report.workload})`;

    const sections: string[] = [
        `<h1>${escapeHtml(title)} <span class="verdict ${verdictClass}">${escapeHtml(verdictText)}</span></h1>`,
        `<p class="meta">Target <code>${escapeHtml(report.targetUrl)}</code> · generated ` +
            `${escapeHtml(report.generatedAt)}` +
            (report.k6.durationSeconds === undefined
                ? ""
                : ` · ran ${escapeHtml(report.k6.durationSeconds.toFixed(1))}s`) +
            ` · k6 summary format ` +
            `<code>${escapeHtml(report.k6.summaryFormat)}</code>` +
            (report.k6.version ? ` (k6 ${escapeHtml(report.k6.version)})` : "") +
            "</p>",
    ];
    if (report.capacity !== undefined) sections.push(...capacitySection(report.capacity));
    if (report.slo.length > 0) {
        sections.push(
            "<h2>Service-level objectives</h2>",
            tableHtml(
                ["", "Objective", "Target", "Actual"],
                report.slo.map((r) => ({ cells: [mark(r.ok), r.objective, r.target, r.actual], ok: r.ok })),
            ),
        );
    }
    sections.push(TIMESERIES_PLACEHOLDER);
    if (report.rateLimited !== undefined && report.rateLimited.count > 0) {
        sections.push(
            `<p class="note">${escapeHtml(rateLimitNote(report.rateLimited.count, report.rateLimited.rate))}</p>`,
        );
    }
    if (report.endpoints.length > 0) {
        sections.push(
            "<h2>Endpoints</h2>",
            latencyChart(report.endpoints),
            tableHtml(
                ["Endpoint", "Requests", "p95", "Failed", "Checks"],
                report.endpoints.map((e) => ({
                    cells: [
                        e.endpoint,
                        fmt(e.requests, String),
                        fmt(e.p95Ms, formatMs),
                        fmt(e.failedRate, formatPercent),
                        fmt(e.checksRate, formatPercent),
                    ],
                })),
            ),
        );
    }
    sections.push("<h2>Thresholds</h2>");
    sections.push(
        report.thresholds.length === 0
            ? "<p>This k6 summary format carries no per-threshold results (the machine-readable " +
                  "summary only says whether the run passed).</p>"
            : tableHtml(
                  ["", "Metric", "Threshold", "Actual"],
                  report.thresholds.map((t) => ({ cells: [mark(t.ok), t.metric, t.expression, t.actual], ok: t.ok })),
              ),
    );
    if (report.checks.length > 0) {
        sections.push(
            "<h2>Checks</h2>",
            tableHtml(
                ["", "Check", "Passed", "Failed"],
                report.checks.map((c) => ({
                    cells: [mark(c.fails === 0), c.name, String(c.passes), String(c.fails)],
                    ok: c.fails === 0,
                })),
            ),
        );
    }
    sections.push(
        "<h2>All metrics</h2>",
        tableHtml(
            ["Metric", "Values"],
            Object.keys(report.metrics)
                .sort()
                .map((name) => ({ cells: [name, formatMetricValues(report.metrics[name])] })),
        ),
    );
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join("\n")}
</body>
</html>
`;
}
