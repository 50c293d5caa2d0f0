/**
 * The autoscaling engine against cases computed by hand: one-minute datapoints, 3 of 3 above
 * the target to scale out, 15 of 15 below 0.9 x target to scale in, proportional proposals
 * rounded up, cooldowns, min/max capacity and task start-up.
 */
import { describe, expect, it } from "vitest";
import { LOAD_PROFILES, offeredLoad } from "../../policies/load-profiles";
import {
    DEFAULT_ALARMS,
    minTasksFor,
    plannedTaskCapacityRps,
    type ScalingSetup,
    simulate,
    type TrackingPolicy,
} from "../../policies/simulation";

/** `rps` for `seconds`, then the next segment. */
const steps = (...segments: Array<[seconds: number, rps: number]>) =>
    segments.flatMap(([seconds, rps]) => Array<number>(seconds).fill(rps));

const requests = (targetValue: number, extra: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
    metric: "requests",
    targetValue,
    scaleOutCooldownSeconds: 60,
    scaleInCooldownSeconds: 300,
    ...extra,
});

/** 10 req/s per task; one request policy aiming at 300 requests per target per minute (5 req/s). */
const base: ScalingSetup = {
    minTasks: 2,
    maxTasks: 10,
    taskCapacityRps: 10,
    startupSeconds: 30,
    policies: [requests(300)],
};

describe("the alarm parameters", () => {
    it("are the observed ones: 1-minute periods, 3 of 3 to scale out, 15 of 15 below 0.9 x target to scale in", () => {
        expect(DEFAULT_ALARMS).toEqual({
            periodSeconds: 60,
            scaleOutDatapoints: 3,
            scaleInDatapoints: 15,
            scaleInThresholdRatio: 0.9,
        });
    });
});

describe("a step from below to above the target", () => {
    // 8 req/s on 2 tasks = 240 requests per target per minute (below 300) for 2 minutes, then
    // 24 req/s = 720 per target per minute. The datapoints of the minutes ending at 180, 240 and
    // 300 breach; the third one puts AlarmHigh in ALARM at t = 300.
    const offered = steps([120, 8], [480, 24]);

    it("scales nothing before the alarm's three datapoints are in, then proportionally", () => {
        const r = simulate(base, offered);
        expect(r.evaluations.filter((e) => e.scaleOutAlarm).map((e) => e.t)[0]).toBe(300);
        expect(r.evaluations.filter((e) => e.t <= 300).map((e) => e.datapoint)).toEqual([240, 240, 720, 720, 720]);
        // ceil(2 tasks x 720 / 300) = ceil(4.8) = 5
        expect(r.activities[0]).toEqual({ t: 300, direction: "out", from: 2, to: 5, metrics: ["requests"] });
        expect(r.timeline[299]).toMatchObject({ tasks: 2, pendingTasks: 0 });
        expect(r.timeline[300]).toMatchObject({ tasks: 2, pendingTasks: 3, desiredTasks: 5 });
        // The new tasks serve after the 30 s start-up.
        expect(r.timeline[329].tasks).toBe(2);
        expect(r.timeline[330]).toMatchObject({ tasks: 5, pendingTasks: 0, capacityRps: 50 });
        // Overloaded from t = 120 (24 > 2 x 10) until the new tasks serve: 210 s x 4 req/s.
        expect(r.overloadSeconds).toBe(210);
        expect([r.firstOverloadAt, r.lastOverloadAt]).toEqual([120, 329]);
        expect(r.requestsOverCapacity).toBeCloseTo(840, 9);
        expect(r.neededTasks).toBe(3);
        expect(r.neededCapacityAt).toBe(330);
    });

    it("overshoots when the scale-out cooldown ends while the metric still counts the old tasks", () => {
        // The minute ending at 360 had 2 tasks for 30 s (12 req/s each) and 5 for 30 s (4.8):
        // 360 + 144 = 504 per target. The 60 s cooldown is over at 360, so the proposal starts
        // from the 5 desired tasks: ceil(5 x 504 / 300) = ceil(8.4) = 9.
        const r = simulate(base, offered);
        expect(r.evaluations.find((e) => e.t === 360)?.datapoint).toBeCloseTo(504, 9);
        expect(r.activities.map((a) => [a.t, a.from, a.to])).toEqual([
            [300, 2, 5],
            [360, 5, 9],
        ]);
    });

    it("does not overshoot while the cooldown lasts: the proposal counts the added tasks", () => {
        // Inside a 120 s cooldown the proposal starts from the 2 tasks before the scale-out:
        // ceil(2 x 504 / 300) = 4, not more than the 5 already desired, so nothing happens; at 420
        // the datapoint (4.8 x 60 = 288) is below the target.
        const r = simulate({ ...base, policies: [requests(300, { scaleOutCooldownSeconds: 120 })] }, offered);
        expect(r.activities.map((a) => [a.t, a.from, a.to])).toEqual([[300, 2, 5]]);
        const at420 = r.evaluations.find((e) => e.t === 420)!;
        expect(at420.datapoint).toBeCloseTo(288, 9);
        expect(at420.scaleOutAlarm).toBe(false);
        expect(r.peakTasks).toBe(5);
    });

    it("lets a larger scale-out through during the cooldown", () => {
        // 24 req/s from the start: ALARM at 180, ceil(2 x 720 / 300) = 5. The load then rises to
        // 60 req/s; the minute ending at 240 had 2 tasks for 30 s (30 req/s each = 900) and 5 for
        // 30 s (12 req/s = 360): 1260. Inside the 600 s cooldown the proposal starts from 2 tasks:
        // ceil(2 x 1260 / 300) = ceil(8.4) = 9 > 5, a larger scale-out, so it proceeds.
        const r = simulate(
            { ...base, policies: [requests(300, { scaleOutCooldownSeconds: 600 })] },
            steps([180, 24], [120, 60]),
        );
        expect(r.activities.map((a) => [a.t, a.from, a.to])).toEqual([
            [180, 2, 5],
            [240, 5, 9],
        ]);
    });
});

describe("scale-in", () => {
    // 4 tasks at the target (20 req/s = 300 per target per minute: neither alarm) for 2 minutes,
    // then 4 req/s = 60 per target per minute, below the 270 threshold. AlarmLow needs 15 such
    // datapoints: the minutes ending at 180 .. 1020.
    const setup: ScalingSetup = { ...base, minTasks: 1, initialTasks: 4 };
    const offered = steps([120, 20], [1080, 4]);

    it("waits for the 15-minute window, then removes capacity (rounded up)", () => {
        const r = simulate(setup, offered);
        expect(r.evaluations.filter((e) => e.scaleInAlarm).map((e) => e.t)[0]).toBe(1020);
        expect(r.timeline[1019].tasks).toBe(4);
        // ceil(4 x 60 / 300) = ceil(0.8) = 1
        expect(r.activities).toEqual([{ t: 1020, direction: "in", from: 4, to: 1, metrics: ["requests"] }]);
        expect(r.timeline[1020].tasks).toBe(1);
    });

    it("stops at minTasks", () => {
        const r = simulate({ ...setup, minTasks: 3 }, offered);
        expect(r.activities).toEqual([
            { t: 1020, direction: "in", from: 4, to: 3, metrics: ["requests"], limitedBy: "minTasks" },
        ]);
    });

    it("happens only when every policy agrees", () => {
        // 27.6 req/s on 20 tasks: 82.8 requests per target per minute (below 270) and CPU 13.8 %,
        // neither above the CPU target 15 nor below 0.9 x 15 = 13.5: the CPU policy does not agree
        // (its own proposal, ceil(20 x 13.8 / 15) = 19, would remove a task).
        const cpu: TrackingPolicy = {
            metric: "cpu",
            targetValue: 15,
            scaleOutCooldownSeconds: 60,
            scaleInCooldownSeconds: 300,
        };
        const offered = steps([1200, 27.6]);
        const twenty = { ...setup, initialTasks: 20, maxTasks: 20 };
        const r = simulate({ ...twenty, policies: [requests(300), cpu] }, offered);
        expect(r.evaluations.filter((e) => e.metric === "requests" && !e.scaleInAlarm)).toEqual([]);
        expect(r.evaluations.filter((e) => e.metric === "cpu" && (e.scaleInAlarm || e.scaleOutAlarm))).toEqual([]);
        expect(r.activities).toEqual([]);
        // A policy with scale-in disabled has no vote: the request policy alone scales in at the
        // first evaluation (the idle minutes before the test count): ceil(20 x 82.8 / 300) = 6.
        const r2 = simulate({ ...twenty, policies: [requests(300), { ...cpu, disableScaleIn: true }] }, offered);
        expect(r2.activities[0]).toEqual({ t: 60, direction: "in", from: 20, to: 6, metrics: ["requests"] });
    });

    it("waits for the scale-in cooldown before removing more", () => {
        // 30 req/s on 10 tasks = 180 per target per minute; with the idle minutes before the test
        // AlarmLow is in ALARM at 60: ceil(10 x 180 / 300) = 6. Then 6 req/s on 6 tasks = 60 per
        // target per minute, low at every evaluation, but the 300 s cooldown holds the next
        // scale-in until 360: ceil(6 x 60 / 300) = 2. At 2 tasks (180 per target) the proposal
        // is 2 again.
        const r = simulate({ ...setup, initialTasks: 10 }, steps([60, 30], [1200, 6]));
        expect(r.activities.map((a) => [a.t, a.direction, a.from, a.to])).toEqual([
            [60, "in", 10, 6],
            [360, "in", 6, 2],
        ]);
    });
});

describe("several policies", () => {
    it("scale out on any policy, with the largest proposal", () => {
        const cpu: TrackingPolicy = {
            metric: "cpu",
            targetValue: 50,
            scaleOutCooldownSeconds: 60,
            scaleInCooldownSeconds: 300,
        };
        // 16 req/s on 2 tasks: CPU 80 % (target 50: ceil(2 x 80 / 50) = 4), requests 480 per
        // target per minute (target 600: not breaching). Only CPU asks; it gets 4.
        const only = simulate({ ...base, policies: [cpu, requests(600)] }, steps([240, 16]));
        expect(only.activities[0]).toEqual({ t: 180, direction: "out", from: 2, to: 4, metrics: ["cpu"] });
        // With the request target at 200 both ask: CPU 4, requests ceil(2 x 480 / 200) = 5, which wins.
        const both = simulate({ ...base, policies: [cpu, requests(200)] }, steps([240, 16]));
        expect(both.activities[0]).toEqual({ t: 180, direction: "out", from: 2, to: 5, metrics: ["requests"] });
    });

    it("respect maxTasks", () => {
        // 1000 req/s on 2 tasks: ceil(2 x 30000 / 300) = 200, capped at 10.
        const r = simulate(base, steps([600, 1000]));
        expect(r.activities).toEqual([
            { t: 180, direction: "out", from: 2, to: 10, metrics: ["requests"], limitedBy: "maxTasks" },
        ]);
        expect(r.peakTasks).toBe(10);
        expect(Math.max(...r.timeline.map((p) => p.desiredTasks))).toBe(10);
        expect(r.neededCapacityAt).toBeNull();
        expect(r.overloadSeconds).toBe(600);
    });
});

describe("a stack whose minimum carries the peak", () => {
    const production = (minTasks: number): ScalingSetup => ({
        minTasks,
        maxTasks: 60,
        taskCapacityRps: plannedTaskCapacityRps(1000),
        policies: [
            { metric: "cpu", targetValue: 60, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 },
            { metric: "memory", targetValue: 70, scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 },
            requests(1000, { scaleOutCooldownSeconds: 30 }),
        ],
    });

    it.each(LOAD_PROFILES)("never overloads in the %s profile", (profile) => {
        const offered = offeredLoad(profile, 1000, 600);
        const needed = Math.ceil(1000 / plannedTaskCapacityRps(1000));
        const r = simulate(production(needed), offered);
        expect(r.overloadSeconds).toBe(0);
        expect(r.requestsOverCapacity).toBe(0);
        expect(r.neededCapacityAt).toBe(0);
    });

    it("is what minTasksFor finds for the spike, while one task less overloads", () => {
        const offered = offeredLoad("spike", 1000, 60);
        const found = minTasksFor(production(2), offered, 0)!;
        expect(found).toBe(Math.ceil(1000 / plannedTaskCapacityRps(1000)));
        expect(simulate(production(found - 1), offered).overloadSeconds).toBeGreaterThan(0);
        expect(minTasksFor({ ...production(2), maxTasks: 20 }, offered, 0)).toBeUndefined();
    });
});

describe("bad setups", () => {
    it("are refused with one line naming the value", () => {
        expect(() => simulate({ ...base, minTasks: 5, maxTasks: 3 }, [1])).toThrow(
            new RangeError("maxTasks = 3 must be a whole number >= 1 and >= minTasks (5)"),
        );
        expect(() => simulate({ ...base, taskCapacityRps: 0 }, [1])).toThrow(
            "taskCapacityRps = 0 must be a positive number of requests per second",
        );
        expect(() => simulate(base, [1, -2])).toThrow("offered load at t = 1 s is -2; it must be >= 0");
        expect(() => simulate({ ...base, policies: [requests(300), requests(400)] }, [1])).toThrow(
            "each target-tracking policy must track a different metric",
        );
    });
});
