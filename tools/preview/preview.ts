/**
 * The offline `pulumi preview --policy-pack`: run index.ts for each stack under
 * the harness, as the language host runs it, twice: as a brand-new stack (every
 * provider-computed value unknown) and as an update of the existing stack (IDs
 * and ARNs known); hand each run's resources to the policy pack, started for
 * that stack in its own process. A mandatory violation in either run fails.
 */
import { ConfigError, parseConfig } from "../../lib/config";
import { runStack, type StackRun } from "../harness/run";
import { type ScalingSimulation, simulateConfig } from "../simulate/stack";
import type { StackFile } from "../stack-file";
import type { LaunchedEvaluator } from "./evaluator";
import { InputError, type PlannedStack } from "./inputs";
import {
    type PolicyEvaluation,
    type PolicyEvaluator,
    type PolicyViolation,
    type PreviewMode,
    programErrorMessage,
    type StackPreview,
} from "./types";

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
 * Preview one stack in both modes the engine can see it in (PreviewMode) with its
 * pack, launched by the caller (it may boot while the program's modules load); the
 * pack is closed afterwards. A mandatory violation in either mode fails. Program and
 * pack failures become the preview's `error`; a policy config the pack's schema
 * rejects throws InputError.
 */
export async function previewStack(planned: PlannedStack, pack: LaunchedEvaluator): Promise<StackPreview> {
    // Spawning needs this process's event loop, which the runs keep busy: the pack must exist first.
    await pack.spawned;
    try {
        return await previewWith(planned, pack.ready);
    } finally {
        await closeQuietly(pack.ready);
    }
}

/**
 * `previewStack` with a pack started for this stack (it may still be booting; it stays running).
 * The pack evaluates the new stack in its own process while this one runs the update.
 * `decided`, when given, is asked after the new stack's evaluation whether the findings
 * settle the question; if so the update is not run. The red-team corpus uses it for an
 * evasion that must fail: the gate fails when either mode fails it, so once one mode has
 * reported what the case expects, the other cannot change the verdict.
 */
export async function previewWith(
    planned: PlannedStack,
    evaluatorReady: Promise<PolicyEvaluator>,
    programDir?: string,
    decided?: (violations: readonly PolicyViolation[]) => boolean,
): Promise<StackPreview> {
    const base = { stack: planned.stack, stackFile: planned.stackFile, policyConfigFile: planned.policyConfigFile };
    const runMode = (mode: PreviewMode) =>
        runStack(planned.stack, { preview: mode === "new stack", configFile: planned.stackConfig, programDir });
    const evaluate = async (run: StackRun) =>
        (await evaluatorReady).evaluate({
            stack: planned.stack,
            resources: run.resources,
            policyConfig: planned.policyConfig,
            policyConfigFile: planned.policyConfigFile,
        });

    let newStack: StackRun;
    try {
        newStack = await runMode("new stack");
    } catch (e) {
        return { ...base, resources: [], warnings: [], error: programErrorMessage(e) };
    }
    // The plan shows the new stack, as `pulumi preview` of a new stack does.
    const { resources, warnings } = newStack;
    const simulation = simulateStackFile(planned.stackConfig);
    const withSimulation = simulation ? { simulation } : {};
    const failed = (e: unknown): StackPreview => ({
        ...base,
        resources,
        warnings,
        error: programErrorMessage(e),
        ...withSimulation,
    });

    const newStackEvaluation = evaluate(newStack);
    newStackEvaluation.catch(noop); // awaited below
    const byMode: Array<[PreviewMode, PolicyEvaluation]> = [];
    try {
        if (decided === undefined) {
            let update: StackRun;
            try {
                update = await runMode("update");
            } catch (e) {
                // A program error is the preview's error, as it stops `pulumi preview` before the pack's verdict.
                await newStackEvaluation.catch(noop);
                return failed(e);
            }
            byMode.push(["new stack", await newStackEvaluation]);
            byMode.push(["update", await evaluate(update)]);
        } else {
            byMode.push(["new stack", await newStackEvaluation]);
            if (!decided(mergeEvaluations(byMode).violations)) {
                let update: StackRun;
                try {
                    update = await runMode("update");
                } catch (e) {
                    return failed(e);
                }
                byMode.push(["update", await evaluate(update)]);
            }
        }
    } catch (e) {
        if (e instanceof InputError) throw e;
        return failed(e);
    }
    const evaluation = mergeEvaluations(byMode);
    return { ...base, resources, warnings: [...warnings, ...(evaluation.logs ?? [])], evaluation, ...withSimulation };
}
