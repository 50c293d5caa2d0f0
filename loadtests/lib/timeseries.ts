/**
 * Latency, throughput and errors over time, from k6's own JSON output (`k6 run --out
 * json=<file>`): one JSON document per line, `{"type":"Point","metric":<name>,"data":
 * {"time":<RFC 3339>,"value":<n>,"tags":{...}}}` for every sample and `{"type":"Metric",...}`
 * once per metric (grafana/k6 internal/output/json). handleSummary only gets end-of-run
 * aggregates, so scripts/load-test.sh asks k6 for this stream and loadtests/cli/timeseries.ts
 * folds it into the report after k6 exits.
 *
 * Memory stays bounded whatever the run's length: samples go into time buckets that hold a
 * log-bucketed latency histogram (percentiles within HISTOGRAM_ERROR, DDSketch-style) and
 * counters, never the samples themselves; when the run outgrows MAX_BUCKETS the buckets are
 * merged into the next coarser width (1 s, 5 s, 10 s, 30 s, 1 min, ...).
 *
 * Pure (no Node or k6 APIs): the CLI streams the file, this module does the arithmetic and the SVG.
 * k6 never loads it: the post-processing runs in Node after k6 exits.
 */
import { SLO } from "../../policies/slo.ts";
import { formatMsTick } from "./format.ts";
import { TIMESERIES_MARKERS } from "./report-html.ts";
import { escapeXml, lineChart, timeTicks, type ChartSeries } from "./svg-chart.ts";

/** Bucket widths, each a multiple of the one before, so buckets merge exactly. */
export const BUCKET_WIDTHS_SECONDS: readonly number[] = Object.freeze([1, 5, 10, 30, 60, 300, 600, 1800, 3600]);
/** At most this many buckets: 1 s buckets up to ~6.5 min, 10 s up to ~65 min, 1 min up to ~6.5 h. */
export const MAX_BUCKETS = 400;
/** Relative error of the latency percentiles. */
export const HISTOGRAM_ERROR = 0.01;

/** The metrics read from the stream; every other line is skipped before it is parsed. */
export const TIMESERIES_METRICS = Object.freeze({
    requests: "http_reqs",
    duration: "http_req_duration",
    failed: "http_req_failed",
    dropped: "dropped_iterations",
});
const WANTED: readonly string[] = Object.values(TIMESERIES_METRICS);
const WANTED_NEEDLES = WANTED.map((m) => `"metric":"${m}"`);

export interface K6Point {
    readonly metric: string;
    /** Epoch milliseconds. */
    readonly time: number;
    readonly value: number;
    readonly tags: Readonly<Record<string, string>> | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 3339 with up to nanoseconds (Go's time.Time), to epoch milliseconds. */
export function parseK6Time(text: string): number {
    // Date.parse reads milliseconds; Go writes up to 9 fraction digits.
    return Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
}

/**
 * A sample line of a wanted metric, or undefined for anything else (other metrics, `Metric`
 * declarations, blank lines). Throws on a wanted line that is not valid k6 output.
 */
export function parseK6Line(line: string): K6Point | undefined {
    if (!line.includes('"Point"') || !WANTED_NEEDLES.some((n) => line.includes(n))) return undefined;
    const doc: unknown = JSON.parse(line);
    if (!isRecord(doc) || doc.type !== "Point" || typeof doc.metric !== "string") return undefined;
    if (!WANTED.includes(doc.metric)) return undefined;
    const data = doc.data;
    if (!isRecord(data) || typeof data.time !== "string" || typeof data.value !== "number") {
        throw new SyntaxError(`a ${doc.metric} point without data.time and a numeric data.value`);
    }
    const time = parseK6Time(data.time);
    if (!Number.isFinite(time)) throw new SyntaxError(`a ${doc.metric} point with an unreadable time ${data.time}`);
    const tags = isRecord(data.tags)
        ? (Object.fromEntries(Object.entries(data.tags).filter(([, v]) => typeof v === "string")) as Record<
              string,
              string
          >)
        : null;
    return { metric: doc.metric, time, value: data.value, tags };
}

/** Log-bucketed histogram: bin i holds values in (g^(i-1), g^i], g = (1+e)/(1-e). */
export class LogHistogram {
    private static readonly gamma = (1 + HISTOGRAM_ERROR) / (1 - HISTOGRAM_ERROR);
    private static readonly logGamma = Math.log(LogHistogram.gamma);
    readonly bins = new Map<number, number>();
    zeros = 0;
    count = 0;

    add(value: number): void {
        this.count += 1;
        if (!(value > 0)) {
            this.zeros += 1;
            return;
        }
        const bin = Math.ceil(Math.log(value) / LogHistogram.logGamma);
        this.bins.set(bin, (this.bins.get(bin) ?? 0) + 1);
    }

    merge(other: LogHistogram): void {
        this.count += other.count;
        this.zeros += other.zeros;
        for (const [bin, n] of other.bins) this.bins.set(bin, (this.bins.get(bin) ?? 0) + n);
    }

    /** The q-quantile (0..1) within HISTOGRAM_ERROR, or undefined when empty. */
    quantile(q: number): number | undefined {
        if (this.count === 0) return undefined;
        // Nearest rank, as k6's percentiles of small samples.
        const rank = Math.max(1, Math.ceil(q * this.count));
        if (rank <= this.zeros) return 0;
        let seen = this.zeros;
        for (const bin of [...this.bins.keys()].sort((a, b) => a - b)) {
            seen += this.bins.get(bin) as number;
            if (seen >= rank) return (2 * LogHistogram.gamma ** bin) / (LogHistogram.gamma + 1);
        }
        return undefined; // not reached: the bins hold count - zeros values
    }
}

class Bucket {
    requests = 0;
    failed = 0;
    failedTotal = 0;
    dropped = 0;
    readonly latency = new LogHistogram();
    readonly byEndpoint = new Map<string, LogHistogram>();

    merge(other: Bucket): void {
        this.requests += other.requests;
        this.failed += other.failed;
        this.failedTotal += other.failedTotal;
        this.dropped += other.dropped;
        this.latency.merge(other.latency);
        for (const [endpoint, h] of other.byEndpoint) {
            const mine = this.byEndpoint.get(endpoint);
            if (mine === undefined) this.byEndpoint.set(endpoint, h);
            else mine.merge(h);
        }
    }
}

export interface TimeSeriesPoint {
    /** Seconds from the first sample to the start of the bucket. */
    readonly t: number;
    /** Seconds of the run the bucket covers (less than the width at the end of the run). */
    readonly seconds: number;
    readonly requests: number;
    /** Requests per second. */
    readonly rps: number;
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
    /** Share of failed requests (http_req_failed), 0..1. */
    readonly errorRate: number | null;
    readonly droppedIterations: number;
    /** p95 per `endpoint` tag. */
    readonly endpointP95Ms: Readonly<Record<string, number>>;
}

export interface TimeSeries {
    /** ISO time of the first sample. */
    readonly start: string;
    readonly widthSeconds: number;
    readonly points: readonly TimeSeriesPoint[];
    /** Endpoint tags seen on requests (setup requests left out). */
    readonly endpoints: readonly string[];
    /** Samples folded in. */
    readonly samples: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export class TimeSeriesBuilder {
    private widthIndex = 0;
    private buckets = new Map<number, Bucket>();
    private origin: number | undefined;
    private first = Infinity;
    private last = -Infinity;
    private samples = 0;

    constructor(private readonly maxBuckets = MAX_BUCKETS) {
        if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new RangeError("maxBuckets must be >= 2");
    }

    get widthSeconds(): number {
        return BUCKET_WIDTHS_SECONDS[this.widthIndex];
    }

    get bucketCount(): number {
        return this.buckets.size;
    }

    add(point: K6Point): void {
        this.origin ??= point.time;
        this.first = Math.min(this.first, point.time);
        this.last = Math.max(this.last, point.time);
        this.samples += 1;
        const bucket = this.bucketAt(point.time);
        switch (point.metric) {
            case TIMESERIES_METRICS.requests:
                bucket.requests += point.value;
                break;
            case TIMESERIES_METRICS.failed:
                bucket.failedTotal += 1;
                if (point.value !== 0) bucket.failed += 1;
                break;
            case TIMESERIES_METRICS.dropped:
                bucket.dropped += point.value;
                break;
            case TIMESERIES_METRICS.duration: {
                bucket.latency.add(point.value);
                const endpoint = point.tags?.endpoint;
                if (endpoint !== undefined && endpoint !== "setup") {
                    let h = bucket.byEndpoint.get(endpoint);
                    if (h === undefined) bucket.byEndpoint.set(endpoint, (h = new LogHistogram()));
                    h.add(point.value);
                }
                break;
            }
        }
    }

    private keyOf(time: number): number {
        return Math.floor((time - (this.origin as number)) / (this.widthSeconds * 1000));
    }

    private bucketAt(time: number): Bucket {
        let key = this.keyOf(time);
        let bucket = this.buckets.get(key);
        if (bucket !== undefined) return bucket;
        while (this.spanWith(key) > this.maxBuckets && this.widthIndex < BUCKET_WIDTHS_SECONDS.length - 1) {
            this.coarsen();
            key = this.keyOf(time);
        }
        bucket = this.buckets.get(key);
        if (bucket === undefined) this.buckets.set(key, (bucket = new Bucket()));
        return bucket;
    }

    /** Buckets from the first to the last key if `key` were added. */
    private spanWith(key: number): number {
        let min = key;
        let max = key;
        for (const k of this.buckets.keys()) {
            if (k < min) min = k;
            if (k > max) max = k;
        }
        return max - min + 1;
    }

    private coarsen(): void {
        const from = this.widthSeconds;
        this.widthIndex += 1;
        const factor = this.widthSeconds / from;
        const merged = new Map<number, Bucket>();
        for (const [key, bucket] of this.buckets) {
            const k = Math.floor(key / factor);
            const target = merged.get(k);
            if (target === undefined) merged.set(k, bucket);
            else target.merge(bucket);
        }
        this.buckets = merged;
    }

    finish(): TimeSeries | undefined {
        if (this.origin === undefined) return undefined;
        const origin = this.origin;
        const widthMs = this.widthSeconds * 1000;
        const keys = [...this.buckets.keys()].sort((a, b) => a - b);
        const endpoints = new Set<string>();
        const points = keys.map((key) => {
            const b = this.buckets.get(key) as Bucket;
            const start = origin + key * widthMs;
            const covered = Math.min(start + widthMs, this.last) - Math.max(start, this.first);
            // A trailing sliver of a bucket must not turn three requests into a spike.
            const seconds = Math.max(covered / 1000, Math.min(this.widthSeconds, 1));
            const endpointP95Ms: Record<string, number> = {};
            for (const [endpoint, h] of [...b.byEndpoint].sort(([a], [c]) => a.localeCompare(c))) {
                endpoints.add(endpoint);
                endpointP95Ms[endpoint] = round(h.quantile(0.95) as number);
            }
            const p50 = b.latency.quantile(0.5);
            const p95 = b.latency.quantile(0.95);
            return {
                t: round((start - origin) / 1000, 3),
                seconds: round(seconds, 3),
                requests: b.requests,
                rps: round(b.requests / seconds),
                p50Ms: p50 === undefined ? null : round(p50),
                p95Ms: p95 === undefined ? null : round(p95),
                errorRate: b.failedTotal === 0 ? null : round(b.failed / b.failedTotal, 6),
                droppedIterations: b.dropped,
                endpointP95Ms,
            };
        });
        return {
            start: new Date(origin).toISOString(),
            widthSeconds: this.widthSeconds,
            points,
            endpoints: [...endpoints].sort(),
            samples: this.samples,
        };
    }
}

/** `0:45`, `12:05`, `1:02:03` for seconds since the start. */
export function formatElapsed(seconds: number): string {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const ENDPOINT_COLORS = ["#8250df", "#bf8700", "#0969da", "#1a7f37", "#bc4c00", "#57606a"];

/** The "Over time" section: p95 latency, throughput and error rate charts with the SLO lines. */
export function renderTimeSeriesSection(ts: TimeSeries): string {
    const x = (p: TimeSeriesPoint) => p.t;
    const width = `${ts.widthSeconds} s`;
    const latencySeries: ChartSeries[] = [
        { name: "p95, all requests", color: "#1f2328", width: 2.5, points: ts.points.map((p) => [x(p), p.p95Ms]) },
        ...ts.endpoints.map((e, i) => ({
            name: `p95 ${e}`,
            color: ENDPOINT_COLORS[i % ENDPOINT_COLORS.length],
            width: 1.25,
            points: ts.points.map((p): [number, number | null] => [x(p), p.endpointP95Ms[e] ?? null]),
        })),
    ];
    const maxRps = Math.max(0, ...ts.points.map((p) => p.rps));
    // The SLO peak is drawn when it is within reach of the run; on a smoke run it would flatten the chart.
    const peakInScale = maxRps >= SLO.peakRequestsPerSecond / 2;
    const anyDropped = ts.points.some((p) => p.droppedIterations > 0);
    const throughputSeries: ChartSeries[] = [
        { name: "requests/s", color: "#0969da", points: ts.points.map((p) => [x(p), p.rps]) },
        ...(anyDropped
            ? [
                  {
                      name: "dropped iterations/s",
                      color: "#cf222e",
                      points: ts.points.map((p): [number, number | null] => [x(p), p.droppedIterations / p.seconds]),
                  },
              ]
            : []),
    ];
    const common = { xLabel: "time since start", formatX: formatElapsed, xTicks: timeTicks };
    const charts = [
        lineChart({
            ...common,
            title: `p95 latency per ${width}`,
            yLabel: "p95 latency",
            formatY: formatMsTick,
            series: latencySeries,
            references: [{ value: SLO.latencyP95Ms, label: `SLO p95 < ${SLO.latencyP95Ms} ms` }],
        }),
        lineChart({
            ...common,
            title: `Throughput per ${width}`,
            yLabel: "requests/s",
            formatY: (y) => String(y),
            series: throughputSeries,
            references: peakInScale
                ? [{ value: SLO.peakRequestsPerSecond, label: `SLO peak ${SLO.peakRequestsPerSecond} req/s` }]
                : [],
        }),
        lineChart({
            ...common,
            title: `Failed requests per ${width}`,
            yLabel: "failed requests",
            formatY: (y) => `${Math.round(y * 1000) / 10}%`,
            series: [{ name: "failed share", color: "#cf222e", points: ts.points.map((p) => [x(p), p.errorRate]) }],
            references: [{ value: SLO.errorRate, label: `SLO < ${SLO.errorRate * 100}%` }],
        }),
    ];
    const notes = [
        `From k6's JSON output: ${ts.samples} samples from ${escapeXml(ts.start)} in ${ts.points.length} ` +
            `buckets of ${width}; percentiles within ${HISTOGRAM_ERROR * 100}%.`,
        ...(peakInScale
            ? []
            : [`The SLO peak of ${SLO.peakRequestsPerSecond} req/s is off this run's scale (max ${maxRps} req/s).`]),
    ];
    return `<h2>Over time</h2>\n<p class="meta">${notes.join(" ")}</p>\n${charts.join("\n")}`;
}

/** report.html with its time-series section replaced; throws when the report has no such section. */
export function injectTimeSeries(html: string, section: string): string {
    const start = html.indexOf(TIMESERIES_MARKERS.start);
    const end = html.indexOf(TIMESERIES_MARKERS.end);
    if (start < 0 || end < start) throw new RangeError("the report has no time-series section to fill");
    return html.slice(0, start + TIMESERIES_MARKERS.start.length) + `\n${section}\n` + html.slice(end);
}
