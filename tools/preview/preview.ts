/**
 * The offline `pulumi preview --policy-pack`: run index.ts for each stack under
 * the harness, as the language host runs it, twice: as a brand-new stack (every
 * provider-computed value unknown) and as an update of the existing stack (IDs
 * and ARNs known); hand each run's resources to the policy pack, started for
 * that stack in its own process. A mandatory violation in either run fails.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parsePolicyConfig, PolicyConfigError, type PolicyConfig } from "../analyzer";
import { ConfigError, parseConfig, PROJECT } from "../../lib/config";
import { runStack, type StackRun } from "../harness/run";
import { type ScalingSimulation, simulateConfig } from "../simulate/stack";
import { readStackFile, REPO_ROOT, type StackFile, StackFileError } from "../stack-file";
import { asInputError } from "./evaluator";
import { defaultPolicyConfigFile, displayPath, InputError, readPolicyConfig, resolveStacks } from "./inputs";
import {
    type PolicyEvaluation,
    type PolicyEvaluator,
    type PolicyViolation,
    PREVIEW_MODES,
    type PreviewMode,
    type StackPreview,
    type StartPolicyEvaluator,
} from "./types";

export interface PreviewOptions {
    /** A stack name or `all`. */
    readonly stack: string;
    /** Directory holding Pulumi.<stack>.yaml (default: the repo root). */
    readonly stackDir?: string;
    /** One policy config for every stack; default policies/config/<stack>.json. */
    readonly policyConfigFile?: string;
}

export interface PlannedStack {
    readonly stack: string;
    readonly stackFile: string;
    /** Pulumi.<stack>.yaml's config, parsed once for the program and the pack. */
    readonly stackConfig: StackFile;
    readonly policyConfigFile: string;
    readonly policyConfig: PolicyConfig;
}

/** Check every input that can be checked before running anything, so bad input fails fast with one line. */
export function planPreview(opts: PreviewOptions): { stackDir: string; stacks: PlannedStack[] } {
    const stackDir = path.resolve(opts.stackDir ?? REPO_ROOT);
    const stacks = resolveStacks(opts.stack, stackDir).map((stack) => {
        const file = path.resolve(opts.policyConfigFile ?? defaultPolicyConfigFile(stack));
        const shown = displayPath(file);
        let policyConfig: PolicyConfig;
        try {
            policyConfig = parsePolicyConfig(readPolicyConfig(file), shown);
        } catch (e) {
            throw e instanceof PolicyConfigError ? asInputError(e) : e;
        }
        const stackFile = displayPath(path.join(stackDir, `Pulumi.${stack}.yaml`));
        let stackConfig: StackFile;
        try {
            stackConfig = readStackFile(stack, stackDir);
        } catch (e) {
            throw e instanceof StackFileError ? new InputError(`stack ${stack}: ${e.message}`) : e;
        }
        return { stack, stackFile, stackConfig, policyConfigFile: shown, policyConfig };
    });
    return { stackDir, stacks };
}

/**
 * The stack's k6 profiles replayed through its autoscaling; undefined when the config is invalid
 * (the program says why).
 */
export function simulateStackFile(file: StackFile): ScalingSimulation | undefined {
    try {
        return simulateConfig(
            parseConfig({ values: file.values, secretKeys: new Set(file.secretKeys), stack: file.stack }),
        );
    } catch (e) {
        if (e instanceof ConfigError) return undefined;
        throw e;
    }
}

/** The message of a program error without its stack trace (RunError messages are one line per problem). */
export function programErrorMessage(e: unknown): string {
    if (pulumi.RunError.isInstance(e)) return e.message;
    if (e instanceof Error) return e.message || e.name;
    return String(e);
}

/** Stack config as the Pulumi CLI hands it to plugins: every value a string, objects and lists as JSON. */
export function stackConfigStrings({ values }: StackFile): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

const noop = (): void => undefined;

const closeQuietly = (ready: Promise<PolicyEvaluator>) =>
    ready.then(
        (e) => e.close(),
        () => undefined,
    );

/** The violations of several evaluations, each once, with the modes that reported it. */
export function mergeEvaluations(byMode: ReadonlyArray<[PreviewMode, PolicyEvaluation]>): PolicyEvaluation {
    const merged = new Map<string, { violation: PolicyViolation; seenIn: PreviewMode[] }>();
    for (const [mode, evaluation] of byMode) {
        for (const v of evaluation.violations) {
            const key = JSON.stringify([v.policyName, v.urn ?? "", v.enforcementLevel, v.message]);
            const entry = merged.get(key);
            if (entry) entry.seenIn.push(mode);
            else merged.set(key, { violation: v, seenIn: [mode] });
        }
    }
    return {
        pack: byMode[0][1].pack,
        violations: [...merged.values()].map(({ violation, seenIn }) => ({ ...violation, seenIn })),
        logs: [...new Set(byMode.flatMap(([, e]) => e.logs ?? []))],
    };
}

/**
 * Preview one stack in both modes the engine can see it in (PREVIEW_MODES): the
 * pack's process starts while the program runs, then gets the policy config and
 * the resources of each run; a mandatory violation in either mode fails. Program
 * and pack failures become the preview's `error`; a policy config the pack's
 * schema rejects throws InputError.
 */
export async function previewStack(planned: PlannedStack, startEvaluator: StartPolicyEvaluator): Promise<StackPreview> {
    let spawned!: () => void;
    const isSpawned = new Promise<void>((resolve) => (spawned = resolve));
    const evaluatorReady = startEvaluator({
        project: PROJECT,
        stack: planned.stack,
        stackConfig: stackConfigStrings(planned.stackConfig),
        onSpawn: spawned,
    });
    evaluatorReady.catch(() => undefined); // awaited after the runs; a failure must not go unhandled meanwhile
    // The pack boots in its own process while the program runs, once it is spawned: the runs keep
    // this process's event loop busy, and spawning needs it (the engine's port is bound first).
    await Promise.race([isSpawned, evaluatorReady.then(noop, noop)]);
    try {
        return await previewWith(planned, evaluatorReady);
    } finally {
        await closeQuietly(evaluatorReady);
    }
}

/**
 * `previewStack` with a pack that is already running for this stack (it stays running).
 * `decided`, when given, is asked after each mode's evaluation whether the findings so far
 * settle the question; if so the remaining modes are skipped. The red-team corpus uses it for
 * an evasion that must fail: the gate fails when either mode fails it, so once one mode has
 * reported what the case expects, the other cannot change the verdict.
 */
export async function previewWith(
    planned: PlannedStack,
    evaluatorReady: Promise<PolicyEvaluator>,
    programDir?: string,
    decided?: (violations: readonly PolicyViolation[]) => boolean,
): Promise<StackPreview> {
    const base = { stack: planned.stack, stackFile: planned.stackFile, policyConfigFile: planned.policyConfigFile };
    const simulation = simulateStackFile(planned.stackConfig);
    const withSimulation = simulation ? { simulation } : {};
    const runs: Array<[PreviewMode, StackRun]> = [];
    const byMode: Array<[PreviewMode, PolicyEvaluation]> = [];
    const run = async (mode: PreviewMode) => {
        const preview = mode === "new stack";
        runs.push([mode, await runStack(planned.stack, { preview, configFile: planned.stackConfig, programDir })]);
    };
    const evaluate = async (evaluator: PolicyEvaluator, [mode, r]: [PreviewMode, StackRun]) => {
        const evaluation = await evaluator.evaluate({
            stack: planned.stack,
            resources: r.resources,
            policyConfig: planned.policyConfig,
            policyConfigFile: planned.policyConfigFile,
        });
        byMode.push([mode, evaluation]);
    };
    // Without `decided`, every program run comes first: the pack boots meanwhile.
    const upFront = decided === undefined;
    try {
        if (upFront) for (const mode of PREVIEW_MODES) await run(mode);
        else await run(PREVIEW_MODES[0]);
    } catch (e) {
        const first = runs[0]?.[1];
        return {
            ...base,
            resources: first?.resources ?? [],
            warnings: first?.warnings ?? [],
            error: programErrorMessage(e),
        };
    }
    // The plan shows the new stack, as `pulumi preview` of a new stack does.
    const { resources, warnings } = runs[0][1];

    let evaluator: PolicyEvaluator;
    try {
        evaluator = await evaluatorReady;
    } catch (e) {
        return { ...base, resources, warnings, error: programErrorMessage(e), ...withSimulation };
    }
    try {
        if (upFront) for (const r of runs) await evaluate(evaluator, r);
        else
            for (const mode of PREVIEW_MODES) {
                if (mode !== PREVIEW_MODES[0]) {
                    if (decided(mergeEvaluations(byMode).violations)) break;
                    try {
                        await run(mode);
                    } catch (e) {
                        return { ...base, resources, warnings, error: programErrorMessage(e), ...withSimulation };
                    }
                }
                await evaluate(evaluator, runs[runs.length - 1]);
            }
        const evaluation = mergeEvaluations(byMode);
        return {
            ...base,
            resources,
            warnings: [...warnings, ...(evaluation.logs ?? [])],
            evaluation,
            ...withSimulation,
        };
    } catch (e) {
        if (e instanceof InputError) throw e;
        return { ...base, resources, warnings, error: programErrorMessage(e), ...(simulation ? { simulation } : {}) };
    }
}
