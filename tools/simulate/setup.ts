/**
 * A stack's autoscaling as the simulation sees it, from the same stack file reader and
 * config code the program uses (tools/stack-file.ts, lib/config.ts): the scalable target's
 * range and the three target-tracking policies the ScalingService registers
 * (components/scaling-service/autoscaling.ts), with their cooldowns.
 */
import { type ConfigError, parseConfig, type StackConfig } from "../../lib/config";
import {
    DEFAULT_STARTUP_SECONDS,
    PLANNING_TARGET_UTILISATION,
    plannedTaskCapacityRps,
    type ScalingSetup,
} from "../../policies/simulation";
import { readStackFile, REPO_ROOT } from "../stack-file";

export interface TaskCapacity {
    /** Requests per second one task sustains within the SLO. */
    readonly rps: number;
    /** Where the figure comes from, as shown to the reader. */
    readonly source: string;
}

/**
 * The per-task rate of a stack: `scaling.taskCapacityRps` with its `taskCapacitySource` when the
 * stack declares one (the capacity plan's input, policies/capacity-plan.ts), else the planning
 * assumption: the request target is where a task sits at 70 % of what it sustains
 * (policies/simulation/model.ts, plannedTaskCapacityRps). The pack's rule reads the same setting.
 */
export function taskCapacityOf(config: StackConfig): TaskCapacity {
    const s = config.scaling;
    if (s.taskCapacityRps !== undefined)
        return { rps: s.taskCapacityRps, source: s.taskCapacitySource ?? "scaling.taskCapacityRps" };
    const perTarget = s.requestsPerTarget;
    return {
        rps: plannedTaskCapacityRps(perTarget),
        source:
            `planning assumption: scaling.requestsPerTarget ${perTarget} / 60 / ` + `${PLANNING_TARGET_UTILISATION}`,
    };
}

/** The load the profiles are scaled to: the stack's peak (`scaling.peakRequestsPerSecond`, the SLO's by default). */
export function peakRpsOf(config: StackConfig): number {
    return config.scaling.peakRequestsPerSecond;
}

/** The scalable target and policies the program registers for this config. */
export function scalingSetupOf(config: StackConfig, startupSeconds = DEFAULT_STARTUP_SECONDS): ScalingSetup {
    const s = config.scaling;
    const scaleInCooldownSeconds = s.scaleInCooldownSeconds;
    return {
        minTasks: s.minTasks,
        maxTasks: s.maxTasks,
        taskCapacityRps: taskCapacityOf(config).rps,
        startupSeconds,
        policies: [
            {
                metric: "cpu",
                targetValue: s.cpuTargetPercent,
                scaleOutCooldownSeconds: s.scaleOutCooldownSeconds,
                scaleInCooldownSeconds,
            },
            {
                metric: "memory",
                targetValue: s.memoryTargetPercent,
                scaleOutCooldownSeconds: s.scaleOutCooldownSeconds,
                scaleInCooldownSeconds,
            },
            {
                metric: "requests",
                targetValue: s.requestsPerTarget,
                scaleOutCooldownSeconds: s.requestScaleOutCooldownSeconds,
                scaleInCooldownSeconds,
            },
        ],
    };
}

/** A stack's validated config from Pulumi.<stack>.yaml; throws StackFileError or ConfigError. */
export function loadStackConfig(stack: string, stackDir = REPO_ROOT): StackConfig {
    const file = readStackFile(stack, stackDir);
    return parseConfig({ values: file.values, secretKeys: new Set(file.secretKeys), stack: file.stack });
}

/** ConfigError's problems on one line. */
export function configProblems(e: ConfigError): string {
    return e.problems.join("; ");
}
