/**
 * Alarm rules: latency, 5xx error-rate and request-rate alarms are no looser
 * than the SLO, every alarm notifies someone, and every ALB, ECS service, RDS
 * instance and distribution has its alarms.
 *
 * Alarm dimensions hold ARN suffixes, names and IDs that are unknown at
 * preview; the coverage rule links an alarm to its resource through the
 * property dependencies of `dimensions` and `metricQueries` instead.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    type Finding,
    literalRequired,
    type Report,
    type Res,
    type StackView,
    resourcePolicy,
    stackPolicy,
} from "./rule";
import { CLOUDFRONT_METRIC } from "./aws/cloudfront";
import { ALB_METRIC, CLOUDWATCH_NAMESPACE, ECS_METRIC, RDS_METRIC } from "./aws/cloudwatch";
import { SLO } from "./slo";
import {
    type CompositeAlarmProps,
    type MetricAlarmProps,
    type MetricQueryProps,
    type QueryMetricProps,
    TYPES,
} from "./types";
import { type Read, readArray, readBoolean, readNumber, readObject, readString, show } from "./values";

/** One metric an alarm reads, at the top level or in a metric query. */
interface AlarmMetric {
    readonly namespace?: string;
    readonly metricName?: string;
    readonly stat: Read<string>;
    readonly period: Read<number>;
    /** Where it sits, for messages. */
    readonly path: string;
}

interface AlarmShape {
    readonly metrics: AlarmMetric[];
    /** The series the threshold is compared with: a metric, or a math expression. */
    readonly returned?: { readonly metric?: AlarmMetric; readonly expression?: string; readonly path: string };
    /** Anomaly-detection alarms compare with a band, not a fixed threshold. */
    readonly anomalyBand: boolean;
}

const lit = (r: Read<string>) => (r.state === "known" ? r.value : undefined);

function shapeOf(a: MetricAlarmProps): AlarmShape {
    const metrics: AlarmMetric[] = [];
    let returned: AlarmShape["returned"];
    const top = lit(readString(a.metricName));
    if (top !== undefined) {
        const stat = readString(a.extendedStatistic);
        const m: AlarmMetric = {
            namespace: lit(readString(a.namespace)),
            metricName: top,
            stat: stat.state === "absent" ? readString(a.statistic) : stat,
            period: readNumber(a.period),
            path: "",
        };
        metrics.push(m);
        returned = { metric: m, path: "" };
    }
    const queries = readArray(a.metricQueries);
    if (queries.state === "known") {
        const parsed = queries.value.map((raw, i) => {
            const q = (readObject(raw).state === "known" ? raw : {}) as MetricQueryProps;
            const path = `metricQueries[${i}]`;
            const mr = readObject(q.metric);
            let metric: AlarmMetric | undefined;
            if (mr.state === "known") {
                const qm = mr.value as QueryMetricProps;
                metric = {
                    namespace: lit(readString(qm.namespace)),
                    metricName: lit(readString(qm.metricName)),
                    stat: readString(qm.stat),
                    period: readNumber(qm.period),
                    path: `${path}.metric.`,
                };
                metrics.push(metric);
            }
            const returnData = readBoolean(q.returnData);
            return {
                metric,
                expression: lit(readString(q.expression)),
                returnData: returnData.state === "known" && returnData.value,
                path,
            };
        });
        const ret = parsed.find((q) => q.returnData) ?? (parsed.length === 1 ? parsed[0] : undefined);
        if (ret && !returned) returned = { metric: ret.metric, expression: ret.expression, path: ret.path };
    }
    return { metrics, returned, anomalyBand: readString(a.thresholdMetricId).state !== "absent" };
}

/** `Namespace:MetricName`: how config and findings name a metric. */
const metricKey = (namespace: string, metricName: string) => `${namespace}:${metricName}`;
const key = (m: AlarmMetric) => metricKey(m.namespace ?? "?", m.metricName ?? "?");

const mustBeLiteral = (property: string, found: Read<unknown>): Finding =>
    literalRequired(
        property,
        found,
        `set ${property} from a literal (e.g. the SLO module) rather than another resource's output`,
    );

const UPWARD = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"];

/**
 * A ceiling alarm must fire when the value goes up: a threshold below the ceiling means
 * nothing if the alarm fires on low values.
 */
function firesUpward(r: Res, a: MetricAlarmProps, report: Report): boolean {
    const op = readString(a.comparisonOperator);
    if (op.state !== "known") {
        report(r, mustBeLiteral("comparisonOperator", op));
        return false;
    }
    if (!UPWARD.includes(op.value)) {
        report(r, {
            property: "comparisonOperator",
            found: op.value,
            allowed: UPWARD.join(" or "),
            fix: "make the alarm fire when the value rises above the threshold",
        });
        return false;
    }
    return true;
}

export const latency = resourcePolicy<{ statistics: string[]; maxThresholdSeconds: number }>({
    id: "alarm-latency",
    description:
        "Latency alarms on the ALB's TargetResponseTime use a tail percentile (p95 or p99) and fire " +
        "at or below the SLO latency (seconds).",
    severity: "medium",
    remediationSteps:
        "Alarm on AWS/ApplicationELB TargetResponseTime with extendedStatistic p95 (or p99) and " +
        "threshold <= SLO.latencyP95Ms / 1000 (the metric is in seconds); set " +
        "credlink:alarms.latencyP95ThresholdMs.",
    types: [TYPES.metricAlarm],
    config: {
        statistics: {
            type: "array",
            items: { type: "string", pattern: "^p\\d+(\\.\\d+)?$" },
            minItems: 1,
            default: ["p95", "p99"],
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
        const shape = shapeOf(a);
        const m = shape.returned?.metric;
        const albLatency =
            m?.metricName === ALB_METRIC.targetResponseTime &&
            (m.namespace === undefined || m.namespace === CLOUDWATCH_NAMESPACE.applicationElb);
        if (!m || !albLatency || shape.anomalyBand) return;
        const statProperty = m.path ? `${m.path}stat` : "extendedStatistic";
        if (m.stat.state !== "known" || !config.statistics.includes(m.stat.value)) {
            report(r, {
                property: statProperty,
                found: show(m.stat, "not set"),
                allowed: config.statistics.join(" or "),
                fix:
                    `alarm on ${config.statistics[0]} (${m.path ? "stat" : "extendedStatistic"}: ` +
                    `"${config.statistics[0]}") instead of an average`,
            });
        }
        if (!firesUpward(r, a, report)) return;
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        if (threshold.value > config.maxThresholdSeconds) {
            report(r, {
                property: "threshold",
                found: `${threshold.value} s`,
                allowed: `at most ${config.maxThresholdSeconds} s (TargetResponseTime is in seconds)`,
                fix: `set credlink:alarms.latencyP95ThresholdMs to ${config.maxThresholdSeconds * 1000} or less`,
            });
        }
    },
});

/** Whether an expression scales a ratio to percent (`100 * errors / requests`). */
const PERCENT_EXPRESSION = /(^|[^\d.])100\s*\*|\*\s*100($|[^\d.])/;

export const errorRate = resourcePolicy<{ maxErrorRatePercent: number }>({
    id: "alarm-error-rate",
    description: "5xx error-rate alarms fire at or below the SLO error rate (percent).",
    severity: "medium",
    remediationSteps:
        "Alarm on the 5xx share of requests (metric math 100 * 5XX / RequestCount, or CloudFront's " +
        "5xxErrorRate) with threshold <= SLO.errorRate; set credlink:alarms.errorRatePercent.",
    types: [TYPES.metricAlarm],
    config: {
        maxErrorRatePercent: { type: "number", exclusiveMinimum: 0, maximum: 100, default: SLO.errorRate * 100 },
    },
    check(r, config, report) {
        const a = r.props as MetricAlarmProps;
        const shape = shapeOf(a);
        const ret = shape.returned;
        if (!ret || shape.anomalyBand) return;
        let percent: boolean;
        // CloudFront reports its error rate in percent.
        if (ret.metric?.metricName === CLOUDFRONT_METRIC.errorRate5xx) percent = true;
        else if (
            ret.expression !== undefined &&
            shape.metrics.some((m) => /5XX/i.test(m.metricName ?? "")) &&
            shape.metrics.some((m) => /^Requests?(Count)?$/.test(m.metricName ?? ""))
        ) {
            percent = PERCENT_EXPRESSION.test(ret.expression);
        } else return;
        if (!firesUpward(r, a, report)) return;
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        const asPercent = percent ? threshold.value : threshold.value * 100;
        if (asPercent > config.maxErrorRatePercent) {
            report(r, {
                property: "threshold",
                found: percent ? `${threshold.value} %` : `${threshold.value} (a ratio: ${asPercent} %)`,
                allowed: `at most ${config.maxErrorRatePercent} %`,
                fix: `set credlink:alarms.errorRatePercent to ${config.maxErrorRatePercent} or less`,
            });
        }
    },
});

export const requestRate = resourcePolicy<{ maxRequests: number; periodSeconds: number; metrics: string[] }>({
    id: "alarm-request-rate",
    description:
        "Request-rate alarms (Sum of requests) fire at or below the SLO's request-rate ceiling per " +
        "window, scaled to the alarm's period.",
    severity: "low",
    remediationSteps:
        "Alarm on the Sum of RequestCount with threshold <= SLO.requestRateAlarm (per period, " +
        "scaled to the alarm's period); set credlink:alarms.requestRatePer5Min.",
    types: [TYPES.metricAlarm],
    config: {
        maxRequests: { type: "number", exclusiveMinimum: 0, default: SLO.requestRateAlarm.requests },
        periodSeconds: { type: "integer", exclusiveMinimum: 0, default: SLO.requestRateAlarm.periodSeconds },
        metrics: {
            type: "array",
            items: { type: "string", pattern: "^[^:]+:[^:]+$" },
            description: "Request-count metrics as Namespace:MetricName.",
            default: [
                metricKey(CLOUDWATCH_NAMESPACE.applicationElb, ALB_METRIC.requestCount),
                metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.requests),
            ],
        },
    },
    check(r, config, report) {
        const a = r.props as MetricAlarmProps;
        const shape = shapeOf(a);
        const m = shape.returned?.metric;
        if (!m || !config.metrics.includes(key(m)) || shape.anomalyBand) return;
        const statProperty = m.path ? `${m.path}stat` : "statistic";
        if (m.stat.state !== "known" || m.stat.value !== "Sum") {
            report(r, {
                property: statProperty,
                found: show(m.stat),
                allowed: '"Sum" (a count of requests per period)',
                fix: "alarm on the Sum of requests",
            });
            return;
        }
        if (!firesUpward(r, a, report)) return;
        const threshold = readNumber(a.threshold);
        if (threshold.state !== "known") return report(r, mustBeLiteral("threshold", threshold));
        if (m.period.state !== "known") return report(r, mustBeLiteral(`${m.path}period`, m.period));
        const allowedForPeriod = (config.maxRequests * m.period.value) / config.periodSeconds;
        if (threshold.value > allowedForPeriod) {
            report(r, {
                property: "threshold",
                found: `${threshold.value} requests per ${m.period.value} s`,
                allowed:
                    `at most ${config.maxRequests} per ${config.periodSeconds} s ` +
                    `(${allowedForPeriod} per ${m.period.value} s)`,
                fix: `set credlink:alarms.requestRatePer5Min to ${config.maxRequests} or less`,
            });
        }
    },
});

export const actions = resourcePolicy<Record<string, never>>({
    id: "alarm-actions",
    description: "Every alarm has actions enabled and at least one ALARM action (the alerts topic).",
    severity: "high",
    remediationSteps:
        "Pass alarmActions: [alerts.topicArn] (and okActions) and leave actionsEnabled at true; the " +
        "list itself must be literal even if the ARNs are outputs.",
    types: [TYPES.metricAlarm, TYPES.compositeAlarm],
    check(r, _config, report) {
        const a = r.props as MetricAlarmProps & CompositeAlarmProps;
        const enabled = readBoolean(a.actionsEnabled);
        if (enabled.state === "unknown" || (enabled.state === "known" && !enabled.value)) {
            report(r, {
                property: "actionsEnabled",
                found: show(enabled),
                allowed: "true (or not set)",
                fix: "remove actionsEnabled: false so the alarm notifies",
            });
        }
        const alarmActions = readArray(a.alarmActions);
        if (alarmActions.state === "known" && alarmActions.value.length > 0) return;
        report(r, {
            property: "alarmActions",
            found:
                alarmActions.state === "unknown"
                    ? "a list computed at preview (its length is unknown)"
                    : show(alarmActions, "not set"),
            allowed: "at least one action (e.g. the alerts topic ARN)",
            fix: "set alarmActions: [alertsTopicArn]",
        });
    },
});

const metricKeys = (namespace: string, ...metricNames: string[]) => metricNames.map((n) => metricKey(namespace, n));
const albMetricKey = (metricName: string) => metricKey(CLOUDWATCH_NAMESPACE.applicationElb, metricName);
const ALB_ALARM_METRICS = [
    albMetricKey(ALB_METRIC.targetResponseTime),
    // Either 5xx count will do: alternatives are separated by |.
    `${albMetricKey(ALB_METRIC.target5xxCount)}|${albMetricKey(ALB_METRIC.elb5xxCount)}`,
    albMetricKey(ALB_METRIC.requestCount),
    albMetricKey(ALB_METRIC.unhealthyHostCount),
];
const DEFAULT_REQUIRED: Record<string, string[]> = {
    [TYPES.loadBalancer]: [...ALB_ALARM_METRICS],
    [TYPES.albLoadBalancer]: [...ALB_ALARM_METRICS],
    [TYPES.ecsService]: metricKeys(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.cpuUtilization, ECS_METRIC.memoryUtilization),
    [TYPES.rdsInstance]: metricKeys(
        CLOUDWATCH_NAMESPACE.rds,
        RDS_METRIC.cpuUtilization,
        RDS_METRIC.freeableMemory,
        RDS_METRIC.freeStorageSpace,
        RDS_METRIC.databaseConnections,
        RDS_METRIC.readLatency,
        RDS_METRIC.writeLatency,
    ),
    [TYPES.distribution]: metricKeys(
        CLOUDWATCH_NAMESPACE.cloudFront,
        CLOUDFRONT_METRIC.errorRate5xx,
        CLOUDFRONT_METRIC.cacheHitRate,
    ),
};

/** Literal names a dimension may use for a resource when it is known (e.g. a fixed DB identifier). */
function literalNames(stack: StackView, r: PolicyResource): string[] {
    const p = stack.props<{ name?: unknown; identifier?: unknown }>(r);
    return [readString(p.name), readString(p.identifier)].flatMap((v) => (v.state === "known" ? [v.value] : []));
}

function isApplicationLoadBalancer(stack: StackView, r: PolicyResource): boolean {
    const t = readString(stack.props<{ loadBalancerType?: unknown }>(r).loadBalancerType);
    return t.state !== "known" || t.value === "application";
}

export const coverage = stackPolicy<{ requiredAlarmMetrics: Record<string, string[]> }>({
    id: "alarm-coverage",
    description:
        "Every ALB, ECS service, RDS instance and CloudFront distribution has its alarms (each " +
        "required metric, alternatives separated by |).",
    severity: "high",
    remediationSteps:
        "Create the alarms in the component that owns the resource, with dimensions built from that " +
        "resource's outputs (ARN suffix, name, identifier, ID) so they follow it.",
    config: {
        requiredAlarmMetrics: {
            type: "object",
            description:
                "Resource type token -> Namespace:MetricName entries that need an alarm (alternatives separated by |).",
            additionalProperties: { type: "array", items: { type: "string" } },
            default: DEFAULT_REQUIRED,
        },
    },
    check(stack, config, report) {
        const required = config.requiredAlarmMetrics;
        // In stack order, so findings read like the program.
        const watched = stack.resources.filter(
            (r) =>
                required[r.type] &&
                ((r.type !== TYPES.loadBalancer && r.type !== TYPES.albLoadBalancer) ||
                    isApplicationLoadBalancer(stack, r)),
        );
        if (watched.length === 0) return;
        const watchedUrns = new Set(watched.map((r) => r.urn));
        const byLiteral = new Map<string, PolicyResource[]>();
        for (const r of watched)
            for (const n of literalNames(stack, r)) byLiteral.set(n, [...(byLiteral.get(n) ?? []), r]);
        // One pass over the alarms: which metrics each watched resource is alarmed on.
        const alarmed = new Map<string, Set<string>>();
        for (const alarm of stack.ofType(TYPES.metricAlarm)) {
            const props = stack.props<MetricAlarmProps>(alarm);
            const shape = shapeOf(props);
            const targets = new Set(
                stack.referencedBy(alarm, "dimensions", "metricQueries").filter((d) => watchedUrns.has(d.urn)),
            );
            const dims = readObject(props.dimensions);
            if (dims.state === "known")
                for (const v of Object.values(dims.value))
                    if (typeof v === "string") for (const r of byLiteral.get(v) ?? []) targets.add(r);
            for (const t of targets) {
                const set = alarmed.get(t.urn) ?? new Set<string>();
                for (const m of shape.metrics) set.add(key(m));
                alarmed.set(t.urn, set);
            }
        }
        for (const r of watched) {
            const have = alarmed.get(r.urn) ?? new Set<string>();
            const missing = (required[r.type] ?? []).filter(
                (alternatives) => !alternatives.split("|").some((m) => have.has(m)),
            );
            if (missing.length === 0) continue;
            const res: Res = stack.res(r);
            report(res, {
                property: "alarms",
                found: have.size
                    ? `alarms on ${[...have].sort().join(", ")}`
                    : "no alarm whose dimensions reference this resource",
                allowed: `alarms on ${required[r.type].join(", ")}`,
                fix:
                    `add alarms on ${missing.join(", ")} with dimensions taken from this ` +
                    `resource's outputs and actions to the alerts topic`,
            });
        }
    },
});

export const alarmThresholdPolicies = [latency, errorRate, requestRate, actions, coverage];
