/**
 * The one place the preview talks to the policy pack: an adapter from
 * lib/analyzer (which starts the pack in its own process as the Pulumi CLI
 * does and speaks the Analyzer gRPC protocol) to the PolicyEvaluator interface.
 */
import type { PolicyEvaluator } from "./types";

// INTEGRATION PENDING: lib/analyzer has not landed yet. Replace this body with the adapter.
export async function startPolicyEvaluator(): Promise<PolicyEvaluator> {
    throw new Error("the policy pack client (lib/analyzer) is not wired into lib/preview/evaluator.ts yet");
}
