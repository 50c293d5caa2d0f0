/**
 * Scaling-range rules for ECS services under Application Auto Scaling: task
 * range, target-tracking targets, cooldowns, every service fully scaled, and
 * the capacity the service offers at its scaling target.
 *
 * Scalable targets and policies point at their service through `resourceId`
 * (`service/<cluster>/<service>`), built from outputs and so unknown at
 * preview; the stack rules follow its property dependencies instead.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    ECS_DEFAULT_COOLDOWN_SECONDS,
    ECS_SCALABLE_DIMENSION,
    ECS_SERVICE_NAMESPACE,
    ECS_TARGET_TRACKING_METRIC,
} from "./aws/autoscaling";
import { type Finding, literalRequired, type StackView, resourcePolicy, stackPolicy } from "./rule";
import { capacityAtTarget, SCALING, SLO } from "./slo";
import {
    type EcsServiceProps,
    type ScalableTargetProps,
    type ScalingPolicyProps,
    type TargetTrackingProps,
    TYPES,
} from "./types";
import { type Read, readNumber, readObject, readString, show, valueOr } from "./values";

const mustBeLiteral = (property: string, found: Read<unknown>, fix: string): Finding =>
    literalRequired(property, found, fix, "a literal number the policy pack can check at preview");

function isEcs(props: { serviceNamespace: unknown; scalableDimension: unknown }): boolean {
    const ns = readString(props.serviceNamespace);
    const dim = readString(props.scalableDimension);
    const ecsNamespace = ns.state === "known" && ns.value === ECS_SERVICE_NAMESPACE;
    return ecsNamespace || (dim.state === "known" && dim.value === ECS_SCALABLE_DIMENSION);
}

/** The target-tracking configuration of an ECS target-tracking policy, or undefined for other policies. */
function targetTracking(p: ScalingPolicyProps): { config?: TargetTrackingProps; problem?: Finding } | undefined {
    if (!isEcs(p)) return undefined;
    const type = readString(p.policyType);
    if (type.state === "known" && type.value !== "TargetTrackingScaling") return undefined;
    if (type.state === "absent") return undefined; // AWS's default is StepScaling
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

function predefinedMetric(c: TargetTrackingProps): Read<string> {
    const spec = readObject(c.predefinedMetricSpecification);
    if (spec.state !== "known") return spec;
    return readString((spec.value as { predefinedMetricType?: unknown }).predefinedMetricType);
}

export const taskRange = resourcePolicy<{ minTasks: number; maxTasks: number }>({
    id: "scaling-task-range",
    description: "ECS scalable targets keep the task count inside the SLO band, with minCapacity <= maxCapacity.",
    severity: "high",
    remediationSteps:
        "Set credlink:scaling.minTasks and credlink:scaling.maxTasks inside the band (SCALING.tasks " +
        "in policies/slo.ts), min <= max.",
    types: [TYPES.scalableTarget],
    config: {
        minTasks: {
            type: "integer",
            minimum: 0,
            description: "Lowest allowed minCapacity and maxCapacity.",
            default: SCALING.tasks.min,
        },
        maxTasks: {
            type: "integer",
            minimum: 1,
            description: "Highest allowed minCapacity and maxCapacity.",
            default: SCALING.tasks.max,
        },
    },
    check(r, config, report) {
        const t = r.props as ScalableTargetProps;
        if (!isEcs(t)) return;
        const band = `${config.minTasks}..${config.maxTasks} tasks`;
        const min = readNumber(t.minCapacity);
        const max = readNumber(t.maxCapacity);
        for (const [key, v, setting] of [
            ["minCapacity", min, "minTasks"],
            ["maxCapacity", max, "maxTasks"],
        ] as const) {
            if (v.state !== "known") report(r, mustBeLiteral(key, v, `set ${key} from credlink:scaling.${setting}`));
            else if (v.value < config.minTasks || v.value > config.maxTasks) {
                report(r, {
                    property: key,
                    found: String(v.value),
                    allowed: band,
                    fix: `set credlink:scaling.${setting} between ${config.minTasks} and ${config.maxTasks}`,
                });
            }
        }
        if (min.state === "known" && max.state === "known" && min.value > max.value) {
            report(r, {
                property: "minCapacity/maxCapacity",
                found: `${min.value} > ${max.value}`,
                allowed: "minCapacity <= maxCapacity",
                fix: "lower credlink:scaling.minTasks or raise credlink:scaling.maxTasks",
            });
        }
    },
});

interface TrackingBands {
    cpuTargetMin: number;
    cpuTargetMax: number;
    memoryTargetMin: number;
    memoryTargetMax: number;
    requestsPerTargetMin: number;
    requestsPerTargetMax: number;
}

export const targetTrackingBands = resourcePolicy<TrackingBands>({
    id: "scaling-target-tracking",
    description:
        "ECS target-tracking policies aim inside the SLO bands: CPU and memory percent, and ALB " +
        "requests per target per minute.",
    severity: "medium",
    remediationSteps:
        "Set credlink:scaling.cpuTargetPercent, memoryTargetPercent and requestsPerTarget inside " +
        "the bands (SCALING in policies/slo.ts).",
    types: [TYPES.scalingPolicy],
    config: {
        cpuTargetMin: { type: "number", minimum: 0, maximum: 100, default: SCALING.cpuTargetPercent.min },
        cpuTargetMax: { type: "number", minimum: 0, maximum: 100, default: SCALING.cpuTargetPercent.max },
        memoryTargetMin: { type: "number", minimum: 0, maximum: 100, default: SCALING.memoryTargetPercent.min },
        memoryTargetMax: { type: "number", minimum: 0, maximum: 100, default: SCALING.memoryTargetPercent.max },
        requestsPerTargetMin: {
            type: "number",
            minimum: 0,
            description: "ALBRequestCountPerTarget counts requests per target per minute.",
            default: SCALING.requestsPerTargetPerMinute.min,
        },
        requestsPerTargetMax: { type: "number", minimum: 0, default: SCALING.requestsPerTargetPerMinute.max },
    },
    check(r, config, report) {
        const tt = targetTracking(r.props as ScalingPolicyProps);
        if (!tt) return;
        if (!tt.config) return report(r, tt.problem!);
        const bands: Record<string, { min: number; max: number; unit: string; setting: string }> = {
            [ECS_TARGET_TRACKING_METRIC.cpu]: {
                min: config.cpuTargetMin,
                max: config.cpuTargetMax,
                unit: " %",
                setting: "cpuTargetPercent",
            },
            [ECS_TARGET_TRACKING_METRIC.memory]: {
                min: config.memoryTargetMin,
                max: config.memoryTargetMax,
                unit: " %",
                setting: "memoryTargetPercent",
            },
            [ECS_TARGET_TRACKING_METRIC.requests]: {
                min: config.requestsPerTargetMin,
                max: config.requestsPerTargetMax,
                unit: " requests per target per minute",
                setting: "requestsPerTarget",
            },
        };
        const metric = predefinedMetric(tt.config);
        if (metric.state === "absent") return; // a customized metric: no SLO band applies
        if (metric.state === "unknown")
            return report(r, {
                ...literalRequired(
                    "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
                    metric,
                    "set the predefined metric type literally",
                ),
                allowed: Object.keys(bands).join(", "),
            });
        const band = bands[metric.value];
        if (!band) return;
        const target = readNumber(tt.config.targetValue);
        const property = `targetTrackingScalingPolicyConfiguration.targetValue (${metric.value})`;
        if (target.state !== "known")
            return report(r, mustBeLiteral(property, target, `set credlink:scaling.${band.setting}`));
        if (target.value < band.min || target.value > band.max) {
            report(r, {
                property,
                found: String(target.value),
                allowed: `${band.min}..${band.max}${band.unit}`,
                fix: `set credlink:scaling.${band.setting} between ${band.min} and ${band.max}`,
            });
        }
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

export interface ServiceScaling {
    readonly service: PolicyResource;
    readonly targets: PolicyResource[];
    readonly policies: PolicyResource[];
}

/** Each ECS service with the scalable targets and policies that point at it, found in one pass. */
export function scalingByService(stack: StackView): ServiceScaling[] {
    const services = stack.ofType(TYPES.ecsService);
    const byUrn = new Map(
        services.map((s) => [s.urn, { service: s, targets: [] as PolicyResource[], policies: [] as PolicyResource[] }]),
    );
    const byName = new Map<string, ServiceScaling>();
    for (const s of services) {
        const name = readString(stack.props<EcsServiceProps>(s).name);
        if (name.state === "known") byName.set(name.value, byUrn.get(s.urn)!);
    }
    // Literal resourceIds are `service/<cluster>/<service>`.
    const byLiteralId = (resourceId: unknown) => {
        const id = readString(resourceId);
        const m = id.state === "known" ? /^service\/[^/]+\/([^/]+)$/.exec(id.value) : null;
        return m ? byName.get(m[1]) : undefined;
    };
    const targetService = new Map<PolicyResource, ServiceScaling>();
    for (const t of stack.ofType(TYPES.scalableTarget)) {
        const props = stack.props<ScalableTargetProps>(t);
        if (!isEcs(props)) continue;
        const entry =
            stack
                .referencedBy(t, "resourceId")
                .map((d) => byUrn.get(d.urn))
                .find((e) => e) ?? byLiteralId(props.resourceId);
        if (!entry) continue;
        entry.targets.push(t);
        targetService.set(t, entry);
    }
    const targetsById = new Map<string, ServiceScaling>();
    for (const [t, entry] of targetService) {
        const id = readString(stack.props<ScalableTargetProps>(t).resourceId);
        if (id.state === "known") targetsById.set(id.value, entry);
    }
    for (const p of stack.ofType(TYPES.scalingPolicy)) {
        const props = stack.props<ScalingPolicyProps>(p);
        if (!isEcs(props)) continue;
        const refs = stack.referencedBy(p, "resourceId");
        const id = readString(props.resourceId);
        const entry =
            refs.map((d) => byUrn.get(d.urn) ?? targetService.get(d)).find((e) => e) ??
            (id.state === "known" ? (targetsById.get(id.value) ?? byLiteralId(props.resourceId)) : undefined) ??
            p.dependencies.map((d) => targetService.get(d)).find((e) => e);
        entry?.policies.push(p);
    }
    return [...byUrn.values()];
}

export function trackedMetrics(
    stack: StackView,
    policies: readonly PolicyResource[],
): Map<string, TargetTrackingProps> {
    const metrics = new Map<string, TargetTrackingProps>();
    for (const p of policies) {
        const tt = targetTracking(stack.props<ScalingPolicyProps>(p));
        if (!tt?.config) continue;
        const m = predefinedMetric(tt.config);
        if (m.state === "known") metrics.set(m.value, tt.config);
    }
    return metrics;
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

export const capacity = stackPolicy<{ peakRequestsPerSecond: number }>({
    id: "scaling-capacity-at-target",
    description:
        "At its scaling target, each ECS service can serve the SLO's peak throughput: maxCapacity x " +
        "requests per target per minute / 60 >= peak requests per second.",
    severity: "medium",
    // Advisory: the SLO's own bands (20 tasks x 1500 requests/minute = 500 req/s) cannot reach 1000 req/s.
    enforcementLevel: "advisory",
    remediationSteps:
        "Raise credlink:scaling.maxTasks or credlink:scaling.requestsPerTarget (after load-testing " +
        "what one task sustains), or revisit the SLO's peak throughput.",
    config: {
        peakRequestsPerSecond: { type: "number", minimum: 0, default: SLO.peakRequestsPerSecond },
    },
    check(stack, config, report) {
        for (const s of scalingByService(stack)) {
            const requests = trackedMetrics(stack, s.policies).get(ECS_TARGET_TRACKING_METRIC.requests);
            const perTarget = requests ? readNumber(requests.targetValue) : undefined;
            const maxTasks = s.targets
                .map((t) => readNumber(stack.props<ScalableTargetProps>(t).maxCapacity))
                .find((m) => m.state === "known");
            // scaling-service-coverage reports missing pieces.
            if (!perTarget || perTarget.state !== "known" || !maxTasks || maxTasks.state !== "known") continue;
            const capacityRps = capacityAtTarget(maxTasks.value, perTarget.value);
            if (capacityRps >= config.peakRequestsPerSecond) continue;
            report(stack.res(s.service), {
                property: "capacity at target (maxCapacity x ALBRequestCountPerTarget target / 60)",
                found: `${maxTasks.value} x ${perTarget.value} / 60 = ${Math.round(capacityRps)} requests/s`,
                allowed: `at least ${config.peakRequestsPerSecond} requests/s (the SLO's peak)`,
                fix:
                    `it takes credlink:scaling.maxTasks >= ` +
                    `${Math.ceil((config.peakRequestsPerSecond * 60) / perTarget.value)} at ` +
                    `${perTarget.value} requests per target, or credlink:scaling.requestsPerTarget ` +
                    `>= ${Math.ceil((config.peakRequestsPerSecond * 60) / maxTasks.value)} at ` +
                    `${maxTasks.value} tasks; raise them after load-testing what one task sustains ` +
                    `(and the SCALING bands in policies/slo.ts if they forbid it)`,
            });
        }
    },
});

export const scalingRangePolicies = [taskRange, targetTrackingBands, cooldowns, serviceCoverage, capacity];
