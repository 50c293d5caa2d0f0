/**
 * Runs red-team cases through the real preview path: the program (or an edited
 * copy of it) run as the language host runs it, in both preview modes, and the
 * resources handed to the policy pack in its own process over gRPC. One pack
 * process per stack serves every case, as the CLI would start one per preview.
 */
import * as path from "node:path";
import { parsePolicyConfig } from "../../tools/analyzer";
import { defaultPolicyConfigFile, readPolicyConfig } from "../../tools/preview/inputs";
import { copyProgram, type SourceEdit } from "../../tools/harness/program-copy";
import { startPolicyEvaluator } from "../../tools/preview/evaluator";
import { planPreview, stackConfigStrings, type PlannedStack } from "../../tools/preview/inputs";
import { previewWith } from "../../tools/preview/preview";
import { isBlocking, type PolicyEvaluator, type PolicyViolation, type StackPreview } from "../../tools/preview/types";
import { PROJECT } from "../../lib/config";

export interface RedTeamCase {
    /** What the edit does, as a reviewer would describe it. */
    readonly name: string;
    readonly stack?: "production" | "staging" | "dev";
    /** Edits to a copy of the program's source. */
    readonly program?: readonly SourceEdit[];
    /** Stack-file keys to set (`undefined` removes a key). */
    readonly stackFile?: Readonly<Record<string, unknown>>;
    /** Entries merged into the stack's policy config file, as they would be written there. */
    readonly policyConfig?: Readonly<Record<string, unknown>>;
    /** Policies that must report a mandatory violation; empty: the preview must pass. */
    readonly mustFail: readonly string[];
}

export interface RedTeamResult {
    readonly preview: StackPreview;
    /** Policies with a mandatory violation. */
    readonly failedPolicies: string[];
}

export class RedTeam {
    private readonly evaluators = new Map<string, Promise<PolicyEvaluator>>();
    private readonly plans = new Map<string, PlannedStack>();

    private plan(stack: string): PlannedStack {
        let p = this.plans.get(stack);
        if (!p) {
            p = planPreview({ stack }).stacks[0];
            this.plans.set(stack, p);
        }
        return p;
    }

    /**
     * The pack for a stack config, as the CLI starts one per preview with the stack's config in
     * PULUMI_CONFIG: a case that edits the stack file gets a pack that sees the edit.
     */
    private evaluator(planned: PlannedStack): Promise<PolicyEvaluator> {
        const stackConfig = stackConfigStrings(planned.stackConfig);
        const key = `${planned.stack}\n${JSON.stringify(stackConfig)}`;
        let e = this.evaluators.get(key);
        if (!e) {
            e = startPolicyEvaluator({ project: PROJECT, stack: planned.stack, stackConfig });
            this.evaluators.set(key, e);
        }
        return e;
    }

    async run(c: RedTeamCase): Promise<RedTeamResult> {
        const stack = c.stack ?? "production";
        const base = this.plan(stack);
        const values: Record<string, unknown> = { ...base.stackConfig.values };
        for (const [k, v] of Object.entries(c.stackFile ?? {})) {
            if (v === undefined) delete values[k];
            else values[k] = v;
        }
        const planned: PlannedStack = {
            ...base,
            stackConfig: { ...base.stackConfig, values },
            policyConfig: c.policyConfig
                ? parsePolicyConfig({ ...readPolicyConfig(defaultPolicyConfigFile(stack)), ...c.policyConfig }, "case")
                : base.policyConfig,
        };
        const programDir = c.program ? copyProgram(path.join("redteam", c.name), c.program) : undefined;
        // An evasion fails the gate when either mode fails it: once the findings name every policy the
        // case expects, the other mode cannot change the verdict. A compliant case runs both.
        const decided =
            c.mustFail.length > 0
                ? (violations: readonly PolicyViolation[]) =>
                      c.mustFail.every((p) => violations.some((v) => isBlocking(v) && v.policyName === p))
                : undefined;
        const preview = await previewWith(planned, this.evaluator(planned), programDir, decided);
        if (preview.error !== undefined) throw new Error(`case "${c.name}": the preview errored: ${preview.error}`);
        const failedPolicies = [
            ...new Set((preview.evaluation?.violations ?? []).filter(isBlocking).map((v) => v.policyName)),
        ].sort();
        return { preview, failedPolicies };
    }

    async close(): Promise<void> {
        await Promise.all(
            [...this.evaluators.values()].map((e) =>
                e.then(
                    (x) => x.close(),
                    () => undefined,
                ),
            ),
        );
    }
}
