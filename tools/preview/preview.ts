/**
 * The offline `pulumi preview --policy-pack`: run index.ts for each stack
 * under the harness in preview mode (every computed value unknown, as for a
 * brand-new stack), then hand the registered resources to the policy pack,
 * started for that stack in its own process.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parsePolicyConfig, PolicyConfigError, type PolicyConfig } from "../analyzer";
import { PROJECT } from "../../lib/config";
import { runStack } from "../harness/run";
import { readStackFile, REPO_ROOT, type StackFile, StackFileError } from "../stack-file";
import { asInputError } from "./evaluator";
import { defaultPolicyConfigFile, displayPath, InputError, readPolicyConfig, resolveStacks } from "./inputs";
import type { PolicyEvaluator, StackPreview, StartPolicyEvaluator } from "./types";

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

/** The message of a program error without its stack trace (RunError messages are one line per problem). */
export function programErrorMessage(e: unknown): string {
    if (pulumi.RunError.isInstance(e)) return e.message;
    if (e instanceof Error) return e.message || e.name;
    return String(e);
}

/** Stack config as the Pulumi CLI hands it to plugins: every value a string, objects and lists as JSON. */
function stackConfigStrings({ values }: StackFile): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

const closeQuietly = (ready: Promise<PolicyEvaluator>) =>
    ready.then(
        (e) => e.close(),
        () => undefined,
    );

/**
 * Preview one stack: the pack's process starts while the program runs (both
 * take a while), then gets the policy config and the resources. Program and
 * pack failures become the preview's `error`; a policy config the pack's
 * schema rejects throws InputError.
 */
export async function previewStack(planned: PlannedStack, startEvaluator: StartPolicyEvaluator): Promise<StackPreview> {
    const base = { stack: planned.stack, stackFile: planned.stackFile, policyConfigFile: planned.policyConfigFile };
    const evaluatorReady = startEvaluator({
        project: PROJECT,
        stack: planned.stack,
        stackConfig: stackConfigStrings(planned.stackConfig),
    });
    evaluatorReady.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    let run;
    try {
        run = await runStack(planned.stack, { preview: true, configFile: planned.stackConfig });
    } catch (e) {
        await closeQuietly(evaluatorReady);
        return { ...base, resources: [], warnings: [], error: programErrorMessage(e) };
    }

    let evaluator: PolicyEvaluator;
    try {
        evaluator = await evaluatorReady;
    } catch (e) {
        return { ...base, resources: run.resources, warnings: run.warnings, error: programErrorMessage(e) };
    }
    try {
        const evaluation = await evaluator.evaluate({
            stack: planned.stack,
            resources: run.resources,
            policyConfig: planned.policyConfig,
            policyConfigFile: planned.policyConfigFile,
        });
        return {
            ...base,
            resources: run.resources,
            warnings: [...run.warnings, ...(evaluation.logs ?? [])],
            evaluation,
        };
    } catch (e) {
        if (e instanceof InputError) throw e;
        return { ...base, resources: run.resources, warnings: run.warnings, error: programErrorMessage(e) };
    } finally {
        await evaluator.close();
    }
}
