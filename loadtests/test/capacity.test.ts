/**
 * TEST=capacity without k6: the steps as k6 scenarios, the per-step thresholds that put each
 * step's numbers into the end-of-test summary, reading them back, the knee, capacity.json
 * and the reports, from summaries shaped the way k6 hands them to handleSummary.
 */
import { describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo.ts";
import {
    CAPACITY_EXEC,
    capacityMix,
    capacitySchedule,
    capacityScenarios,
    capacitySteps,
    capacityThresholds,
    describeCapacity,
    findKnee,
    stepResults,
    type StepResult,
} from "../lib/capacity.ts";
import { CAPACITY_SCHEMA, type CapacityReport } from "../lib/capacity-report.ts";
import { EnvError, parseEnv, type CapacityPlan, type RawEnv } from "../lib/env.ts";
import { buildOptions, describeRun } from "../lib/options.ts";
import { summaryOutputs, type RunContext } from "../lib/report.ts";
import { normalizeSummary } from "../lib/summary.ts";
import { interleave, MIXED_WEIGHTS } from "../lib/workload.ts";

const TARGET = { TARGET_URL: "https://d111111abcdef8.cloudfront.net" };
const env = (raw: RawEnv = {}) => parseEnv({ ...TARGET, ...raw }, "capacity");
const PLAN: CapacityPlan = { startRate: 10, rateStep: 10, steps: 5, stepSeconds: 30, tasks: 2 };

interface StepData {
    /** Completed requests (the Trend's count). */
    requests: number;
    p95: number;
    errorRate: number;
    dropped: number;
}

/**
 * handleSummary data for a capacity run, as k6 builds it (summarizeMetricsToObject): every
 * threshold's sub-metric is present, with zero values for steps that never ran.
 */
function summary(steps: readonly (StepData | undefined)[], plan = PLAN): unknown {
    const metrics: Record<string, unknown> = {
        http_req_duration: { type: "trend", contains: "time", values: { "p(95)": 1, count: 1 } },
    };
    capacitySteps(plan).forEach((step, i) => {
        const d = steps[i] ?? { requests: 0, p95: 0, errorRate: 0, dropped: 0 };
        const ok = (b: boolean) => ({ ok: b });
        metrics[`http_req_duration{scenario:${step.scenario}}`] = {
            type: "trend",
            contains: "time",
            values: {
                avg: d.p95 / 2,
                min: 1,
                med: d.p95 / 2,
                max: d.p95 * 2,
                "p(90)": d.p95,
                "p(95)": d.p95,
                count: d.requests,
            },
            thresholds: { [`p(95)<${SLO.latencyP95Ms}`]: ok(d.p95 < SLO.latencyP95Ms) },
        };
        metrics[`http_req_failed{scenario:${step.scenario}}`] = {
            type: "rate",
            contains: "default",
            values: { rate: d.errorRate, passes: Math.round(d.errorRate * d.requests), fails: d.requests },
            thresholds: { [`rate<${SLO.errorRate}`]: ok(d.errorRate < SLO.errorRate) },
        };
        metrics[`dropped_iterations{scenario:${step.scenario}}`] = {
            type: "counter",
            contains: "default",
            values: { count: d.dropped, rate: d.dropped / 150 },
            thresholds: { "count==0": ok(d.dropped === 0) },
        };
    });
    return {
        root_group: { name: "", path: "", groups: [], checks: [] },
        state: { testRunDurationMs: 150_000 },
        metrics,
    };
}

/** A step that ran its full 30 s at its rate with these numbers. */
const full = (rate: number, p95: number, errorRate = 0, dropped = 0): StepData => ({
    requests: rate * 30 - dropped,
    p95,
    errorRate,
    dropped,
});

const results = (steps: readonly (StepData | undefined)[], plan = PLAN) =>
    stepResults(normalizeSummary(summary(steps, plan)), plan);
const verdicts = (rs: readonly StepResult[]) => rs.map((r) => r.verdict);

describe("capacity steps as k6 scenarios", () => {
    it("offer START_RATE, +RATE_STEP each STEP_DURATION, one constant-arrival-rate scenario per step", () => {
        const scenarios = capacityScenarios(env({ START_RATE: "20", RATE_STEP: "5", STEPS: "3", STEP_DURATION: "1m" }));
        expect(scenarios).toEqual({
            step_01: {
                executor: "constant-arrival-rate",
                rate: 20,
                timeUnit: "1s",
                duration: "1m",
                startTime: "0s",
                gracefulStop: "10s",
                preAllocatedVUs: 10,
                maxVUs: 20,
                exec: CAPACITY_EXEC,
                tags: { step: "1", offered_rps: "20" },
            },
            step_02: {
                ...scenarios.step_01,
                rate: 25,
                startTime: "1m",
                preAllocatedVUs: 13,
                maxVUs: 26,
                tags: { step: "2", offered_rps: "25" },
            },
            step_03: {
                ...scenarios.step_01,
                rate: 30,
                startTime: "2m",
                preAllocatedVUs: 15,
                maxVUs: 30,
                tags: { step: "3", offered_rps: "30" },
            },
        });
    });

    it("gate every step on the SLO through the scenario tag, aborting once a finished step missed it", () => {
        const thresholds = capacityThresholds(PLAN);
        expect(Object.keys(thresholds)).toHaveLength(3 * PLAN.steps);
        expect(thresholds["http_req_duration{scenario:step_02}"]).toEqual([
            { threshold: `p(95)<${SLO.latencyP95Ms}`, abortOnFail: true, delayAbortEval: "1m5s" },
        ]);
        expect(thresholds["http_req_failed{scenario:step_02}"]).toEqual([
            { threshold: `rate<${SLO.errorRate}`, abortOnFail: true, delayAbortEval: "1m5s" },
        ]);
        expect(thresholds["dropped_iterations{scenario:step_05}"]).toEqual([
            { threshold: "count==0", abortOnFail: true, delayAbortEval: "2m35s" },
        ]);
        // k6 tags dropped_iterations with the scenario name only, never with a scenario's own tags.
        expect(Object.keys(thresholds).filter((k) => !/\{scenario:step_\d\d\}$/.test(k))).toEqual([]);
    });

    it("are the whole of a capacity run's options", () => {
        const options = buildOptions("capacity", env({ STEPS: "4" }));
        expect(Object.keys(options.scenarios ?? {})).toEqual(["step_01", "step_02", "step_03", "step_04"]);
        expect(Object.keys(options.thresholds ?? {})).toHaveLength(12);
        expect(options.tags).toEqual({ test_type: "capacity", workload: "mixed" });
    });

    it("send the tasks' share of the mixed workload, interleaved: proofs never reach a task", () => {
        const schedule = capacitySchedule("mixed");
        expect(schedule).toHaveLength(MIXED_WEIGHTS.health + MIXED_WEIGHTS.sign + MIXED_WEIGHTS.verify);
        expect(schedule.filter((e) => e === "sign")).toHaveLength(10);
        expect(schedule.filter((e) => e === "health")).toHaveLength(1);
        expect(schedule).not.toContain("proofs");
        // Spread evenly: a sign every 5 iterations, never two in a row.
        const signs = schedule.flatMap((e, i) => (e === "sign" ? [i] : []));
        expect(signs.slice(1).map((i, k) => i - signs[k])).toEqual(Array(9).fill(5));
        expect(capacityMix("mixed")).toEqual({ health: 2, sign: 20, verify: 78 });
        expect(capacitySchedule("sign")).toEqual(["sign"]);
        expect(interleave({ a: 1, b: 3 })).toEqual(["b", "a", "b", "b"]);
        expect(() => interleave({ a: 0 })).toThrow(RangeError);
    });

    it("refuse the proofs workload in one line, naming the ones that load a task", () => {
        expect(() => buildOptions("capacity", env({ SCENARIO: "proofs" }))).toThrow(
            new EnvError(
                "SCENARIO=proofs is invalid for TEST=capacity: proofs are served by CloudFront from S3 and never " +
                    "reach a task; use one of mixed, health, sign, verify",
            ),
        );
    });

    it("describe themselves in the wrapper's one line", () => {
        expect(describeRun("capacity", env({ TASKS: "3" }))).toBe(
            "capacity: 10 steps of 30s from 10 to 100 req/s (+10), mixed workload (health 2%, sign 20%, " +
                "verify 78%), 3 tasks behind the target",
        );
        expect(describeCapacity(env({ SCENARIO: "sign", STEPS: "1" }))).toBe(
            "capacity: 1 step of 30s from 10 to 10 req/s (+10), sign workload (sign 100%), 1 task behind the target",
        );
    });
});

describe("reading steps back and finding the knee", () => {
    it("takes the highest step that held with every step below it", () => {
        const rs = results([
            full(10, 40),
            full(20, 60),
            full(30, 180),
            full(40, 2400, 0.01, 37),
            { requests: 60, p95: 90, errorRate: 0, dropped: 0 },
        ]);
        expect(verdicts(rs)).toEqual(["held", "held", "held", "failed", "cut short"]);
        expect(rs[3]).toEqual({
            step: 4,
            rate: 40,
            requests: 1163,
            achievedRps: 38.77,
            p95Ms: 2400,
            errorRate: 0.01,
            droppedIterations: 37,
            verdict: "failed",
            held: false,
        });
        expect(findKnee(rs)).toEqual({
            result: "measured",
            step: rs[2],
            notes: ["step 5 (50 req/s) was cut short and is not judged"],
        });
    });

    it.each([
        ["p95 at the SLO", full(20, SLO.latencyP95Ms)],
        ["errors at the SLO", full(20, 80, SLO.errorRate)],
        ["one dropped iteration", full(20, 80, 0, 1)],
        ["a breach on part of the step (the run stopped there)", { requests: 100, p95: 900, errorRate: 0, dropped: 0 }],
    ])("fails a step on %s", (_label, step) => {
        const rs = results([full(10, 50), step]);
        expect(verdicts(rs)).toEqual(["held", "failed", "not run", "not run", "not run"]);
        expect(findKnee(rs).step?.rate).toBe(10);
    });

    it("reports a lower bound when every step held", () => {
        const rs = results([10, 20, 30, 40, 50].map((r) => full(r, 50)));
        expect(findKnee(rs)).toEqual({
            result: "lower-bound",
            step: rs[4],
            notes: ["every step held: the capacity is at least 50 req/s; raise START_RATE, RATE_STEP or STEPS"],
        });
    });

    it("reports below range when the first step already failed", () => {
        const rs = results([full(10, 700)]);
        expect(findKnee(rs)).toEqual({
            result: "below-range",
            step: undefined,
            notes: ["the first step (10 req/s) already missed the SLO: lower START_RATE to find the knee"],
        });
        expect(findKnee(results([])).result).toBe("below-range");
    });

    it("does not count a pass above a failure as capacity, and says the target is noisy", () => {
        const rs = results([full(10, 50), full(20, 600), full(30, 90)]);
        const knee = findKnee(rs);
        expect([knee.result, knee.step?.rate]).toEqual(["measured", 10]);
        expect(knee.notes).toEqual([
            "step 3 (30 req/s) held after step 2 (20 req/s) failed: the target is noisy at this load; " +
                "lengthen STEP_DURATION",
        ]);
    });
});

describe("capacity.json and the reports", () => {
    const context = (raw: RawEnv = {}): RunContext => {
        const e = env({ STEPS: "5", TASKS: "2", ...raw });
        return {
            testType: "capacity",
            workload: e.workload,
            targetUrl: e.targetUrl,
            holdSeconds: e.holdSeconds,
            rate: e.rate,
            generatedAt: "2025-06-01T10:02:35.000Z",
            capacity: e.capacity,
        };
    };
    const data = summary([full(10, 40), full(20, 60), full(30, 180), full(40, 2400, 0.08)]);

    it("writes capacity.json next to the reports: per-task rate, tasks, target, date, steps", () => {
        const out = summaryOutputs(data, context(), "reports/20250601T100000Z-capacity");
        expect(Object.keys(out).sort()).toEqual([
            "reports/20250601T100000Z-capacity/capacity.json",
            "reports/20250601T100000Z-capacity/k6-summary.json",
            "reports/20250601T100000Z-capacity/report.html",
            "reports/20250601T100000Z-capacity/summary.json",
            "stdout",
        ]);
        const report = JSON.parse(out["reports/20250601T100000Z-capacity/capacity.json"]) as CapacityReport;
        const { steps, ...head } = report;
        expect(head).toEqual({
            schema: CAPACITY_SCHEMA,
            date: "2025-06-01T10:02:35.000Z",
            target: TARGET.TARGET_URL,
            tasks: 2,
            perTaskRps: 15,
            capacityRps: 30,
            result: "measured",
            kneeStep: 3,
            workload: "mixed",
            mix: { health: 2, sign: 20, verify: 78 },
            slo: { latencyP95Ms: SLO.latencyP95Ms, errorRate: SLO.errorRate, droppedIterations: 0 },
            stepSeconds: 30,
            notes: [],
        });
        expect(steps.map((s) => [s.step, s.rate, s.p95Ms, s.errorRate, s.droppedIterations, s.held])).toEqual([
            [1, 10, 40, 0, 0, true],
            [2, 20, 60, 0, 0, true],
            [3, 30, 180, 0, 0, true],
            [4, 40, 2400, 0.08, 0, false],
            [5, 50, null, null, 0, false],
        ]);
        expect(typeof report.perTaskRps).toBe("number");
    });

    it("plots latency and failures against the offered rate, with the SLO lines and the knee", () => {
        const out = summaryOutputs(data, context(), undefined);
        const html = out["k6-capacity-report.html"];
        expect(html).toContain('<span class="verdict pass">measured</span>');
        expect(html).toContain("<strong>15 req/s per task (30 req/s at the target, 2 tasks)</strong>");
        expect(html).toContain('aria-label="p95 latency against offered rate"');
        expect(html).toContain('aria-label="Failed requests against offered rate"');
        expect(html).toContain(`SLO p95 &lt; ${SLO.latencyP95Ms} ms`);
        expect(html).toContain(">capacity 30 req/s</text>");
        expect(html).not.toContain("<h2>Service-level objectives</h2>");
        expect(html).not.toMatch(/<script|src=|href=/);
        expect(out.stdout).toContain("Result: CAPACITY 15 req/s per task (30 req/s at the target, 2 tasks)");
        expect(out.stdout).toContain("✗  4     40/s");
        expect(out.stdout).toContain("failed: p95 2400ms, errors 8.00%");
        expect(out.stdout).toContain("k6-capacity-capacity.json");
    });

    it("says so when no step held, with a per-task rate of 0 the planner refuses", () => {
        const out = summaryOutputs(summary([full(10, 900)]), context({ TASKS: "1" }), "r");
        const report = JSON.parse(out["r/capacity.json"]) as CapacityReport;
        expect([report.result, report.perTaskRps, report.capacityRps, report.kneeStep]).toEqual([
            "below-range",
            0,
            0,
            null,
        ]);
        expect(out.stdout).toContain("Result: CAPACITY below the first step: no step held (1 task)");
    });
});
