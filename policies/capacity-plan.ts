/**
 * The capacity plan: from the request rate ONE task sustains within the SLO (measured by
 * the k6 capacity test, or a labelled planning assumption), the target utilisation and the
 * peak with headroom, derive the two numbers autoscaling runs on:
 *
 *     requestsPerTarget = round(taskCapacityRps × targetUtilization × 60)   per target per MINUTE
 *     maxTasks          = max(minTasks, ceil(peak × (1 + headroom) × 60 / requestsPerTarget))
 *     capacity at target = maxTasks × requestsPerTarget / 60                 requests per second
 *
 * maxTasks is planned against the integer requestsPerTarget that ALBRequestCountPerTarget
 * actually tracks (not the unrounded rate), so a derived plan always passes its own checks.
 * Settings given explicitly are checked against the same plan. Pure and import-free apart
 * from the SLO module, so the program, the planner CLI and the policy pack share it.
 */
import { capacityAtTarget } from "./slo";

const MINUTE = 60;

/** Strips binary floating-point noise (2.75 × 0.7 × 60 = 115.49999999999999) before rounding. */
const tidy = (n: number): number => Number(n.toFixed(9));

/** A number as a reader writes it: at most two decimals, no trailing zeros. */
const show = (n: number): string => String(Math.round(n * 100) / 100);

/** Requests per target per minute one task takes at the target utilisation: round(rate × utilisation × 60). */
export function sustainedRequestsPerTarget(taskCapacityRps: number, targetUtilization: number): number {
    return Math.round(tidy(taskCapacityRps * targetUtilization * MINUTE));
}

/** The peak the task ceiling carries, requests per second: peak × (1 + headroom / 100). */
export function plannedPeakRps(peakRequestsPerSecond: number, peakHeadroomPercent: number): number {
    return tidy((peakRequestsPerSecond * (100 + peakHeadroomPercent)) / 100);
}

/** Fewest tasks that carry the planned peak at their request-count target: ceil(planned peak × 60 / target). */
export function tasksForPeak(peakRequestsPerSecond: number, peakHeadroomPercent: number, requestsPerTarget: number) {
    return Math.ceil(tidy((plannedPeakRps(peakRequestsPerSecond, peakHeadroomPercent) * MINUTE) / requestsPerTarget));
}

/** Requests per second the service carries with maxTasks tasks at their request-count target. */
export function capacityAtTargetRps(maxTasks: number, requestsPerTarget: number): number {
    return capacityAtTarget(maxTasks, requestsPerTarget);
}

/** The settings a plan reads; maxTasks and requestsPerTarget are derived when absent. */
export interface CapacitySettings {
    readonly minTasks: number;
    readonly maxTasks?: number;
    readonly requestsPerTarget?: number;
    /** Requests per second one task sustains within the SLO; without it nothing can be derived. */
    readonly taskCapacityRps?: number;
    readonly targetUtilization: number;
    readonly peakRequestsPerSecond: number;
    readonly peakHeadroomPercent: number;
}

export interface CapacityPlan {
    readonly maxTasks: number;
    /** ALBRequestCountPerTarget target, requests per target per minute. */
    readonly requestsPerTarget: number;
    /** maxTasks × requestsPerTarget / 60. */
    readonly capacityAtTargetRps: number;
    /** peak × (1 + headroom). */
    readonly plannedPeakRps: number;
    /** The fewest tasks that carry the planned peak at requestsPerTarget (before the minTasks floor). */
    readonly tasksForPeak: number;
}

export type PlanResult =
    | { readonly plan: CapacityPlan; readonly problems?: undefined }
    | { readonly plan?: undefined; readonly problems: readonly string[] };

/**
 * Derive what is not set and check what is. Problems are one line each, naming the setting
 * through `at` (so they read right as `credlink:scaling.maxTasks` and as `scaling.maxTasks`),
 * its value, the bound the plan gives and how to fix it. `maxTasksLimit` is the absolute
 * ceiling a derived maxTasks may not pass (the ECS tasks-per-service quota).
 */
export function planCapacity(
    s: CapacitySettings,
    at: (key: keyof CapacitySettings | "taskCapacitySource") => string,
    maxTasksLimit: number,
): PlanResult {
    const rate = s.taskCapacityRps;
    if (rate === undefined && (s.maxTasks === undefined || s.requestsPerTarget === undefined)) {
        const missing = (["maxTasks", "requestsPerTarget"] as const).filter((k) => s[k] === undefined);
        return {
            problems: [
                `${at("taskCapacityRps")} is required to derive ${missing.map(at).join(" and ")}: set it to ` +
                    `the requests per second one task sustains within the SLO (and ${at("taskCapacitySource")} ` +
                    `to where that figure came from; see npm run capacity:plan), or set ` +
                    `${missing.length > 1 ? "both" : "it"} explicitly`,
            ],
        };
    }
    const orDerive = rate === undefined ? "" : ", or leave it unset to derive it";

    let requestsPerTarget: number;
    if (rate === undefined) requestsPerTarget = s.requestsPerTarget!;
    else {
        const sustained = sustainedRequestsPerTarget(rate, s.targetUtilization);
        const arithmetic = `${show(rate)} req/s × ${show(s.targetUtilization)} × 60 = ${sustained}`;
        if (s.requestsPerTarget === undefined) {
            if (sustained < 1)
                return {
                    problems: [
                        `${at("taskCapacityRps")} = ${show(rate)} is too low to plan from: ${arithmetic} ` +
                            `requests per target per minute at ${show(s.targetUtilization)} target utilisation, ` +
                            `and ALBRequestCountPerTarget needs at least 1`,
                    ],
                };
            requestsPerTarget = sustained;
        } else if (s.requestsPerTarget > sustained) {
            return {
                problems: [
                    `${at("requestsPerTarget")} = ${s.requestsPerTarget} is more than one task sustains at the ` +
                        `scaling target (${arithmetic} requests per target per minute); set it to ${sustained} ` +
                        `or less${orDerive}`,
                ],
            };
        } else requestsPerTarget = s.requestsPerTarget;
    }

    const planned = plannedPeakRps(s.peakRequestsPerSecond, s.peakHeadroomPercent);
    const factor = show(tidy((100 + s.peakHeadroomPercent) / 100));
    const plannedText = `${show(planned)} req/s (${s.peakRequestsPerSecond} × ${factor})`;
    const needed = tasksForPeak(s.peakRequestsPerSecond, s.peakHeadroomPercent, requestsPerTarget);
    let maxTasks: number;
    if (s.maxTasks === undefined) {
        maxTasks = Math.max(s.minTasks, needed);
        if (maxTasks > maxTasksLimit)
            return {
                problems: [
                    `${at("maxTasks")} would be ${maxTasks} to carry the planned peak of ${plannedText} at ` +
                        `${requestsPerTarget} requests per target per minute, above the ${maxTasksLimit}-task ` +
                        `limit of an ECS service; raise the per-task rate (${at("taskCapacityRps")}) with a ` +
                        `measurement or lower ${at("peakRequestsPerSecond")}`,
                ],
            };
    } else {
        maxTasks = s.maxTasks;
        const carried = capacityAtTargetRps(maxTasks, requestsPerTarget);
        const alternative = rate === undefined ? ` (at ${requestsPerTarget} requests per target per minute)` : orDerive;
        if (tidy(carried) < planned)
            return {
                problems: [
                    `${at("maxTasks")} = ${maxTasks} carries ${Math.floor(tidy(carried))} req/s at the scaling ` +
                        `target, below the planned peak of ${plannedText}; set it to ` +
                        `${Math.max(needed, s.minTasks)} or more${alternative}`,
                ],
            };
    }
    return {
        plan: {
            maxTasks,
            requestsPerTarget,
            capacityAtTargetRps: capacityAtTargetRps(maxTasks, requestsPerTarget),
            plannedPeakRps: planned,
            tasksForPeak: needed,
        },
    };
}
