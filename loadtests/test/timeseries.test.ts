/**
 * Time series from k6's JSON output: the line parser, the bounded bucketing and its
 * percentiles, the charts, and the post-processor on a fixture written in k6's documented
 * format (test/fixtures/k6-json-output.ndjson), plain and gzipped.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo.ts";
import { addTimeSeries, readK6Metrics, TimeSeriesInputError } from "../cli/timeseries.ts";
import { buildReport, type RunContext } from "../lib/report.ts";
import { renderHtmlReport, TIMESERIES_MARKERS } from "../lib/report-html.ts";
import { formatMsTick } from "../lib/format.ts";
import { lineChart, niceTicks, timeTicks } from "../lib/svg-chart.ts";
import {
    BUCKET_WIDTHS_SECONDS,
    HISTOGRAM_ERROR,
    injectTimeSeries,
    LogHistogram,
    MAX_BUCKETS,
    parseK6Line,
    parseK6Time,
    renderTimeSeriesSection,
    TimeSeriesBuilder,
    type TimeSeries,
} from "../lib/timeseries.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const FIXTURE = new URL("./fixtures/k6-json-output.ndjson", import.meta.url).pathname;
const SUMMARY = JSON.parse(
    readFileSync(new URL("./fixtures/k6-docs-custom-summary.json", import.meta.url), "utf8"),
) as unknown;
const CONTEXT: RunContext = {
    testType: "smoke",
    workload: "mixed",
    targetUrl: "http://127.0.0.1:3000",
    holdSeconds: 30,
    rate: 1000,
    generatedAt: "2025-06-01T10:00:05.000Z",
};

/** Within the histogram's relative error. */
const near = (actual: number | null | undefined, expected: number) => {
    expect(actual).not.toBeNull();
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(expected * HISTOGRAM_ERROR + 1e-9);
};

let work: string;
beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "credlink-timeseries-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("reading k6's JSON output", () => {
    it("parses sample lines of the wanted metrics, in either key order, and skips the rest", () => {
        const lines = readFileSync(FIXTURE, "utf8").split("\n");
        const points = lines.map(parseK6Line).filter((p) => p !== undefined);
        // 13 requests x (http_reqs, http_req_duration, http_req_failed) + 1 dropped iteration.
        expect(points).toHaveLength(40);
        expect(new Set(points.map((p) => p.metric))).toEqual(
            new Set(["http_reqs", "http_req_duration", "http_req_failed", "dropped_iterations"]),
        );
        // Metric declarations, vus and http_req_waiting are skipped; so is a blank line.
        expect(parseK6Line(lines[0])).toBeUndefined();
        expect(parseK6Line(lines[1])).toBeUndefined();
        expect(parseK6Line("")).toBeUndefined();
        const docOrder = lines.find(
            (l) => l.startsWith('{"type":"Point"') && l.includes('"metric":"http_req_duration"'),
        );
        expect(parseK6Line(docOrder as string)).toMatchObject({ metric: "http_req_duration", value: 20 });
        expect(
            parseK6Line(
                '{"metric":"http_reqs","type":"Point","data":{"time":"2025-06-01T10:00:00Z","value":1,"tags":null}}',
            ),
        ).toEqual({
            metric: "http_reqs",
            time: Date.UTC(2025, 5, 1, 10),
            value: 1,
            tags: null,
        });
    });

    it("refuses a wanted line that is not k6 output", () => {
        expect(() => parseK6Line('{"metric":"http_reqs","type":"Point","data":{"time":"soon","value":1}}')).toThrow(
            "unreadable time soon",
        );
        expect(() => parseK6Line('{"metric":"http_reqs","type":"Point","data":{"value":1}}')).toThrow(
            "without data.time",
        );
        expect(() => parseK6Line('{"metric":"http_reqs","type":"Point","data":{"ti')).toThrow(SyntaxError);
    });

    it("reads Go's RFC 3339 times: nanoseconds, trimmed fractions and offsets", () => {
        expect(parseK6Time("2021-02-24T13:37:10.123456789Z")).toBe(Date.UTC(2021, 1, 24, 13, 37, 10, 123));
        expect(parseK6Time("2025-06-01T12:00:00.05+02:00")).toBe(Date.UTC(2025, 5, 1, 10, 0, 0, 50));
        expect(parseK6Time("2025-06-01T12:00:01+02:00")).toBe(Date.UTC(2025, 5, 1, 10, 0, 1));
    });
});

describe("bucketing", () => {
    /** What the fixture holds, second by second from its first request (see the fixture's comment lines). */
    function expectFixtureSeries(ts: TimeSeries | undefined): void {
        expect(ts).toBeDefined();
        const s = ts as TimeSeries;
        expect(s.start).toBe("2025-06-01T10:00:00.050Z");
        expect(s.widthSeconds).toBe(1);
        expect(s.samples).toBe(40);
        expect(s.endpoints).toEqual(["health", "proofs", "sign", "verify"]);
        expect(s.points.map((p) => [p.t, p.requests, p.rps, p.errorRate, p.droppedIterations])).toEqual([
            [0, 6, 6, 0.166667, 0], // two setup requests, then one per endpoint; the proof failed (500)
            [1, 5, 5, 0.2, 0], // the 503 was written after a later sample: order does not matter
            [2, 2, 2, 0, 1], // a partial last bucket counts as at least one second
        ]);
        const [first, second, third] = s.points;
        near(first.p95Ms, 400);
        near(first.p50Ms, 20);
        near(second.p95Ms, 900);
        near(second.p50Ms, 120);
        near(third.p95Ms, 60);
        near(third.p50Ms, 50);
        // Setup requests count in the totals but not as an endpoint.
        expect(Object.keys(first.endpointP95Ms)).toEqual(["health", "proofs", "sign", "verify"]);
        near(first.endpointP95Ms.health, 10);
        near(second.endpointP95Ms.verify, 120);
        expect(third.endpointP95Ms.sign).toBeUndefined();
    }

    it("folds the fixture into one-second buckets of requests, p50/p95, failures and drops", async () => {
        const result = await readK6Metrics(FIXTURE);
        expect(result).toMatchObject({ lines: 61, malformed: 0, truncated: undefined });
        expectFixtureSeries(result.series);
    });

    it("reads the gzip k6 writes for a .gz name the same way, whatever the file is called", async () => {
        const gz = join(work, "metrics.json.gz");
        writeFileSync(gz, gzipSync(readFileSync(FIXTURE)));
        expectFixtureSeries((await readK6Metrics(gz)).series);
        const disguised = join(work, "metrics.json");
        writeFileSync(disguised, gzipSync(readFileSync(FIXTURE)));
        expectFixtureSeries((await readK6Metrics(disguised)).series);
    });

    it("keeps what a killed k6 left: a truncated gzip and a cut last line", async () => {
        const whole = gzipSync(Buffer.concat([readFileSync(FIXTURE), Buffer.from('{"metric":"http_reqs","type":"Po')]));
        const cut = join(work, "cut.json.gz");
        writeFileSync(cut, whole.subarray(0, whole.length - 12));
        const result = await readK6Metrics(cut);
        expect(result.truncated).toBe("unexpected end of file");
        expect(result.series?.points.length).toBeGreaterThan(0);
        const plain = join(work, "cut.json");
        writeFileSync(plain, `${readFileSync(FIXTURE, "utf8")}{"metric":"http_reqs","type":"Point","data":{"ti`);
        const partial = await readK6Metrics(plain);
        expect(partial.malformed).toBe(1);
        expectFixtureSeries(partial.series);
    });

    it("gives percentiles within the histogram's error on skewed data", () => {
        const h = new LogHistogram();
        const values: number[] = [];
        let seed = 42;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        for (let i = 0; i < 20_000; i++) {
            // Log-normal-ish latencies from 1 ms to a few seconds, and some exact zeros.
            const v = i % 500 === 0 ? 0 : Math.exp(random() * 8);
            values.push(v);
            h.add(v);
        }
        values.sort((a, b) => a - b);
        for (const q of [0.5, 0.9, 0.95, 0.99]) near(h.quantile(q), values[Math.ceil(q * values.length) - 1]);
        expect(h.quantile(0.001)).toBe(0);
        expect(new LogHistogram().quantile(0.95)).toBeUndefined();
    });

    it("stays bounded on a long run: coarser buckets, same totals", () => {
        const builder = new TimeSeriesBuilder();
        const start = Date.UTC(2025, 5, 1);
        const hours = 8;
        let requests = 0;
        for (let s = 0; s < hours * 3600; s += 2) {
            const time = start + s * 1000;
            builder.add({ metric: "http_reqs", time, value: 1, tags: null });
            builder.add({ metric: "http_req_duration", time, value: 100 + (s % 7), tags: { endpoint: "verify" } });
            builder.add({ metric: "http_req_failed", time, value: s % 100 === 0 ? 1 : 0, tags: null });
            requests += 1;
            expect(builder.bucketCount).toBeLessThanOrEqual(MAX_BUCKETS);
        }
        const ts = builder.finish() as TimeSeries;
        // 8 h in at most 400 buckets: 1 min buckets would need 480, 5 min ones need 96.
        expect(ts.widthSeconds).toBe(300);
        expect(BUCKET_WIDTHS_SECONDS).toContain(ts.widthSeconds);
        expect(ts.points).toHaveLength(96);
        expect(ts.points.reduce((a, p) => a + p.requests, 0)).toBe(requests);
        near(ts.points[10].rps, 0.5);
        near(ts.points[10].p95Ms, 106);
        expect(ts.points[10].errorRate).toBe(0.02);
    });

    it("has nothing to say about a stream without requests", () => {
        expect(new TimeSeriesBuilder().finish()).toBeUndefined();
    });
});

describe("charts", () => {
    it("pick round ticks", () => {
        expect(niceTicks(0, 500, 4)).toEqual([0, 200, 400]);
        expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
        expect(niceTicks(0, 90, 6)).toEqual([0, 20, 40, 60, 80]);
        // Time axes step in seconds, minutes and hours people read.
        expect(timeTicks(0, 30)).toEqual([0, 5, 10, 15, 20, 25, 30]);
        expect(timeTicks(0, 480)).toEqual([0, 120, 240, 360, 480]);
        expect(timeTicks(0, 8 * 3600)).toEqual([0, 2, 4, 6, 8].map((h) => h * 3600));
        expect([0, 250, 1500, 12_000].map(formatMsTick)).toEqual(["0", "250 ms", "1.5 s", "12 s"]);
    });

    it("break a line at a missing value, draw the reference line inside the scale, escape text", () => {
        const svg = lineChart({
            title: "p95 <latency>",
            xLabel: "t",
            yLabel: "ms",
            formatX: String,
            formatY: String,
            series: [
                {
                    name: "a & b",
                    color: "#000",
                    points: [
                        [0, 1],
                        [1, 2],
                        [2, null],
                        [3, 4],
                        [4, 5],
                    ],
                },
            ],
            references: [{ value: 500, label: "SLO" }],
        });
        expect(svg.match(/<polyline/g)).toHaveLength(2);
        expect(svg).toContain("p95 &lt;latency&gt;");
        expect(svg).toContain("a &amp; b");
        expect(svg).toContain(">SLO</text>");
        expect(svg).not.toContain("<script");
        expect(lineChart({ title: "", xLabel: "", yLabel: "", formatX: String, formatY: String, series: [] })).toBe("");
    });
});

describe("the report's Over time section", () => {
    it("plots p95 latency, throughput and failures against the SLO lines, self-contained", async () => {
        const ts = (await readK6Metrics(FIXTURE)).series as TimeSeries;
        const html = renderTimeSeriesSection(ts);
        expect(html.match(/<svg /g)).toHaveLength(3);
        for (const title of ["p95 latency per 1 s", "Throughput per 1 s", "Failed requests per 1 s"]) {
            expect(html).toContain(`aria-label="${title}"`);
        }
        expect(html).toContain(`SLO p95 &lt; ${SLO.latencyP95Ms} ms`);
        expect(html).toContain(`SLO &lt; ${SLO.errorRate * 100}%`);
        // A smoke run's few requests per second: the 1000 req/s peak would flatten the chart.
        expect(html).toContain(
            `The SLO peak of ${SLO.peakRequestsPerSecond} req/s is off this run's scale (max 6 req/s).`,
        );
        expect(html).toContain("dropped iterations/s");
        expect(html).not.toMatch(/<script|<link|src=|href=/);
        expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toMatch(/https?:\/\//);
    });

    it("replaces the report's placeholder, and its own output on a second run", () => {
        const html = renderHtmlReport(buildReport(SUMMARY, CONTEXT));
        expect(html).toContain("No time series: run through");
        const once = injectTimeSeries(html, "<h2>Over time</h2><p>first</p>");
        const twice = injectTimeSeries(once, "<h2>Over time</h2><p>second</p>");
        expect(once).not.toContain("No time series");
        expect(twice).toContain("<p>second</p>");
        expect(twice).not.toContain("<p>first</p>");
        expect(twice.split(TIMESERIES_MARKERS.start)).toHaveLength(2);
        // The summary tables stay.
        expect(twice).toContain("<h2>Thresholds</h2>");
        expect(() => injectTimeSeries("<html></html>", "x")).toThrow("no time-series section");
    });
});

describe("loadtests/cli/timeseries.ts", () => {
    function reportDir(name: string, metrics?: Buffer): string {
        const dir = join(work, name);
        rmSync(dir, { recursive: true, force: true });
        spawnSync("mkdir", ["-p", dir]);
        writeFileSync(join(dir, "report.html"), renderHtmlReport(buildReport(SUMMARY, CONTEXT)));
        if (metrics !== undefined) writeFileSync(join(dir, "metrics.json.gz"), metrics);
        return dir;
    }

    it("fills report.html and writes timeseries.json", async () => {
        const dir = reportDir("ok", gzipSync(readFileSync(FIXTURE)));
        const charts = (html: string) => html.match(/<svg /g)?.length ?? 0;
        const before = charts(readFileSync(join(dir, "report.html"), "utf8"));
        const { message, warnings } = await addTimeSeries(dir);
        expect(message).toBe(
            `latency, throughput and errors over time (3 buckets of 1 s from 40 samples) added to ${dir}/report.html`,
        );
        expect(warnings).toEqual([]);
        const html = readFileSync(join(dir, "report.html"), "utf8");
        expect(charts(html)).toBe(before + 3);
        expect(html).toContain('aria-label="p95 latency per 1 s"');
        expect(JSON.parse(readFileSync(join(dir, "timeseries.json"), "utf8"))).toMatchObject({
            widthSeconds: 1,
            samples: 40,
        });
    });

    it.each([
        ["a missing directory", () => join(work, "nowhere"), "does not exist: pass a run's report directory"],
        ["no metrics file", () => reportDir("no-metrics"), "no metrics.json.gz or metrics.json in"],
        [
            "metrics without requests",
            () => reportDir("empty", gzipSync('{"type":"Metric","data":{},"metric":"vus"}\n')),
            "has no HTTP request samples (1 lines): nothing to plot",
        ],
    ])("refuses %s in one line", async (_label, dir, message) => {
        const error = await addTimeSeries(dir()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TimeSeriesInputError);
        expect((error as Error).message).toContain(message);
        expect((error as Error).message).not.toContain("\n");
    });

    it("exits 2 with one line on bad input, as a CLI", () => {
        const missing = join(work, "nowhere");
        const run = spawnSync(process.execPath, ["--import", "tsx", "loadtests/cli/timeseries.ts", missing], {
            cwd: ROOT,
            encoding: "utf8",
        });
        expect([run.status, run.stdout, run.stderr]).toEqual([
            2,
            "",
            `timeseries: ${missing} does not exist: pass a run's report directory\n`,
        ]);
    });
});
