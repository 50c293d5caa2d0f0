/**
 * alarm-coverage: every ALB, ECS service, RDS instance (replicas included), Aurora
 * instance and CloudFront distribution has an alarm on each required metric that
 * can actually fire on that resource:
 *
 * - the metric's exact namespace and name (CloudWatch is case-sensitive), with the
 *   dimension names the resource publishes it under, each holding this resource's
 *   own value: at an update the exact value (an ALB's ARN suffix, not its ARN); at a
 *   new-stack preview, where AWS has not computed it yet, a value taken from that
 *   resource (property dependencies), or a literal equal to its literal name;
 * - in the region the resource publishes in (CloudFront: us-east-1, `Region: Global`);
 * - a fixed threshold it can cross in the direction that matters, a valid statistic,
 *   period and unit, datapointsToAlarm <= evaluationPeriods, actions enabled, and an
 *   action that reaches an SNS topic of this stack (see ./alarm-actions).
 */
import type { PolicyResource } from "@pulumi/policy";
import { reachOf, regionOfResource, Topics } from "./alarm-actions";
import {
    type AlarmMetric,
    type AlarmModel,
    alarmModel,
    describeMetric,
    isFinding,
    known,
    metricKey,
    readText,
} from "./alarm-model";
import { CLOUDFRONT_METRIC, CLOUDFRONT_METRICS_REGION_DIMENSION, CLOUDFRONT_REGION } from "./aws/cloudfront";
import {
    ALB_METRIC,
    ALB_METRIC_DIMENSIONS,
    CLOUDWATCH_NAMESPACE,
    DIMENSION,
    ECS_METRIC,
    EXTENDED_STATISTIC,
    METRIC_UNIT,
    RDS_METRIC,
    STANDARD_RESOLUTION_SECONDS,
    STANDARD_STATISTICS,
} from "./aws/cloudwatch";
import { type StackView, stackPolicy } from "./rule";
import { type MetricAlarmProps, TYPES } from "./types";
import { type Read, readBoolean, readNumber, readString, show } from "./values";

const WATCHED_TYPES = {
    auroraInstance: "aws:rds/clusterInstance:ClusterInstance",
    multitenantDistribution: "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
    ecsCluster: "aws:ecs/cluster:Cluster",
    targetGroups: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
} as const;

const keys = (namespace: string, ...metricNames: string[]) => metricNames.map((n) => metricKey(namespace, n));
const alb = (metricName: string) => metricKey(CLOUDWATCH_NAMESPACE.applicationElb, metricName);
const ALB_REQUIRED = [
    alb(ALB_METRIC.targetResponseTime),
    // Either 5xx count will do: alternatives are separated by |.
    `${alb(ALB_METRIC.target5xxCount)}|${alb(ALB_METRIC.elb5xxCount)}`,
    alb(ALB_METRIC.requestCount),
    alb(ALB_METRIC.unhealthyHostCount),
];
const RDS_REQUIRED = keys(
    CLOUDWATCH_NAMESPACE.rds,
    RDS_METRIC.cpuUtilization,
    RDS_METRIC.freeableMemory,
    RDS_METRIC.freeStorageSpace,
    RDS_METRIC.databaseConnections,
    RDS_METRIC.readLatency,
    RDS_METRIC.writeLatency,
);
const CLOUDFRONT_REQUIRED = keys(
    CLOUDWATCH_NAMESPACE.cloudFront,
    CLOUDFRONT_METRIC.errorRate5xx,
    CLOUDFRONT_METRIC.cacheHitRate,
);
const DEFAULT_REQUIRED: Record<string, string[]> = {
    [TYPES.loadBalancer]: ALB_REQUIRED,
    [TYPES.albLoadBalancer]: ALB_REQUIRED,
    [TYPES.ecsService]: keys(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.cpuUtilization, ECS_METRIC.memoryUtilization),
    [TYPES.rdsInstance]: RDS_REQUIRED,
    // Aurora stores data in the cluster volume: no per-instance FreeStorageSpace.
    [WATCHED_TYPES.auroraInstance]: keys(
        CLOUDWATCH_NAMESPACE.rds,
        RDS_METRIC.cpuUtilization,
        RDS_METRIC.freeableMemory,
        RDS_METRIC.databaseConnections,
    ),
    [TYPES.distribution]: CLOUDFRONT_REQUIRED,
    [WATCHED_TYPES.multitenantDistribution]: CLOUDFRONT_REQUIRED,
};
const DEFAULT_REPLICA_REQUIRED = [...RDS_REQUIRED, metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.replicaLag)];

/** Which way each required metric goes bad: an alarm the other way round never reports the problem. */
const BAD_WHEN: Readonly<Record<string, "above" | "below">> = {
    [alb(ALB_METRIC.targetResponseTime)]: "above",
    [alb(ALB_METRIC.target5xxCount)]: "above",
    [alb(ALB_METRIC.elb5xxCount)]: "above",
    [alb(ALB_METRIC.requestCount)]: "above",
    [alb(ALB_METRIC.unhealthyHostCount)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.cpuUtilization)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.memoryUtilization)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.cpuUtilization)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.freeableMemory)]: "below",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.freeStorageSpace)]: "below",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.databaseConnections)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.readLatency)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.writeLatency)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.replicaLag)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.errorRate5xx)]: "above",
    [metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.cacheHitRate)]: "below",
};
/** Metrics that never exceed 100 (percentages of a whole; ECS utilisation can, with bursting). */
const AT_MOST_100 = new Set([
    metricKey(CLOUDWATCH_NAMESPACE.rds, RDS_METRIC.cpuUtilization),
    metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.errorRate5xx),
    metricKey(CLOUDWATCH_NAMESPACE.cloudFront, CLOUDFRONT_METRIC.cacheHitRate),
]);
const ABOVE = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"];
const BELOW = ["LessThanThreshold", "LessThanOrEqualToThreshold"];

/** One value a dimension may hold for the resource. */
interface Expected {
    readonly value: Read<string>;
    /** Resources whose outputs produce it (property dependencies). */
    readonly sources: readonly string[];
    /** How a finding names it, e.g. `its arnSuffix`. */
    readonly what: string;
}

interface Watched {
    readonly r: PolicyResource;
    readonly required: readonly string[];
    /** Where the resource publishes its metrics. */
    readonly region: Read<string>;
    /** The dimension-name sets a metric of this resource is published with. */
    readonly dimensionSets: (metricName: string) => readonly (readonly string[])[];
    readonly expected: Readonly<Record<string, readonly Expected[]>>;
}

const own = (r: PolicyResource, value: Read<string>, what: string): Expected => ({
    // A name the provider generates is unknown until then.
    value: value.state === "absent" ? { state: "unknown" } : value,
    sources: [r.urn],
    what,
});

/** The ClusterName an ECS service publishes under: its cluster's name ("default" when none is set). */
function clusterNames(stack: StackView, service: PolicyResource): Expected[] {
    const clusters = stack.referencedBy(service, "cluster").filter((c) => c.type === WATCHED_TYPES.ecsCluster);
    if (clusters.length > 0)
        return clusters.map((c) => own(c, readText(stack.props(c).name), `cluster "${c.name}"'s name`));
    const cluster = readText(stack.props(service).cluster);
    if (cluster.state === "absent")
        return [{ value: { state: "known", value: "default" }, sources: [], what: "the default cluster" }];
    if (cluster.state === "unknown") return [{ value: cluster, sources: [], what: "its cluster's name" }];
    const name = cluster.value.split("/").pop() ?? cluster.value;
    return [{ value: { state: "known", value: name }, sources: [], what: "its cluster's name" }];
}

function watchedResources(stack: StackView, required: Record<string, string[]>, replicaRequired: string[]): Watched[] {
    const targetGroups: Expected[] = stack
        .ofType(...WATCHED_TYPES.targetGroups)
        .map((tg) => own(tg, readText(stack.props(tg).arnSuffix), `target group "${tg.name}"'s arnSuffix`));
    const out: Watched[] = [];
    for (const r of stack.resources) {
        const list = required[r.type];
        if (!list) continue;
        const p = stack.props(r);
        const region = regionOfResource(stack, r);
        switch (r.type) {
            case TYPES.loadBalancer:
            case TYPES.albLoadBalancer: {
                const type = readText(p.loadBalancerType);
                if (type.state === "known" && type.value !== "application") continue;
                out.push({
                    r,
                    required: list,
                    region,
                    dimensionSets: (metric) => ALB_METRIC_DIMENSIONS[metric] ?? [[DIMENSION.loadBalancer]],
                    expected: {
                        [DIMENSION.loadBalancer]: [own(r, readText(p.arnSuffix), "its arnSuffix")],
                        [DIMENSION.targetGroup]: targetGroups,
                    },
                });
                break;
            }
            case TYPES.ecsService:
                out.push({
                    r,
                    required: list,
                    region,
                    dimensionSets: () => [[DIMENSION.clusterName, DIMENSION.serviceName]],
                    expected: {
                        [DIMENSION.clusterName]: clusterNames(stack, r),
                        [DIMENSION.serviceName]: [own(r, readText(p.name), "its name")],
                    },
                });
                break;
            case TYPES.rdsInstance:
            case WATCHED_TYPES.auroraInstance: {
                const replica = r.type === TYPES.rdsInstance && readText(p.replicateSourceDb).state !== "absent";
                out.push({
                    r,
                    required: replica ? replicaRequired : list,
                    region,
                    dimensionSets: () => [[DIMENSION.dbInstanceIdentifier]],
                    expected: { [DIMENSION.dbInstanceIdentifier]: [own(r, readText(p.identifier), "its identifier")] },
                });
                break;
            }
            default:
                // CloudFront distributions: metrics only in us-east-1, under Region "Global".
                out.push({
                    r,
                    required: list,
                    region: { state: "known", value: CLOUDFRONT_REGION },
                    dimensionSets: () => [[DIMENSION.distributionId, DIMENSION.region]],
                    expected: {
                        [DIMENSION.distributionId]: [own(r, readText(p.id), "its ID")],
                        [DIMENSION.region]: [
                            {
                                value: { state: "known", value: CLOUDFRONT_METRICS_REGION_DIMENSION },
                                sources: [],
                                what: `"${CLOUDFRONT_METRICS_REGION_DIMENSION}"`,
                            },
                        ],
                    },
                });
        }
    }
    return out;
}

/** An alarm as coverage sees it, read once. */
interface Candidate {
    readonly alarm: PolicyResource;
    readonly model: AlarmModel;
    /** Why the alarm as a whole cannot fire or reach anyone; undefined when it can. */
    readonly problem?: string;
    readonly region: Read<string>;
    readonly operator: Read<string>;
    readonly threshold: Read<number>;
    /** Resources whose outputs flowed into its dimensions or metric queries. */
    readonly deps: ReadonlySet<string>;
}

function alarmProblem(stack: StackView, topics: Topics, alarm: PolicyResource, model: AlarmModel): string | undefined {
    const a = stack.props<MetricAlarmProps>(alarm);
    if (model.promql) return "a PromQL alarm the pack cannot read";
    if (isFinding(model.compared)) return `the pack cannot read what it compares (${model.compared.property})`;
    if (model.band) return "an anomaly-detection band follows the metric instead of holding a fixed limit";
    const enabled = readBoolean(a.actionsEnabled);
    if (enabled.state === "unknown" || (enabled.state === "known" && !enabled.value))
        return `actionsEnabled = ${show(enabled)}`;
    const periods = readNumber(a.evaluationPeriods);
    if (periods.state !== "known" || !Number.isInteger(periods.value) || periods.value < 1)
        return `evaluationPeriods = ${show(periods, "not set")}`;
    const datapoints = readNumber(a.datapointsToAlarm);
    // The provider leaves 0 unset, and CloudWatch then needs every period to breach.
    if (datapoints.state === "unknown") return "datapointsToAlarm is unknown at preview";
    if (datapoints.state === "known" && datapoints.value !== 0) {
        if (!Number.isInteger(datapoints.value) || datapoints.value < 0 || datapoints.value > periods.value)
            return `datapointsToAlarm ${datapoints.value} > evaluationPeriods ${periods.value}: it can never fire`;
    }
    const reach = reachOf(stack, topics, alarm);
    if (reach.topics.length === 0)
        return reach.scalingOnly
            ? "its actions only drive scaling and notify no one"
            : "no action reaches an SNS topic of this stack in its region";
    return undefined;
}

/** Why metric `m` of a candidate cannot fire, whatever resource it names; undefined when it can. */
function metricProblem(c: Candidate, m: AlarmMetric, key: string): string | undefined {
    const stat = m.stat;
    if (m.statConflict) return "both statistic and extendedStatistic are set";
    if (stat.state !== "known" || !(STANDARD_STATISTICS.includes(stat.value) || EXTENDED_STATISTIC.test(stat.value)))
        return `${m.statProperty} = ${show(stat, "not set")} is not a CloudWatch statistic`;
    const other = m.statProperty === "statistic" ? "extendedStatistic" : "statistic";
    if (m.path === "" && STANDARD_STATISTICS.includes(stat.value) === (m.statProperty === "extendedStatistic"))
        return `${m.statProperty} = ${show(stat)} belongs in ${other}`;
    const period = m.period;
    if (period.state !== "known" || period.value <= 0 || period.value % STANDARD_RESOLUTION_SECONDS !== 0)
        return (
            `${m.periodProperty} = ${show(period, "not set")} ` +
            "(AWS metrics have one datapoint a minute: use a multiple of 60)"
        );
    const unit = m.unit;
    if (unit.state === "unknown") return `${m.unitProperty} is unknown at preview`;
    const published = METRIC_UNIT[known(m.namespace) ?? ""]?.[known(m.metricName) ?? ""];
    if (unit.state === "known" && unit.value !== published)
        return (
            `${m.unitProperty} = "${unit.value}", but ${key} is published in ` +
            `${published ?? "another unit"}: it sees no data`
        );
    if (m.accountId.state !== "absent")
        return `${m.path.replace(/metric\.$/, "")}accountId = ${show(m.accountId)}: it reads another account's metric`;
    const op = known(c.operator);
    const bad = BAD_WHEN[key];
    const direction = bad === "above" ? "up" : "down";
    if (bad && !(bad === "above" ? ABOVE : BELOW).includes(op ?? ""))
        return `comparisonOperator ${show(c.operator)} does not fire when ${key} goes ${direction}`;
    const t = c.threshold;
    if (t.state !== "known") return `threshold = ${show(t, "not set")}`;
    if (bad === "below" && (op === "LessThanThreshold" ? t.value <= 0 : t.value < 0))
        return `threshold ${t.value}: ${key} never goes below it`;
    if (bad === "above" && AT_MOST_100.has(key) && (op === "GreaterThanThreshold" ? t.value >= 100 : t.value > 100))
        return `threshold ${t.value}: ${key} never exceeds 100`;
    return undefined;
}

/** Whether the dimensions of `m` name resource `w` exactly; else why not. */
function dimensionProblem(c: Candidate, m: AlarmMetric, w: Watched): string | undefined {
    if (m.dimensions.state !== "known") return `${m.dimensionsProperty} = ${show(m.dimensions)}`;
    const dims = m.dimensions.value;
    const names = Object.keys(dims).sort();
    const sets = w.dimensionSets(known(m.metricName) ?? "");
    if (!sets.some((s) => [...s].sort().join(",") === names.join(",")))
        return (
            `dimensions {${names.join(", ")}}; ${describeMetric(m)} of this resource is published with ` +
            sets.map((s) => `{${s.join(", ")}}`).join(" or ")
        );
    for (const name of names) {
        const value = readString(dims[name]);
        const alternatives = w.expected[name] ?? [];
        const match = alternatives.some((e) =>
            value.state === "known"
                ? e.value.state === "known" && e.value.value === value.value
                : value.state === "unknown" && e.sources.some((s) => c.deps.has(s)),
        );
        if (match) continue;
        const e = alternatives[0];
        if (!e) return `${name} has no value this resource publishes`;
        if (value.state === "known")
            return e.value.state === "known"
                ? `${name} = "${value.value}" is not ${e.what} ("${e.value.value}")`
                : `${name} = "${value.value}" is a literal, but ${e.what} is computed by AWS at deploy`;
        return `${name} is computed from another resource, not from ${e.what}`;
    }
    return undefined;
}

/** Whether an alarm appears to mean resource `w`: built from it, or naming one of its known values. */
function pointsAt(c: Candidate, m: AlarmMetric, w: Watched): boolean {
    if (c.deps.has(w.r.urn)) return true;
    if (m.dimensions.state !== "known") return false;
    const values = Object.values(m.dimensions.value).filter((v): v is string => typeof v === "string");
    return Object.entries(w.expected).some(
        ([name, es]) =>
            name !== DIMENSION.region &&
            name !== DIMENSION.targetGroup &&
            es.some((e) => values.includes(known(e.value) ?? "\0")),
    );
}

export const coverage = stackPolicy<{
    requiredAlarmMetrics: Record<string, string[]>;
    requiredReplicaAlarmMetrics: string[];
}>({
    id: "alarm-coverage",
    description:
        "Every ALB, ECS service, RDS instance (read replicas with ReplicaLag too), Aurora instance and CloudFront " +
        "distribution has an alarm on each required metric that can fire on it: exact namespace and metric name, " +
        "the dimensions it publishes holding its own values, its region, a fixed threshold crossed in the " +
        "direction that matters, and an action reaching an SNS topic of this stack.",
    severity: "high",
    remediationSteps:
        "Create the alarms in the component that owns the resource, with dimensions built from that " +
        "resource's outputs (ALB arnSuffix, cluster and service names, DB identifier, distribution ID with " +
        'Region: "Global" in us-east-1) and the alerts topic of the alarm\'s region as action.',
    config: {
        requiredAlarmMetrics: {
            type: "object",
            description:
                "Resource type token -> Namespace:MetricName entries that need an alarm (alternatives separated by |).",
            additionalProperties: {
                type: "array",
                items: { type: "string", pattern: "^[^:|]+:[^:|]+(\\|[^:|]+:[^:|]+)*$" },
            },
            default: DEFAULT_REQUIRED,
        },
        requiredReplicaAlarmMetrics: {
            type: "array",
            items: { type: "string", pattern: "^[^:|]+:[^:|]+(\\|[^:|]+:[^:|]+)*$" },
            description: "What an RDS read replica (replicateSourceDb set) needs instead of its type's list.",
            default: DEFAULT_REPLICA_REQUIRED,
        },
    },
    check(stack, config, report) {
        const watched = watchedResources(stack, config.requiredAlarmMetrics, config.requiredReplicaAlarmMetrics);
        if (watched.length === 0) return;
        const topics = new Topics(stack);
        const candidates: Candidate[] = stack.ofType(TYPES.metricAlarm).map((alarm) => {
            const a = stack.props<MetricAlarmProps>(alarm);
            const model = alarmModel(a);
            return {
                alarm,
                model,
                problem: alarmProblem(stack, topics, alarm, model),
                region: regionOfResource(stack, alarm),
                operator: readString(a.comparisonOperator),
                threshold: readNumber(a.threshold),
                deps: new Set(stack.referencedBy(alarm, "dimensions", "metricQueries").map((d) => d.urn)),
            };
        });
        // Every metric an alarm reads, once, indexed by its lower-cased key: a resource only looks at
        // the alarms on the metrics it needs (CloudWatch keys are case-sensitive; a key that differs
        // only in case is found so it can be named), in the order the stack lists them.
        const byKey = new Map<string, Array<{ c: Candidate; m: AlarmMetric; key: string; seq: number }>>();
        let seq = 0;
        for (const c of candidates)
            for (const m of isFinding(c.model.compared) ? c.model.metrics : c.model.compared.reads) {
                const key = describeMetric(m);
                const lower = key.toLowerCase();
                const list = byKey.get(lower) ?? [];
                list.push({ c, m, key, seq: seq++ });
                byKey.set(lower, list);
            }
        for (const w of watched) {
            const have = new Set<string>();
            const notCounted: string[] = [];
            for (const entry of w.required) {
                const alternatives = entry.split("|");
                let covered = false;
                const misses: string[] = [];
                const reading = [...new Set(alternatives.map((k) => k.toLowerCase()))]
                    .flatMap((k) => byKey.get(k) ?? [])
                    .sort((a, b) => a.seq - b.seq);
                for (const { c, m, key } of reading) {
                    const exact = alternatives.includes(key);
                    const caseOnly = !exact && alternatives.some((k) => k.toLowerCase() === key.toLowerCase());
                    if ((!exact && !caseOnly) || (covered && exact)) continue;
                    const why = caseOnly
                        ? `${key} differs in case from ${alternatives.join(" or ")} (CloudWatch is case-sensitive)`
                        : (c.problem ??
                          metricProblem(c, m, key) ??
                          dimensionProblem(c, m, w) ??
                          (c.region.state === "known" && w.region.state === "known" && c.region.value === w.region.value
                              ? undefined
                              : `the alarm is in ${show(c.region)}, the resource publishes in ${show(w.region)}`));
                    if (why === undefined) {
                        covered = true;
                        have.add(key);
                    } else if (pointsAt(c, m, w)) misses.push(`"${c.alarm.name}" on ${key}: ${why}`);
                }
                if (!covered) notCounted.push(...misses);
            }
            const missing = w.required.filter((e) => !e.split("|").some((k) => have.has(k)));
            if (missing.length === 0) continue;
            report(stack.res(w.r), {
                property: "alarms",
                found:
                    (have.size
                        ? `alarms on ${[...have].sort().join(", ")}`
                        : "no alarm that can fire on this resource") +
                    (notCounted.length ? `; not counted: ${notCounted.join("; ")}` : ""),
                allowed: `alarms on ${w.required.join(", ")}`,
                fix:
                    `add alarms on ${missing.join(", ")} with dimensions taken from this ` +
                    `resource's outputs, in ${show(w.region)}, and actions to the alerts topic`,
            });
        }
    },
});
