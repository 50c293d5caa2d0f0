/**
 * k6 thresholds, every number taken from the SLO module.
 *
 * Each SLO applies to the whole run and to every scenario (`{scenario:<endpoint>}`),
 * so one slow endpoint cannot hide behind fast ones. Smoke aborts as soon as one
 * fails; throughput also gates on dropped_iterations, since an arrival-rate run
 * that could not start its iterations did not offer the target rate.
 */
import type { Threshold } from "k6/options";
import { SLO } from "../../policies/slo.ts";
import type { TestType } from "./types.ts";

/** Smoke gives k6 this long to collect samples before an abortOnFail threshold may stop it. */
export const SMOKE_ABORT_DELAY = "10s";

/** The SLO expressions, by the built-in metric they apply to. */
export function sloExpressions(): Readonly<Record<"http_req_duration" | "http_req_failed" | "checks", string>> {
    return {
        http_req_duration: `p(95)<${SLO.latencyP95Ms}`,
        http_req_failed: `rate<${SLO.errorRate}`,
        checks: `rate>${SLO.checksPassRate}`,
    };
}

/** Arrival-rate runs must start every iteration they planned. */
export const DROPPED_ITERATIONS_GATE = "count==0";

export function buildThresholds(test: TestType, scenarioNames: readonly string[]): Record<string, Threshold[]> {
    const slo = sloExpressions();
    const wrap = (expression: string): Threshold =>
        test === "smoke" ? { threshold: expression, abortOnFail: true, delayAbortEval: SMOKE_ABORT_DELAY } : expression;

    const thresholds: Record<string, Threshold[]> = {};
    for (const [metric, expression] of Object.entries(slo)) {
        thresholds[metric] = [wrap(expression)];
        for (const scenario of scenarioNames) thresholds[`${metric}{scenario:${scenario}}`] = [wrap(expression)];
    }
    if (test === "throughput") thresholds.dropped_iterations = [wrap(DROPPED_ITERATIONS_GATE)];
    return thresholds;
}
