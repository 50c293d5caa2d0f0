/**
 * The one place the preview talks to the policy pack: an adapter from
 * tools/analyzer, which starts the pack in its own process as the Pulumi CLI does
 * and speaks the Analyzer gRPC protocol, to the PolicyEvaluator interface.
 */
import {
    analyzeResources,
    DEFAULT_PACK_DIR,
    type Diagnostic,
    PolicyConfigError,
    type PolicyPackProcess,
    startPolicyPack,
} from "../analyzer";
import { PROJECT } from "../../lib/project";
import { asInputError, type PlannedStack, stackConfigStrings } from "./inputs";
import type { EvaluationInput, PolicyEvaluator, PolicyMetadata, PolicyViolation, StackContext } from "./types";

const toViolation = (d: Diagnostic): PolicyViolation => ({
    policyName: d.policyName,
    policyPackName: d.policyPackName,
    policyPackVersion: d.policyPackVersion,
    enforcementLevel: d.enforcementLevel,
    message: d.message,
    description: d.description,
    // Stack-wide findings carry no URN.
    ...(d.urn ? { urn: d.urn } : {}),
    ...(d.severity ? { severity: d.severity } : {}),
});

/**
 * Start the pack for one stack, as `pulumi preview` does for each update: its
 * own process, told the stack's name, project and config (dry run).
 */
export async function startPolicyEvaluator(ctx: StackContext, packDir = DEFAULT_PACK_DIR): Promise<PolicyEvaluator> {
    const pack: PolicyPackProcess = await startPolicyPack(packDir, {
        project: ctx.project,
        stack: ctx.stack,
        stackConfig: ctx.stackConfig,
        dryRun: true,
        onSpawn: ctx.onSpawn,
    });
    return {
        async evaluate(input: EvaluationInput) {
            let sent;
            try {
                sent = await pack.configure(input.policyConfig, input.policyConfigFile);
            } catch (e) {
                throw e instanceof PolicyConfigError ? asInputError(e) : e;
            }
            const diagnostics = await analyzeResources(pack, input.resources);
            const policies = pack.info.policies.map((p): PolicyMetadata => ({
                name: p.name,
                ...(p.displayName ? { displayName: p.displayName } : {}),
                description: p.description,
                // The level the config gave it, as the CLI runs it.
                enforcementLevel: sent[p.name]?.enforcementLevel ?? p.enforcementLevel,
                ...(p.severity ? { severity: p.severity } : {}),
                ...(p.remediationSteps ? { remediationSteps: p.remediationSteps } : {}),
            }));
            const logs = pack.logs
                .filter((l) => l.severity === "warning" || l.severity === "error")
                .map((l) => `policy pack ${l.severity}: ${l.message}`);
            return {
                pack: {
                    name: pack.info.name,
                    version: pack.info.version,
                    ...(pack.info.displayName ? { displayName: pack.info.displayName } : {}),
                    policies,
                },
                violations: diagnostics.map(toViolation),
                logs,
            };
        },
        close: () => pack.close(),
    };
}

/** A policy pack being started for one stack. */
export interface LaunchedEvaluator {
    /**
     * Settles once the pack's process exists (or its start failed). Spawning needs this
     * process's event loop, because the engine's port is bound first; after that the pack
     * boots on its own while this process is busy.
     */
    readonly spawned: Promise<void>;
    /** The running pack; a start failure is only reported when this is awaited. */
    readonly ready: Promise<PolicyEvaluator>;
}

const noop = (): void => undefined;

/** Start the pack for a planned stack, told the stack's name, project and config. */
export function launchEvaluator(planned: PlannedStack): LaunchedEvaluator {
    let spawned!: () => void;
    const isSpawned = new Promise<void>((resolve) => (spawned = resolve));
    const ready = startPolicyEvaluator({
        project: PROJECT,
        stack: planned.stack,
        stackConfig: stackConfigStrings(planned.stackConfig),
        onSpawn: spawned,
    });
    ready.catch(noop); // awaited by whoever evaluates; a failure must not go unhandled meanwhile
    return { ready, spawned: Promise.race([isSpawned, ready.then(noop, noop)]) };
}
