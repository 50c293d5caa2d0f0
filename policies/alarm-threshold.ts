/**
 * Alarm threshold rules: latency, 5xx error-rate and request-rate alarms are no
 * looser than the SLO, in the SLO's unit, whatever form the alarm takes (a metric,
 * or metric math evaluated by ./metric-math); and every alarm is one the pack can
 * read. The coverage, action and silencing rules live in ./alarm-coverage and
 * ./alarm-actions and are exported from here with these.
 */
import {
    type AlarmMetric,
    type AlarmModel,
    alarmModel,
    describeMetric,
    isFinding,
    isMetric,
    known,
    linearFactor,
    metricKey,
    ratioFactor,
    type Series,
} from "./alarm-model";
import { actions, notifies, notSilenced, topicSubscribed } from "./alarm-actions";
import { coverage } from "./alarm-coverage";
import { CLOUDFRONT_METRIC } from "./aws/cloudfront";
import { ALB_METRIC, CLOUDWATCH_NAMESPACE } from "./aws/cloudwatch";
import { type Finding, literalRequired, type Report, type Res, resourcePolicy } from "./rule";
import { SLO } from "./slo";
import { type MetricAlarmProps, TYPES } from "./types";
import { readNumber, readString, show } from "./values";

const mustBeLiteral = (property: string, found: Parameters<typeof literalRequired>[1]): Finding =>
    literalRequired(
        property,
        found,
        `set ${property} from a literal (e.g. the SLO module) rather than another resource's output`,
    );

const UPWARD = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"];
/** Anomaly-detection operators that fire when the value rises above the band. */
const UPWARD_BAND = ["GreaterThanUpperThreshold", "LessThanLowerOrGreaterThanUpperThreshold"];

/** A ceiling alarm must fire when the value goes up: a threshold below the ceiling means nothing otherwise. */
function firesUpward(r: Res, a: MetricAlarmProps, report: Report, band: boolean): boolean {
    const allowed = band ? UPWARD_BAND : UPWARD;
    const op = readString(a.comparisonOperator);
    if (op.state !== "known") {
        report(r, mustBeLiteral("comparisonOperator", op));
        return false;
    }
    if (!allowed.includes(op.value)) {
        report(r, {
            property: "comparisonOperator",
            found: op.value,
            allowed: allowed.join(" or "),
            fix: `make the alarm fire when the value rises above the ${band ? "band" : "threshold"}`,
        });
        return false;
    }
    return true;
}

/**
 * The series an owning rule judges, or undefined when the rule has nothing to judge: the alarm
 * reads none of the rule's metrics, or the pack cannot read it at all (alarm-readable reports that).
 */
function judged(model: AlarmModel, isOwn: (m: AlarmMetric) => boolean): Series | undefined {
    if (isFinding(model.compared)) return undefined;
    return model.compared.reads.some(isOwn) ? model.compared : undefined;
}

/** How a series is described in a finding: the metric, or the expression. */
const seriesProperty = (s: Series) =>
    s.metric ? (s.path ? `${s.path}.metric` : "metricName") : `${s.path}.expression`;

function cannotRead(series: Series, reason: string, unit: string, example: string): Finding {
    const shown = series.metric ? describeMetric(series.metric) : JSON.stringify(series.expression ?? "");
    return {
        property: seriesProperty(series),
        found: `${shown} (cannot read it in ${unit}: ${reason})`,
        allowed: `an expression the pack can evaluate into ${unit}, e.g. ${example}`,
        fix:
            `write the alarm's series as ${example} (numbers, query IDs, + - * / ( ), FILL, ABS, ` +
            "SUM/MIN/MAX/AVG([..]), PERIOD)",
    };
}

/** The band check shared by the threshold rules: a real band, compared upwards. True when the alarm uses one. */
function checkBand(r: Res, a: MetricAlarmProps, model: AlarmModel, report: Report): boolean {
    if (!model.band) return false;
    if (isFinding(model.band)) report(r, model.band);
    else firesUpward(r, a, report, true);
    return true;
}

const percentileOf = (stat: string): number | undefined => {
    if (stat === "Maximum") return 100;
    const m = /^p(\d+(?:\.\d+)?)$/.exec(stat);
    return m && Number(m[1]) <= 100 ? Number(m[1]) : undefined;
};

const isLatency = (m: AlarmMetric) => isMetric(m, CLOUDWATCH_NAMESPACE.applicationElb, ALB_METRIC.targetResponseTime);

export const latency = resourcePolicy<{ minPercentile: number; maxThresholdSeconds: number }>({
    id: "alarm-latency",
    description:
        "Latency alarms on the ALB's TargetResponseTime use a tail percentile at or above the SLO's " +
        "(p95, p99, p99.9, ...) and fire at or below the SLO latency, read in seconds through any metric math.",
    severity: "medium",
    remediationSteps:
        "Alarm on AWS/ApplicationELB TargetResponseTime with extendedStatistic p95 (or a higher percentile) " +
        "and threshold <= SLO.latencyP95Ms / 1000 (the metric is in seconds; an expression such as m1 * 1000 " +
        "is in milliseconds); set credlink:alarms.latencyP95ThresholdMs.",
    types: [TYPES.metricAlarm],
    config: {
        minPercentile: {
            type: "number",
            exclusiveMinimum: 50,
            maximum: 100,
            description: "The lowest percentile a latency alarm may use (Maximum counts as p100).",
            default: SLO.latencyPercentile,
        },
        maxThresholdSeconds: {
            type: "number",
            exclusiveMinimum: 0,
            description: "TargetResponseTime is reported in seconds.",
            default: SLO.latencyP95Ms / 1000,
        },
    },
    check(r, config, report) {
        const a = r.props as MetricAlarmProps;
        const model = alarmModel(a);
        const series = judged(model, isLatency);
        if (!series) return;
        const floor = `p${config.minPercentile}`;
        for (const m of series.reads.filter(isLatency)) {
            const p = m.stat.state === "known" ? percentileOf(m.stat.value) : undefined;
            if (p === undefined || p < config.minPercentile) {
                report(r, {
                    property: m.statProperty,
                    found: show(m.stat, "not set"),
                    allowed: `a percentile at or above ${floor} (${floor}, p99, p99.9, ... or Maximum)`,
                    fix:
                        `alarm on ${floor} or a higher percentile (${m.path ? "stat" : "extendedStatistic"}: ` +
                        `"${floor}") instead of an average, a minimum or a lower percentile`,
                });
            }
        }
        if (checkBand(r, a, model, report)) return;
        if (!firesUpward(r, a, report, false)) return;
        const factor = linearFactor(model, isLatency);
        if (typeof factor === "string")
            return report(r, cannotRead(series, factor, "seconds", "m1 (seconds) or m1 * 1000 (milliseconds)"));
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        const seconds = threshold.value / factor;
        if (seconds > config.maxThresholdSeconds) {
            report(r, {
                property: "threshold",
                found:
                    factor === 1
                        ? `${threshold.value} s`
                        : `${threshold.value} (the series is ${factor} x TargetResponseTime: ${seconds} s)`,
                allowed: `at most ${config.maxThresholdSeconds} s (TargetResponseTime is in seconds)`,
                fix: `set credlink:alarms.latencyP95ThresholdMs to ${config.maxThresholdSeconds * 1000} or less`,
            });
        }
    },
});

const ALB_ERROR_COUNTS: readonly string[] = [ALB_METRIC.target5xxCount, ALB_METRIC.elb5xxCount];
const isAlbErrorCount = (m: AlarmMetric) =>
    known(m.namespace) === CLOUDWATCH_NAMESPACE.applicationElb && ALB_ERROR_COUNTS.includes(known(m.metricName) ?? "");
const isAlbRequestCount = (m: AlarmMetric) => isMetric(m, CLOUDWATCH_NAMESPACE.applicationElb, ALB_METRIC.requestCount);
/** CloudFront publishes its 5xx share itself, in percent. */
const isCloudFrontErrorRate = (m: AlarmMetric) =>
    isMetric(m, CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.errorRate5xx);
const isErrorMetric = (m: AlarmMetric) => isAlbErrorCount(m) || isCloudFrontErrorRate(m);

/** Dimensions as compared between numerator and denominator: names, and values where known. */
function sameDimensions(a: AlarmMetric, b: AlarmMetric): boolean {
    if (a.dimensions.state !== "known" || b.dimensions.state !== "known") return false;
    const x = a.dimensions.value;
    const y = b.dimensions.value;
    const keys = Object.keys(x).sort();
    if (keys.join("\n") !== Object.keys(y).sort().join("\n")) return false;
    // Values unknown at preview cannot be told apart here; the update preview compares them.
    return keys.every((k) => typeof x[k] !== "string" || typeof y[k] !== "string" || x[k] === y[k]);
}

export const errorRate = resourcePolicy<{ maxErrorRatePercent: number }>({
    id: "alarm-error-rate",
    description:
        "5xx error-rate alarms fire at or below the SLO error rate, read in percent through any metric math " +
        "(an ALB 5xx count over its RequestCount, or CloudFront's 5xxErrorRate).",
    severity: "medium",
    remediationSteps:
        "Alarm on the 5xx share of requests: metric math 100 * 5XX / RequestCount (threshold in percent) or " +
        "5XX / RequestCount (threshold as a ratio), both Sums over the same load balancer, or CloudFront's " +
        "5xxErrorRate (Average, percent), with a threshold at or below SLO.errorRate; set " +
        "credlink:alarms.errorRatePercent.",
    types: [TYPES.metricAlarm],
    config: {
        maxErrorRatePercent: { type: "number", exclusiveMinimum: 0, maximum: 100, default: SLO.errorRate * 100 },
    },
    check(r, config, report) {
        const a = r.props as MetricAlarmProps;
        const model = alarmModel(a);
        const series = judged(model, isErrorMetric);
        if (!series) return;
        const reads = series.reads;
        const counts = reads.filter(isAlbErrorCount);
        const requests = reads.filter(isAlbRequestCount);
        const cloudFront = reads.filter(isCloudFrontErrorRate);
        // A 5xx count on its own is a count, not a rate: there is no SLO unit to read it in.
        if (cloudFront.length === 0 && requests.length === 0) return;
        const example = "100 * errors / requests (percent) or errors / requests (a ratio)";
        if (cloudFront.length > 0 && counts.length > 0)
            return report(r, cannotRead(series, "it mixes CloudFront's rate with ALB counts", "percent", example));

        const wantStat = cloudFront.length > 0 ? "Average" : "Sum";
        let statsOk = true;
        for (const m of cloudFront.length > 0 ? cloudFront : [...counts, ...requests]) {
            if (known(m.stat) !== wantStat) {
                statsOk = false;
                report(r, {
                    property: m.statProperty,
                    found: show(m.stat),
                    allowed: `"${wantStat}" for ${describeMetric(m)}`,
                    fix:
                        wantStat === "Sum"
                            ? "use the Sum of the 5xx and request counts per period: their ratio is the failed share"
                            : "use the Average of 5xxErrorRate (CloudFront's only statistic for it)",
                });
            }
        }
        if (counts.length > 0) {
            const first = [...counts, ...requests][0];
            const mismatch = [...counts, ...requests].find(
                (m) =>
                    !sameDimensions(first, m) ||
                    known(m.period) === undefined ||
                    known(m.period) !== known(first.period),
            );
            if (mismatch) {
                statsOk = false;
                report(r, {
                    property: mismatch.dimensionsProperty,
                    found:
                        `${describeMetric(mismatch)} over ${show(mismatch.dimensions)} ` +
                        `every ${show(mismatch.period)} s`,
                    allowed:
                        `the same literal period and dimensions as ${describeMetric(first)} ` +
                        `(${show(first.dimensions)}, ${show(first.period)} s)`,
                    fix: "count errors and requests of the same load balancer over the same period",
                });
            }
        }
        if (!statsOk) return;
        if (checkBand(r, a, model, report)) return;
        if (!firesUpward(r, a, report, false)) return;
        // percent = threshold / factor: CloudFront's rate is already in percent, an ALB ratio is x 100.
        const factor =
            cloudFront.length > 0
                ? linearFactor(model, isCloudFrontErrorRate)
                : (() => {
                      const c = ratioFactor(model, isAlbErrorCount, isAlbRequestCount, counts);
                      return typeof c === "string" ? c : c / 100;
                  })();
        if (typeof factor === "string") return report(r, cannotRead(series, factor, "percent", example));
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        const percent = Number((threshold.value / factor).toPrecision(12));
        if (percent > config.maxErrorRatePercent) {
            report(r, {
                property: "threshold",
                found:
                    factor === 1
                        ? `${threshold.value} %`
                        : `${threshold.value} (the series is ${
                              factor === 0.01 ? "a ratio" : `${factor} x the percentage`
                          }: ${percent} %)`,
                allowed: `at most ${config.maxErrorRatePercent} %`,
                fix:
                    `set credlink:alarms.errorRatePercent to ${config.maxErrorRatePercent} or less` +
                    (factor === 0.01 ? " (a ratio threshold is the percentage / 100)" : ""),
            });
        }
    },
});

export const requestRate = resourcePolicy<{ maxRequests: number; periodSeconds: number; metrics: string[] }>({
    id: "alarm-request-rate",
    description:
        "Request-rate alarms (Sum of requests, through any metric math) fire at or below the SLO's " +
        "request-rate ceiling per window, scaled to the alarm's period.",
    severity: "low",
    remediationSteps:
        "Alarm on the Sum of RequestCount with threshold <= SLO.requestRateAlarm (per period, " +
        "scaled to the alarm's period; m1 / PERIOD(m1) is per second); set credlink:alarms.requestRatePer5Min.",
    types: [TYPES.metricAlarm],
    config: {
        maxRequests: { type: "number", exclusiveMinimum: 0, default: SLO.requestRateAlarm.requests },
        periodSeconds: { type: "integer", exclusiveMinimum: 0, default: SLO.requestRateAlarm.periodSeconds },
        metrics: {
            type: "array",
            items: { type: "string", pattern: "^[^:]+:[^:]+$" },
            minItems: 1,
            description: "Request-count metrics as Namespace:MetricName.",
            default: [
                metricKey(CLOUDWATCH_NAMESPACE.applicationElb, ALB_METRIC.requestCount),
                metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.requests),
            ],
        },
    },
    check(r, config, report) {
        const a = r.props as MetricAlarmProps;
        const model = alarmModel(a);
        const isRequest = (m: AlarmMetric) =>
            m.namespace.state === "known" &&
            m.metricName.state === "known" &&
            config.metrics.includes(metricKey(m.namespace.value, m.metricName.value));
        const series = judged(model, isRequest);
        // Error-rate alarms read RequestCount too; alarm-error-rate judges them.
        if (!series || series.reads.some(isErrorMetric)) return;
        const requests = series.reads.filter(isRequest);
        let statsOk = true;
        for (const m of requests) {
            if (known(m.stat) !== "Sum") {
                statsOk = false;
                report(r, {
                    property: m.statProperty,
                    found: show(m.stat),
                    allowed: '"Sum" (a count of requests per period)',
                    fix: "alarm on the Sum of requests",
                });
            }
        }
        if (!statsOk) return;
        if (checkBand(r, a, model, report)) return;
        if (!firesUpward(r, a, report, false)) return;
        const factor = linearFactor(model, isRequest);
        if (typeof factor === "string")
            return report(r, cannotRead(series, factor, "requests per period", "m1 or m1 / PERIOD(m1)"));
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        const periods = new Set(requests.map((m) => known(m.period)));
        const period = requests[0].period;
        if (period.state !== "known") return report(r, mustBeLiteral(requests[0].periodProperty, period));
        if (periods.size > 1)
            return report(
                r,
                cannotRead(series, "its request metrics have different periods", "requests per period", "m1"),
            );
        const perPeriod = Number((threshold.value / factor).toPrecision(12));
        const allowedForPeriod = (config.maxRequests * period.value) / config.periodSeconds;
        if (perPeriod > allowedForPeriod) {
            report(r, {
                property: "threshold",
                found:
                    factor === 1
                        ? `${threshold.value} requests per ${period.value} s`
                        : `${threshold.value} (the series is ${Number(factor.toPrecision(12))} x the request count: ` +
                          `${perPeriod} requests per ${period.value} s)`,
                allowed:
                    `at most ${config.maxRequests} per ${config.periodSeconds} s ` +
                    `(${allowedForPeriod} per ${period.value} s)`,
                fix: `set credlink:alarms.requestRatePer5Min to ${config.maxRequests} or less`,
            });
        }
    },
});

/**
 * Every metric alarm is one the pack can read: what it watches is literal. An alarm the
 * pack cannot read would otherwise slip past the threshold rules unjudged.
 */
export const readable = resourcePolicy<Record<string, never>>({
    id: "alarm-readable",
    description:
        "Every metric alarm says literally what it watches (namespace and metric name of each metric, the " +
        "query it compares, its metric math), so the threshold and coverage rules can judge it.",
    severity: "high",
    remediationSteps:
        "Build alarms from literals (only dimension values and actions may be outputs); mark the compared " +
        "query with returnData: true; list metrics as metric queries rather than SEARCH or Metrics Insights; " +
        "PromQL alarms need a waiver.",
    types: [TYPES.metricAlarm],
    check(r, _config, report) {
        const model = alarmModel(r.props as MetricAlarmProps);
        for (const m of model.metrics) {
            for (const [field, value] of [
                ["namespace", m.namespace],
                ["metricName", m.metricName],
            ] as const) {
                if (value.state === "known" && value.value !== "") continue;
                report(r, {
                    property: `${m.path}${field}`,
                    found: show(value),
                    allowed: "a literal name",
                    fix: `set ${field} as a literal so the pack can tell what the alarm watches`,
                });
            }
        }
        if (isFinding(model.compared)) report(r, model.compared);
    },
});

export const alarmThresholdPolicies = [
    latency,
    errorRate,
    requestRate,
    actions,
    coverage,
    readable,
    notifies,
    topicSubscribed,
    notSilenced,
];
