/**
 * Load shapes per test type, turned into k6 scenarios (one per endpoint).
 *
 * Closed-model types (smoke, load, stress, spike, soak) drive VUs; throughput uses
 * the open model (constant-arrival-rate), because only a fixed arrival rate proves
 * a requests-per-second target: closed-model VUs slow down with the system under test.
 * The shapes themselves live in policies/load-profiles.ts, which the scaling simulation
 * replays too; this module turns them into VUs and scenarios.
 */
import type { Scenario } from "k6/options";
import { profileShape, SMOKE } from "../../policies/load-profiles.ts";
import { SLO } from "../../policies/slo.ts";
import { formatDuration } from "./duration.ts";
import { EnvError, type LoadTestEnv } from "./env.ts";
import type { Endpoint, TestType } from "./types.ts";
import { endpointsOf, splitByWeights, weightsOf } from "./workload.ts";

export { RAMP, rampSeconds, SMOKE, SPIKE, STRESS_STEPS } from "../../policies/load-profiles.ts";
/** Arrival-rate VUs: Little's law at the SLO latency, times this headroom for maxVUs. */
export const ARRIVAL = Object.freeze({ timeUnit: "1s", vuHeadroom: 2 });

/** One segment of a closed-model shape: reach `target` total VUs over `seconds`. */
export interface ShapeStep {
    readonly seconds: number;
    readonly target: number;
}

/**
 * VUs an arrival rate needs (Little's law: L = lambda x W), with W = the SLO's p95
 * latency, since one iteration is one request.
 */
export function littleLawVus(ratePerSecond: number): number {
    return Math.max(1, Math.ceil((ratePerSecond * SLO.latencyP95Ms) / 1000));
}

/** Total-VU shape of a closed-model test type (not smoke or throughput): the shared shape times VUS. */
export function vuShape(
    test: Exclude<TestType, "smoke" | "throughput" | "capacity">,
    env: LoadTestEnv,
): readonly ShapeStep[] {
    return profileShape(test, env.holdSeconds).stages.map((s) => ({
        seconds: s.seconds,
        target: Math.ceil(env.vus * s.level),
    }));
}

/** Refuses runs whose split would leave a mixed-workload scenario without VUs or arrivals. */
export function checkProfile(test: Exclude<TestType, "capacity">, env: LoadTestEnv): void {
    const n = endpointsOf(env.workload).length;
    if (n === 1) return;
    const detail = `the ${env.workload} workload runs ${n} scenarios (${endpointsOf(env.workload).join(", ")})`;
    if (test === "throughput" && env.rate < n) {
        throw new EnvError(
            `RATE=${env.rate} is too low for SCENARIO=${env.workload}: ${detail}, so RATE must be at least ${n}`,
        );
    }
    if (test !== "smoke" && test !== "throughput" && env.vus < n) {
        throw new EnvError(
            `VUS=${env.vus} is too low for SCENARIO=${env.workload}: ${detail}, so VUS must be at least ${n}`,
        );
    }
}

/** The k6 scenarios of a run: one per endpoint of the workload, named after the endpoint. */
export function buildScenarios(test: Exclude<TestType, "capacity">, env: LoadTestEnv): Record<Endpoint, Scenario> {
    checkProfile(test, env);
    const weights = weightsOf(env.workload);
    const endpoints = endpointsOf(env.workload);
    const common = (e: Endpoint) => ({ exec: e, tags: { endpoint: e } });
    const scenarios: Partial<Record<Endpoint, Scenario>> = {};

    if (test === "smoke") {
        const vus = splitByWeights(SMOKE.vus, weights);
        for (const e of endpoints) {
            scenarios[e] = {
                executor: "constant-vus",
                vus: vus[e],
                duration: formatDuration(SMOKE.durationSeconds),
                ...common(e),
            };
        }
    } else if (test === "throughput") {
        const rates = splitByWeights(env.rate, weights);
        for (const e of endpoints) {
            const preAllocatedVUs = littleLawVus(rates[e]);
            scenarios[e] = {
                executor: "constant-arrival-rate",
                rate: rates[e],
                timeUnit: ARRIVAL.timeUnit,
                duration: formatDuration(env.holdSeconds),
                preAllocatedVUs,
                maxVUs: preAllocatedVUs * ARRIVAL.vuHeadroom,
                ...common(e),
            };
        }
    } else {
        const shape = vuShape(test, env);
        const perStep = shape.map((step) => splitByWeights(step.target, weights));
        for (const e of endpoints) {
            scenarios[e] = {
                executor: "ramping-vus",
                startVUs: 0,
                stages: shape.map((step, i) => ({
                    duration: formatDuration(step.seconds),
                    target: perStep[i][e],
                })),
                ...common(e),
            };
        }
    }
    return scenarios as Record<Endpoint, Scenario>;
}

/** One line describing the shape, printed by the wrapper before k6 starts. */
export function describeProfile(test: Exclude<TestType, "capacity">, env: LoadTestEnv): string {
    const split = (total: number) =>
        env.workload === "mixed"
            ? ` (${Object.entries(splitByWeights(total, weightsOf(env.workload)))
                  .map(([e, n]) => `${e} ${n}`)
                  .join(", ")})`
            : "";
    switch (test) {
        case "smoke":
            return (
                `smoke: ${SMOKE.vus} VUs for ` +
                `${formatDuration(SMOKE.durationSeconds)}${split(SMOKE.vus)}, ${env.workload} ` +
                `workload`
            );
        case "throughput":
            return (
                `throughput: ${env.rate} req/s for ` +
                `${formatDuration(env.holdSeconds)}${split(env.rate)}, ${env.workload} workload`
            );
        default: {
            const shape = vuShape(test, env);
            const peak = Math.max(...shape.map((s) => s.target));
            const total = shape.reduce((acc, s) => acc + s.seconds, 0);
            return (
                `${test}: up to ${peak} VUs${split(peak)}, ${formatDuration(total)} in ` +
                `${shape.length} stages, ${env.workload} workload`
            );
        }
    }
}
