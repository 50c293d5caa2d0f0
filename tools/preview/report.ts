/**
 * The human-readable and JSON reports of an offline preview: the plan, then
 * the policy pack's violations grouped by enforcement level, each naming the
 * resource, its URN, the policy and the pack's message.
 */
import { formatCount, overloadLine } from "../../policies/simulation";
import type { RegisteredResource } from "../harness/run";
import type { ScalingSimulation } from "../simulate/stack";
import { renderPlanSummary, renderResourceTree, summarizePlan, type PlanSummary } from "./plan";
import {
    previewFailed,
    REPORTED_LEVELS,
    type EnforcementLevel,
    type PolicyPackMetadata,
    type PolicyViolation,
    type PreviewMode,
    type StackPreview,
} from "./types";

/** The resource a violation points at, found by URN (stack policies may name none). */
export interface ViolationTarget {
    readonly urn?: string;
    readonly type?: string;
    readonly name?: string;
}

/** Parse `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`. */
export function parseUrn(urn: string): { type: string; name: string } | undefined {
    const m = /^urn:pulumi:[^:]*::[^:]*::(.+?)::(.*)$/.exec(urn);
    if (!m) return undefined;
    const types = m[1].split("$");
    return { type: types[types.length - 1], name: m[2] };
}

export function violationTarget(v: PolicyViolation, resources: readonly RegisteredResource[]): ViolationTarget {
    if (v.urn === undefined || v.urn === "") return {};
    const r = resources.find((x) => x.urn === v.urn);
    if (r) return { urn: r.urn, type: r.type, name: r.name };
    return { urn: v.urn, ...parseUrn(v.urn) };
}

/** Violations in report order: by level, policy, then resource URN. */
export function sortViolations(vs: readonly PolicyViolation[]): PolicyViolation[] {
    const rank = (l: EnforcementLevel) => {
        const i = REPORTED_LEVELS.indexOf(l);
        return i < 0 ? REPORTED_LEVELS.length : i;
    };
    return [...vs].sort(
        (a, b) =>
            rank(a.enforcementLevel) - rank(b.enforcementLevel) ||
            a.policyName.localeCompare(b.policyName) ||
            (a.urn ?? "").localeCompare(b.urn ?? "") ||
            a.message.localeCompare(b.message),
    );
}

export function countByLevel(vs: readonly PolicyViolation[]): Record<EnforcementLevel, number> {
    const counts: Record<EnforcementLevel, number> = { mandatory: 0, remediate: 0, advisory: 0, disabled: 0 };
    for (const v of vs) counts[v.enforcementLevel] += 1;
    return counts;
}

const indent = (text: string, by: string) =>
    text
        .split("\n")
        .map((l) => (l === "" ? l : by + l))
        .join("\n");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** When a violation shows in one preview mode only: which, and what that means. */
export function onlyIn(v: PolicyViolation): string | undefined {
    if (v.seenIn === undefined || v.seenIn.length !== 1) return undefined;
    return v.seenIn[0] === "new stack"
        ? "reported for a brand-new stack only, where the values it reads are not known yet"
        : "reported for an update of the existing stack only, where IDs and ARNs are known";
}

export function renderPolicyReport(p: StackPreview): string {
    const ev = p.evaluation;
    if (!ev) return "Policies: not run (see the error)";
    const lines = [`Policies: ${ev.pack.name}@${ev.pack.version} with ${p.policyConfigFile}`];
    if (ev.violations.length === 0) {
        lines.push("    no violations");
        return lines.join("\n");
    }
    const sorted = sortViolations(ev.violations);
    for (const level of REPORTED_LEVELS) {
        const group = sorted.filter((v) => v.enforcementLevel === level);
        if (group.length === 0) continue;
        lines.push(`    ${level} (${plural(group.length, "violation")}):`);
        for (const v of group) {
            const t = violationTarget(v, p.resources);
            const where = t.name !== undefined ? `${t.name} (${t.type})` : (t.urn ?? `stack ${p.stack}`);
            lines.push(`        - [${level}] ${v.policyName}: ${where}`);
            if (t.urn !== undefined) lines.push(`          ${t.urn}`);
            lines.push(indent(v.message, "          "));
            const only = onlyIn(v);
            if (only !== undefined) lines.push(`          (${only})`);
        }
    }
    return lines.join("\n");
}

/** The simulated k6 profiles: one line each with the overload and what would avoid it. */
export function renderSimulation(stack: string, sim: ScalingSimulation): string {
    const lines = [
        `Scaling simulation: k6 profiles at ${formatCount(sim.peakRps)} req/s through ${sim.minTasks}..` +
            `${sim.maxTasks} tasks of ${(Math.round(sim.taskCapacityRps * 10) / 10).toString()} req/s ` +
            `(${sim.taskCapacitySource}), task start-up ${sim.startupSeconds} s`,
    ];
    for (const run of sim.runs) {
        const r = run.result;
        const avoid =
            r.overloadSeconds === 0
                ? ""
                : run.minTasksWithoutOverload !== undefined
                  ? `; none with minTasks >= ${run.minTasksWithoutOverload}`
                  : `; maxTasks ${sim.maxTasks} cannot carry the peak (needs ${r.neededTasks})`;
        lines.push(`    ${overloadLine(run)}${avoid}`);
    }
    lines.push(
        `    chart: npm run simulate -- --stack ${stack} --profile ${sim.runs[0]?.profile ?? "spike"} --svg <file>`,
    );
    return lines.join("\n");
}

export function renderStackPreview(p: StackPreview, opts: { verbose?: boolean } = {}): string {
    const head = `Previewing stack ${p.stack} (${p.stackFile}) under mocks, policy config ${p.policyConfigFile}`;
    // The CLI prints the error itself, on stderr; a program that failed registered nothing worth showing.
    if (p.error !== undefined && p.evaluation === undefined && p.resources.length === 0) return head;
    const parts = [head];
    if (opts.verbose) parts.push(renderResourceTree(p.resources));
    parts.push(renderPlanSummary(summarizePlan(p.resources)), renderPolicyReport(p));
    if (p.simulation) parts.push(renderSimulation(p.stack, p.simulation));
    return parts.join("\n\n");
}

/** `production: passed (1 advisory)`, `staging: FAILED, 2 mandatory violations`, `dev: ERROR, program failed`. */
export function stackVerdict(p: StackPreview): string {
    if (p.error !== undefined) return `${p.stack}: ERROR, ${p.error.split("\n")[0]}`;
    const c = countByLevel(p.evaluation?.violations ?? []);
    const others = [c.remediate > 0 ? `${c.remediate} remediate` : "", c.advisory > 0 ? `${c.advisory} advisory` : ""]
        .filter(Boolean)
        .join(", ");
    if (previewFailed(p))
        return `${p.stack}: FAILED, ${plural(c.mandatory, "mandatory violation")}${others ? ` (and ${others})` : ""}`;
    return `${p.stack}: passed${others ? ` (${others})` : ""}`;
}

export function renderSummary(previews: readonly StackPreview[]): string {
    return ["Summary:", ...previews.map((p) => `    ${stackVerdict(p)}`)].join("\n");
}

export interface JsonViolation {
    readonly stack: string;
    readonly policyPack: string;
    readonly policyPackVersion: string;
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: string;
    readonly urn?: string;
    readonly resourceType?: string;
    readonly resourceName?: string;
    readonly message: string;
    /** The preview modes that reported it (both, unless the finding depends on what only one can see). */
    readonly seenIn?: readonly PreviewMode[];
}

export interface JsonStackReport {
    readonly stack: string;
    readonly stackFile: string;
    readonly policyConfig: string;
    readonly status: "passed" | "failed" | "error";
    readonly error?: string;
    readonly plan: { readonly create: number; readonly byType: Record<string, number> };
    readonly diagnostics: readonly JsonViolation[];
    readonly summary: Record<EnforcementLevel, number>;
    /** The k6 profiles replayed through the stack's autoscaling (`npm run simulate --json` has the timelines). */
    readonly simulation?: JsonSimulation;
}

export interface JsonSimulation {
    readonly peakRps: number;
    readonly taskCapacityRps: number;
    readonly taskCapacitySource: string;
    readonly startupSeconds: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly profiles: ReadonlyArray<{
        readonly profile: string;
        readonly holdSeconds: number;
        readonly durationSeconds: number;
        readonly overloadSeconds: number;
        readonly firstOverloadAt: number | null;
        readonly lastOverloadAt: number | null;
        readonly offeredRequests: number;
        readonly requestsOverCapacity: number;
        readonly peakTasks: number;
        readonly neededTasks: number;
        readonly neededCapacityAt: number | null;
        readonly minTasksWithoutOverload: number | null;
    }>;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function jsonSimulation(sim: ScalingSimulation): JsonSimulation {
    return {
        peakRps: sim.peakRps,
        taskCapacityRps: round3(sim.taskCapacityRps),
        taskCapacitySource: sim.taskCapacitySource,
        startupSeconds: sim.startupSeconds,
        minTasks: sim.minTasks,
        maxTasks: sim.maxTasks,
        profiles: sim.runs.map(({ profile, holdSeconds, result: r, minTasksWithoutOverload }) => ({
            profile,
            holdSeconds,
            durationSeconds: r.durationSeconds,
            overloadSeconds: r.overloadSeconds,
            firstOverloadAt: r.firstOverloadAt,
            lastOverloadAt: r.lastOverloadAt,
            offeredRequests: round3(r.offeredRequests),
            requestsOverCapacity: round3(r.requestsOverCapacity),
            peakTasks: r.peakTasks,
            neededTasks: r.neededTasks,
            neededCapacityAt: r.neededCapacityAt,
            minTasksWithoutOverload: minTasksWithoutOverload ?? null,
        })),
    };
}

export interface JsonReport {
    readonly version: 1;
    readonly policyPacks: readonly PolicyPackMetadata[];
    readonly stacks: readonly JsonStackReport[];
    readonly summary: {
        readonly stacks: number;
        readonly passed: number;
        readonly failed: number;
        readonly errors: number;
        readonly resources: number;
        readonly violations: Record<EnforcementLevel, number>;
    };
}

export function buildJsonReport(previews: readonly StackPreview[]): JsonReport {
    const stacks = previews.map((p): JsonStackReport => {
        const plan: PlanSummary = summarizePlan(p.resources);
        const violations = sortViolations(p.evaluation?.violations ?? []);
        return {
            stack: p.stack,
            stackFile: p.stackFile,
            policyConfig: p.policyConfigFile,
            status: p.error !== undefined ? "error" : previewFailed(p) ? "failed" : "passed",
            ...(p.error !== undefined ? { error: p.error } : {}),
            plan: { create: plan.create, byType: Object.fromEntries(plan.byType.map((t) => [t.type, t.count])) },
            diagnostics: violations.map((v) => {
                const t = violationTarget(v, p.resources);
                return {
                    stack: p.stack,
                    policyPack: v.policyPackName,
                    policyPackVersion: v.policyPackVersion,
                    policyName: v.policyName,
                    enforcementLevel: v.enforcementLevel,
                    ...(v.severity ? { severity: v.severity } : {}),
                    ...(t.urn !== undefined ? { urn: t.urn, resourceType: t.type, resourceName: t.name } : {}),
                    message: v.message,
                    ...(v.seenIn ? { seenIn: v.seenIn } : {}),
                };
            }),
            summary: countByLevel(violations),
            ...(p.simulation ? { simulation: jsonSimulation(p.simulation) } : {}),
        };
    });
    const packs = new Map<string, PolicyPackMetadata>();
    for (const p of previews)
        if (p.evaluation && !packs.has(p.evaluation.pack.name)) packs.set(p.evaluation.pack.name, p.evaluation.pack);
    const all = previews.flatMap((p) => p.evaluation?.violations ?? []);
    return {
        version: 1,
        policyPacks: [...packs.values()],
        stacks,
        summary: {
            stacks: stacks.length,
            passed: stacks.filter((s) => s.status === "passed").length,
            failed: stacks.filter((s) => s.status === "failed").length,
            errors: stacks.filter((s) => s.status === "error").length,
            resources: previews.reduce((n, p) => n + p.resources.length, 0),
            violations: countByLevel(all),
        },
    };
}
