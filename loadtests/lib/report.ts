/**
 * The report of a run: the k6 summary judged against the SLO module, as a JSON
 * document (summary.json), and the set of files handleSummary returns.
 */
import { SLO } from "../../policies/slo.ts";
import { buildCapacityReport, renderCapacityJson, type CapacityReport } from "./capacity-report.ts";
import type { CapacityPlan } from "./env.ts";
import { formatMs, formatPercent, formatStat } from "./format.ts";
import { CUSTOM_METRICS } from "./metric-names.ts";
import { renderHtmlReport } from "./report-html.ts";
import { renderTextReport } from "./report-text.ts";
import {
    normalizeSummary,
    thresholdActual,
    type CheckResult,
    type NormalizedSummary,
    type SummaryMetric,
} from "./summary.ts";
import { ENDPOINTS, type Endpoint, type TestType, type Workload } from "./types.ts";

export const REPORT_SCHEMA = "credlink-loadtest-report/1";

/** What the report says about the run besides k6's numbers. */
export interface RunContext {
    readonly testType: TestType;
    readonly workload: Workload;
    readonly targetUrl: string;
    /** Plateau length, used to turn iteration counts into an achieved arrival rate. */
    readonly holdSeconds: number;
    /** Offered rate of a throughput run (RATE). */
    readonly rate: number;
    /** ISO timestamp; passed in so rendering stays deterministic. */
    readonly generatedAt: string;
    /** The steps of a capacity run (required for testType capacity). */
    readonly capacity?: CapacityPlan;
}

export interface SloRow {
    readonly objective: string;
    readonly target: string;
    readonly actual: string;
    /** Undefined: the run has no data for it (or it is informational). */
    readonly ok: boolean | undefined;
}

export interface ThresholdRow {
    readonly metric: string;
    readonly expression: string;
    readonly actual: string;
    readonly ok: boolean;
}

export interface EndpointRow {
    readonly endpoint: Endpoint;
    readonly requests: number | undefined;
    readonly p95Ms: number | undefined;
    readonly failedRate: number | undefined;
    readonly checksRate: number | undefined;
}

export interface Report {
    readonly schema: typeof REPORT_SCHEMA;
    readonly generatedAt: string;
    readonly testType: TestType;
    readonly workload: Workload;
    readonly targetUrl: string;
    readonly k6: {
        readonly summaryFormat: NormalizedSummary["format"];
        readonly version: string | undefined;
        readonly durationSeconds: number | undefined;
    };
    readonly passed: boolean | undefined;
    readonly slo: readonly SloRow[];
    readonly thresholds: readonly ThresholdRow[];
    readonly endpoints: readonly EndpointRow[];
    readonly checks: readonly CheckResult[];
    readonly rateLimited: { readonly count: number; readonly rate: number } | undefined;
    /** TEST=capacity: the steps and the knee (also written as capacity.json). */
    readonly capacity: CapacityReport | undefined;
    readonly metrics: Readonly<Record<string, SummaryMetric>>;
}

function value(summary: NormalizedSummary, metric: string, stat: string): number | undefined {
    return summary.metrics[metric]?.values[stat];
}

/** Share of passing checks: the `checks` Rate (handle-summary) or `checks_succeeded` (machine-readable). */
function checksRate(summary: NormalizedSummary, selector = ""): number | undefined {
    return (
        value(summary, `checks${selector}`, "rate") ??
        (selector === "" ? value(summary, "checks_succeeded", "rate") : undefined)
    );
}

function sloRows(summary: NormalizedSummary, ctx: RunContext): SloRow[] {
    // A capacity run breaches the SLO on purpose past its knee: its steps are judged one by one instead.
    if (ctx.testType === "capacity") return [];
    const judge = (actual: number | undefined, ok: (x: number) => boolean) =>
        actual === undefined ? undefined : ok(actual);
    const p95 = value(summary, "http_req_duration", "p(95)");
    const failed = value(summary, "http_req_failed", "rate");
    const checks = checksRate(summary);
    const rows: SloRow[] = [
        {
            objective: "Latency p95",
            target: `< ${SLO.latencyP95Ms} ms`,
            actual: p95 === undefined ? "n/a" : formatMs(p95),
            ok: judge(p95, (x) => x < SLO.latencyP95Ms),
        },
        {
            objective: "Failed requests",
            target: `< ${formatPercent(SLO.errorRate)}`,
            actual: failed === undefined ? "n/a" : formatPercent(failed),
            ok: judge(failed, (x) => x < SLO.errorRate),
        },
        {
            objective: "Checks passing",
            target: `> ${formatPercent(SLO.checksPassRate)}`,
            actual: checks === undefined ? "n/a" : formatPercent(checks),
            ok: judge(checks, (x) => x > SLO.checksPassRate),
        },
    ];
    if (ctx.testType === "throughput") {
        const iterations = value(summary, "iterations", "count");
        const dropped = value(summary, "dropped_iterations", "count") ?? 0;
        const achieved = iterations === undefined ? undefined : iterations / ctx.holdSeconds;
        rows.push({
            objective: "Offered throughput",
            target: `${ctx.rate} req/s, 0 dropped (SLO peak ${SLO.peakRequestsPerSecond} req/s)`,
            actual: achieved === undefined ? "n/a" : `${achieved.toFixed(1)} req/s, ${dropped} dropped`,
            // Below the SLO's peak the run can fail the objective (drops) but cannot prove it.
            ok:
                achieved === undefined
                    ? undefined
                    : dropped > 0
                      ? false
                      : ctx.rate >= SLO.peakRequestsPerSecond
                        ? true
                        : undefined,
        });
    }
    const cacheHit = value(summary, CUSTOM_METRICS.cdnCacheHit, "rate");
    if (cacheHit !== undefined) {
        rows.push({
            objective: "CDN cache hits (proofs)",
            target: `>= ${SLO.cdnCacheHitRatePercent}%`,
            actual: formatPercent(cacheHit),
            ok: cacheHit * 100 >= SLO.cdnCacheHitRatePercent,
        });
    }
    return rows;
}

function thresholdRows(summary: NormalizedSummary): ThresholdRow[] {
    return Object.values(summary.metrics).flatMap((metric) =>
        metric.thresholds.map((t) => {
            const actual = thresholdActual(metric, t.expression);
            return {
                metric: metric.name,
                expression: t.expression,
                actual:
                    actual === undefined ? "n/a" : `${actual.stat}=${formatStat(metric, actual.stat, actual.value)}`,
                ok: t.ok,
            };
        }),
    );
}

function endpointRows(summary: NormalizedSummary): EndpointRow[] {
    return ENDPOINTS.filter((e) => summary.metrics[`http_req_duration{scenario:${e}}`] !== undefined).map((e) => ({
        endpoint: e,
        requests: value(summary, `http_req_duration{scenario:${e}}`, "count"),
        p95Ms: value(summary, `http_req_duration{scenario:${e}}`, "p(95)"),
        failedRate: value(summary, `http_req_failed{scenario:${e}}`, "rate"),
        checksRate: checksRate(summary, `{scenario:${e}}`),
    }));
}

function capacityOf(summary: NormalizedSummary, ctx: RunContext): CapacityReport | undefined {
    if (ctx.testType !== "capacity") return undefined;
    if (ctx.capacity === undefined) throw new RangeError("a capacity report needs the run's capacity plan");
    return buildCapacityReport(summary, {
        targetUrl: ctx.targetUrl,
        workload: ctx.workload,
        plan: ctx.capacity,
        generatedAt: ctx.generatedAt,
    });
}

export function buildReport(data: unknown, ctx: RunContext): Report {
    const summary = normalizeSummary(data);
    const limited = summary.metrics[CUSTOM_METRICS.rateLimited];
    return {
        schema: REPORT_SCHEMA,
        generatedAt: ctx.generatedAt,
        testType: ctx.testType,
        workload: ctx.workload,
        targetUrl: ctx.targetUrl,
        k6: {
            summaryFormat: summary.format,
            version: summary.k6Version,
            durationSeconds: summary.durationMs === undefined ? undefined : Math.round(summary.durationMs) / 1000,
        },
        passed: summary.passed,
        slo: sloRows(summary, ctx),
        thresholds: thresholdRows(summary),
        endpoints: endpointRows(summary),
        checks: summary.checks,
        rateLimited:
            limited === undefined ? undefined : { count: limited.values.passes ?? 0, rate: limited.values.rate ?? 0 },
        capacity: capacityOf(summary, ctx),
        metrics: summary.metrics,
    };
}

export function renderJsonReport(report: Report): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

export interface ReportPaths {
    readonly html: string;
    readonly json: string;
    readonly raw: string;
    /** capacity.json (TEST=capacity only). */
    readonly capacity: string;
}

/** File names handleSummary writes, inside `reportDir` or, without one, prefixed in the working directory. */
export function reportPaths(testType: TestType, reportDir: string | undefined): ReportPaths {
    const prefix = reportDir === undefined ? `k6-${testType}-` : `${reportDir}/`;
    return {
        html: `${prefix}report.html`,
        json: `${prefix}summary.json`,
        raw: `${prefix}k6-summary.json`,
        capacity: `${prefix}capacity.json`,
    };
}

/**
 * What handleSummary returns: the text summary on stdout, the HTML and JSON reports,
 * and k6's own summary object untouched. A summary this module cannot read still
 * gets saved raw, with one line on stdout saying why there is no report.
 */
export function summaryOutputs(data: unknown, ctx: RunContext, reportDir: string | undefined): Record<string, string> {
    const paths = reportPaths(ctx.testType, reportDir);
    const raw = `${JSON.stringify(data, null, 2)}\n`;
    let report: Report;
    try {
        report = buildReport(data, ctx);
    } catch (error) {
        return {
            stdout: `\nNo report: ${(error as Error).message}. k6's summary is in ${paths.raw}\n`,
            [paths.raw]: raw,
        };
    }
    return {
        stdout: renderTextReport(report, paths),
        [paths.html]: renderHtmlReport(report),
        [paths.json]: renderJsonReport(report),
        [paths.raw]: raw,
        ...(report.capacity === undefined ? {} : { [paths.capacity]: renderCapacityJson(report.capacity) }),
    };
}
