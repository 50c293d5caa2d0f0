/**
 * A stack's scaling simulation for several profiles at once, from its parsed config: what
 * the offline preview shows for every stack.
 */
import type { StackConfig } from "../../lib/config";
import type { LoadProfile } from "../../policies/load-profiles";
import { DEFAULT_STARTUP_SECONDS, type ProfileRun, simulateProfile } from "../../policies/simulation";
import { peakRpsOf, scalingSetupOf, taskCapacityOf } from "./setup";

/** The profiles the preview replays for every stack: a surge, and the steady load. */
export const PREVIEW_PROFILES: readonly LoadProfile[] = ["spike", "load"];

export interface ScalingSimulation {
    readonly peakRps: number;
    readonly taskCapacityRps: number;
    readonly taskCapacitySource: string;
    readonly startupSeconds: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    /** One run per profile, each with k6's default DURATION. */
    readonly runs: readonly ProfileRun[];
}

export function simulateConfig(
    config: StackConfig,
    profiles: readonly LoadProfile[] = PREVIEW_PROFILES,
    startupSeconds = DEFAULT_STARTUP_SECONDS,
): ScalingSimulation {
    const setup = scalingSetupOf(config, startupSeconds);
    const capacity = taskCapacityOf(config);
    const peakRps = peakRpsOf(config);
    return {
        peakRps,
        taskCapacityRps: capacity.rps,
        taskCapacitySource: capacity.source,
        startupSeconds,
        minTasks: setup.minTasks,
        maxTasks: setup.maxTasks,
        runs: profiles.map((p) => simulateProfile(setup, p, peakRps)),
    };
}
