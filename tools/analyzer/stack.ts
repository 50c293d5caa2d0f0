/**
 * Run every resource of a program run through a policy pack, in the order and
 * shape `pulumi preview --policy-pack` uses: `remediate` then `analyze` with
 * each resource's inputs, then `analyzeStack` with every resource's outputs,
 * parents and dependencies.
 */
import * as path from "node:path";
import {
    type AnalyzerResource,
    type AnalyzerStackResource,
    type Diagnostic,
    type PolicyPackInfo,
    type PolicyPackProcess,
    type StartOptions,
    startPolicyPack,
} from "./client";
import { loadPolicyConfigFile, type PolicyConfig } from "./config";

/** The repository's policy pack. */
export const DEFAULT_PACK_DIR = path.resolve(__dirname, "..", "..", "policies");

/** The shape of a registered resource (e.g. tools/harness/run.ts `RegisteredResource`). */
export interface RegisteredResourceLike {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
    readonly parent?: string;
    /** The provider the engine names on the request (a custom resource's default provider). */
    readonly provider?: AnalyzerResource["provider"];
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs: readonly string[];
}

export function toAnalyzerResource(
    r: RegisteredResourceLike,
    phase: "analyze" | "analyzeStack",
): AnalyzerStackResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: phase === "analyze" ? r.inputs : r.outputs,
        parent: r.parent,
        provider: r.provider,
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        deleteBeforeReplace: r.deleteBeforeReplace || undefined,
        additionalSecretOutputs: r.additionalSecretOutputs,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    };
}

/** The SDK's note when a rule read a value that is unknown at preview and was skipped. */
export const SKIPPED_AT_PREVIEW = /^can't run (policy|remediation) '.+' from policy pack .+ during preview/;

export interface PolicyReport {
    readonly pack: PolicyPackInfo;
    /** What was sent to `configure`. */
    readonly config: PolicyConfig;
    readonly diagnostics: readonly Diagnostic[];
    readonly mandatory: readonly Diagnostic[];
    readonly advisory: readonly Diagnostic[];
    /** Rules the SDK could not run at preview (advisory "can't run policy ..." notes). */
    readonly skipped: readonly Diagnostic[];
    /** Resources sent to `analyze`. */
    readonly analyzed: number;
}

export interface AnalyzeOptions {
    /** Requests in flight at once. Default 8. */
    readonly concurrency?: number;
    /** Call `remediate` before `analyze`, as the engine does. Default true. */
    readonly remediate?: boolean;
}

/** Analyze resources with an already configured pack. */
export async function analyzeResources(
    pack: PolicyPackProcess,
    resources: readonly RegisteredResourceLike[],
    opts: AnalyzeOptions = {},
): Promise<Diagnostic[]> {
    const perResource = new Array<Diagnostic[]>(resources.length);
    // What analyzeStack sees: outputs, with any remediated inputs applied as the engine applies them.
    const stackView = resources.map((r) => toAnalyzerResource(r, "analyzeStack"));
    let next = 0;
    const worker = async () => {
        while (next < resources.length) {
            const i = next++;
            let r = toAnalyzerResource(resources[i], "analyze");
            if (opts.remediate ?? true) {
                // As the engine does: each remediation's properties replace the inputs, the last one wins,
                // and the provider (here: the outputs) sees the remediated inputs.
                const fixed = (await pack.remediate(r)).filter((m) => m.properties !== undefined).pop()?.properties;
                if (fixed !== undefined) {
                    r = { ...r, properties: fixed };
                    stackView[i] = { ...stackView[i], properties: { ...stackView[i].properties, ...fixed } };
                }
            }
            perResource[i] = await pack.analyze(r);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, resources.length)) }, worker));
    const stack = await pack.analyzeStack(stackView);
    return [...perResource.flat(), ...stack];
}

export interface RunPolicyPackOptions extends StartOptions, AnalyzeOptions {
    /** Policy pack folder. Default: the repository's policies/. */
    readonly packDir?: string;
    /** Policy config: a `--policy-pack-config` file path or parsed entries. */
    readonly config?: string | PolicyConfig;
}

/** Start the pack, configure it, analyze the resources, close it. */
export async function runPolicyPack(
    resources: readonly RegisteredResourceLike[],
    opts: RunPolicyPackOptions = {},
): Promise<PolicyReport> {
    const config = typeof opts.config === "string" ? loadPolicyConfigFile(opts.config) : (opts.config ?? {});
    const source = typeof opts.config === "string" ? path.relative(process.cwd(), opts.config) : undefined;
    const pack = await startPolicyPack(opts.packDir ?? DEFAULT_PACK_DIR, opts);
    try {
        const sent = await pack.configure(config, source);
        const diagnostics = await analyzeResources(pack, resources, opts);
        return {
            pack: pack.info,
            config: sent,
            diagnostics,
            mandatory: diagnostics.filter((d) => d.enforcementLevel === "mandatory"),
            advisory: diagnostics.filter((d) => d.enforcementLevel === "advisory"),
            skipped: diagnostics.filter((d) => SKIPPED_AT_PREVIEW.test(d.message)),
            analyzed: resources.length,
        };
    } finally {
        await pack.close();
    }
}
