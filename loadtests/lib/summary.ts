/**
 * Reads the end-of-test summary k6 hands to `handleSummary(data)`, in either shape
 * current k6 produces, into one normalised form the reports render:
 *
 * - **handle-summary** (the default of k6 v0.30 .. v2.x; built by `summarizeMetricsToObject`
 *   in grafana/k6 internal/js/summary.go): `metrics` is a map keyed by metric or
 *   sub-metric name (`http_req_duration{scenario:sign}`) of
 *   `{ type, contains, values, thresholds?: { "<expr>": { ok } } }`, checks sit in the
 *   nested `root_group` (`groups`/`checks` arrays), the duration in `state.testRunDurationMs`.
 * - **machine-readable-v1** (opt-in since k6 v1.5 with `--new-machine-readable-summary` /
 *   `K6_NEW_MACHINE_READABLE_SUMMARY=true`; JSON Schema in grafana/k6-summary):
 *   `{ version, metadata, config: { duration (s) }, results: { passed, metrics: [...],
 *   checks: { metrics, results } } }`. It carries no per-threshold results, only `passed`.
 *
 * Anything else is rejected with one line instead of rendering an empty report.
 */

export type MetricType = "counter" | "gauge" | "rate" | "trend";

export interface ThresholdResult {
    readonly expression: string;
    readonly ok: boolean;
}

export interface SummaryMetric {
    /** Full name, with the sub-metric selector if any: `http_req_duration{scenario:sign}`. */
    readonly name: string;
    /** Metric without the selector: `http_req_duration`. */
    readonly base: string;
    /** Selector tags: `{ scenario: "sign" }`. */
    readonly tags: Readonly<Record<string, string>>;
    readonly type: MetricType;
    /** "time" (milliseconds), "data" (bytes) or "default". */
    readonly contains: string;
    readonly values: Readonly<Record<string, number>>;
    readonly thresholds: readonly ThresholdResult[];
}

export interface CheckResult {
    readonly name: string;
    /** Group path, e.g. `::setup` (handle-summary shape only). */
    readonly group: string;
    readonly passes: number;
    readonly fails: number;
}

export interface NormalizedSummary {
    readonly format: "handle-summary" | "machine-readable-v1";
    readonly k6Version: string | undefined;
    readonly durationMs: number | undefined;
    /** Did every threshold pass? Undefined when the summary cannot tell. */
    readonly passed: boolean | undefined;
    readonly metrics: Readonly<Record<string, SummaryMetric>>;
    readonly checks: readonly CheckResult[];
}

export class SummaryShapeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SummaryShapeError";
    }
}

const METRIC_TYPES: readonly string[] = ["counter", "gauge", "rate", "trend"];

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `http_req_duration{scenario:sign,expected_response:true}` -> base + tags. */
export function parseMetricName(name: string): { base: string; tags: Record<string, string> } {
    const open = name.indexOf("{");
    if (open < 0 || !name.endsWith("}")) return { base: name, tags: {} };
    const tags: Record<string, string> = {};
    for (const pair of name.slice(open + 1, -1).split(",")) {
        const colon = pair.indexOf(":");
        if (colon > 0) tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
    }
    return { base: name.slice(0, open), tags };
}

function numericValues(raw: unknown): Record<string, number> {
    const values: Record<string, number> = {};
    if (isRecord(raw))
        for (const [k, v] of Object.entries(raw)) if (typeof v === "number" && Number.isFinite(v)) values[k] = v;
    return values;
}

function toMetric(name: string, raw: Record<string, unknown>): SummaryMetric {
    const type = typeof raw.type === "string" && METRIC_TYPES.includes(raw.type) ? (raw.type as MetricType) : undefined;
    if (type === undefined)
        throw new SummaryShapeError(`k6 summary metric ${name} has no valid type (counter, gauge, rate or trend)`);
    const thresholds: ThresholdResult[] = [];
    if (isRecord(raw.thresholds)) {
        for (const [expression, result] of Object.entries(raw.thresholds)) {
            if (isRecord(result) && typeof result.ok === "boolean") thresholds.push({ expression, ok: result.ok });
        }
    }
    const { base, tags } = parseMetricName(name);
    return {
        name,
        base,
        tags,
        type,
        contains: typeof raw.contains === "string" ? raw.contains : "default",
        values: numericValues(raw.values),
        thresholds,
    };
}

function collectChecks(group: unknown, out: CheckResult[]): void {
    if (!isRecord(group)) return;
    const groupPath = typeof group.path === "string" ? group.path : "";
    // Arrays in what handleSummary receives; objects keyed by name in the old --summary-export file.
    const checks = Array.isArray(group.checks)
        ? group.checks
        : isRecord(group.checks)
          ? Object.values(group.checks)
          : [];
    for (const c of checks) {
        if (isRecord(c) && typeof c.name === "string") {
            out.push({ name: c.name, group: groupPath, passes: Number(c.passes) || 0, fails: Number(c.fails) || 0 });
        }
    }
    const groups = Array.isArray(group.groups)
        ? group.groups
        : isRecord(group.groups)
          ? Object.values(group.groups)
          : [];
    for (const g of groups) collectChecks(g, out);
}

function fromHandleSummary(data: Record<string, unknown>, metricsRaw: Record<string, unknown>): NormalizedSummary {
    const metrics: Record<string, SummaryMetric> = {};
    for (const [name, raw] of Object.entries(metricsRaw)) {
        if (isRecord(raw)) metrics[name] = toMetric(name, raw);
    }
    const checks: CheckResult[] = [];
    collectChecks(data.root_group, checks);
    const all = Object.values(metrics).flatMap((m) => m.thresholds);
    const state = isRecord(data.state) ? data.state : {};
    return {
        format: "handle-summary",
        k6Version: undefined,
        durationMs: typeof state.testRunDurationMs === "number" ? state.testRunDurationMs : undefined,
        passed: all.length === 0 ? undefined : all.every((t) => t.ok),
        metrics,
        checks,
    };
}

function fromMachineReadable(data: Record<string, unknown>, results: Record<string, unknown>): NormalizedSummary {
    const metrics: Record<string, SummaryMetric> = {};
    const add = (raw: unknown) => {
        if (isRecord(raw) && typeof raw.name === "string") metrics[raw.name] = toMetric(raw.name, raw);
    };
    if (Array.isArray(results.metrics)) results.metrics.forEach(add);
    const checksBlock = isRecord(results.checks) ? results.checks : {};
    // The schema has `metrics` as an array and `results` for checks; its published example
    // uses an object and `orderedChecks`.
    const checkMetrics = checksBlock.metrics;
    if (Array.isArray(checkMetrics)) checkMetrics.forEach(add);
    else if (isRecord(checkMetrics)) Object.values(checkMetrics).forEach(add);
    const list = Array.isArray(checksBlock.results)
        ? checksBlock.results
        : Array.isArray(checksBlock.orderedChecks)
          ? checksBlock.orderedChecks
          : [];
    const checks: CheckResult[] = list
        .filter((c): c is Record<string, unknown> => isRecord(c) && typeof c.name === "string")
        .map((c) => ({
            name: c.name as string,
            group: "",
            passes: Number(c.passes) || 0,
            fails: Number(c.fails) || 0,
        }));
    const metadata = isRecord(data.metadata) ? data.metadata : {};
    const config = isRecord(data.config) ? data.config : {};
    return {
        format: "machine-readable-v1",
        // k6 < 1.8 exported these keys in snake_case (grafana/k6#6004).
        k6Version: [metadata.k6Version, metadata.k6_version].find((v): v is string => typeof v === "string"),
        durationMs: typeof config.duration === "number" ? config.duration * 1000 : undefined,
        passed: typeof results.passed === "boolean" ? results.passed : undefined,
        metrics,
        checks,
    };
}

export function normalizeSummary(data: unknown): NormalizedSummary {
    if (isRecord(data) && isRecord(data.metrics)) return fromHandleSummary(data, data.metrics);
    if (isRecord(data) && isRecord(data.results) && Array.isArray(data.results.metrics))
        return fromMachineReadable(data, data.results);
    throw new SummaryShapeError(
        "unrecognised k6 summary: expected `metrics` (handleSummary data) or `results.metrics` " +
            "(machine-readable summary v1)",
    );
}

const THRESHOLD_EXPRESSION = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(?:<=|>=|===|==|!=|<|>)\s*-?\d+(?:\.\d+)?\s*$/;

/** The statistic a threshold expression tests (`p(95)<500` -> `p(95)`) and its value in the summary. */
export function thresholdActual(
    metric: SummaryMetric,
    expression: string,
): { stat: string; value: number | undefined } | undefined {
    const match = THRESHOLD_EXPRESSION.exec(expression);
    if (!match) return undefined;
    const stat = match[1];
    return { stat, value: metric.values[stat] };
}
