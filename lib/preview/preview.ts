/**
 * The offline `pulumi preview --policy-pack`: run index.ts for each stack
 * under the harness in preview mode (every computed value unknown, as for a
 * brand-new stack), then hand the registered resources to the policy pack.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT, runStack } from "../../test/harness/run";
import { defaultPolicyConfigFile, displayPath, readPolicyConfig, resolveStacks } from "./inputs";
import type { PolicyEvaluator, StackPreview } from "./types";

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
    readonly policyConfigFile: string;
    readonly policyConfig: Record<string, unknown>;
}

/** Check every input before running anything, so bad input fails fast with one line. */
export function planPreview(opts: PreviewOptions): { stackDir: string; stacks: PlannedStack[] } {
    const stackDir = path.resolve(opts.stackDir ?? REPO_ROOT);
    const stacks = resolveStacks(opts.stack, stackDir).map((stack) => {
        const file = path.resolve(opts.policyConfigFile ?? defaultPolicyConfigFile(stack));
        return {
            stack,
            stackFile: displayPath(path.join(stackDir, `Pulumi.${stack}.yaml`)),
            policyConfigFile: displayPath(file),
            policyConfig: readPolicyConfig(file),
        };
    });
    return { stackDir, stacks };
}

/** The message of a program error without its stack trace (RunError messages are one line per problem). */
export function programErrorMessage(e: unknown): string {
    if (pulumi.RunError.isInstance(e)) return (e as Error).message;
    if (e instanceof Error) return e.message || e.name;
    return String(e);
}

export async function previewStack(planned: PlannedStack, stackDir: string, evaluator: PolicyEvaluator): Promise<StackPreview> {
    const base = { stack: planned.stack, stackFile: planned.stackFile, policyConfigFile: planned.policyConfigFile };
    let run;
    try {
        run = await runStack(planned.stack, { preview: true, stackDir });
    } catch (e) {
        return { ...base, resources: [], warnings: [], error: programErrorMessage(e) };
    }
    try {
        const evaluation = await evaluator.evaluate({
            stack: planned.stack,
            resources: run.resources,
            policyConfig: planned.policyConfig,
            policyConfigFile: planned.policyConfigFile,
        });
        return { ...base, resources: run.resources, warnings: run.warnings, evaluation };
    } catch (e) {
        return { ...base, resources: run.resources, warnings: run.warnings, error: `policy pack failed: ${programErrorMessage(e)}` };
    }
}
