/**
 * capacity.json: the result of TEST=capacity, the one definition of its format. The capacity
 * planner (`npm run capacity:plan -- --from <capacity.json>`) reads `perTaskRps`, `tasks`,
 * `target`, `date` and `steps`; loadtests/README.md documents every field. Plain types (k6 runs
 * this module, so no schema library): bump CAPACITY_SCHEMA on any incompatible change.
 */
import { SLO } from "../../policies/slo.ts";
import { capacityMix, findKnee, stepResults, type CapacityResult, type StepVerdict } from "./capacity.ts";
import type { CapacityPlan } from "./env.ts";
import type { NormalizedSummary } from "./summary.ts";
import type { Endpoint, Workload } from "./types.ts";

export const CAPACITY_SCHEMA = "credlink-capacity/1";

export interface CapacityReportStep {
    /** 1-based step number. */
    readonly step: number;
    /** Offered rate, requests per second (constant arrival rate). */
    readonly rate: number;
    /** Requests completed in the step / step length; null when the step did not run. */
    readonly achievedRps: number | null;
    readonly requests: number;
    /** 95th-percentile latency of the step, milliseconds; null when it did not run. */
    readonly p95Ms: number | null;
    /** Share of failed requests in the step, 0..1; null when it did not run. */
    readonly errorRate: number | null;
    readonly droppedIterations: number;
    /** Within the SLO for the whole step. */
    readonly held: boolean;
    readonly verdict: StepVerdict;
}

export interface CapacityReport {
    readonly schema: typeof CAPACITY_SCHEMA;
    /** When the run ended (ISO 8601, UTC). */
    readonly date: string;
    /** TARGET_URL of the run. */
    readonly target: string;
    /** Tasks behind the target (TASKS). */
    readonly tasks: number;
    /** Requests per second one task sustains within the SLO: capacityRps / tasks; 0 when no step held. */
    readonly perTaskRps: number;
    /** Offered rate of the knee step, for the whole target; 0 when no step held. */
    readonly capacityRps: number;
    /**
     * measured: a step held and the next judged step failed; lower-bound: every step held, so the
     * target carries at least capacityRps; below-range: the first step failed (or none ran).
     */
    readonly result: CapacityResult;
    /** The knee step's number, or null. */
    readonly kneeStep: number | null;
    readonly workload: Workload;
    /** Percent of requests per endpoint (proofs never reach a task and are not sent). */
    readonly mix: Readonly<Partial<Record<Endpoint, number>>>;
    /** What "held" means, from policies/slo.ts. */
    readonly slo: { readonly latencyP95Ms: number; readonly errorRate: number; readonly droppedIterations: 0 };
    /** Length of each step, seconds. */
    readonly stepSeconds: number;
    readonly steps: readonly CapacityReportStep[];
    readonly notes: readonly string[];
}

export interface CapacityContext {
    readonly targetUrl: string;
    readonly workload: Workload;
    readonly plan: CapacityPlan;
    /** ISO timestamp; passed in so rendering stays deterministic. */
    readonly generatedAt: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function buildCapacityReport(summary: NormalizedSummary, ctx: CapacityContext): CapacityReport {
    const steps = stepResults(summary, ctx.plan);
    const knee = findKnee(steps);
    const capacityRps = knee.step?.rate ?? 0;
    return {
        schema: CAPACITY_SCHEMA,
        date: ctx.generatedAt,
        target: ctx.targetUrl,
        tasks: ctx.plan.tasks,
        perTaskRps: round2(capacityRps / ctx.plan.tasks),
        capacityRps,
        result: knee.result,
        kneeStep: knee.step?.step ?? null,
        workload: ctx.workload,
        mix: capacityMix(ctx.workload),
        slo: { latencyP95Ms: SLO.latencyP95Ms, errorRate: SLO.errorRate, droppedIterations: 0 },
        stepSeconds: ctx.plan.stepSeconds,
        steps: steps.map((s) => ({
            step: s.step,
            rate: s.rate,
            achievedRps: s.achievedRps,
            requests: s.requests,
            p95Ms: s.p95Ms,
            errorRate: s.errorRate,
            droppedIterations: s.droppedIterations,
            held: s.held,
            verdict: s.verdict,
        })),
        notes: knee.notes,
    };
}

export function renderCapacityJson(report: CapacityReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

/** One line: `80 req/s per task (80 req/s at the target, 1 task)` and what kind of result it is. */
export function capacityHeadline(r: CapacityReport): string {
    const tasks = `${r.tasks} task${r.tasks === 1 ? "" : "s"}`;
    switch (r.result) {
        case "measured":
            return `${r.perTaskRps} req/s per task (${r.capacityRps} req/s at the target, ${tasks})`;
        case "lower-bound":
            return `at least ${r.perTaskRps} req/s per task (every step held up to ${r.capacityRps} req/s, ${tasks})`;
        case "below-range":
            return `below the first step: no step held (${tasks})`;
    }
}
