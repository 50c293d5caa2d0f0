/**
 * A client that runs a CrossGuard policy pack as the Pulumi CLI does (own
 * process, Analyzer gRPC protocol), for tests, benchmarks and the offline
 * `npm run preview`.
 *
 *   const report = await runPolicyPack(run.resources, {
 *       config: "policies/config/production.json",
 *       stack: "production",
 *   });
 *   report.mandatory; // diagnostics that would fail `pulumi preview --policy-pack policies`
 */
export {
    type AnalyzerResource,
    type AnalyzerStackResource,
    type Diagnostic,
    type EngineLog,
    type PolicyInfo,
    type PolicyPackInfo,
    type PolicyPackProcess,
    PolicyPackError,
    type Remediation,
    runningPolicyPacks,
    type Severity,
    type StartOptions,
    startPolicyPack,
} from "./client";
export {
    ENFORCEMENT_LEVELS,
    type EnforcementLevel,
    loadPolicyConfigFile,
    parsePolicyConfig,
    type PolicyConfig,
    PolicyConfigError,
    reconcilePolicyConfig,
} from "./config";
export {
    type AnalyzeOptions,
    analyzeResources,
    DEFAULT_PACK_DIR,
    type PolicyReport,
    type RegisteredResourceLike,
    runPolicyPack,
    type RunPolicyPackOptions,
    SKIPPED_AT_PREVIEW,
    toAnalyzerResource,
} from "./stack";
