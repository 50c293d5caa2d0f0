/**
 * How a rule of this pack is declared: a stable ID (the policy name), metadata
 * the CLI shows, a config schema whose defaults come from ./slo, and a check
 * that reports findings. A finding names the resource, the property, the value
 * found, the allowed range and the fix; waivers are applied on the way out.
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { plain, type Read, show } from "./values";
import { findWaiver } from "./waivers";

/** The resource a finding is about. */
export interface Subject {
    readonly urn: string;
    readonly name: string;
    readonly type: string;
}

/** A resource with its plain properties (unknowns stay the engine's sentinels). */
export interface Res<P = Record<string, unknown>> extends Subject {
    readonly props: P;
}

export interface Finding {
    /** Property path, e.g. `orderedCacheBehaviors[1].maxTtl`. */
    readonly property: string;
    /** The value found, as shown to the reader. */
    readonly found: string;
    /** The allowed range or values. */
    readonly allowed: string;
    /** What to change. */
    readonly fix: string;
}

/**
 * Reports a finding at the rule's level; `{ advisory: true }` makes it a note that never blocks
 * (for what the pack can only narrow down at preview and `pulumi up` decides exactly).
 */
export type Report = (subject: Subject, finding: Finding, opts?: { readonly advisory?: boolean }) => void;

/** The finding for a value a rule must judge but that is not a literal (unknown at preview). */
export function literalRequired(
    property: string,
    found: Read<unknown>,
    fix: string,
    allowed = "a literal value the policy pack can check at preview",
): Finding {
    return { property, found: show(found), allowed, fix };
}

interface RuleMeta<C> {
    /** Stable rule ID; also the policy name used in config and waivers. */
    readonly id: string;
    readonly description: string;
    readonly severity: Severity;
    readonly remediationSteps: string;
    /** Defaults to mandatory. */
    readonly enforcementLevel?: EnforcementLevel;
    /** Config keys, each with a default taken from ./slo. */
    readonly config?: { readonly [K in keyof C]: PolicyConfigJSONSchema & { default: C[K] } };
}

export interface ResourceRule<C> extends RuleMeta<C> {
    /** Pulumi type tokens the rule looks at; `"all"` hands it every resource. */
    readonly types: readonly string[] | "all";
    readonly check: (resource: Res, config: C, report: Report) => void;
}

export interface StackRule<C> extends RuleMeta<C> {
    readonly check: (stack: StackView, config: C, report: Report) => void;
}

export function describe(subject: Subject): string {
    return `${subject.type} "${subject.name}"`;
}

export function message(subject: Subject, f: Finding): string {
    return `${describe(subject)}: ${f.property} = ${f.found}; allowed: ${f.allowed}. Fix: ${f.fix}`;
}

function schemaOf<C>(meta: RuleMeta<C>): PolicyConfigSchema | undefined {
    if (!meta.config) return undefined;
    return { properties: { ...(meta.config as Record<string, PolicyConfigJSONSchema>) } };
}

function defaultsOf<C>(meta: RuleMeta<C>): C {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(meta.config ?? {})) out[k] = (v as { default: unknown }).default;
    return out as C;
}

/** Reports through the SDK, turning a finding on a waived resource into an advisory WAIVED note. */
function reporter(meta: RuleMeta<unknown>, reportViolation: ReportViolation, stackUrn: boolean): Report {
    // The SDK (1.21) also accepts a violation object, which can carry its own level; its
    // published type only names the string form.
    const reportObject = reportViolation as unknown as (v: object) => void;
    return (subject, finding, opts) => {
        const text = message(subject, finding);
        const match = findWaiver(meta.id, subject);
        const urn = stackUrn ? subject.urn : undefined;
        if (match?.active) {
            const w = match.waiver;
            reportObject({
                message: `${meta.description}\nWAIVED until ${w.expires} (${w.reason}): ${text}`,
                enforcementLevel: "advisory",
                urn: subject.urn,
            });
        } else if (opts?.advisory) {
            reportObject({ message: `${meta.description}\n${text}`, enforcementLevel: "advisory", urn: subject.urn });
        } else if (match) {
            reportViolation(`${text} (The waiver for this resource expired on ${match.waiver.expires}.)`, urn);
        } else {
            reportViolation(text, urn);
        }
    };
}

export function resourcePolicy<C>(rule: ResourceRule<C>): ResourceValidationPolicy {
    const defaults = defaultsOf(rule);
    const types = rule.types === "all" ? undefined : new Set(rule.types);
    const validateResource: ResourceValidation & { __pulumiType?: string } = (args, reportViolation) => {
        if (types && !types.has(args.type)) return;
        const config = { ...defaults, ...args.getConfig<Partial<C>>() };
        rule.check(
            { urn: args.urn, name: args.name, type: args.type, props: plain(args.props) },
            config,
            reporter(rule, reportViolation, false),
        );
    };
    // What validateResourceOfType sets: the server then skips other types without deserializing their props.
    if (rule.types !== "all" && rule.types.length === 1) validateResource.__pulumiType = rule.types[0];
    return {
        name: rule.id,
        description: rule.description,
        severity: rule.severity,
        remediationSteps: rule.remediationSteps,
        enforcementLevel: rule.enforcementLevel ?? "mandatory",
        configSchema: schemaOf(rule),
        validateResource,
    };
}

export function stackPolicy<C>(rule: StackRule<C>): StackValidationPolicy {
    const defaults = defaultsOf(rule);
    return {
        name: rule.id,
        description: rule.description,
        severity: rule.severity,
        remediationSteps: rule.remediationSteps,
        enforcementLevel: rule.enforcementLevel ?? "mandatory",
        configSchema: schemaOf(rule),
        validateStack: (args, reportViolation) => {
            const config = { ...defaults, ...args.getConfig<Partial<C>>() };
            rule.check(new StackView(args.resources), config, reporter(rule, reportViolation, true));
        },
    };
}

/**
 * The stack as a graph, indexed once per call so every stack rule stays linear
 * in the number of resources.
 */
export class StackView {
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly plainProps = new Map<PolicyResource, Record<string, unknown>>();

    constructor(readonly resources: readonly PolicyResource[]) {
        for (const r of resources) {
            const list = this.byType.get(r.type);
            if (list) list.push(r);
            else this.byType.set(r.type, [r]);
        }
    }

    ofType(...types: string[]): PolicyResource[] {
        return types.flatMap((t) => this.byType.get(t) ?? []);
    }

    props<P = Record<string, unknown>>(r: PolicyResource): P {
        let p = this.plainProps.get(r);
        if (!p) {
            p = plain<Record<string, unknown>>(r.props);
            this.plainProps.set(r, p);
        }
        return p as P;
    }

    res<P = Record<string, unknown>>(r: PolicyResource): Res<P> {
        return { urn: r.urn, name: r.name, type: r.type, props: this.props<P>(r) };
    }

    /** Resources whose outputs flowed into one of `r`'s input properties (known even when the values are not). */
    referencedBy(r: PolicyResource, ...properties: string[]): PolicyResource[] {
        return properties.flatMap((p) => r.propertyDependencies[p] ?? []);
    }
}
