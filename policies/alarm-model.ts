/**
 * What a CloudWatch metric alarm watches, read once for every alarm rule: its
 * metrics (top level or in metric queries), the series it compares with its
 * threshold (a metric, or a math expression over other queries), the anomaly
 * band it compares with instead when `thresholdMetricId` is set, and its region.
 *
 * Whatever the pack cannot read comes back as a Finding, never as "nothing to
 * check": the rule that needs it reports it. Optional fields set to empty values
 * ("" / [] / {}) read as not set, so they never switch a check off.
 */
import type { Finding } from "./rule";
import {
    anomalyBandOf,
    evaluateMetricMath,
    MathError,
    type MathNode,
    parseMetricMath,
    referencedIds,
} from "./metric-math";
import type { MetricAlarmProps, MetricQueryProps, QueryMetricProps } from "./types";
import { type Read, readArray, readBoolean, readNumber, readObject, readString, show } from "./values";

/** A string read where "" means not set (AWS and the provider treat an empty optional string as unset). */
export function readText(v: unknown): Read<string> {
    const r = readString(v);
    return r.state === "known" && r.value.trim() === "" ? { state: "absent" } : r;
}

export const known = <T>(r: Read<T>): T | undefined => (r.state === "known" ? r.value : undefined);

/** One metric an alarm reads. */
export interface AlarmMetric {
    /** The metric query's ID; undefined for the alarm's own top-level metric. */
    readonly id?: string;
    /** Where its fields sit: "" (top level) or `metricQueries[i].metric.`. */
    readonly path: string;
    readonly namespace: Read<string>;
    readonly metricName: Read<string>;
    /** The statistic: `extendedStatistic` or `statistic` at the top level, `stat` in a query. */
    readonly stat: Read<string>;
    readonly statProperty: string;
    /** Both `statistic` and `extendedStatistic` set (CloudWatch takes exactly one). */
    readonly statConflict: boolean;
    readonly period: Read<number>;
    readonly periodProperty: string;
    readonly dimensions: Read<Record<string, unknown>>;
    readonly dimensionsProperty: string;
    readonly unit: Read<string>;
    readonly unitProperty: string;
    /** A metric query's `accountId` (cross-account alarm); absent at the top level. */
    readonly accountId: Read<string>;
}

/** `Namespace:MetricName`, as config and findings name a metric. */
export const metricKey = (namespace: string, metricName: string) => `${namespace}:${metricName}`;

export function describeMetric(m: AlarmMetric): string {
    const ns = m.namespace.state === "known" ? m.namespace.value : "?";
    const name = m.metricName.state === "known" ? m.metricName.value : "?";
    return metricKey(ns, name);
}

export const isMetric = (m: AlarmMetric, namespace: string, metricName: string) =>
    known(m.namespace) === namespace && known(m.metricName) === metricName;

interface Query {
    readonly path: string;
    readonly id: Read<string>;
    readonly metric?: AlarmMetric;
    readonly expression: Read<string>;
    readonly returnData: Read<boolean>;
}

/** The series an alarm compares: one metric, or an expression over its other queries. */
export interface Series {
    /** "" for the alarm's own metric, else `metricQueries[i]`. */
    readonly path: string;
    readonly metric?: AlarmMetric;
    readonly expression?: string;
    readonly node?: MathNode;
    /** Every metric the series reads, directly or through other expressions. */
    readonly reads: readonly AlarmMetric[];
}

export interface AnomalyBand {
    readonly path: string;
    readonly expression: string;
    readonly width?: number;
}

export interface AlarmModel {
    /** Every metric the alarm lists, whether or not the compared series reads it. */
    readonly metrics: readonly AlarmMetric[];
    /** What the alarm's threshold (or band) is compared with, or why the pack cannot tell. */
    readonly compared: Series | Finding;
    /** Set when `thresholdMetricId` is: the anomaly band, or why it is not one. */
    readonly band?: AnomalyBand | Finding;
    /** PromQL alarms (`evaluationCriteria`) are not metric alarms the pack can read. */
    readonly promql: boolean;
    /** Evaluates the compared series at one point, each metric given a value; throws MathError. */
    evaluate(value: (m: AlarmMetric) => number): number;
}

export const isFinding = (x: object): x is Finding => "fix" in x;

/** Functions that bring in series from outside the alarm's metric queries: their metrics cannot be read. */
const SERIES_SOURCES = new Set(["SEARCH", "INSIGHT_RULE_METRIC", "LAMBDA", "DB_PERF_INSIGHTS"]);

function callsIn(node: MathNode): string[] {
    switch (node.kind) {
        case "call":
            return [node.name, ...node.args.flatMap(callsIn)];
        case "negate":
            return callsIn(node.operand);
        case "binary":
            return [...callsIn(node.left), ...callsIn(node.right)];
        case "list":
            return node.items.flatMap(callsIn);
        default:
            return [];
    }
}

function topLevelMetric(a: MetricAlarmProps): AlarmMetric {
    const extended = readText(a.extendedStatistic);
    const statistic = readText(a.statistic);
    return {
        path: "",
        namespace: readString(a.namespace),
        metricName: readString(a.metricName),
        stat: extended.state === "absent" ? statistic : extended,
        statProperty: extended.state === "absent" ? "statistic" : "extendedStatistic",
        statConflict: extended.state !== "absent" && statistic.state !== "absent",
        period: readNumber(a.period),
        periodProperty: "period",
        dimensions: readObject(a.dimensions),
        dimensionsProperty: "dimensions",
        unit: readText(a.unit),
        unitProperty: "unit",
        accountId: { state: "absent" },
    };
}

function queryMetric(raw: unknown, path: string, id: Read<string>, accountId: Read<string>): AlarmMetric {
    const m = (readObject(raw).state === "known" ? raw : {}) as QueryMetricProps;
    const p = `${path}.metric.`;
    return {
        id: known(id),
        path: p,
        namespace: readString(m.namespace),
        metricName: readString(m.metricName),
        stat: readText(m.stat),
        statProperty: `${p}stat`,
        statConflict: false,
        period: readNumber(m.period),
        periodProperty: `${p}period`,
        dimensions: readObject(m.dimensions),
        dimensionsProperty: `${p}dimensions`,
        unit: readText(m.unit),
        unitProperty: `${p}unit`,
        accountId,
    };
}

const unreadable = (property: string, found: string, allowed: string, fix: string): Finding => ({
    property,
    found,
    allowed,
    fix,
});

/** Reads an alarm's props (inputs or outputs: the same names). */
export function alarmModel(a: MetricAlarmProps): AlarmModel {
    const metrics: AlarmMetric[] = [];
    // An empty evaluationCriteria ({}) is no PromQL criteria: it must not make a metric alarm unreadable.
    const criteria = readObject(a.evaluationCriteria);
    const promql =
        criteria.state === "unknown" ||
        (criteria.state === "known" && Object.values(criteria.value).some((v) => v !== null && v !== undefined));
    const thresholdMetricId = readText(a.thresholdMetricId);
    const queriesRead = readArray(a.metricQueries);
    const useQueries =
        queriesRead.state === "unknown" || (queriesRead.state === "known" && queriesRead.value.length > 0);
    const noEvaluation = (): number => {
        throw new MathError("the pack cannot read what this alarm compares");
    };

    if (!useQueries) {
        if (readText(a.metricName).state === "absent" && readText(a.namespace).state === "absent") {
            const compared = promql
                ? unreadable(
                      "evaluationCriteria",
                      "a PromQL query",
                      "a metric alarm (metricName or metricQueries) the pack can read",
                      "alarm on CloudWatch metrics (or metric math) instead, or waive this alarm",
                  )
                : unreadable(
                      "metricName",
                      "not set (and no metricQueries)",
                      "a metric or metric queries",
                      "name the metric the alarm watches",
                  );
            return { metrics, compared, promql, evaluate: noEvaluation };
        }
        const metric = topLevelMetric(a);
        metrics.push(metric);
        const band =
            thresholdMetricId.state === "absent"
                ? undefined
                : unreadable(
                      "thresholdMetricId",
                      show(thresholdMetricId),
                      "an ANOMALY_DETECTION_BAND query among metricQueries",
                      "an anomaly-detection alarm needs metricQueries; use a fixed threshold otherwise",
                  );
        return {
            metrics,
            compared: { path: "", metric, reads: [metric] },
            band,
            promql,
            evaluate: (value) => value(metric),
        };
    }

    if (queriesRead.state !== "known") {
        const compared = unreadable(
            "metricQueries",
            show(queriesRead),
            "a literal list of metric queries",
            "build metricQueries from literals; only dimension values may be outputs",
        );
        return { metrics, compared, promql, evaluate: noEvaluation };
    }

    const queries: Query[] = [];
    const problems: Finding[] = [];
    queriesRead.value.forEach((raw, index) => {
        const path = `metricQueries[${index}]`;
        if (readObject(raw).state !== "known") {
            problems.push(
                unreadable(path, show(readObject(raw)), "a literal metric query", "build each query from literals"),
            );
            return;
        }
        const q = raw as MetricQueryProps;
        const id = readString(q.id);
        const metricRead = readObject(q.metric);
        const metric =
            metricRead.state === "absent" ? undefined : queryMetric(q.metric, path, id, readText(q.accountId));
        if (metric) metrics.push(metric);
        queries.push({
            path,
            id,
            metric,
            expression: readText(q.expression),
            returnData: readBoolean(q.returnData),
        });
    });

    const byId = new Map<string, Query>();
    for (const q of queries) if (q.id.state === "known") byId.set(q.id.value, q);
    const parsed = new Map<Query, MathNode | Finding>();
    const parse = (q: Query): MathNode | Finding => {
        let out = parsed.get(q);
        if (out) return out;
        if (q.expression.state === "unknown") {
            out = unreadable(
                `${q.path}.expression`,
                show(q.expression),
                "a literal metric math expression",
                "write the expression as a literal",
            );
        } else if (q.expression.state === "absent") {
            out = unreadable(
                `${q.path}`,
                "neither a metric nor an expression",
                "one of them",
                "set metric or expression",
            );
        } else {
            try {
                out = parseMetricMath(q.expression.value);
                const sources = callsIn(out).filter((f) => SERIES_SOURCES.has(f));
                if (sources.length > 0)
                    out = unreadable(
                        `${q.path}.expression`,
                        JSON.stringify(q.expression.value),
                        "metric math over the alarm's own metric queries",
                        `list the metrics as metric queries instead of ${sources[0]}(), so the pack can tell ` +
                            "what the alarm watches",
                    );
            } catch (e) {
                if (!(e instanceof MathError)) throw e;
                out = unreadable(
                    `${q.path}.expression`,
                    `${JSON.stringify(q.expression.value)} (cannot read it: ${e.message})`,
                    "CloudWatch metric math over the alarm's metric queries",
                    "write the expression with + - * / ^, parentheses, numbers, query IDs and functions",
                );
            }
        }
        parsed.set(q, out);
        return out;
    };

    /** The metrics a query reads, through the expressions it names. */
    const readsOf = (q: Query, seen: Set<Query>): AlarmMetric[] | Finding => {
        if (q.metric) return [q.metric];
        if (seen.has(q))
            return unreadable(
                `${q.path}.expression`,
                "a cycle",
                "expressions that do not refer to themselves",
                "remove the cycle",
            );
        const node = parse(q);
        if (isFinding(node)) return node;
        const out: AlarmMetric[] = [];
        for (const id of referencedIds(node)) {
            const target = byId.get(id);
            if (!target)
                return unreadable(
                    `${q.path}.expression`,
                    `${JSON.stringify(known(q.expression))} reads "${id}"`,
                    `IDs of this alarm's metric queries (${[...byId.keys()].join(", ")})`,
                    `define a metric query with id "${id}" or fix the expression`,
                );
            const inner = readsOf(target, new Set([...seen, q]));
            if (isFinding(inner)) return inner;
            for (const m of inner) if (!out.includes(m)) out.push(m);
        }
        return out;
    };

    // The band query, if thresholdMetricId names one.
    let band: AnomalyBand | Finding | undefined;
    let bandQuery: Query | undefined;
    let bandOf: string | undefined;
    if (thresholdMetricId.state === "unknown") {
        // Which query is the band is still plain to see; only the reference to it is unknown.
        bandQuery = queries.find((q) => {
            const node = q.metric ? undefined : parse(q);
            return node !== undefined && !isFinding(node) && anomalyBandOf(node) !== undefined;
        });
        band = unreadable(
            "thresholdMetricId",
            show(thresholdMetricId),
            "a literal query ID",
            "set thresholdMetricId to the literal ID of the ANOMALY_DETECTION_BAND query",
        );
    } else if (thresholdMetricId.state === "known") {
        bandQuery = byId.get(thresholdMetricId.value);
        const node = bandQuery && !bandQuery.metric ? parse(bandQuery) : undefined;
        const of = node && !isFinding(node) ? anomalyBandOf(node) : undefined;
        if (!bandQuery || !of) {
            band = unreadable(
                "thresholdMetricId",
                `"${thresholdMetricId.value}" (${
                    bandQuery
                        ? `${bandQuery.path} is ${
                              bandQuery.metric ? "a metric" : JSON.stringify(known(bandQuery.expression))
                          }`
                        : "names no metric query"
                })`,
                "the ID of a query whose expression is ANOMALY_DETECTION_BAND(<compared series>, <width>)",
                "point thresholdMetricId at an anomaly-detection band, or remove it and set a fixed threshold",
            );
        } else {
            bandOf = of.of;
            band = { path: bandQuery.path, expression: known(bandQuery.expression) ?? "", width: of.width };
        }
    }

    const notBand = queries.filter((q) => q !== bandQuery);
    const compareProblem = (found: string): Finding =>
        unreadable(
            "metricQueries",
            found,
            `returnData: true on exactly one query${bandQuery ? " besides the band" : ""}`,
            "mark the series the alarm compares with returnData: true and every other query false",
        );
    let compared: Series | Finding;
    const unknownReturn = notBand.find((q) => q.returnData.state === "unknown");
    const returned = notBand.filter((q) => q.returnData.state === "known" && q.returnData.value);
    if (problems.length > 0) compared = problems[0];
    else if (unknownReturn)
        compared = unreadable(
            `${unknownReturn.path}.returnData`,
            show(unknownReturn.returnData),
            "true or false, literally",
            "set returnData as a literal",
        );
    else if (returned.length > 1)
        compared = compareProblem(`returnData: true on ${returned.map((q) => q.path).join(", ")}`);
    else if (returned.length === 0 && notBand.length !== 1) compared = compareProblem("no query with returnData: true");
    else {
        const q = returned[0] ?? notBand[0];
        const reads = readsOf(q, new Set());
        if (isFinding(reads)) compared = reads;
        else {
            const node = q.metric ? undefined : parse(q);
            compared = {
                path: q.path,
                metric: q.metric,
                expression: known(q.expression),
                node: node && !isFinding(node) ? node : undefined,
                reads,
            };
            if (band && !isFinding(band) && bandOf !== known(q.id)) {
                band = unreadable(
                    "thresholdMetricId",
                    `"${known(thresholdMetricId) ?? ""}" (a band of "${bandOf ?? ""}", while the alarm compares "${
                        known(q.id) ?? q.path
                    }")`,
                    "an ANOMALY_DETECTION_BAND of the series the alarm compares",
                    `make the band ANOMALY_DETECTION_BAND(${known(q.id) ?? "<compared id>"}, <width>)`,
                );
            }
        }
    }

    const evaluate = (value: (m: AlarmMetric) => number): number => {
        if (isFinding(compared)) return noEvaluation();
        if (compared.metric) return value(compared.metric);
        const evalQuery = (q: Query, seen: Set<Query>): number => {
            if (q.metric) return value(q.metric);
            if (seen.has(q)) throw new MathError("the expressions refer to each other in a cycle");
            const node = parse(q);
            if (isFinding(node)) throw new MathError(node.found);
            const next = new Set([...seen, q]);
            return evaluateMetricMath(node, {
                value: (id) => {
                    const target = byId.get(id);
                    if (!target) throw new MathError(`no query has id "${id}"`);
                    return evalQuery(target, next);
                },
                period: (id) => {
                    const target = byId.get(id);
                    const period = target?.metric?.period;
                    if (period?.state !== "known") throw new MathError(`the period of "${id}" is not a literal`);
                    return period.value;
                },
            });
        };
        const q = queries.find((x) => x.path === compared.path);
        if (!q) return noEvaluation();
        return evalQuery(q, new Set());
    };

    return { metrics, compared, band, promql, evaluate };
}

/** Relative comparison for probe results (floating point). */
export function close(a: number, b: number): boolean {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * The factor c such that the compared series is c x (the metrics `isVariable` selects, all
 * given the same value), checked to be linear with no offset; a reason when it is not.
 * Every other metric the series reads makes it unreadable in the rule's unit.
 */
export function linearFactor(model: AlarmModel, isVariable: (m: AlarmMetric) => boolean): number | string {
    const f = (x: number) =>
        model.evaluate((m) => {
            if (isVariable(m)) return x;
            throw new MathError(`it also reads ${describeMetric(m)}`);
        });
    try {
        const [f0, f1, f2, f7] = [f(0), f(1), f(2), f(7.25)];
        if (![f0, f1, f2, f7].every(Number.isFinite)) return "it is not defined for every value of the metric";
        if (!close(f0, 0)) return `it is ${f0} when the metric is 0 (an offset)`;
        if (!close(f2, 2 * f1) || !close(f7, 7.25 * f1)) return "it is not proportional to the metric";
        if (f1 <= 0) return "it falls when the metric rises";
        return f1;
    } catch (e) {
        if (e instanceof MathError) return e.message;
        throw e;
    }
}

/**
 * The factor c such that the compared series is c x (sum of the selected numerators) / (the
 * denominator), each numerator metric counted with the same weight and every denominator metric
 * given the same value; a reason when the series is not such a ratio.
 */
export function ratioFactor(
    model: AlarmModel,
    isNumerator: (m: AlarmMetric) => boolean,
    isDenominator: (m: AlarmMetric) => boolean,
    numerators: readonly AlarmMetric[],
): number | string {
    const E = 10;
    const R = 1000;
    const f = (e: (m: AlarmMetric) => number, r: number) =>
        model.evaluate((m) => {
            if (isNumerator(m)) return e(m);
            if (isDenominator(m)) return r;
            throw new MathError(`it also reads ${describeMetric(m)}`);
        });
    try {
        if (
            !close(
                f(() => 0, R),
                0,
            )
        )
            return "it is not 0 when there are no errors (an offset)";
        const weights: number[] = [];
        for (const n of numerators) {
            const only = (value: number) => (m: AlarmMetric) => (m === n ? value : 0);
            const g = f(only(E), R);
            if (!Number.isFinite(g)) return "it is not defined for every value of the metrics";
            if (!close(f(only(2 * E), R), 2 * g)) return `it is not proportional to ${describeMetric(n)}`;
            if (!close(f(only(E), 2 * R), g / 2)) return "it is not inversely proportional to the request count";
            weights.push(g);
        }
        if (
            !close(
                f(() => E, R),
                weights.reduce((a, b) => a + b, 0),
            )
        )
            return "it does not add the error counts up";
        const counted = weights.filter((w) => !close(w, 0));
        if (counted.length === 0) return "it does not depend on the error counts";
        if (!counted.every((w) => close(w, counted[0]))) return "it weighs the error counts differently";
        if (counted[0] < 0) return "it falls when errors rise";
        return counted[0] / (E / R);
    } catch (e) {
        if (e instanceof MathError) return e.message;
        throw e;
    }
}

/** A resource's region: its own `region` input (pulumi-aws v7), else its provider's; unknown otherwise. */
export function regionOf(
    props: Record<string, unknown>,
    providerProps: Record<string, unknown> | undefined,
): Read<string> {
    const own = readText(props.region);
    if (own.state !== "absent") return own;
    const fromProvider = readText(providerProps?.region);
    return fromProvider.state === "absent" ? { state: "unknown" } : fromProvider;
}
