/**
 * The data the offline preview passes around: what the policy pack says about
 * a stack (its metadata and its violations) and what one stack's preview
 * produced. Every verdict comes from the pack through tools/analyzer; nothing
 * here decides whether a resource is compliant.
 */
import type { EnforcementLevel, PolicyConfig, Severity } from "../analyzer";
import type { RegisteredResource } from "../harness/run";
import type { ScalingSimulation } from "../simulate/stack";

export type { EnforcementLevel, Severity };

/** One policy as the pack describes it in GetAnalyzerInfo. */
export interface PolicyMetadata {
    readonly name: string;
    readonly displayName?: string;
    readonly description: string;
    /** The level the pack runs the policy at under the policy config in use. */
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    readonly remediationSteps?: string;
    readonly url?: string;
    readonly tags?: readonly string[];
}

export interface PolicyPackMetadata {
    readonly name: string;
    readonly version: string;
    readonly displayName?: string;
    readonly policies: readonly PolicyMetadata[];
}

/**
 * How the engine would see the stack: `new stack` is `pulumi preview` of a brand-new
 * stack (every provider-computed value unknown); `update` is `pulumi up` (or preview)
 * of the stack once it exists (IDs and ARNs of resources that are not replaced known).
 */
export type PreviewMode = "new stack" | "update";

/** One AnalyzeDiagnostic from `analyze` or `analyzeStack`. */
export interface PolicyViolation {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    readonly description?: string;
    /** The resource the violation is about; stack policies may leave it out. */
    readonly urn?: string;
    readonly severity?: Severity;
    /** The modes in which the pack reported it (absent: reported by a single evaluation). */
    readonly seenIn?: readonly PreviewMode[];
}

export interface PolicyEvaluation {
    readonly pack: PolicyPackMetadata;
    readonly violations: readonly PolicyViolation[];
    /** Warnings and errors the pack logged to the engine. */
    readonly logs?: readonly string[];
}

/** What the CLI tells a pack about the stack before it analyzes anything. */
export interface StackContext {
    readonly project: string;
    readonly stack: string;
    /** Stack config as the CLI passes it: `<namespace>:<key>` -> string. */
    readonly stackConfig: Readonly<Record<string, string>>;
    /** Called once the pack's process is spawned (see StartOptions.onSpawn). */
    readonly onSpawn?: () => void;
}

export interface EvaluationInput {
    readonly stack: string;
    readonly resources: readonly RegisteredResource[];
    /** The parsed `--policy-pack-config` entries. */
    readonly policyConfig: PolicyConfig;
    /** Where the config came from, for messages. */
    readonly policyConfigFile: string;
}

/**
 * The policy pack running for one stack, as `pulumi preview --policy-pack` runs it.
 * The only implementation is the adapter over tools/analyzer (tools/preview/evaluator.ts);
 * tests of the renderers build PolicyEvaluation values directly.
 */
export interface PolicyEvaluator {
    /** `configure` with the policy config, `analyze` each resource, `analyzeStack`. */
    evaluate(input: EvaluationInput): Promise<PolicyEvaluation>;
    /** Stop the pack's process. */
    close(): Promise<void>;
}

/** The outcome of previewing one stack. */
export interface StackPreview {
    readonly stack: string;
    /** Stack file path relative to the repository root, e.g. `Pulumi.production.yaml`. */
    readonly stackFile: string;
    /** Policy config path relative to the repository root. */
    readonly policyConfigFile: string;
    readonly resources: readonly RegisteredResource[];
    /** What the program logged with pulumi.log.warn. */
    readonly warnings: readonly string[];
    /** Absent when the program failed before the pack could run. */
    readonly evaluation?: PolicyEvaluation;
    /** One-line-per-problem program error, without a stack trace. */
    readonly error?: string;
    /** The k6 profiles replayed through the stack's autoscaling (absent when the config is invalid). */
    readonly simulation?: ScalingSimulation;
}

/** Levels in report order; `disabled` policies never report. */
export const REPORTED_LEVELS: readonly EnforcementLevel[] = ["mandatory", "remediate", "advisory"];

/** A violation at this level fails the preview (exit code 1), as it fails `pulumi preview`. */
export const isBlocking = (v: PolicyViolation): boolean => v.enforcementLevel === "mandatory";

export function previewFailed(p: StackPreview): boolean {
    return p.error !== undefined || (p.evaluation?.violations.some(isBlocking) ?? false);
}

/**
 * The message of a program or pack error without its stack trace (a Pulumi RunError's message
 * is one line per problem). Every error the program or the SDK throws is an Error.
 */
export function programErrorMessage(e: unknown): string {
    if (e instanceof Error) return e.message || e.name;
    return String(e);
}
