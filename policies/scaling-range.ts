/**
 * Scaling rules for ECS services under Application Auto Scaling: the task range
 * (scalable targets and scheduled actions), the policy types (target tracking is the
 * contract), target-tracking targets (CPU and memory bands, requests per target no
 * more than what one task sustains at the target utilisation), cooldowns, autoscaling
 * that is active, unambiguous links between services, targets and policies, every
 * service fully scaled, and the capacity each service offers at its scaling target.
 *
 * Scalable targets, policies and scheduled actions point at their service through
 * `resourceId` (`service/<cluster>/<service>`). The links follow the property
 * dependencies of `resourceId` and check them against its literal value whenever
 * that is known (auto-names make it known even for a new stack; an update knows
 * everything): a resourceId built from several services or targets, or one whose
 * value names another resource than the one it is built from, links nothing and is
 * a violation.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    ECS_DEFAULT_COOLDOWN_SECONDS,
    ECS_PREDICTIVE_METRIC as PREDICTIVE_METRIC,
    ECS_SCALABLE_DIMENSION,
    ECS_SERVICE_NAMESPACE,
    ECS_TARGET_TRACKING_METRIC,
} from "./aws/autoscaling";
import { describe, type Finding, literalRequired, type StackView, resourcePolicy, stackPolicy } from "./rule";
import { CAPACITY, CAPACITY_GATE, capacityAtTarget, SCALING, SLO } from "./slo";
import { stackNumber, type StackNumber, stackString } from "./stack-config";
import {
    type EcsClusterProps,
    type EcsServiceProps,
    type PredictiveScalingProps,
    type ScalableTargetActionProps,
    type ScalableTargetProps,
    type ScalingPolicyProps,
    type ScheduledActionProps,
    type SuspendedStateProps,
    type TargetTrackingProps,
    TYPES,
} from "./types";
import {
    type Read,
    readArray,
    readBoolean,
    readNumber,
    readObject,
    readSetString,
    readString,
    show,
    valueOr,
} from "./values";

const mustBeLiteral = (property: string, found: Read<unknown>, fix: string): Finding =>
    literalRequired(property, found, fix, "a literal number the policy pack can check at preview");

/** Whether an Application Auto Scaling resource acts on an ECS service; a finding when preview cannot tell. */
export function ecsScope(props: { serviceNamespace: unknown; scalableDimension: unknown }): "ecs" | "other" | Finding {
    const ns = readSetString(props.serviceNamespace);
    const dim = readSetString(props.scalableDimension);
    const lower = (r: Read<string>) => (r.state === "known" ? r.value.toLowerCase() : undefined);
    if (lower(ns) === ECS_SERVICE_NAMESPACE || lower(dim)?.startsWith(`${ECS_SERVICE_NAMESPACE}:`)) return "ecs";
    if (ns.state === "known" && dim.state === "known") return "other";
    const [property, found] = ns.state !== "known" ? ["serviceNamespace", ns] : ["scalableDimension", dim];
    return {
        property,
        found: show(found),
        allowed:
            `a literal value ("${ECS_SERVICE_NAMESPACE}" and "${ECS_SCALABLE_DIMENSION}" for an ECS ` +
            `service), so the pack can tell what it scales`,
        fix: "set serviceNamespace and scalableDimension literally, or take them from the scalable target's outputs",
    };
}

/** The target-tracking configuration of an ECS target-tracking policy, or undefined for other policies. */
export function targetTracking(p: ScalingPolicyProps): { config?: TargetTrackingProps; problem?: Finding } | undefined {
    if (ecsScope(p) !== "ecs") return undefined;
    const type = readString(p.policyType);
    // Other and unknown types are scaling-policy-type's to report.
    if (type.state !== "known" || type.value !== "TargetTrackingScaling") return undefined;
    const c = readObject(p.targetTrackingScalingPolicyConfiguration);
    if (c.state === "known") return { config: c.value as TargetTrackingProps };
    return {
        problem: mustBeLiteral(
            "targetTrackingScalingPolicyConfiguration",
            c,
            "build the target-tracking configuration from literals",
        ),
    };
}

/** The metric a target-tracking configuration tracks. */
export type TrackedMetric =
    | { readonly kind: "predefined"; readonly metric: string }
    | { readonly kind: "customized" }
    | { readonly kind: "problem"; readonly finding: Finding };

export function trackedMetric(c: TargetTrackingProps): TrackedMetric {
    const property = "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification";
    const spec = readObject(c.predefinedMetricSpecification);
    if (spec.state === "absent") {
        if (readObject(c.customizedMetricSpecification).state !== "absent") return { kind: "customized" };
        return {
            kind: "problem",
            finding: {
                property,
                found: "not set (and no customizedMetricSpecification)",
                allowed: Object.values(ECS_TARGET_TRACKING_METRIC).join(", "),
                fix: "set predefinedMetricSpecification.predefinedMetricType",
            },
        };
    }
    // An empty specification (or type) must not pass as "a customized metric, no band applies".
    const type = spec.state === "known" ? readSetString(spec.value.predefinedMetricType) : spec;
    if (type.state === "known") return { kind: "predefined", metric: type.value };
    return {
        kind: "problem",
        finding: {
            ...literalRequired(`${property}.predefinedMetricType`, type, "set the predefined metric type literally"),
            found: show(type, "not set"),
            allowed: Object.values(ECS_TARGET_TRACKING_METRIC).join(", "),
        },
    };
}

export const taskRange = resourcePolicy<{ minTasks: number; maxTasks: number }>({
    id: "scaling-task-range",
    description:
        "ECS scalable targets and scheduled scaling actions keep the task count inside the allowed range " +
        "(at least the floor, at most the cost ceiling), with minCapacity <= maxCapacity.",
    severity: "high",
    remediationSteps:
        "Set credlink:scaling.minTasks and credlink:scaling.maxTasks (and any scheduled action's " +
        "scalableTargetAction) inside the range: minTasks from SCALING.tasks, the ceiling from " +
        "CAPACITY_GATE.maxTasks in policies/slo.ts, or this environment's policy config.",
    types: [TYPES.scalableTarget, TYPES.scheduledAction],
    config: {
        minTasks: {
            type: "integer",
            minimum: 0,
            description: "Lowest allowed minCapacity and maxCapacity (availability floor).",
            default: SCALING.tasks.min,
        },
        maxTasks: {
            type: "integer",
            minimum: 1,
            description: "Highest allowed minCapacity and maxCapacity (absolute cost ceiling per service).",
            default: CAPACITY_GATE.maxTasks,
        },
    },
    check(r, config, report) {
        const scope = ecsScope(r.props as ScalableTargetProps);
        if (scope !== "ecs") {
            if (scope !== "other") report(r, scope);
            return;
        }
        const band = `${config.minTasks}..${config.maxTasks} tasks`;
        const scheduled = r.type === TYPES.scheduledAction;
        let values: { minCapacity: unknown; maxCapacity: unknown };
        let prefix = "";
        if (scheduled) {
            const action = readObject((r.props as ScheduledActionProps).scalableTargetAction);
            if (action.state === "unknown")
                return report(r, mustBeLiteral("scalableTargetAction", action, "set min/maxCapacity literally"));
            if (action.state === "absent") return; // the provider requires it; nothing to scale to
            values = action.value as ScalableTargetActionProps;
            prefix = "scalableTargetAction.";
        } else {
            values = r.props as ScalableTargetProps;
        }
        const min = readNumber(values.minCapacity);
        const max = readNumber(values.maxCapacity);
        const settingFix = (key: string, setting: string) =>
            scheduled
                ? `set ${prefix}${key} between ${config.minTasks} and ${config.maxTasks}, or drop the scheduled action`
                : `set credlink:scaling.${setting} between ${config.minTasks} and ${config.maxTasks}`;
        for (const [key, v, setting] of [
            ["minCapacity", min, "minTasks"],
            ["maxCapacity", max, "maxTasks"],
        ] as const) {
            // A scheduled action may leave either bound as it is.
            if (scheduled && v.state === "absent") continue;
            if (v.state !== "known") report(r, mustBeLiteral(prefix + key, v, settingFix(key, setting)));
            else if (v.value < config.minTasks || v.value > config.maxTasks) {
                report(r, {
                    property: prefix + key,
                    found: String(v.value),
                    allowed: band,
                    fix: settingFix(key, setting),
                });
            }
        }
        if (min.state === "known" && max.state === "known" && min.value > max.value) {
            report(r, {
                property: `${prefix}minCapacity/maxCapacity`,
                found: `${min.value} > ${max.value}`,
                allowed: "minCapacity <= maxCapacity",
                fix: scheduled
                    ? "order the scheduled action's bounds"
                    : "lower credlink:scaling.minTasks or raise credlink:scaling.maxTasks",
            });
        }
    },
});

export const policyType = resourcePolicy<{ allowedPolicyTypes: string[] }>({
    id: "scaling-policy-type",
    description:
        "ECS scaling policies are target tracking; a predictive scaling policy may be added on top, " +
        "but never raises capacity above maxCapacity. Step scaling is not allowed.",
    severity: "high",
    remediationSteps:
        "Scale ECS services with the ScalingService component's target-tracking policies; remove step " +
        'scaling policies; give predictive policies maxCapacityBreachBehavior "HonorMaxCapacity" (or leave it unset).',
    types: [TYPES.scalingPolicy],
    config: {
        allowedPolicyTypes: {
            type: "array",
            items: { type: "string", enum: ["TargetTrackingScaling", "PredictiveScaling"] },
            minItems: 1,
            uniqueItems: true,
            default: ["TargetTrackingScaling", "PredictiveScaling"],
        },
    },
    check(r, config, report) {
        const p = r.props as ScalingPolicyProps;
        const scope = ecsScope(p);
        if (scope !== "ecs") {
            if (scope !== "other") report(r, scope);
            return;
        }
        const allowed = config.allowedPolicyTypes.join(" or ");
        const type = readString(p.policyType);
        if (type.state !== "known" || !config.allowedPolicyTypes.includes(type.value)) {
            report(r, {
                property: "policyType",
                found: show(type, "not set (Application Auto Scaling's default: StepScaling)"),
                allowed,
                fix:
                    type.state === "unknown"
                        ? "set policyType literally"
                        : "replace this policy with target tracking (the ScalingService component's policies)",
            });
            return;
        }
        if (type.value !== "PredictiveScaling") return;
        const c = readObject(p.predictiveScalingPolicyConfiguration);
        if (c.state !== "known")
            return report(
                r,
                literalRequired(
                    "predictiveScalingPolicyConfiguration",
                    c,
                    "build the predictive scaling configuration from literals",
                ),
            );
        const breach = readSetString((c.value as PredictiveScalingProps).maxCapacityBreachBehavior);
        if (breach.state === "absent" || (breach.state === "known" && breach.value === "HonorMaxCapacity")) return;
        report(r, {
            property: "predictiveScalingPolicyConfiguration.maxCapacityBreachBehavior",
            found: show(breach),
            allowed: '"HonorMaxCapacity" or not set (the default): the task ceiling holds',
            fix: 'set maxCapacityBreachBehavior to "HonorMaxCapacity" and drop maxCapacityBuffer',
        });
    },
});

export const active = resourcePolicy<Record<string, never>>({
    id: "scaling-active",
    description:
        "ECS autoscaling is active: the scalable target suspends no scaling activity, and target-tracking " +
        "policies may scale in.",
    severity: "high",
    remediationSteps:
        "Remove suspendedState from the scalable target (or set every flag to false) and set " +
        "disableScaleIn: false on target-tracking policies.",
    types: [TYPES.scalableTarget, TYPES.scalingPolicy],
    check(r, _config, report) {
        if (r.type === TYPES.scalingPolicy) {
            const tt = targetTracking(r.props as ScalingPolicyProps);
            if (!tt?.config) return; // scaling-target-tracking reports a non-literal configuration
            const off = readBoolean(tt.config.disableScaleIn);
            if (off.state === "absent" || (off.state === "known" && !off.value)) return;
            return report(r, {
                property: "targetTrackingScalingPolicyConfiguration.disableScaleIn",
                found: show(off),
                allowed: "false (or not set)",
                fix: "set disableScaleIn: false",
            });
        }
        const t = r.props as ScalableTargetProps;
        if (ecsScope(t) !== "ecs") return; // scaling-task-range reports an unknown scope
        const state = readObject(t.suspendedState);
        if (state.state === "absent") return;
        if (state.state === "unknown")
            return report(r, literalRequired("suspendedState", state, "remove suspendedState or set it literally"));
        const flags = state.value as SuspendedStateProps;
        for (const key of [
            "dynamicScalingInSuspended",
            "dynamicScalingOutSuspended",
            "scheduledScalingSuspended",
        ] as const) {
            const v = readBoolean(flags[key]);
            if (v.state === "absent" || (v.state === "known" && !v.value)) continue;
            report(r, {
                property: `suspendedState.${key}`,
                found: show(v),
                allowed: "false (or not set)",
                fix: `set suspendedState.${key} to false (or remove suspendedState)`,
            });
        }
    },
});

/** The per-task request ceiling the stack's planning settings and the policy config allow. */
interface RequestCeiling {
    /** Requests per target per minute. */
    readonly limit: number;
    readonly basis: string;
    readonly problems: Finding[];
}

function setting(n: StackNumber, valid: (v: number) => boolean, allowed: string): Finding | undefined {
    if (n.state === "invalid" || (n.state === "set" && !valid(n.value)))
        return {
            property: `stack config ${n.key}`,
            found: n.state === "invalid" ? JSON.stringify(n.raw) : String(n.value),
            allowed,
            fix: `set ${n.key} in the stack file to ${allowed}`,
        };
    return undefined;
}

const round = (n: number, digits = 2) => String(Number(n.toFixed(digits)));

function requestCeiling(config: { taskCapacityRps: number; maxTargetUtilization: number }): RequestCeiling {
    const problems: Finding[] = [];
    const rate = stackNumber("scaling.taskCapacityRps");
    const rateProblem = setting(rate, (v) => v > 0, "a positive number of requests per second");
    if (rateProblem) problems.push(rateProblem);
    if (rate.state !== "absent" && stackString("scaling.taskCapacitySource") === undefined) {
        problems.push({
            property: `stack config ${rate.key.replace("taskCapacityRps", "taskCapacitySource")}`,
            found: "not set",
            allowed:
                'where scaling.taskCapacityRps came from: a measurement (date, report) or "planning assumption: ..."',
            fix: "say where the per-task rate came from in the stack file",
        });
    }
    const util = stackNumber("scaling.targetUtilization");
    const utilProblem = setting(util, (v) => v > 0 && v <= 1, "a share between 0 and 1");
    if (utilProblem) problems.push(utilProblem);
    const perTask = rate.state === "set" && !rateProblem ? rate.value : config.taskCapacityRps;
    const stackUtil = util.state === "set" && !utilProblem ? util.value : undefined;
    const used = Math.min(stackUtil ?? config.maxTargetUtilization, config.maxTargetUtilization);
    const capped =
        stackUtil !== undefined && stackUtil > config.maxTargetUtilization
            ? `; the stack's targetUtilization ${stackUtil} is capped at the policy's ${config.maxTargetUtilization}`
            : "";
    const source = rate.state === "set" && !rateProblem ? rate.key : "the policy's planning assumption";
    return {
        limit: Math.round(perTask * used * 60),
        basis: `taskCapacityRps ${round(perTask)} req/s (${source}) x targetUtilization ${used} x 60${capped}`,
        problems,
    };
}

interface TrackingConfig {
    cpuTargetMin: number;
    cpuTargetMax: number;
    memoryTargetMin: number;
    memoryTargetMax: number;
    taskCapacityRps: number;
    maxTargetUtilization: number;
}

/** What a scaling metric's target is held to. */
type Band =
    | { readonly kind: "percent"; readonly min: number; readonly max: number; readonly setting: string }
    | { readonly kind: "requests" };

function bandOf(metric: string, config: TrackingConfig): Band | undefined {
    switch (metric) {
        case ECS_TARGET_TRACKING_METRIC.cpu:
        case PREDICTIVE_METRIC.cpu:
            return { kind: "percent", min: config.cpuTargetMin, max: config.cpuTargetMax, setting: "cpuTargetPercent" };
        case ECS_TARGET_TRACKING_METRIC.memory:
        case PREDICTIVE_METRIC.memory:
            return {
                kind: "percent",
                min: config.memoryTargetMin,
                max: config.memoryTargetMax,
                setting: "memoryTargetPercent",
            };
        case ECS_TARGET_TRACKING_METRIC.requests:
        case PREDICTIVE_METRIC.requests:
            return { kind: "requests" };
        default:
            return undefined;
    }
}

/**
 * The ECS metric a predictive metric specification scales on: its predefined metric pair
 * (ALBRequestCount, ECSServiceCPUUtilization, ECSServiceMemoryUtilization) or predefined scaling
 * metric; undefined for customized metrics.
 */
function predictiveMetric(spec: Record<string, unknown>): string | undefined {
    for (const key of ["predefinedMetricPairSpecification", "predefinedScalingMetricSpecification"]) {
        const m = readObject(spec[key]);
        if (m.state !== "known") continue;
        const type = readSetString(m.value.predefinedMetricType);
        if (type.state === "known") return type.value;
    }
    return undefined;
}

export const targetTrackingBands = resourcePolicy<TrackingConfig>({
    id: "scaling-target-tracking",
    description:
        "ECS target-tracking policies aim inside the bands: CPU and memory percent, and ALB requests per " +
        "target per minute no more than one task sustains at the target utilisation " +
        "(taskCapacityRps x targetUtilization x 60).",
    severity: "medium",
    remediationSteps:
        "Set credlink:scaling.cpuTargetPercent and memoryTargetPercent inside the bands (SCALING in " +
        "policies/slo.ts); derive credlink:scaling.requestsPerTarget from a measured " +
        "credlink:scaling.taskCapacityRps (k6 TEST=capacity) at the target utilisation.",
    types: [TYPES.scalingPolicy],
    config: {
        cpuTargetMin: { type: "number", minimum: 0, maximum: 100, default: SCALING.cpuTargetPercent.min },
        cpuTargetMax: { type: "number", minimum: 0, maximum: 100, default: SCALING.cpuTargetPercent.max },
        memoryTargetMin: { type: "number", minimum: 0, maximum: 100, default: SCALING.memoryTargetPercent.min },
        memoryTargetMax: { type: "number", minimum: 0, maximum: 100, default: SCALING.memoryTargetPercent.max },
        taskCapacityRps: {
            type: "number",
            exclusiveMinimum: 0,
            description:
                "Requests per second one task sustains within the SLO, used when the stack config sets no " +
                "scaling.taskCapacityRps.",
            default: CAPACITY_GATE.planningTaskCapacityRps,
        },
        maxTargetUtilization: {
            type: "number",
            exclusiveMinimum: 0,
            maximum: 1,
            description:
                "Highest share of the per-task rate the request target may aim at; a stack's own " +
                "scaling.targetUtilization may only be lower.",
            default: CAPACITY.targetUtilization,
        },
    },
    check(r, config, report) {
        const judge = (band: Band, target: Read<number>, property: string) => {
            if (band.kind === "percent") {
                if (target.state !== "known")
                    return report(r, mustBeLiteral(property, target, `set credlink:scaling.${band.setting}`));
                if (target.value >= band.min && target.value <= band.max) return;
                return report(r, {
                    property,
                    found: String(target.value),
                    allowed: `${band.min}..${band.max} %`,
                    fix: `set credlink:scaling.${band.setting} between ${band.min} and ${band.max}`,
                });
            }
            const ceiling = requestCeiling(config);
            for (const f of ceiling.problems) report(r, f);
            if (target.state !== "known")
                return report(r, mustBeLiteral(property, target, "set credlink:scaling.requestsPerTarget"));
            if (target.value > 0 && target.value <= ceiling.limit) return;
            report(r, {
                property,
                found: String(target.value),
                allowed: `more than 0 and at most ${ceiling.limit} requests per target per minute (${ceiling.basis})`,
                fix:
                    `set credlink:scaling.requestsPerTarget to ${ceiling.limit} or less (or leave it to the ` +
                    `capacity plan), or measure what one task sustains (k6 TEST=capacity) and set ` +
                    `credlink:scaling.taskCapacityRps from it`,
            });
        };
        const p = r.props as ScalingPolicyProps;
        if (
            ecsScope(p) === "ecs" &&
            readString(p.policyType).state === "known" &&
            p.policyType === "PredictiveScaling"
        ) {
            // A predictive plan aims at the same targets as target tracking (scaling-policy-type reports a
            // configuration that is not literal).
            const c = readObject(p.predictiveScalingPolicyConfiguration);
            const specs = c.state === "known" ? readArray((c.value as PredictiveScalingProps).metricSpecifications) : c;
            if (specs.state === "unknown")
                return report(
                    r,
                    literalRequired(
                        "predictiveScalingPolicyConfiguration.metricSpecifications",
                        specs,
                        "build the metric specifications from literals",
                    ),
                );
            (specs.state === "known" ? specs.value : []).forEach((raw, i) => {
                const spec = readObject(raw);
                const property = `predictiveScalingPolicyConfiguration.metricSpecifications[${i}]`;
                if (spec.state !== "known")
                    return report(r, literalRequired(property, spec, "build the metric specification from literals"));
                const metric = predictiveMetric(spec.value);
                const band = metric === undefined ? undefined : bandOf(metric, config);
                if (band) judge(band, readNumber(spec.value.targetValue), `${property}.targetValue (${metric})`);
            });
            return;
        }
        const tt = targetTracking(p);
        if (!tt) return;
        if (!tt.config) return report(r, tt.problem!);
        const metric = trackedMetric(tt.config);
        if (metric.kind === "problem") return report(r, metric.finding);
        if (metric.kind === "customized") return; // an extra policy on another metric; no band applies
        const band = bandOf(metric.metric, config);
        if (!band) return; // no SLO band for other metrics
        judge(
            band,
            readNumber(tt.config.targetValue),
            `targetTrackingScalingPolicyConfiguration.targetValue (${metric.metric})`,
        );
    },
});

export const cooldowns = resourcePolicy<{ scaleOutCooldownMaxSeconds: number; scaleInCooldownMinSeconds: number }>({
    id: "scaling-cooldowns",
    description:
        "ECS target-tracking policies scale out fast and scale in gently: scale-out cooldown at " +
        "most 60 s, scale-in cooldown at least 300 s.",
    severity: "medium",
    remediationSteps:
        "Set credlink:scaling.scaleOutCooldownSeconds / requestScaleOutCooldownSeconds <= the " +
        "maximum and credlink:scaling.scaleInCooldownSeconds >= the minimum; unset cooldowns default " +
        "to 300 s.",
    types: [TYPES.scalingPolicy],
    config: {
        scaleOutCooldownMaxSeconds: { type: "integer", minimum: 0, default: SCALING.scaleOutCooldownMaxSeconds },
        scaleInCooldownMinSeconds: { type: "integer", minimum: 0, default: SCALING.scaleInCooldownMinSeconds },
    },
    check(r, config, report) {
        const tt = targetTracking(r.props as ScalingPolicyProps);
        if (!tt?.config) return; // scaling-target-tracking reports a non-literal configuration
        const notSet = `not set (Application Auto Scaling's default for ECS: ${ECS_DEFAULT_COOLDOWN_SECONDS} s)`;
        const out = readNumber(tt.config.scaleOutCooldown);
        const outValue = valueOr(out, ECS_DEFAULT_COOLDOWN_SECONDS);
        if (outValue === undefined)
            report(
                r,
                mustBeLiteral(
                    "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
                    out,
                    "set scaleOutCooldown literally",
                ),
            );
        else if (outValue > config.scaleOutCooldownMaxSeconds) {
            report(r, {
                property: "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
                found: show(out, notSet),
                allowed: `at most ${config.scaleOutCooldownMaxSeconds} s`,
                fix:
                    `set credlink:scaling.scaleOutCooldownSeconds (or ` +
                    `requestScaleOutCooldownSeconds) to ${config.scaleOutCooldownMaxSeconds} or less`,
            });
        }
        const inn = readNumber(tt.config.scaleInCooldown);
        const inValue = valueOr(inn, ECS_DEFAULT_COOLDOWN_SECONDS);
        if (inValue === undefined)
            report(
                r,
                mustBeLiteral(
                    "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
                    inn,
                    "set scaleInCooldown literally",
                ),
            );
        else if (inValue < config.scaleInCooldownMinSeconds) {
            report(r, {
                property: "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
                found: show(inn, notSet),
                allowed: `at least ${config.scaleInCooldownMinSeconds} s`,
                fix: `set credlink:scaling.scaleInCooldownSeconds to ${config.scaleInCooldownMinSeconds} or more`,
            });
        }
    },
});

/** An ECS service with the Application Auto Scaling resources that act on it. */
export interface ServiceScaling {
    readonly service: PolicyResource;
    readonly targets: PolicyResource[];
    readonly policies: PolicyResource[];
    readonly scheduledActions: PolicyResource[];
}

export interface LinkProblem {
    readonly resource: PolicyResource;
    readonly finding: Finding;
}

/** Which ECS service each scaling resource acts on, as far as its resourceId says it unambiguously. */
export interface ScalingLinks {
    readonly services: readonly ServiceScaling[];
    /** The service of each linked ECS scalable target, policy and scheduled action. */
    readonly serviceOf: ReadonlyMap<PolicyResource, ServiceScaling>;
    /** The scalable target each linked policy or scheduled action attaches to. */
    readonly targetOf: ReadonlyMap<PolicyResource, PolicyResource>;
    /** ECS scaling resources whose resourceId is unknown, ambiguous, or names another resource than its source. */
    readonly problems: readonly LinkProblem[];
}

const ECS_RESOURCE_ID = /^service\/([^/]+)\/([^/]+)$/;
const RESOURCE_ID_FORMAT = "service/<cluster name>/<service name>";

/** An ECS service's name and its cluster's name, where known. */
interface ServiceIdentity {
    readonly name?: string;
    readonly cluster?: string;
}

function serviceIdentity(stack: StackView, s: PolicyResource): ServiceIdentity {
    const props = stack.props<EcsServiceProps>(s);
    const name = readSetString(props.name);
    const clusters = [...new Set(stack.referencedBy(s, "cluster").filter((r) => r.type === TYPES.ecsCluster))];
    let cluster: string | undefined;
    if (clusters.length === 1) {
        const n = readSetString(stack.props<EcsClusterProps>(clusters[0]).name);
        if (n.state === "known") cluster = n.value;
    } else if (clusters.length === 0) {
        const c = readSetString(props.cluster);
        // A cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>) or name; ECS's default cluster otherwise.
        if (c.state === "known") cluster = c.value.split("/").pop();
        else if (c.state === "absent") cluster = "default";
    }
    return { name: name.state === "known" ? name.value : undefined, cluster };
}

const names = (rs: readonly PolicyResource[]) => rs.map(describe).join(", ");

const linkCache = new WeakMap<StackView, ScalingLinks>();

/**
 * Links every ECS scalable target to its service, and every ECS policy and scheduled action to its
 * scalable target (and so its service). Exported for rules that reason about a service's scaling.
 */
export function linkScaling(stack: StackView): ScalingLinks {
    const cached = linkCache.get(stack);
    if (cached) return cached;
    const services = stack.ofType(TYPES.ecsService);
    const entries = new Map<PolicyResource, ServiceScaling>(
        services.map((s) => [s, { service: s, targets: [], policies: [], scheduledActions: [] }]),
    );
    const identity = new Map(services.map((s) => [s, serviceIdentity(stack, s)]));
    const serviceOf = new Map<PolicyResource, ServiceScaling>();
    const targetOf = new Map<PolicyResource, PolicyResource>();
    const problems: LinkProblem[] = [];
    const problem = (resource: PolicyResource, found: string, allowed: string, fix: string) =>
        problems.push({ resource, finding: { property: "resourceId", found, allowed, fix } });
    const oneSource = "a resourceId built from exactly one scalable target (or ECS service) of this stack";
    const noMixing =
        "build resourceId from the one scalable target it belongs to (its resourceId output), without " +
        "combining other resources' outputs into it";

    /** The services a literal resourceId names (by service and cluster name); `undefined`: not an ECS ID. */
    const named = (id: Read<string>): PolicyResource[] | undefined => {
        if (id.state !== "known") return [];
        const m = ECS_RESOURCE_ID.exec(id.value);
        if (!m) return undefined;
        return services.filter((s) => {
            const i = identity.get(s)!;
            return i.name === m[2] && (i.cluster === undefined || i.cluster === m[1]);
        });
    };
    const contradicts = (s: PolicyResource, id: Read<string>): boolean => {
        const m = id.state === "known" ? ECS_RESOURCE_ID.exec(id.value) : null;
        if (!m) return false;
        const i = identity.get(s)!;
        return (i.name !== undefined && i.name !== m[2]) || (i.cluster !== undefined && i.cluster !== m[1]);
    };
    const notAnEcsId = (r: PolicyResource, id: Read<string>) =>
        problem(r, show(id), RESOURCE_ID_FORMAT, `set resourceId to ${RESOURCE_ID_FORMAT} of the scaled service`);

    for (const t of stack.ofType(TYPES.scalableTarget)) {
        const props = stack.props<ScalableTargetProps>(t);
        if (ecsScope(props) !== "ecs") continue;
        const id = readString(props.resourceId);
        const byName = named(id);
        if (byName === undefined) {
            notAnEcsId(t, id);
            continue;
        }
        const fromDeps = [...new Set(stack.referencedBy(t, "resourceId").filter((d) => d.type === TYPES.ecsService))];
        let service: PolicyResource | undefined;
        if (fromDeps.length > 1) {
            problem(t, `built from several ECS services: ${names(fromDeps)}`, oneSource, noMixing);
        } else if (fromDeps.length === 1) {
            const s = fromDeps[0];
            if (contradicts(s, id) || (byName.length > 0 && !byName.includes(s)))
                problem(
                    t,
                    `${show(id)}, but it is built from ${describe(s)}` +
                        (identity.get(s)!.name ? ` (service name "${identity.get(s)!.name}")` : ""),
                    "the cluster and service names of the service it is built from",
                    "build resourceId from that service's cluster and service names (their outputs), not a literal",
                );
            else service = s;
        } else if (byName.length === 1) {
            service = byName[0];
        } else if (byName.length > 1) {
            problem(t, `${show(id)}, which names several services: ${names(byName)}`, oneSource, noMixing);
        } else if (id.state !== "known") {
            problem(
                t,
                `${show(id)}, built from no ECS service of this stack`,
                "a literal resourceId, or one built from the service's cluster and service names",
                "build resourceId from the service and its cluster",
            );
        } // else: a literal ID of a service outside this stack
        if (!service) continue;
        const entry = entries.get(service)!;
        entry.targets.push(t);
        serviceOf.set(t, entry);
    }

    const attach = (r: PolicyResource, list: "policies" | "scheduledActions") => {
        const props = stack.props<ScalingPolicyProps | ScheduledActionProps>(r);
        if (ecsScope(props) !== "ecs") return;
        const id = readString(props.resourceId);
        const deps = [...new Set(stack.referencedBy(r, "resourceId"))];
        const depTargets = deps.filter((d) => d.type === TYPES.scalableTarget);
        const depServices = deps.filter((d) => d.type === TYPES.ecsService);
        const targetId = (t: PolicyResource) => readString(stack.props<ScalableTargetProps>(t).resourceId);
        let target: PolicyResource | undefined;
        if (
            depTargets.length > 1 ||
            (depTargets.length === 1 && depServices.some((s) => serviceOf.get(depTargets[0])?.service !== s)) ||
            depServices.length > 1
        ) {
            problem(r, `built from several resources: ${names([...depTargets, ...depServices])}`, oneSource, noMixing);
            return;
        }
        if (depTargets.length === 1) {
            const t = depTargets[0];
            const tid = targetId(t);
            if (id.state === "known" && tid.state === "known" && id.value !== tid.value) {
                problem(
                    r,
                    `${show(id)}, but it is built from ${describe(t)} (resourceId ${show(tid)})`,
                    "the resourceId of the scalable target it is built from",
                    "take resourceId from the scalable target's resourceId output",
                );
                return;
            }
            target = t;
        } else {
            const byName = named(id);
            if (byName === undefined) return notAnEcsId(r, id);
            if (
                depServices.length === 1 &&
                (contradicts(depServices[0], id) || (byName.length > 0 && !byName.includes(depServices[0])))
            ) {
                problem(
                    r,
                    `${show(id)}, but it is built from ${describe(depServices[0])}`,
                    "the cluster and service names of the service it is built from",
                    "take resourceId from the scalable target's resourceId output",
                );
                return;
            }
            const pool =
                depServices.length === 1
                    ? (entries.get(depServices[0])?.targets ?? [])
                    : stack
                          .ofType(TYPES.scalableTarget)
                          .filter((t) => ecsScope(stack.props<ScalableTargetProps>(t)) === "ecs");
            const matching =
                id.state === "known"
                    ? pool.filter((t) => {
                          const tid = targetId(t);
                          return tid.state === "known" && tid.value === id.value;
                      })
                    : depServices.length === 1
                      ? pool
                      : [];
            if (matching.length === 1) target = matching[0];
            else if (matching.length > 1)
                problem(
                    r,
                    `${show(id)}, which matches several scalable targets: ${names(matching)}`,
                    oneSource,
                    noMixing,
                );
            else if (id.state !== "known" && depServices.length === 0)
                problem(
                    r,
                    `${show(id)}, built from no scalable target or ECS service of this stack`,
                    "a literal resourceId, or one taken from the scalable target's resourceId output",
                    "take resourceId from the scalable target's resourceId output",
                );
            else if (depServices.length === 1 || byName.length > 0)
                problem(
                    r,
                    `${show(id)}: ${describe(depServices[0] ?? byName[0])} has no scalable target with this resourceId`,
                    "the resourceId of a scalable target of this stack",
                    "register the scalable target first and take resourceId from its output",
                );
            // else: a literal ID of a service outside this stack
        }
        if (!target) return;
        targetOf.set(r, target);
        const entry = serviceOf.get(target);
        if (!entry) return;
        entry[list].push(r);
        serviceOf.set(r, entry);
    };
    for (const p of stack.ofType(TYPES.scalingPolicy)) attach(p, "policies");
    for (const a of stack.ofType(TYPES.scheduledAction)) attach(a, "scheduledActions");

    const links: ScalingLinks = { services: [...entries.values()], serviceOf, targetOf, problems };
    linkCache.set(stack, links);
    return links;
}

/** Each ECS service with the scalable targets, policies and scheduled actions that act on it. */
export function scalingByService(stack: StackView): readonly ServiceScaling[] {
    return linkScaling(stack).services;
}

export const links = stackPolicy<Record<string, never>>({
    id: "scaling-links",
    description:
        "Every ECS scalable target, scaling policy and scheduled action points at exactly one service " +
        "(and scalable target) of the stack: its resourceId is built from one of them, and its value, " +
        "when known, names that same one.",
    severity: "high",
    remediationSteps:
        "Build a scalable target's resourceId from its service (service/<cluster name>/<service name> of " +
        "their outputs) and a policy's or scheduled action's from the scalable target's resourceId output; " +
        "don't hard-code IDs or combine other resources' outputs into them.",
    check(stack, _config, report) {
        for (const p of linkScaling(stack).problems) report(stack.res(p.resource), p.finding);
    },
});

/** The target-tracking configurations of a service's policies, by predefined metric (all of them). */
export function trackedMetricConfigs(
    stack: StackView,
    policies: readonly PolicyResource[],
): Map<string, TargetTrackingProps[]> {
    const metrics = new Map<string, TargetTrackingProps[]>();
    for (const p of policies) {
        const tt = targetTracking(stack.props<ScalingPolicyProps>(p));
        if (!tt?.config) continue;
        const m = trackedMetric(tt.config);
        if (m.kind !== "predefined") continue;
        metrics.set(m.metric, [...(metrics.get(m.metric) ?? []), tt.config]);
    }
    return metrics;
}

/** One target-tracking configuration per predefined metric (the last declared, when several track it). */
export function trackedMetrics(
    stack: StackView,
    policies: readonly PolicyResource[],
): Map<string, TargetTrackingProps> {
    return new Map([...trackedMetricConfigs(stack, policies)].map(([m, cs]) => [m, cs[cs.length - 1]]));
}

export const serviceCoverage = stackPolicy<{ requiredMetrics: string[] }>({
    id: "scaling-service-coverage",
    description:
        "Every ECS service has a scalable target with target-tracking policies on CPU, memory and " +
        "ALB requests per target.",
    severity: "high",
    remediationSteps:
        "Create the service through the ScalingService component, which registers the scalable " +
        "target and the three target-tracking policies; their resourceId must come from the service " +
        "(and its cluster).",
    config: {
        requiredMetrics: {
            type: "array",
            items: { type: "string" },
            uniqueItems: true,
            default: [
                ECS_TARGET_TRACKING_METRIC.cpu,
                ECS_TARGET_TRACKING_METRIC.memory,
                ECS_TARGET_TRACKING_METRIC.requests,
            ],
        },
    },
    check(stack, config, report) {
        for (const s of scalingByService(stack)) {
            const found = trackedMetrics(stack, s.policies);
            const missing = config.requiredMetrics.filter((m) => !found.has(m));
            if (s.targets.length > 0 && missing.length === 0) continue;
            report(stack.res(s.service), {
                property: "autoscaling",
                found:
                    s.targets.length === 0
                        ? `no scalable target (${ECS_SCALABLE_DIMENSION}) for this service`
                        : `a scalable target tracking ${[...found.keys()].join(", ") || "nothing"}`,
                allowed: `a scalable target with target-tracking policies on ${config.requiredMetrics.join(", ")}`,
                fix:
                    `add ${s.targets.length === 0 ? "an aws.appautoscaling.Target and " : ""}target-tracking ` +
                    `policies for ${missing.join(", ")} whose resourceId is built from this service`,
            });
        }
    },
});

/** A planning number: the stack's own setting, never below the policy config's floor. */
function planned(n: StackNumber, floor: number): { value: number; basis: string } {
    if (n.state !== "set") return { value: floor, basis: `the policy's ${floor}; the stack sets no ${n.key}` };
    if (n.value < floor)
        return { value: floor, basis: `the policy's floor ${floor}; the stack's ${n.key} ${n.value} is below it` };
    return { value: n.value, basis: n.key };
}

export const capacity = stackPolicy<{ peakRequestsPerSecond: number; peakHeadroomPercent: number }>({
    id: "scaling-capacity-at-target",
    description:
        "At its scaling target, each ECS service carries the peak with headroom: lowest maxCapacity " +
        "(scalable target and scheduled actions) x requests per target per minute / 60 >= peak requests " +
        "per second x (1 + headroom).",
    severity: "high",
    remediationSteps:
        "Plan the task ceiling from a measured per-task rate: credlink:scaling.taskCapacityRps (k6 " +
        "TEST=capacity), with scaling.peakRequestsPerSecond and scaling.peakHeadroomPercent; the stack " +
        "derives maxTasks and requestsPerTarget from them.",
    config: {
        peakRequestsPerSecond: {
            type: "number",
            exclusiveMinimum: 0,
            description:
                "Peak requests/s this environment must carry at least; a stack's own " +
                "scaling.peakRequestsPerSecond may raise it, never lower it.",
            default: SLO.peakRequestsPerSecond,
        },
        peakHeadroomPercent: {
            type: "number",
            minimum: 0,
            description:
                "Headroom over the peak, percent, at least; a stack's own scaling.peakHeadroomPercent may raise it.",
            default: CAPACITY.peakHeadroomPercent,
        },
    },
    check(stack, config, report) {
        const peakSetting = stackNumber("scaling.peakRequestsPerSecond");
        const headroomSetting = stackNumber("scaling.peakHeadroomPercent");
        const settingProblems = [
            setting(peakSetting, (v) => v > 0, "a positive number of requests per second"),
            setting(headroomSetting, (v) => v >= 0, "a number of percent, 0 or more"),
        ].filter((f): f is Finding => f !== undefined);
        const peak = planned(peakSetting, config.peakRequestsPerSecond);
        const headroom = planned(headroomSetting, config.peakHeadroomPercent);
        const required = (peak.value * (100 + headroom.value)) / 100;
        for (const s of scalingByService(stack)) {
            const subject = stack.res(s.service);
            for (const f of settingProblems) report(subject, f);
            const requests = trackedMetricConfigs(stack, s.policies).get(ECS_TARGET_TRACKING_METRIC.requests) ?? [];
            const perTarget = requests
                .map((c) => readNumber(c.targetValue))
                .flatMap((v) => (v.state === "known" ? [v.value] : []));
            const ceilings = [
                ...s.targets.map((t) => ({
                    from: describe(t),
                    max: readNumber(stack.props<ScalableTargetProps>(t).maxCapacity),
                })),
                ...s.scheduledActions.map((a) => {
                    const action = readObject(stack.props<ScheduledActionProps>(a).scalableTargetAction);
                    const max =
                        action.state === "known"
                            ? readNumber((action.value as ScalableTargetActionProps).maxCapacity)
                            : action;
                    return { from: `scheduled action "${a.name}"`, max };
                }),
            ].flatMap((c) => (c.max.state === "known" ? [{ from: c.from, max: c.max.value }] : []));
            // Missing or unknown pieces are reported by scaling-service-coverage, -task-range and -target-tracking.
            if (perTarget.length === 0 || ceilings.length === 0) continue;
            const lowest = ceilings.reduce((a, b) => (b.max < a.max ? b : a));
            const target = Math.min(...perTarget);
            const capacityRps = capacityAtTarget(lowest.max, target);
            if (capacityRps >= required) continue;
            report(subject, {
                property: "capacity at target (maxCapacity x ALBRequestCountPerTarget target / 60)",
                found: `${lowest.max} (${lowest.from}) x ${target} / 60 = ` + `${round(capacityRps, 1)} requests/s`,
                allowed:
                    `at least ${round(required, 1)} requests/s: peak ${peak.value} (${peak.basis}) + ` +
                    `${headroom.value} % headroom (${headroom.basis})`,
                fix:
                    `plan the task ceiling from what one task sustains: it takes maxCapacity >= ` +
                    `${Math.ceil((required * 60) / target)} at ${target} requests per target ` +
                    `(credlink:scaling.maxTasks, derived from scaling.taskCapacityRps), and no scheduled ` +
                    `action below it`,
            });
        }
    },
});

export const scalingRangePolicies = [
    taskRange,
    policyType,
    active,
    targetTrackingBands,
    cooldowns,
    links,
    serviceCoverage,
    capacity,
];
