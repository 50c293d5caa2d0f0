/**
 * The scaling simulation: a k6 load profile, scaled to a stack's peak, replayed second by
 * second through an ECS service's target-tracking autoscaling. Used by the policy pack
 * (../scaling-simulation.ts), `npm run simulate` and the offline preview. Imports only the
 * profile shapes, so the pack stays self-contained.
 */
import { DEFAULT_HOLD_SECONDS, type LoadProfile, offeredLoad } from "../load-profiles";
import { minTasksFor, simulate, type SimulationResult } from "./engine";
import type { ScalingSetup } from "./model";

export * from "./engine";
export * from "./model";

export interface ProfileRun {
    readonly profile: LoadProfile;
    /** The profile's plateau (k6's DURATION). */
    readonly holdSeconds: number;
    /** The load the profile's top level offers, requests per second. */
    readonly peakRps: number;
    readonly result: SimulationResult;
    /** The smallest minTasks with no overload at all, or undefined if even maxTasks cannot carry the peak. */
    readonly minTasksWithoutOverload: number | undefined;
}

export function simulateProfile(
    setup: ScalingSetup,
    profile: LoadProfile,
    peakRps: number,
    holdSeconds: number = DEFAULT_HOLD_SECONDS[profile],
): ProfileRun {
    const offered = offeredLoad(profile, peakRps, holdSeconds);
    return {
        profile,
        holdSeconds,
        peakRps,
        result: simulate(setup, offered),
        minTasksWithoutOverload: minTasksFor(setup, offered, 0),
    };
}

/** `95` -> `1:35`, `3725` -> `1:02:05`. */
export function formatClock(seconds: number): string {
    const s = Math.round(seconds);
    const pad = (n: number) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** `1234.5` -> `1,235`. */
export function formatCount(n: number): string {
    return Math.round(n)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The overload of a run in one phrase, e.g. `overloaded 126 s between 0:02 and 2:08, ...`. */
export function describeOverload(r: SimulationResult): string {
    const tasks = `up to ${r.peakTasks} task${r.peakTasks === 1 ? "" : "s"}`;
    if (r.overloadSeconds === 0) return `no overload, ${tasks}`;
    const share = r.offeredRequests > 0 ? Math.round((100 * r.requestsOverCapacity) / r.offeredRequests) : 0;
    return (
        `overloaded ${r.overloadSeconds} s between ${formatClock(r.firstOverloadAt!)} and ` +
        `${formatClock(r.lastOverloadAt! + 1)}, ${formatCount(r.requestsOverCapacity)} requests over capacity ` +
        `(${share} %), ${tasks}`
    );
}

/** One line on the overload of a run: what the preview reports per profile. */
export function overloadLine(run: ProfileRun): string {
    const r = run.result;
    return (
        `${run.profile} (${formatClock(r.durationSeconds)}, peak ${formatCount(r.peakOfferedRps)} req/s): ` +
        describeOverload(r)
    );
}
