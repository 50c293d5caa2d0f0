/**
 * TEST=capacity: finds the knee of one target by offering increasing constant arrival rates
 * in steps, and reads each step's result back from the end-of-test summary.
 *
 * Each step is its own `constant-arrival-rate` scenario (`step_01`, `step_02`, ...) starting
 * when the previous one ends. Per-step results come from sub-metric thresholds on the
 * `scenario` tag: a threshold is what makes k6 keep a sub-metric and put it in the summary
 * handed to handleSummary (which has no time series). The `scenario` tag, not a custom one,
 * because k6 tags `dropped_iterations` with the run's tags and the scenario name only: a
 * threshold like `dropped_iterations{step:3}` would never see a sample.
 *
 * The thresholds are the SLO (p95 latency, failed requests, no dropped iteration) with
 * `abortOnFail`, evaluated from the end of their step: the first step that misses the SLO
 * stops the run, so a real target is not overloaded further than the knee (the breakpoint
 * pattern of k6's guides). k6 then exits 99; capacity.json holds the measurement.
 */
import type { Scenario, Threshold } from "k6/options";
import { SLO } from "../../policies/slo.ts";
import { formatDuration } from "./duration.ts";
import { EnvError, type CapacityPlan, type LoadTestEnv } from "./env.ts";
import { ARRIVAL, littleLawVus } from "./profiles.ts";
import type { NormalizedSummary } from "./summary.ts";
import { DROPPED_ITERATIONS_GATE, sloExpressions } from "./thresholds.ts";
import type { Endpoint, Workload } from "./types.ts";
import { interleave, TASK_ENDPOINTS, taskWeightsOf } from "./workload.ts";

/** The exec function every step runs (it picks the endpoint per iteration). */
export const CAPACITY_EXEC = "capacity";
/** Stragglers of a step may finish this long after it ends (they keep their step's tags). */
export const STEP_GRACEFUL_STOP_SECONDS = 10;
/** A step's thresholds may abort the run this long after the step ended (stragglers included). */
export const STEP_ABORT_GRACE_SECONDS = 5;
/** A step counts as complete when it started at least this share of its planned iterations. */
export const COMPLETE_SHARE = 0.9;

export interface CapacityStep {
    /** 1-based. */
    readonly index: number;
    /** Scenario name and tag value: `step_01`. */
    readonly scenario: string;
    /** Offered requests per second. */
    readonly rate: number;
    readonly startSeconds: number;
    readonly durationSeconds: number;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function capacitySteps(plan: CapacityPlan): CapacityStep[] {
    return Array.from({ length: plan.steps }, (_, i) => ({
        index: i + 1,
        scenario: `step_${pad(i + 1)}`,
        rate: plan.startRate + i * plan.rateStep,
        startSeconds: i * plan.stepSeconds,
        durationSeconds: plan.stepSeconds,
    }));
}

/** Refuses workloads that do not load the tasks. */
export function checkCapacity(env: LoadTestEnv): void {
    if (env.workload === "proofs") {
        throw new EnvError(
            "SCENARIO=proofs is invalid for TEST=capacity: proofs are served by CloudFront from S3 and never " +
                `reach a task; use one of mixed, ${TASK_ENDPOINTS.join(", ")}`,
        );
    }
}

/** Endpoint of each iteration, repeating: the task share of the workload, interleaved. */
export function capacitySchedule(workload: Workload): Endpoint[] {
    if (workload === "proofs") throw new RangeError("the proofs workload does not load the tasks");
    return interleave(taskWeightsOf(workload));
}

/** Percent of the requests per endpoint in a capacity run (what capacity.json reports as the mix). */
export function capacityMix(workload: Workload): Partial<Record<Endpoint, number>> {
    if (workload === "proofs") throw new RangeError("the proofs workload does not load the tasks");
    const weights = Object.entries(taskWeightsOf(workload)) as [Endpoint, number][];
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    return Object.fromEntries(weights.map(([e, w]) => [e, Math.round((w / total) * 1e4) / 100]));
}

export function capacityScenarios(env: LoadTestEnv): Record<string, Scenario> {
    checkCapacity(env);
    const scenarios: Record<string, Scenario> = {};
    for (const step of capacitySteps(env.capacity)) {
        const preAllocatedVUs = littleLawVus(step.rate);
        scenarios[step.scenario] = {
            executor: "constant-arrival-rate",
            rate: step.rate,
            timeUnit: ARRIVAL.timeUnit,
            duration: formatDuration(step.durationSeconds),
            startTime: formatDuration(step.startSeconds),
            gracefulStop: formatDuration(STEP_GRACEFUL_STOP_SECONDS),
            preAllocatedVUs,
            maxVUs: preAllocatedVUs * ARRIVAL.vuHeadroom,
            exec: CAPACITY_EXEC,
            // For outputs (Prometheus labels); the thresholds use the scenario tag.
            tags: { step: String(step.index), offered_rps: String(step.rate) },
        };
    }
    return scenarios;
}

/** The SLO per step, aborting the run once a finished step has missed it. */
export function capacityThresholds(plan: CapacityPlan): Record<string, Threshold[]> {
    const slo = sloExpressions();
    const thresholds: Record<string, Threshold[]> = {};
    for (const step of capacitySteps(plan)) {
        const delayAbortEval = formatDuration(step.startSeconds + step.durationSeconds + STEP_ABORT_GRACE_SECONDS);
        const gate = (threshold: string): Threshold[] => [{ threshold, abortOnFail: true, delayAbortEval }];
        thresholds[`http_req_duration{scenario:${step.scenario}}`] = gate(slo.http_req_duration);
        thresholds[`http_req_failed{scenario:${step.scenario}}`] = gate(slo.http_req_failed);
        thresholds[`dropped_iterations{scenario:${step.scenario}}`] = gate(DROPPED_ITERATIONS_GATE);
    }
    return thresholds;
}

export function describeCapacity(env: LoadTestEnv): string {
    checkCapacity(env);
    const p = env.capacity;
    const top = p.startRate + (p.steps - 1) * p.rateStep;
    const mix = Object.entries(capacityMix(env.workload))
        .map(([e, pct]) => `${e} ${pct}%`)
        .join(", ");
    return (
        `capacity: ${p.steps} step${p.steps === 1 ? "" : "s"} of ${formatDuration(p.stepSeconds)} from ` +
        `${p.startRate} to ${top} req/s ` +
        `(+${p.rateStep}), ${env.workload} workload (${mix}), ${p.tasks} task${p.tasks === 1 ? "" : "s"} ` +
        `behind the target`
    );
}

/** What a step showed: within the SLO for its whole length, outside it, or too short to judge. */
export type StepVerdict = "held" | "failed" | "cut short" | "not run";

/** One step as the summary shows it. */
export interface StepResult {
    readonly step: number;
    /** Offered requests per second. */
    readonly rate: number;
    /** HTTP requests that completed in the step (stragglers included). */
    readonly requests: number;
    /** requests / step length; null when the step did not run. */
    readonly achievedRps: number | null;
    readonly p95Ms: number | null;
    /** Share of failed requests, 0..1. */
    readonly errorRate: number | null;
    readonly droppedIterations: number;
    /**
     * - failed: p95 >= SLO.latencyP95Ms, errors >= SLO.errorRate or an iteration dropped, even on
     *   part of the step (a breach is a breach);
     * - held: none of that over at least COMPLETE_SHARE of the step's planned iterations;
     * - cut short: the run stopped during the step before it could hold (or fail);
     * - not run: no request at all.
     */
    readonly verdict: StepVerdict;
    /** verdict === "held". */
    readonly held: boolean;
}

export type CapacityResult = "measured" | "lower-bound" | "below-range";

export interface Knee {
    readonly result: CapacityResult;
    /** The highest step that held with every step below it; undefined when none did. */
    readonly step: StepResult | undefined;
    readonly notes: readonly string[];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function stepResults(summary: NormalizedSummary, plan: CapacityPlan): StepResult[] {
    const value = (metric: string, stat: string) => summary.metrics[metric]?.values[stat];
    return capacitySteps(plan).map((step) => {
        const selector = `{scenario:${step.scenario}}`;
        const requests = value(`http_req_duration${selector}`, "count") ?? 0;
        const dropped = value(`dropped_iterations${selector}`, "count") ?? 0;
        const ran = requests > 0;
        const p95 = ran ? (value(`http_req_duration${selector}`, "p(95)") ?? null) : null;
        const errorRate = ran ? (value(`http_req_failed${selector}`, "rate") ?? null) : null;
        const breached =
            (p95 !== null && p95 >= SLO.latencyP95Ms) ||
            (errorRate !== null && errorRate >= SLO.errorRate) ||
            dropped > 0;
        const complete = requests + dropped >= COMPLETE_SHARE * step.rate * step.durationSeconds;
        const verdict: StepVerdict = breached
            ? "failed"
            : !ran
              ? "not run"
              : complete && p95 !== null && errorRate !== null
                ? "held"
                : "cut short";
        return {
            step: step.index,
            rate: step.rate,
            requests,
            achievedRps: ran ? round(requests / step.durationSeconds, 2) : null,
            p95Ms: p95 === null ? null : round(p95, 2),
            errorRate: errorRate === null ? null : round(errorRate, 6),
            droppedIterations: dropped,
            verdict,
            held: verdict === "held",
        };
    });
}

/**
 * The capacity is the highest step that held while every step below it held too: a step that
 * passes after a lower one failed is noise, not capacity, and is only noted.
 */
export function findKnee(steps: readonly StepResult[]): Knee {
    const notes: string[] = [];
    let knee: StepResult | undefined;
    let failed: StepResult | undefined;
    for (const s of steps) {
        if (s.verdict === "cut short") notes.push(`step ${s.step} (${s.rate} req/s) was cut short and is not judged`);
        if (s.verdict !== "held" && s.verdict !== "failed") continue;
        if (failed === undefined && s.held) knee = s;
        else if (failed === undefined) failed = s;
        else if (s.held) {
            notes.push(
                `step ${s.step} (${s.rate} req/s) held after step ${failed.step} (${failed.rate} req/s) failed: ` +
                    "the target is noisy at this load; lengthen STEP_DURATION",
            );
        }
    }
    if (failed !== undefined && knee === undefined) {
        notes.unshift(
            `the first step (${failed.rate} req/s) already missed the SLO: lower START_RATE to find the knee`,
        );
        return { result: "below-range", step: undefined, notes };
    }
    if (failed !== undefined) return { result: "measured", step: knee, notes };
    if (knee === undefined)
        return { result: "below-range", step: undefined, notes: ["no step ran to the end", ...notes] };
    notes.unshift(`every step held: the capacity is at least ${knee.rate} req/s; raise START_RATE, RATE_STEP or STEPS`);
    return { result: "lower-bound", step: knee, notes };
}

/** Why a step did not hold, for the reports: `p95 812ms`, `errors 7.10%`, `3 dropped`. */
export function stepFailures(s: StepResult): string[] {
    if (s.verdict === "not run" || s.verdict === "cut short") return [s.verdict];
    const reasons: string[] = [];
    if (s.p95Ms !== null && s.p95Ms >= SLO.latencyP95Ms) reasons.push(`p95 ${s.p95Ms}ms`);
    if (s.errorRate !== null && s.errorRate >= SLO.errorRate) reasons.push(`errors ${(s.errorRate * 100).toFixed(2)}%`);
    if (s.droppedIterations > 0) reasons.push(`${s.droppedIterations} dropped`);
    return reasons;
}
