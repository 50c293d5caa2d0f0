import type { ConstantArrivalRateScenario, ConstantVUsScenario, RampingVUsScenario, Scenario } from "k6/options";
import { describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo.ts";
import { EnvError, parseEnv, type RawEnv } from "../lib/env.ts";
import { buildOptions, SUMMARY_TREND_STATS } from "../lib/options.ts";
import { buildScenarios, describeProfile, littleLawVus, rampSeconds, vuShape } from "../lib/profiles.ts";
import { buildThresholds, DROPPED_ITERATIONS_GATE, sloExpressions, SMOKE_ABORT_DELAY } from "../lib/thresholds.ts";
import { ENDPOINTS, type TestType } from "../lib/types.ts";
import { MIXED_WEIGHTS, splitByWeights } from "../lib/workload.ts";

const env = (test: TestType, extra: RawEnv = {}) => parseEnv({ TARGET_URL: "http://127.0.0.1:3000", ...extra }, test);
const ramping = (s: Scenario) => s as RampingVUsScenario;
/** Sum of one stage index across all scenarios. */
const totalAt = (scenarios: Record<string, Scenario>, i: number) =>
    Object.values(scenarios).reduce((acc, s) => acc + ramping(s).stages[i].target, 0);

describe("mixed workload", () => {
    it("weights cover every endpoint and sum to 100 %", () => {
        expect(Object.keys(MIXED_WEIGHTS)).toEqual([...ENDPOINTS]);
        expect(Object.values(MIXED_WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
    });

    it("keeps health under the API's fixed 1000/min health limiter at the SLO's peak rate", () => {
        const healthPerMinute = splitByWeights(SLO.peakRequestsPerSecond, MIXED_WEIGHTS).health * 60;
        expect(healthPerMinute).toBeLessThanOrEqual(1000);
    });

    it("splits exactly by the weights when the total allows it", () => {
        expect(splitByWeights(1000, MIXED_WEIGHTS)).toEqual({ health: 10, sign: 100, verify: 390, proofs: 500 });
    });

    it("gives every key at least one when the total covers them, and always adds up", () => {
        expect(splitByWeights(5, MIXED_WEIGHTS)).toEqual({ health: 1, sign: 1, verify: 1, proofs: 2 });
        expect(splitByWeights(3, MIXED_WEIGHTS)).toEqual({ health: 0, sign: 0, verify: 1, proofs: 2 });
        expect(splitByWeights(0, MIXED_WEIGHTS)).toEqual({ health: 0, sign: 0, verify: 0, proofs: 0 });
        for (let total = 0; total <= 300; total++) {
            const parts = Object.values(splitByWeights(total, MIXED_WEIGHTS));
            expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
            if (total >= 4) expect(Math.min(...parts)).toBeGreaterThanOrEqual(1);
        }
    });

    it("rejects impossible input", () => {
        expect(() => splitByWeights(-1, MIXED_WEIGHTS)).toThrow(RangeError);
        expect(() => splitByWeights(2, { a: 0, b: 0 })).toThrow("positive sum");
    });
});

describe("test types", () => {
    it("smoke: 5 constant VUs for 30 s, split over the endpoints", () => {
        const scenarios = buildScenarios("smoke", env("smoke", { VUS: "500", DURATION: "1h" }));
        expect(Object.keys(scenarios)).toEqual([...ENDPOINTS]);
        for (const [name, s] of Object.entries(scenarios)) {
            const c = s as ConstantVUsScenario;
            expect(c).toMatchObject({
                executor: "constant-vus",
                duration: "30s",
                exec: name,
                tags: { endpoint: name },
            });
        }
        expect(Object.values(scenarios).map((s) => (s as ConstantVUsScenario).vus)).toEqual([1, 1, 1, 2]);
    });

    it("load: ramp to VUS over 10 % of DURATION, hold DURATION, ramp down", () => {
        const scenarios = buildScenarios("load", env("load", { VUS: "100", DURATION: "10m" }));
        for (const s of Object.values(scenarios)) {
            expect(s.executor).toBe("ramping-vus");
            expect(ramping(s).startVUs).toBe(0);
            expect(ramping(s).stages.map((st) => st.duration)).toEqual(["1m", "10m", "1m"]);
        }
        expect([0, 1, 2].map((i) => totalAt(scenarios, i))).toEqual([100, 100, 0]);
        expect(ramping(scenarios.proofs).stages.map((st) => st.target)).toEqual([50, 50, 0]);
    });

    it("ramps stay within 10 s .. 5 min", () => {
        expect([1, 60, 100, 600, 3000, 7200].map(rampSeconds)).toEqual([10, 10, 10, 60, 300, 300]);
    });

    it("stress: climbs through 1x, 1.5x, 2x VUS, each held a third of DURATION", () => {
        const e = env("stress", { VUS: "40", DURATION: "9m" });
        expect(vuShape("stress", e)).toEqual([
            { seconds: 54, target: 40 },
            { seconds: 180, target: 40 },
            { seconds: 54, target: 60 },
            { seconds: 180, target: 60 },
            { seconds: 54, target: 80 },
            { seconds: 180, target: 80 },
            { seconds: 54, target: 0 },
        ]);
        const scenarios = buildScenarios("stress", e);
        expect([0, 1, 2, 3, 4, 5, 6].map((i) => totalAt(scenarios, i))).toEqual([40, 40, 60, 60, 80, 80, 0]);
    });

    it("spike: surges to 5x VUS, holds DURATION, drops back and watches recovery", () => {
        const e = env("spike", { VUS: "20", DURATION: "45s" });
        expect(vuShape("spike", e)).toEqual([
            { seconds: 10, target: 20 },
            { seconds: 10, target: 100 },
            { seconds: 45, target: 100 },
            { seconds: 10, target: 20 },
            { seconds: 30, target: 20 },
            { seconds: 10, target: 0 },
        ]);
    });

    it("soak: the load shape held for DURATION (default 1 h)", () => {
        const scenarios = buildScenarios("soak", env("soak", { VUS: "8" }));
        expect(ramping(scenarios.verify).stages.map((st) => st.duration)).toEqual(["5m", "1h", "5m"]);
        expect([0, 1, 2].map((i) => totalAt(scenarios, i))).toEqual([8, 8, 0]);
    });

    it("throughput: constant arrival rate at RATE (default the SLO peak), VUs by Little's law", () => {
        const scenarios = buildScenarios("throughput", env("throughput", { DURATION: "5m" }));
        const rates = Object.values(scenarios).map((s) => (s as ConstantArrivalRateScenario).rate);
        expect(rates.reduce((a, b) => a + b, 0)).toBe(SLO.peakRequestsPerSecond);
        for (const [name, s] of Object.entries(scenarios)) {
            const c = s as ConstantArrivalRateScenario;
            expect(c).toMatchObject({ executor: "constant-arrival-rate", timeUnit: "1s", duration: "5m", exec: name });
            // L = lambda x W with W = the SLO's p95 in seconds; maxVUs doubles it.
            expect(c.preAllocatedVUs).toBe(Math.ceil((c.rate * SLO.latencyP95Ms) / 1000));
            expect(c.maxVUs).toBe(c.preAllocatedVUs * 2);
        }
        expect((scenarios.proofs as ConstantArrivalRateScenario).preAllocatedVUs).toBe(250);
    });

    it("Little's law never asks for zero VUs", () => {
        expect(littleLawVus(1)).toBe(1);
        expect(littleLawVus(1000)).toBe(500);
    });

    it("single-endpoint workloads run one scenario with all the load", () => {
        const scenarios = buildScenarios("throughput", env("throughput", { SCENARIO: "sign", RATE: "3" }));
        expect(Object.keys(scenarios)).toEqual(["sign"]);
        expect(scenarios.sign).toMatchObject({ rate: 3, exec: "sign", preAllocatedVUs: 2, maxVUs: 4 });
        const load = buildScenarios("load", env("load", { SCENARIO: "health", VUS: "2" }));
        expect(ramping(load.health).stages.map((s) => s.target)).toEqual([2, 2, 0]);
    });

    it("refuses a mixed run too small to give every scenario a VU or an arrival", () => {
        expect(() => buildScenarios("throughput", env("throughput", { RATE: "3" }))).toThrow(
            new EnvError(
                "RATE=3 is too low for SCENARIO=mixed: the mixed workload runs 4 scenarios (health, " +
                    "sign, verify, proofs), so RATE must be at least 4",
            ),
        );
        expect(() => buildScenarios("load", env("load", { VUS: "3" }))).toThrow(
            new EnvError(
                "VUS=3 is too low for SCENARIO=mixed: the mixed workload runs 4 scenarios (health, " +
                    "sign, verify, proofs), so VUS must be at least 4",
            ),
        );
        // Smoke ignores VUS.
        expect(() => buildScenarios("smoke", env("smoke", { VUS: "1" }))).not.toThrow();
    });

    it("describes the shape in one line", () => {
        expect(describeProfile("smoke", env("smoke"))).toBe(
            "smoke: 5 VUs for 30s (health 1, sign 1, verify 1, proofs 2), mixed workload",
        );
        expect(describeProfile("throughput", env("throughput", { SCENARIO: "verify", RATE: "50" }))).toBe(
            "throughput: 50 req/s for 1m, verify workload",
        );
        expect(describeProfile("spike", env("spike", { VUS: "10" }))).toBe(
            "spike: up to 50 VUs (health 1, sign 5, verify 19, proofs 25), 2m10s in 6 stages, mixed workload",
        );
    });
});

describe("thresholds", () => {
    it("are the SLO module's numbers", () => {
        expect(sloExpressions()).toEqual({
            http_req_duration: `p(95)<${SLO.latencyP95Ms}`,
            http_req_failed: `rate<${SLO.errorRate}`,
            checks: `rate>${SLO.checksPassRate}`,
        });
        // And, spelled out, the numbers the issue asks for.
        expect(Object.values(sloExpressions())).toEqual(["p(95)<500", "rate<0.05", "rate>0.99"]);
    });

    it("apply to the run and to every scenario", () => {
        const t = buildThresholds("load", ["sign", "verify"]);
        expect(t).toEqual({
            http_req_duration: ["p(95)<500"],
            "http_req_duration{scenario:sign}": ["p(95)<500"],
            "http_req_duration{scenario:verify}": ["p(95)<500"],
            http_req_failed: ["rate<0.05"],
            "http_req_failed{scenario:sign}": ["rate<0.05"],
            "http_req_failed{scenario:verify}": ["rate<0.05"],
            checks: ["rate>0.99"],
            "checks{scenario:sign}": ["rate>0.99"],
            "checks{scenario:verify}": ["rate>0.99"],
        });
    });

    it("abort a smoke run at the first failure", () => {
        const t = buildThresholds("smoke", ["health"]);
        for (const list of Object.values(t)) {
            for (const th of list) expect(th).toMatchObject({ abortOnFail: true, delayAbortEval: SMOKE_ABORT_DELAY });
        }
        expect(t.http_req_duration).toEqual([{ threshold: "p(95)<500", abortOnFail: true, delayAbortEval: "10s" }]);
    });

    it("gate a throughput run on dropped iterations", () => {
        expect(buildThresholds("throughput", []).dropped_iterations).toEqual([DROPPED_ITERATIONS_GATE]);
        expect(DROPPED_ITERATIONS_GATE).toBe("count==0");
        for (const t of ["smoke", "load", "stress", "spike", "soak"] as const)
            expect(buildThresholds(t, []).dropped_iterations).toBeUndefined();
    });
});

describe("buildOptions", () => {
    it("puts scenarios, thresholds and summary settings together", () => {
        const options = buildOptions("throughput", env("throughput"));
        expect(Object.keys(options.scenarios ?? {})).toEqual([...ENDPOINTS]);
        expect(Object.keys(options.thresholds ?? {})).toContain("http_req_duration{scenario:proofs}");
        expect(options.thresholds?.dropped_iterations).toEqual(["count==0"]);
        expect(options.summaryTrendStats).toEqual([...SUMMARY_TREND_STATS]);
        expect(options.summaryTrendStats).toContain("p(95)");
        expect(options.tags).toEqual({ test_type: "throughput", workload: "mixed" });
        // Shortcut options would replace the scenarios: the builder never sets them.
        expect(options).not.toHaveProperty("vus");
        expect(options).not.toHaveProperty("duration");
        expect(options).not.toHaveProperty("stages");
    });
});
