/**
 * Justified waivers: exempt one resource from one rule, with a reason and an
 * expiry date, in the policy config (`--policy-pack-config`):
 *
 *   "waivers": { "waivers": [ { "rule": "scaling-task-range", "name": "api",
 *                               "type": "aws:appautoscaling/target:Target",
 *                               "reason": "load test needs 150 tasks; SRE-123", "expires": "2026-03-01" } ] }
 *
 * The JSON schema below makes a waiver without a reason, with an unknown rule
 * or with a malformed date a config error: the Pulumi CLI validates the config
 * against it before any resource is analyzed. A waived finding is still
 * reported, as advisory and marked WAIVED; an expired waiver waives nothing.
 */
import type { EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const WAIVER_POLICY = "waivers";

export interface Waiver {
    readonly rule: string;
    readonly urn?: string;
    readonly name?: string;
    readonly type?: string;
    readonly reason: string;
    /** ISO date (UTC): the first day on which the waiver no longer applies. */
    readonly expires: string;
}

export interface WaiverMatch {
    readonly waiver: Waiver;
    readonly active: boolean;
}

export interface WaivedSubject {
    readonly urn: string;
    readonly name: string;
    readonly type: string;
}

// The CLI hands policy config to each policy separately; the waiver policy runs
// first on every `analyze` call (see index.ts) and publishes its config here
// for the rules that follow it in the same process.
let current: readonly Waiver[] = [];

export function setWaivers(waivers: readonly Waiver[]): void {
    current = waivers;
}

export function findWaiver(rule: string, subject: WaivedSubject, now = Date.now()): WaiverMatch | undefined {
    let expired: WaiverMatch | undefined;
    for (const w of current) {
        if (w.rule !== rule) continue;
        const matches =
            w.urn !== undefined ? w.urn === subject.urn : w.name === subject.name && w.type === subject.type;
        if (!matches) continue;
        const active = now < Date.parse(`${w.expires}T00:00:00Z`);
        if (active) return { waiver: w, active };
        expired ??= { waiver: w, active };
    }
    return expired;
}

export function waiverSchema(ruleIds: readonly string[]): PolicyConfigSchema {
    // The SDK's schema type omits `oneOf`, which the CLI's JSON-schema validator supports.
    const waiver: PolicyConfigJSONSchema & { oneOf: PolicyConfigJSONSchema[] } = {
        type: "object",
        additionalProperties: false,
        required: ["rule", "reason", "expires"],
        properties: {
            rule: { type: "string", enum: [...ruleIds], description: "ID of the rule to waive." },
            urn: { type: "string", pattern: "^urn:pulumi:", description: "URN of the waived resource." },
            name: { type: "string", minLength: 1, description: "Logical name of the waived resource (with type)." },
            type: {
                type: "string",
                pattern: "^[^:]+:[^:]*:[^:]+$",
                description: "Pulumi type token of the waived resource (with name).",
            },
            reason: {
                type: "string",
                minLength: 10,
                pattern: "\\S",
                description: "Why the exception is acceptable, e.g. with a ticket reference.",
            },
            expires: {
                type: "string",
                format: "date",
                pattern: "^\\d{4}-\\d{2}-\\d{2}$",
                description: "ISO date (UTC) from which the waiver no longer applies.",
            },
        },
        oneOf: [{ required: ["urn"] }, { required: ["name", "type"] }],
    };
    return {
        properties: {
            waivers: {
                type: "array",
                description:
                    "Each entry exempts one resource (by urn, or by name and type) from one rule until a date.",
                default: [],
                items: waiver,
            },
        },
    };
}

/**
 * The policy that carries the waivers. It never reports anything itself; it
 * is listed first in the pack so its config is in place before the rules run.
 */
export function waiverPolicy(ruleIds: readonly string[]): ResourceValidationPolicy {
    return {
        name: WAIVER_POLICY,
        description: "Justified, expiring exemptions of one resource from one rule (config only; reports nothing).",
        displayName: "Waivers",
        severity: "low",
        enforcementLevel: "advisory" satisfies EnforcementLevel,
        remediationSteps: "Add or remove entries under `waivers.waivers` in the policy config; see policies/README.md.",
        configSchema: waiverSchema(ruleIds),
        validateResource: (args) => {
            setWaivers(args.getConfig<{ waivers?: Waiver[] }>().waivers ?? []);
        },
    };
}
