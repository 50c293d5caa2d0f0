/**
 * Policy pack config the way the Pulumi CLI treats `--policy-pack-config`:
 * parse the file (`{"all": "mandatory", "<policy>": "advisory" | {enforcementLevel?, ...props}}`),
 * start from each policy's schema defaults, apply "all" then per-policy
 * entries, and validate every policy's properties against its JSON schema.
 * Problems come back as one line each.
 *
 * One deliberate difference: a key that names no policy of the pack is an
 * error here (the CLI ignores it), so a typo cannot silently leave a rule on
 * its default.
 */
import * as fs from "node:fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

export interface PolicyConfigEntry {
    readonly enforcementLevel?: EnforcementLevel;
    readonly properties: Record<string, unknown>;
}

/** Policy name -> its level and properties, as sent to the pack's `configure`. */
export type PolicyConfig = Record<string, PolicyConfigEntry>;

/** What the reconciler needs to know about each policy of the pack. */
export interface PolicySchemaInfo {
    readonly name: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly configSchema?: { readonly properties?: Record<string, unknown>; readonly required?: readonly string[] };
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "PolicyConfigError";
    }
}

const isLevel = (v: unknown): v is EnforcementLevel =>
    typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);

/** Parse config JSON content (already `JSON.parse`d or as text) into entries; `source` prefixes each problem. */
export function parsePolicyConfig(content: unknown, source = "policy config"): PolicyConfig {
    let doc = content;
    if (typeof content === "string") {
        if (content.trim() === "") return {};
        try {
            doc = JSON.parse(content);
        } catch (e) {
            throw new PolicyConfigError([`${source}: not valid JSON (${(e as Error).message})`]);
        }
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
        throw new PolicyConfigError([
            `${source}: must be a JSON object mapping policy names (or "all") to an enforcement level or an object`,
        ]);
    }
    const problems: string[] = [];
    const out: PolicyConfig = {};
    for (const [name, value] of Object.entries(doc)) {
        if (typeof value === "string") {
            if (isLevel(value)) out[name] = { enforcementLevel: value, properties: {} };
            else
                problems.push(
                    `${source}: ${name} = "${value}" is not an enforcement level (use one of ` +
                        `${ENFORCEMENT_LEVELS.join(", ")})`,
                );
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                problems.push(
                    `${source}: ${name}.enforcementLevel = ${JSON.stringify(enforcementLevel)} is ` +
                        `not an enforcement level (use one of ${ENFORCEMENT_LEVELS.join(", ")})`,
                );
                continue;
            }
            out[name] = { enforcementLevel, properties };
        } else {
            problems.push(`${source}: ${name} = ${JSON.stringify(value)} must be an enforcement level or an object`);
        }
    }
    if (problems.length) throw new PolicyConfigError(problems);
    return out;
}

export function loadPolicyConfigFile(file: string): PolicyConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyConfigError([
            `${file}: cannot read the policy config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        ]);
    }
    return parsePolicyConfig(text, file);
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);

/** `/waivers/0/rule` -> `waivers[0].rule`. */
function jsonPath(instancePath: string): string {
    return instancePath
        .split("/")
        .slice(1)
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

function describeError(e: ErrorObject, value: unknown): string {
    const at = jsonPath(e.instancePath) || "(config)";
    const found = value === undefined ? "" : ` (found ${JSON.stringify(value)})`;
    switch (e.keyword) {
        case "required":
            return `${at} is missing "${(e.params as { missingProperty: string }).missingProperty}"`;
        case "enum": {
            const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
            return `${at} must be one of ${allowed.join(", ")}${found}`;
        }
        case "additionalProperties":
            return `${at} has an unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
        case "oneOf": {
            const branches = ((e.parentSchema as { oneOf?: Array<{ required?: string[] }> })?.oneOf ?? [])
                .map((b) => (b.required ?? []).join(" and "))
                .filter(Boolean);
            return `${at} must name exactly one of: ${branches.join(" | ")}`;
        }
        case "format":
            return `${at} must be a ${(e.params as { format: string }).format}${found}`;
        default:
            return `${at} ${e.message ?? "is invalid"}${found}`;
    }
}

function valueAt(root: unknown, instancePath: string): unknown {
    let v = root;
    for (const p of instancePath.split("/").slice(1))
        v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    return v;
}

/** Compiled validators by schema: the same pack's schemas come back on every configure. */
const validators = new Map<string, ValidateFunction>();
function compiled(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let check = validators.get(key);
    if (!check) {
        check = ajv.compile(schema);
        validators.set(key, check);
    }
    return check;
}

function validate(policy: PolicySchemaInfo, props: Record<string, unknown>): string[] {
    const schema = {
        type: "object",
        properties: policy.configSchema?.properties ?? {},
        required: [...(policy.configSchema?.required ?? [])],
    };
    const check = compiled(schema);
    if (check(props)) return [];
    const errors = (check.errors ?? []).filter((e) => !e.schemaPath.includes("/oneOf/"));
    return [...new Set(errors.map((e) => describeError(e, valueAt(props, e.instancePath))))];
}

/**
 * The config the CLI would send to the pack: every policy with its level and
 * schema defaults, then `given` on top. Throws PolicyConfigError listing every
 * problem.
 */
export function reconcilePolicyConfig(
    policies: readonly PolicySchemaInfo[],
    given: PolicyConfig = {},
    source = "policy config",
): PolicyConfig {
    const result: PolicyConfig = {};
    for (const p of policies) {
        const defaults: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s && typeof s === "object" && "default" in s) defaults[k] = structuredClone(s.default);
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: defaults };
    }
    const all = given.all?.enforcementLevel;
    if (all) for (const [k, v] of Object.entries(result)) result[k] = { ...v, enforcementLevel: all };
    const known = new Set(policies.map((p) => p.name));
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(given)) {
        if (name !== "all" && !known.has(name)) {
            problems.push(
                `${source}: "${name}" is not a policy of this pack (it has: ${[...known].sort().join(", ")})`,
            );
            continue;
        }
        const base = result[name] ?? { properties: {} };
        result[name] = {
            enforcementLevel: entry.enforcementLevel ?? base.enforcementLevel,
            properties: { ...base.properties, ...entry.properties },
        };
    }
    for (const p of policies)
        for (const line of validate(p, result[p.name].properties)) problems.push(`${source}: ${p.name}: ${line}`);
    if (problems.length) throw new PolicyConfigError(problems);
    return result;
}
