/**
 * scaling-simulated-overload: replays k6 load profiles, scaled to the stack's peak, through
 * each ECS service's scalable target and target-tracking policies as the stack declares them
 * (./simulation), and reports a profile that overloads the service for longer than allowed.
 * Capacity at the target says nothing about how fast the service gets there: alarms need
 * three one-minute datapoints and new tasks need time to start.
 *
 * The per-task rate and the peak come from the stack config, which the Pulumi CLI hands the
 * pack in PULUMI_CONFIG (as it does a language host; tools/analyzer does the same):
 * `credlink:scaling.taskCapacityRps` when the stack declares a measured rate, else the
 * planning assumption from the request target; `credlink:scaling.peakRequestsPerSecond`
 * when set, else the SLO's peak.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyResource } from "@pulumi/policy";
import { ECS_DEFAULT_COOLDOWN_SECONDS, ECS_TARGET_TRACKING_METRIC } from "./aws/autoscaling";
import { DEFAULT_HOLD_SECONDS, LOAD_PROFILES, type LoadProfile, offeredLoad } from "./load-profiles";
import { type Finding, type Report, stackPolicy, type StackView } from "./rule";
import { scalingByService, trackedMetrics } from "./scaling-range";
import {
    DEFAULT_ALARMS,
    DEFAULT_STARTUP_SECONDS,
    describeOverload,
    formatCount,
    minTasksFor,
    PLANNING_TARGET_UTILISATION,
    plannedTaskCapacityRps,
    type ScalingSetup,
    simulate,
    type TrackedMetric,
    type TrackingPolicy,
} from "./simulation";
import { SIMULATION, SLO } from "./slo";
import type { ScalableTargetProps, TargetTrackingProps } from "./types";
import { readBoolean, readNumber, valueOr } from "./values";

/** The stack config namespace of the CredLink program. */
const PROJECT = "credlink";

const METRICS: ReadonlyArray<[string, TrackedMetric]> = [
    [ECS_TARGET_TRACKING_METRIC.cpu, "cpu"],
    [ECS_TARGET_TRACKING_METRIC.memory, "memory"],
    [ECS_TARGET_TRACKING_METRIC.requests, "requests"],
];

interface StackSetting {
    readonly value?: number;
    readonly problem?: Finding;
}

/** A positive number from the stack config, absent when the stack does not set it. */
function stackNumber(key: string, unit: string): StackSetting {
    const raw = new pulumi.Config(PROJECT).get(key);
    if (raw === undefined || raw.trim() === "") return {};
    const n = Number(raw);
    if (Number.isFinite(n) && n > 0) return { value: n };
    return {
        problem: {
            property: `${PROJECT}:${key} (stack config)`,
            found: JSON.stringify(raw),
            allowed: `a positive number of ${unit}`,
            fix: `set it with \`pulumi config set ${key} <${unit}>\` or remove it`,
        },
    };
}

/** One policy as the simulation runs it, or undefined when a value it needs is not a literal. */
function trackingPolicy(metric: TrackedMetric, c: TargetTrackingProps): TrackingPolicy | undefined {
    const target = readNumber(c.targetValue);
    const out = valueOr(readNumber(c.scaleOutCooldown), ECS_DEFAULT_COOLDOWN_SECONDS);
    const inn = valueOr(readNumber(c.scaleInCooldown), ECS_DEFAULT_COOLDOWN_SECONDS);
    const disableScaleIn = valueOr(readBoolean(c.disableScaleIn), false);
    if (target.state !== "known" || out === undefined || inn === undefined || disableScaleIn === undefined)
        return undefined;
    return {
        metric,
        targetValue: target.value,
        scaleOutCooldownSeconds: out,
        scaleInCooldownSeconds: inn,
        disableScaleIn,
    };
}

interface ServiceSetup {
    readonly setup: ScalingSetup;
    readonly rateSource: string;
}

/**
 * The service's autoscaling as declared, or undefined when a piece is missing or not a
 * literal (scaling-service-coverage, scaling-task-range and scaling-target-tracking report those).
 */
function serviceSetup(
    stack: StackView,
    targets: readonly PolicyResource[],
    policies: readonly PolicyResource[],
    measuredRps: number | undefined,
    startupSeconds: number,
): ServiceSetup | undefined {
    const range = targets
        .map((t) => stack.props<ScalableTargetProps>(t))
        .map((p) => ({ min: readNumber(p.minCapacity), max: readNumber(p.maxCapacity) }))
        .find((r) => r.min.state === "known" && r.max.state === "known");
    if (!range || range.min.state !== "known" || range.max.state !== "known") return undefined;
    const tracked = trackedMetrics(stack, policies);
    const simulated: TrackingPolicy[] = [];
    for (const [type, metric] of METRICS) {
        const c = tracked.get(type);
        if (!c) continue;
        const p = trackingPolicy(metric, c);
        if (!p) return undefined;
        simulated.push(p);
    }
    const requests = simulated.find((p) => p.metric === "requests");
    if (simulated.length === 0 || (measuredRps === undefined && !requests)) return undefined;
    // A target of 0 or less plans no capacity (scaling-target-tracking reports it); the engine would throw.
    if (simulated.some((p) => p.targetValue <= 0)) return undefined;
    const taskCapacityRps = measuredRps ?? plannedTaskCapacityRps(requests!.targetValue);
    const min = range.min.value;
    const max = range.max.value;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < Math.max(1, min)) return undefined;
    return {
        setup: { minTasks: min, maxTasks: max, policies: simulated, taskCapacityRps, startupSeconds },
        rateSource:
            measuredRps !== undefined
                ? `${PROJECT}:scaling.taskCapacityRps`
                : `planning assumption: ${requests!.targetValue} requests per target per minute / 60 / ` +
                  `${PLANNING_TARGET_UTILISATION}`,
    };
}

interface SimulationConfig {
    profiles: LoadProfile[];
    maxOverloadSeconds: number;
    startupSeconds: number;
}

function check(stack: StackView, config: SimulationConfig, report: Report): void {
    const services = scalingByService(stack);
    if (services.length === 0) return;
    const rate = stackNumber("scaling.taskCapacityRps", "requests per second");
    const peak = stackNumber("scaling.peakRequestsPerSecond", "requests per second");
    for (const s of services) {
        const subject = stack.res(s.service);
        if (rate.problem) report(subject, rate.problem);
        if (peak.problem) report(subject, peak.problem);
        if (rate.problem || peak.problem) continue;
        const found = serviceSetup(stack, s.targets, s.policies, rate.value, config.startupSeconds);
        if (!found) continue;
        const { setup, rateSource } = found;
        const peakRps = peak.value ?? SLO.peakRequestsPerSecond;
        for (const profile of config.profiles) {
            const offered = offeredLoad(profile, peakRps, DEFAULT_HOLD_SECONDS[profile]);
            const r = simulate(setup, offered);
            if (r.overloadSeconds <= config.maxOverloadSeconds) continue;
            // Only for a finding: the bisection simulates the profile a few more times.
            const minTasks = minTasksFor(setup, offered, config.maxOverloadSeconds);
            const maxCarries = formatCount(setup.maxTasks * setup.taskCapacityRps);
            report(subject, {
                property:
                    `simulated k6 ${profile} profile (${setup.taskCapacityRps.toFixed(1)} req/s per task, ` +
                    `${rateSource}; task start-up ${config.startupSeconds} s)`,
                found: describeOverload(r),
                allowed: `at most ${config.maxOverloadSeconds} s of overload`,
                fix:
                    minTasks !== undefined
                        ? `set ${PROJECT}:scaling.minTasks to at least ${minTasks}: target tracking needs ` +
                          `${DEFAULT_ALARMS.scaleOutDatapoints} one-minute datapoints before it adds a task, so the ` +
                          `tasks running when the surge starts must carry it ` +
                          `(npm run simulate -- --stack <stack> --profile ${profile})`
                        : `${setup.maxTasks} tasks carry ${maxCarries} req/s, less than the ` +
                          `${formatCount(r.peakOfferedRps)} req/s peak: raise ${PROJECT}:scaling.maxTasks to at ` +
                          `least ${r.neededTasks} (or measure the per-task rate) and minTasks with it`,
            });
        }
    }
}

export const simulatedOverload = stackPolicy<SimulationConfig>({
    id: "scaling-simulated-overload",
    description:
        "Each ECS service's target-tracking autoscaling, simulated second by second against k6 load " +
        "profiles scaled to the peak, keeps overload within the allowed seconds.",
    severity: "medium",
    // Advisory unless the policy config says otherwise: the model's alarm parameters and task start-up
    // are observed, not documented, figures (policies/simulation/model.ts).
    enforcementLevel: "advisory",
    remediationSteps:
        "Raise credlink:scaling.minTasks so the tasks running before a surge carry it, or maxTasks when " +
        "even that cannot carry the peak; `npm run simulate -- --stack <stack> --profile <profile> --svg " +
        "chart.svg` shows the run (docs/scaling-service.md).",
    config: {
        profiles: {
            type: "array",
            items: { type: "string", enum: [...LOAD_PROFILES] },
            uniqueItems: true,
            description: "k6 profiles to replay, each with k6's default DURATION.",
            default: ["spike", "load"],
        },
        maxOverloadSeconds: {
            type: "integer",
            minimum: 0,
            description: "Seconds a profile may offer more than the running tasks carry.",
            default: SIMULATION.maxOverloadSeconds,
        },
        startupSeconds: {
            type: "integer",
            minimum: 0,
            maximum: 3600,
            description: "Seconds from a scale-out until a new task serves requests.",
            default: DEFAULT_STARTUP_SECONDS,
        },
    },
    check,
});

export const scalingSimulationPolicies = [simulatedOverload];
