/**
 * Stack configuration: the settings each component declares next to itself
 * (components/<x>/settings.ts), composed under the `credlink:` namespace.
 * `parseConfig` turns the raw values Pulumi hands the program into a frozen,
 * typed object or fails with one line per problem, each naming the setting.
 * Pulumi.yaml's `config:` block and README's config table are generated from
 * the same declarations (`npm run config:sync`) and a test keeps them in sync.
 *
 * Rule of thumb: config validation checks what AWS can accept; the policy pack
 * checks what the SLOs allow. A stack with a 1..40 task range is valid config
 * and a policy violation, so reviewers see it in the policy report.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ALERTS_SETTINGS } from "../components/alerts/settings";
import { CDN_SETTINGS, DOMAIN_SETTINGS } from "../components/cdn/settings";
import { DATABASE_SETTINGS } from "../components/database/settings";
import { NETWORK_SETTINGS } from "../components/network/settings";
import { ALARM_SETTINGS, SCALING_SETTINGS, SERVICE_SETTINGS } from "../components/scaling-service/settings";
import { PROJECT, SECRET_PLACEHOLDER } from "./project";
import {
    type AnySettingsGroup,
    flag,
    flatKey,
    flatten,
    group,
    listOf,
    resolve,
    type Setting,
    type SettingKind,
    setting,
    show,
    type ValuesOfGroup,
} from "./settings";

export { PROJECT, SECRET_PLACEHOLDER } from "./project";

/** Settings of the stack as a whole, read by index.ts. */
const STACK_WIDE_SETTINGS = group({
    protectStatefulResources: setting(
        "boolean",
        "Protect the database and buckets from deletion (Pulumi protect + retainOnDelete). Turn off " +
            "deliberately before destroying.",
        flag,
        { default: true },
    ),
    tags: setting(
        "array",
        "Extra tags as key=value strings, added to every taggable resource.",
        listOf(z.string().regex(/^[\w.:/=+@ -]{1,128}=[\w.:/=+@ -]{0,256}$/), "key=value tag"),
        { default: [] as string[] },
    ),
});

/** Each group of settings by the prefix of its keys (`scaling` for `credlink:scaling.minTasks`). */
export const SETTING_GROUPS = {
    domain: DOMAIN_SETTINGS,
    service: SERVICE_SETTINGS,
    network: NETWORK_SETTINGS,
    scaling: SCALING_SETTINGS,
    cdn: CDN_SETTINGS,
    database: DATABASE_SETTINGS,
    alarms: ALARM_SETTINGS,
    alerts: ALERTS_SETTINGS,
} as const;

type Groups = typeof SETTING_GROUPS;

export type StackConfig = {
    readonly project: string;
    readonly environment: string;
    readonly region: string;
    readonly protectStatefulResources: boolean;
    readonly tags: Readonly<Record<string, string>>;
} & { readonly [G in keyof Groups]: ValuesOfGroup<Groups[G]> };

/** One stack setting: its key without the namespace (`scaling.minTasks`) and its declaration. */
export interface StackSetting extends Setting {
    readonly key: string;
}

interface IndexedSetting {
    readonly group: keyof Groups | "";
    readonly path: readonly string[];
    readonly spec: Setting;
}

const INDEX = new Map<string, IndexedSetting>();
const register = (prefix: keyof Groups | "", g: AnySettingsGroup) => {
    for (const { path, spec } of flatten(g))
        INDEX.set(prefix === "" ? flatKey(path) : `${prefix}.${flatKey(path)}`, { group: prefix, path, spec });
};
for (const [prefix, g] of Object.entries(SETTING_GROUPS)) register(prefix as keyof Groups, g);
register("", STACK_WIDE_SETTINGS);

/** Every stack setting, in declaration order: what Pulumi.yaml and the README table list. */
export const SETTINGS: readonly StackSetting[] = [...INDEX].map(([key, { spec }]) => ({ ...spec, key }));

/** Namespaces this program's providers read; keys there are theirs to validate. */
const PROVIDER_NAMESPACES = ["aws", "awsx", "random", "pulumi"];
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Invalid stack configuration; `problems` holds one line per problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

const full = (key: string) => `${PROJECT}:${key}`;

/** Pulumi hands every config value to the program as a string; read it as the declared kind. */
function coerce(kind: SettingKind, raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    switch (kind) {
        case "string":
            return raw;
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
        case "number":
            return /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw.trim()) ? Number(raw) : raw;
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : raw;
        case "array":
        case "object":
            try {
                const parsed: unknown = JSON.parse(raw);
                const fits = kind === "array" ? Array.isArray(parsed) : isPlainObject(parsed);
                return fits ? parsed : raw;
            } catch {
                return raw;
            }
    }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** The closest known setting to a key, when it is close enough to be a typo. */
function closest(key: string): string | undefined {
    let best: { key: string; d: number } | undefined;
    for (const k of INDEX.keys()) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (!best || d < best.d) best = { key: k, d };
    }
    return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

export interface RawConfig {
    /** Every config value of the stack, keyed `namespace:key`, as Pulumi hands them to the program. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Keys that were set with --secret. */
    readonly secretKeys: ReadonlySet<string>;
    readonly stack: string;
}

/** A problem with a key's namespace or name, or undefined when the key is one this stack reads. */
function keyProblem(fullKey: string): string | undefined {
    const colon = fullKey.indexOf(":");
    const ns = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (ns === PROJECT) {
        if (INDEX.has(key)) return undefined;
        const near = closest(key);
        return (
            `${fullKey} is not a known setting${near ? ` (did you mean ${full(near)}?)` : ""}; ` +
            `see the config reference in README.md`
        );
    }
    if (PROVIDER_NAMESPACES.includes(ns)) return undefined;
    const near = INDEX.has(key) ? key : closest(key);
    return (
        `${fullKey} is in namespace "${ns}", which this stack does not read (it reads ${PROJECT}: ` +
        `and its providers' ${PROVIDER_NAMESPACES.map((n) => `${n}:`).join(", ")})` +
        (near ? `; did you mean ${full(near)}?` : "")
    );
}

/** Validate and type the stack configuration; throws ConfigError listing every problem. */
export function parseConfig(raw: RawConfig): StackConfig {
    const problems: string[] = [];
    const region = raw.values["aws:region"];
    if (region === undefined)
        problems.push("aws:region is required: set it with `pulumi config set aws:region <region>`, e.g. us-east-1");
    else if (typeof region !== "string" || !REGION.test(region))
        problems.push(`aws:region = ${show(region)} must be an AWS region such as us-east-1`);

    // Each group's input, nested as its values are (`cdn.staticMinTtl` -> cdn.static.minTtl).
    const inputs = new Map<keyof Groups | "", Record<string, unknown>>();
    const opaque = new Set<string>();
    for (const [fullKey, rawValue] of Object.entries(raw.values)) {
        const problem = keyProblem(fullKey);
        if (problem !== undefined) {
            problems.push(problem);
            continue;
        }
        const entry = INDEX.get(fullKey.slice(PROJECT.length + 1));
        if (!fullKey.startsWith(`${PROJECT}:`) || entry === undefined) continue;
        const { spec } = entry;
        // Optional settings without a default are declared with default "" in Pulumi.yaml: "" means not set.
        if (!spec.required && spec.default === undefined && rawValue === "") continue;
        if (spec.plaintext !== undefined && raw.secretKeys.has(fullKey)) {
            problems.push(`${fullKey} must not be a secret: ${spec.plaintext}`);
            continue;
        }
        if (spec.secret && !raw.secretKeys.has(fullKey)) {
            problems.push(
                `${fullKey} must be a secret: set it with \`pulumi config set --secret ` +
                    `${fullKey.slice(PROJECT.length + 1)} <value>\``,
            );
            continue;
        }
        let node = inputs.get(entry.group) ?? {};
        inputs.set(entry.group, node);
        for (const step of entry.path.slice(0, -1)) node = (node[step] ??= {}) as Record<string, unknown>;
        node[entry.path[entry.path.length - 1]] = coerce(spec.kind, rawValue);
        if (rawValue === SECRET_PLACEHOLDER && raw.secretKeys.has(fullKey)) opaque.add(fullKey);
    }

    const ctx = { region: typeof region === "string" && REGION.test(region) ? region : undefined };
    const resolveGroup = (prefix: keyof Groups | "", g: AnySettingsGroup) => {
        const name = (path: readonly string[]) => full(prefix === "" ? flatKey(path) : `${prefix}.${flatKey(path)}`);
        const r = resolve(g, inputs.get(prefix), {
            at: name,
            howToSet: (path, spec) =>
                `: set it with \`pulumi config set ${name(path).slice(PROJECT.length + 1)} ` +
                `<value>\` (${spec.description})`,
            opaque: (path) => opaque.has(name(path)),
            ctx,
        });
        problems.push(...r.problems);
        return r.values as Record<string, unknown>;
    };
    const groups = Object.fromEntries(
        Object.entries(SETTING_GROUPS).map(([prefix, g]) => [prefix, resolveGroup(prefix as keyof Groups, g)]),
    );
    const stackWide = resolveGroup("", STACK_WIDE_SETTINGS) as ValuesOfGroup<typeof STACK_WIDE_SETTINGS>;

    if (problems.length > 0) throw new ConfigError(problems);
    return deepFreeze({
        project: PROJECT,
        environment: raw.stack,
        region: region as string,
        ...(groups as { [G in keyof Groups]: ValuesOfGroup<Groups[G]> }),
        protectStatefulResources: stackWide.protectStatefulResources,
        tags: Object.fromEntries(stackWide.tags.map((t) => [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)])),
    });
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const child of Object.values(o)) deepFreeze(child);
    }
    return o;
}

/**
 * Read the running stack's configuration through the Pulumi runtime.
 * Invalid config stops the program with one line per problem and no stack trace.
 */
export function loadStackConfig(): StackConfig {
    const values = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the runtime but missing from its type declarations.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((k) => runtime.isConfigSecret(k)));
    const stack = pulumi.getStack();
    try {
        return parseConfig({ values, secretKeys, stack });
    } catch (e) {
        if (e instanceof ConfigError) {
            throw new pulumi.RunError(`Invalid configuration for stack ${stack} (Pulumi.${stack}.yaml):\n${e.message}`);
        }
        throw e;
    }
}
