/**
 * The capacity plan's arithmetic (policies/capacity-plan.ts), against numbers worked out by hand.
 */
import { describe, expect, it } from "vitest";
import {
    capacityAtTargetRps,
    type CapacitySettings,
    planCapacity,
    plannedPeakRps,
    sustainedRequestsPerTarget,
    tasksForPeak,
} from "../../policies/capacity-plan";

const at = (key: string) => `credlink:scaling.${key}`;
const LIMIT = 5000;

/** Production's settings: 23.81 req/s per task, 0.7 utilisation, 1000 req/s peak + 20 %, 2 tasks minimum. */
const production: CapacitySettings = {
    minTasks: 2,
    taskCapacityRps: 23.81,
    targetUtilization: 0.7,
    peakRequestsPerSecond: 1000,
    peakHeadroomPercent: 20,
};

const problem = (s: CapacitySettings) => {
    const r = planCapacity(s, at, LIMIT);
    if (!r.problems) throw new Error(`expected a problem, got ${JSON.stringify(r.plan)}`);
    expect(r.problems).toHaveLength(1);
    return r.problems[0];
};

describe("requests per target per minute a task takes at the target utilisation", () => {
    it.each([
        // 23.81 × 0.7 × 60 = 1000.02
        [23.81, 0.7, 1000],
        // the exact planning figure, 1000 / 60 / 0.7 = 23.8095…, back to 1000
        [1000 / 60 / 0.7, 0.7, 1000],
        // 31.5 × 0.7 × 60 = 1323
        [31.5, 0.7, 1323],
        // 2.75 × 0.7 × 60 = 115.5 exactly; binary floating point says 115.49999999999999
        [2.75, 0.7, 116],
        // 10 × 0.5 × 60 = 300
        [10, 0.5, 300],
        // 0.01 × 0.7 × 60 = 0.42
        [0.01, 0.7, 0],
    ])("round(%s × %s × 60) = %s", (rate, utilization, expected) => {
        expect(sustainedRequestsPerTarget(rate, utilization)).toBe(expected);
    });
});

describe("the planned peak and the tasks that carry it", () => {
    it.each([
        [1000, 20, 1200],
        [7, 20, 8.4],
        [1000, 0, 1000],
        [200, 15, 230],
    ])("%s req/s with %s percent headroom is %s req/s", (peak, headroom, expected) => {
        expect(plannedPeakRps(peak, headroom)).toBe(expected);
    });

    it.each([
        // 1200 × 60 / 1000 = 72 exactly: 72 tasks, not 73
        [1000, 20, 1000, 72],
        // 1200 × 60 / 1323 = 54.42
        [1000, 20, 1323, 55],
        // 8.05 × 60 / 21 = 23 exactly, though floating point says 23.000000000000004
        [7, 15, 21, 23],
        // 24 × 60 / 1000 = 1.44
        [20, 20, 1000, 2],
    ])(
        "peak %s with %s percent headroom at %s per target per minute takes %s tasks",
        (peak, headroom, perTarget, expected) => {
            expect(tasksForPeak(peak, headroom, perTarget)).toBe(expected);
        },
    );

    it("capacity at target is maxTasks × requestsPerTarget / 60", () => {
        expect(capacityAtTargetRps(72, 1000)).toBe(1200);
        expect(capacityAtTargetRps(55, 1323)).toBe(1212.75);
        expect(capacityAtTargetRps(20, 1000)).toBeCloseTo(333.333, 3);
    });
});

describe("planCapacity", () => {
    it("derives both settings from the per-task rate", () => {
        expect(planCapacity(production, at, LIMIT)).toEqual({
            plan: {
                maxTasks: 72,
                requestsPerTarget: 1000,
                capacityAtTargetRps: 1200,
                plannedPeakRps: 1200,
                tasksForPeak: 72,
            },
        });
    });

    it("keeps at least minTasks", () => {
        // 20 req/s + 20 % at 1000/min takes ceil(1.44) = 2 tasks; the floor is 3.
        const r = planCapacity({ ...production, peakRequestsPerSecond: 20, minTasks: 3 }, at, LIMIT);
        expect(r.plan).toEqual({
            maxTasks: 3,
            requestsPerTarget: 1000,
            capacityAtTargetRps: 50,
            plannedPeakRps: 24,
            tasksForPeak: 2,
        });
    });

    it("plans maxTasks on an explicit, lower request target: ceil(1200 × 60 / 500) = 144", () => {
        expect(planCapacity({ ...production, requestsPerTarget: 500 }, at, LIMIT).plan).toMatchObject({
            maxTasks: 144,
            requestsPerTarget: 500,
            capacityAtTargetRps: 1200,
        });
    });

    it("accepts explicit settings exactly at the plan's bounds", () => {
        expect(planCapacity({ ...production, maxTasks: 72, requestsPerTarget: 1000 }, at, LIMIT).plan).toMatchObject({
            maxTasks: 72,
            requestsPerTarget: 1000,
        });
    });

    it("checks explicit settings without a per-task rate against the peak only", () => {
        const s = { ...production, taskCapacityRps: undefined, maxTasks: 60, requestsPerTarget: 1200 };
        expect(planCapacity(s, at, LIMIT).plan).toMatchObject({ maxTasks: 60, capacityAtTargetRps: 1200 });
    });

    it.each<[string, Partial<CapacitySettings>, string]>([
        [
            "a task ceiling below the plan",
            { maxTasks: 20 },
            "credlink:scaling.maxTasks = 20 carries 333 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it",
        ],
        [
            "one task short",
            { maxTasks: 71 },
            "credlink:scaling.maxTasks = 71 carries 1183 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it",
        ],
        [
            "a fractional planned peak",
            { peakRequestsPerSecond: 7, maxTasks: 3, requestsPerTarget: 126, taskCapacityRps: 3 },
            "credlink:scaling.maxTasks = 3 carries 6 req/s at the scaling target, below the planned peak of " +
                "8.4 req/s (7 × 1.2); set it to 4 or more, or leave it unset to derive it",
        ],
        [
            "a ceiling below the plan and below minTasks' floor",
            { minTasks: 80, maxTasks: 60 },
            "credlink:scaling.maxTasks = 60 carries 1000 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 80 or more, or leave it unset to derive it",
        ],
        [
            "a request target above what a task sustains",
            { requestsPerTarget: 1001 },
            "credlink:scaling.requestsPerTarget = 1001 is more than one task sustains at the scaling target " +
                "(23.81 req/s × 0.7 × 60 = 1000 requests per target per minute); set it to 1000 or less, or leave " +
                "it unset to derive it",
        ],
        [
            "no per-task rate and nothing explicit",
            { taskCapacityRps: undefined },
            "credlink:scaling.taskCapacityRps is required to derive credlink:scaling.maxTasks and " +
                "credlink:scaling.requestsPerTarget: set it to the requests per second one task sustains within " +
                "the SLO (and credlink:scaling.taskCapacitySource to where that figure came from; see npm run " +
                "capacity:plan), or set both explicitly",
        ],
        [
            "no per-task rate and an explicit ceiling too low",
            { taskCapacityRps: undefined, maxTasks: 10, requestsPerTarget: 1000 },
            "credlink:scaling.maxTasks = 10 carries 166 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more (at 1000 requests per target per minute)",
        ],
        [
            "a rate too low to give one request per minute",
            { taskCapacityRps: 0.01 },
            "credlink:scaling.taskCapacityRps = 0.01 is too low to plan from: 0.01 req/s × 0.7 × 60 = 0 requests " +
                "per target per minute at 0.7 target utilisation, and ALBRequestCountPerTarget needs at least 1",
        ],
        [
            "a plan above the ECS limit",
            // round(0.2 × 0.7 × 60) = 8; ceil(1200 × 60 / 8) = 9000
            { taskCapacityRps: 0.2 },
            "credlink:scaling.maxTasks would be 9000 to carry the planned peak of 1200 req/s (1000 × 1.2) at 8 " +
                "requests per target per minute, above the 5000-task limit of an ECS service; raise the per-task " +
                "rate (credlink:scaling.taskCapacityRps) with a measurement or lower " +
                "credlink:scaling.peakRequestsPerSecond",
        ],
    ])("rejects %s in one line", (_, override, line) => {
        expect(problem({ ...production, ...override })).toBe(line);
    });
});
