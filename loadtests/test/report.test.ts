import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo.ts";
import { escapeHtml, renderHtmlReport } from "../lib/report-html.ts";
import { buildReport, REPORT_SCHEMA, reportPaths, summaryOutputs, type RunContext } from "../lib/report.ts";
import { normalizeSummary, parseMetricName, SummaryShapeError, thresholdActual } from "../lib/summary.ts";
import { buildThresholds } from "../lib/thresholds.ts";
import { ENDPOINTS } from "../lib/types.ts";

const fixture = (name: string): unknown =>
    JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const DOCS = fixture("k6-docs-custom-summary.json");
const MACHINE = fixture("k6-summary-machine-readable-v1.json");

const CONTEXT: RunContext = {
    testType: "throughput",
    workload: "mixed",
    targetUrl: "https://d111111abcdef8.cloudfront.net",
    holdSeconds: 60,
    rate: SLO.peakRequestsPerSecond,
    generatedAt: "2025-06-01T12:00:00.000Z",
};

/**
 * A handleSummary object the way k6 builds it for our throughput script: the threshold
 * keys come from buildThresholds(), so sub-metric names match what k6 would create.
 */
function credlinkSummary(options: { signP95?: number; limited?: number; dropped?: number } = {}) {
    const { signP95 = 180, limited = 0, dropped = 0 } = options;
    const p95: Record<string, number> = { health: 12, sign: signP95, verify: 95, proofs: 25, "": 120 };
    const metrics: Record<string, unknown> = {};
    const trend = (p: number, count: number) => ({
        avg: p / 2,
        min: 1,
        med: p / 2,
        max: p * 2,
        "p(90)": p * 0.9,
        "p(95)": p,
        "p(99)": p * 1.2,
        count,
    });
    for (const [key, exprs] of Object.entries(buildThresholds("throughput", ENDPOINTS))) {
        const { base, tags } = parseMetricName(key);
        const scenario = tags.scenario ?? "";
        const thresholds = Object.fromEntries(
            exprs.map((e) => {
                const expression = typeof e === "string" ? e : e.threshold;
                const ok =
                    base === "http_req_duration"
                        ? p95[scenario] < SLO.latencyP95Ms
                        : base === "dropped_iterations"
                          ? dropped === 0
                          : true;
                return [expression, { ok }];
            }),
        );
        const values =
            base === "http_req_duration"
                ? trend(p95[scenario], scenario === "" ? 60_000 : 15_000)
                : base === "dropped_iterations"
                  ? { count: dropped, rate: dropped / 60 }
                  : base === "http_req_failed"
                    ? { rate: 0.001, passes: 60, fails: 59_940 }
                    : { rate: 0.999, passes: 179_820, fails: 180 };
        metrics[key] = {
            type: base === "http_req_duration" ? "trend" : base === "dropped_iterations" ? "counter" : "rate",
            contains: base === "http_req_duration" ? "time" : "default",
            values,
            thresholds,
        };
    }
    metrics.iterations = { type: "counter", contains: "default", values: { count: 59_940, rate: 990 } };
    metrics.http_reqs = { type: "counter", contains: "default", values: { count: 60_002, rate: 991 } };
    metrics.data_received = { type: "counter", contains: "data", values: { count: 25_000_000, rate: 416_000 } };
    metrics.rate_limited = {
        type: "rate",
        contains: "default",
        values: { rate: limited / 60_000, passes: limited, fails: 60_000 - limited },
    };
    metrics.cdn_cache_hit = { type: "rate", contains: "default", values: { rate: 0.97, passes: 29_100, fails: 900 } };
    return {
        root_group: {
            name: "",
            path: "",
            id: "d41d8cd98f00b204e9800998ecf8427e",
            groups: [],
            checks: [
                { name: "sign: status 200", path: "::sign: status 200", id: "a", passes: 6000, fails: 0 },
                {
                    name: "verify: valid and confidence",
                    path: "::verify: valid and confidence",
                    id: "b",
                    passes: 23_300,
                    fails: 100,
                },
            ],
        },
        options: {
            summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"],
            summaryTimeUnit: "",
            noColor: false,
        },
        state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 61_234.5 },
        metrics,
        setup_data: { proofId: "0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b" },
    };
}

describe("normalizeSummary", () => {
    it("reads the handleSummary shape of the k6 docs' example", () => {
        const s = normalizeSummary(DOCS);
        expect(s.format).toBe("handle-summary");
        expect(s.durationMs).toBe(30898.965069);
        expect(s.passed).toBe(false);
        expect(Object.keys(s.metrics)).toEqual([
            "http_reqs",
            "vus",
            "http_req_duration",
            "http_req_duration{staticAsset:yes}",
        ]);
        expect(s.metrics["http_req_duration{staticAsset:yes}"]).toMatchObject({
            base: "http_req_duration",
            tags: { staticAsset: "yes" },
            type: "trend",
            contains: "time",
            thresholds: [{ expression: "p(99)<250", ok: false }],
        });
        expect(s.checks).toEqual([{ name: "check name", group: "", passes: 10, fails: 0 }]);
    });

    it("reads the machine-readable summary v1 example", () => {
        const s = normalizeSummary(MACHINE);
        expect(s.format).toBe("machine-readable-v1");
        expect(s.k6Version).toBe("1.1.0");
        expect(s.durationMs).toBe(60_000);
        expect(s.passed).toBe(true);
        expect(s.metrics.http_req_duration.values["p(95)"]).toBe(421.32);
        expect(s.metrics.checks_succeeded.values.rate).toBe(0.95);
        expect(s.checks).toEqual([
            { name: "status is 200", group: "", passes: 1470, fails: 30 },
            { name: "response time < 500ms", group: "", passes: 1380, fails: 120 },
        ]);
        expect(Object.values(s.metrics).every((m) => m.thresholds.length === 0)).toBe(true);
    });

    it("also walks nested groups and the object-keyed form of the old summary export", () => {
        const s = normalizeSummary({
            metrics: {},
            root_group: {
                path: "",
                checks: {},
                groups: { setup: { path: "::setup", checks: { ok: { name: "ok", passes: 1, fails: 2 } }, groups: [] } },
            },
        });
        expect(s.checks).toEqual([{ name: "ok", group: "::setup", passes: 1, fails: 2 }]);
        expect(s.passed).toBeUndefined();
    });

    it("rejects what k6 never produces, in one line", () => {
        expect(() => normalizeSummary({ data: [] })).toThrow(
            new SummaryShapeError(
                "unrecognised k6 summary: expected `metrics` (handleSummary data) or " +
                    "`results.metrics` (machine-readable summary v1)",
            ),
        );
        expect(() => normalizeSummary(null)).toThrow(SummaryShapeError);
        expect(() => normalizeSummary({ metrics: { x: { values: {} } } })).toThrow(
            "k6 summary metric x has no valid type (counter, gauge, rate or trend)",
        );
    });

    it("finds the statistic a threshold tests", () => {
        const m = normalizeSummary(MACHINE).metrics;
        expect(thresholdActual(m.http_req_duration, "p(95)<500")).toEqual({ stat: "p(95)", value: 421.32 });
        expect(thresholdActual(m.http_req_failed, "rate<0.05")).toEqual({ stat: "rate", value: 0.02 });
        expect(thresholdActual(m.http_reqs, "count==0")).toEqual({ stat: "count", value: 1500 });
        expect(thresholdActual(m.http_req_duration, "p(99.9) < 800")).toEqual({ stat: "p(99.9)", value: undefined });
        expect(thresholdActual(m.http_req_duration, "nonsense")).toBeUndefined();
    });
});

describe("buildReport", () => {
    it("judges the docs example against the SLOs, with n/a where k6 gave no number", () => {
        const r = buildReport(DOCS, CONTEXT);
        expect(r.schema).toBe(REPORT_SCHEMA);
        expect(r.passed).toBe(false);
        expect(r.thresholds).toEqual([
            { metric: "http_req_duration", expression: "p(95)<500", actual: "p(95)=n/a", ok: false },
            { metric: "http_req_duration{staticAsset:yes}", expression: "p(99)<250", actual: "p(99)=n/a", ok: false },
        ]);
        expect(r.slo[0]).toEqual({ objective: "Latency p95", target: "< 500 ms", actual: "n/a", ok: undefined });
        expect(r.k6.durationSeconds).toBe(30.899);
    });

    it("judges the machine-readable example: latency and errors within SLO, checks below it", () => {
        const r = buildReport(MACHINE, { ...CONTEXT, testType: "load" });
        expect(r.slo).toEqual([
            { objective: "Latency p95", target: "< 500 ms", actual: "421.32ms", ok: true },
            { objective: "Failed requests", target: "< 5.00%", actual: "2.00%", ok: true },
            { objective: "Checks passing", target: "> 99.00%", actual: "95.00%", ok: false },
        ]);
        expect(r.passed).toBe(true);
        expect(r.thresholds).toEqual([]);
    });

    it("reports every endpoint, 429s and the offered throughput of a CredLink run", () => {
        const r = buildReport(credlinkSummary({ signP95: 612, limited: 42, dropped: 3 }), CONTEXT);
        expect(r.passed).toBe(false);
        expect(r.endpoints.map((e) => [e.endpoint, e.requests, e.p95Ms, e.failedRate, e.checksRate])).toEqual([
            ["health", 15_000, 12, 0.001, 0.999],
            ["sign", 15_000, 612, 0.001, 0.999],
            ["verify", 15_000, 95, 0.001, 0.999],
            ["proofs", 15_000, 25, 0.001, 0.999],
        ]);
        expect(r.rateLimited).toEqual({ count: 42, rate: 42 / 60_000 });
        expect(r.slo.find((s) => s.objective === "Offered throughput")).toEqual({
            objective: "Offered throughput",
            target: "1000 req/s, 0 dropped (SLO peak 1000 req/s)",
            actual: "999.0 req/s, 3 dropped",
            ok: false,
        });
        expect(r.slo.find((s) => s.objective === "CDN cache hits (proofs)")).toMatchObject({
            actual: "97.00%",
            ok: true,
        });
        const failed = r.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression} ${t.actual}`);
        expect(failed).toEqual([
            "http_req_duration{scenario:sign} p(95)<500 p(95)=612.00ms",
            "dropped_iterations count==0 count=3",
        ]);
    });

    it("does not claim the SLO's peak from a run offered less than it", () => {
        const r = buildReport(credlinkSummary(), { ...CONTEXT, rate: 200 });
        expect(r.slo.find((s) => s.objective === "Offered throughput")?.ok).toBeUndefined();
        expect(buildReport(credlinkSummary(), CONTEXT).slo.find((s) => s.objective === "Offered throughput")?.ok).toBe(
            true,
        );
    });
});

describe("HTML report", () => {
    const html = renderHtmlReport(
        buildReport(credlinkSummary({ signP95: 612, limited: 42 }), {
            ...CONTEXT,
            targetUrl: "https://x.example/<script>",
        }),
    );

    it("is self-contained: no script, no external resource", () => {
        expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toMatch(/\s(src|href)\s*=/i);
        expect(html).not.toMatch(/@import|url\(/i);
        expect(html).toContain("<style>");
    });

    it("escapes what comes from the environment", () => {
        expect(html).toContain("https://x.example/&lt;script&gt;");
        expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    });

    it("marks the failed threshold, the verdict and the 429s", () => {
        expect(html).toContain('<span class="verdict fail">failed</span>');
        expect(html).toContain(
            '<tr class="fail"><td>✗</td><td>http_req_duration{scenario:sign}</td>' +
                "<td>p(95)&lt;500</td><td>p(95)=612.00ms</td></tr>",
        );
        expect(html).toMatch(/<tr class="pass"><td>✓<\/td><td>http_req_duration\{scenario:proofs\}<\/td>/);
        expect(html).toContain("42 responses were HTTP 429");
        // The latency chart draws sign over the SLO line in red.
        expect(html).toContain('fill="#cf222e"');
        expect(html).toContain(`SLO ${SLO.latencyP95Ms} ms`);
    });

    it("renders both fixture shapes", () => {
        const docs = renderHtmlReport(buildReport(DOCS, CONTEXT));
        expect(docs).toContain("http_req_duration{staticAsset:yes}");
        expect(docs).toContain('<span class="verdict fail">failed</span>');
        const machine = renderHtmlReport(buildReport(MACHINE, CONTEXT));
        expect(machine).toContain('<span class="verdict pass">passed</span>');
        expect(machine).toContain("carries no per-threshold results");
        expect(machine).toContain("(k6 1.1.0)");
    });
});

describe("summaryOutputs (what handleSummary returns)", () => {
    it("writes text to stdout and the reports into REPORT_DIR", () => {
        const out = summaryOutputs(credlinkSummary(), CONTEXT, "reports/20250601T120000Z-throughput");
        expect(Object.keys(out).sort()).toEqual([
            "reports/20250601T120000Z-throughput/k6-summary.json",
            "reports/20250601T120000Z-throughput/report.html",
            "reports/20250601T120000Z-throughput/summary.json",
            "stdout",
        ]);
        const report: unknown = JSON.parse(out["reports/20250601T120000Z-throughput/summary.json"]);
        expect(report).toMatchObject({ schema: REPORT_SCHEMA, testType: "throughput", passed: true });
        expect(JSON.parse(out["reports/20250601T120000Z-throughput/k6-summary.json"])).toEqual(credlinkSummary());
    });

    it("prints verdict, SLOs, failed thresholds and endpoints on stdout", () => {
        const text = summaryOutputs(credlinkSummary({ signP95: 612, limited: 42 }), CONTEXT, undefined).stdout;
        expect(text).toContain(
            "CredLink throughput test, mixed workload, against https://d111111abcdef8.cloudfront.net",
        );
        expect(text).toContain("Result: FAILED (k6 exits 99) after 61.2s");
        expect(text).toMatch(/✗ +http_req_duration\{scenario:sign\} +p\(95\)<500 +p\(95\)=612\.00ms/);
        expect(text).toMatch(/sign +15000 +612\.00ms +0\.10% +99\.90%/);
        expect(text).toContain("data_received       25.0 MB (416.0 kB/s)");
        expect(text).toContain("RATE LIMITED: 42 responses were HTTP 429");
        expect(text).toContain(
            "Reports: k6-throughput-report.html, k6-throughput-summary.json, k6-throughput-k6-summary.json",
        );
    });

    it("names files after the test type without REPORT_DIR", () => {
        expect(reportPaths("smoke", undefined)).toEqual({
            html: "k6-smoke-report.html",
            json: "k6-smoke-summary.json",
            raw: "k6-smoke-k6-summary.json",
            capacity: "k6-smoke-capacity.json",
        });
    });

    it("keeps k6's summary when it cannot read it", () => {
        const out = summaryOutputs({ surprise: true }, CONTEXT, "r");
        expect(Object.keys(out).sort()).toEqual(["r/k6-summary.json", "stdout"]);
        expect(out.stdout).toContain("No report: unrecognised k6 summary");
    });
});
