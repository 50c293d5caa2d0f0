/**
 * How a setting is declared, once: its type, AWS limits (a zod schema), default and
 * description. Each component declares the settings it consumes next to itself
 * (components/<x>/settings.ts) and validates its args with them; lib/config.ts
 * composes the same declarations into the stack configuration, and Pulumi.yaml and
 * README's config table are generated from them. A default or a range can therefore
 * never differ between the stack and the component.
 *
 * Error lines name the setting the way the caller does (`credlink:scaling.minTasks`
 * in the stack, `scaling.minTasks` in a component), the value and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * What a setting holds. Pulumi.yaml's config declarations type string, integer, boolean,
 * array and object values; a `number` (a fraction, such as a request rate) is declared
 * without a type, as Pulumi has none for it, and validated here.
 */
export type SettingKind = "string" | "integer" | "number" | "boolean" | "array" | "object";

export interface Setting<T = unknown> {
    readonly kind: SettingKind;
    readonly description: string;
    readonly schema: z.ZodType<T>;
    /** Applied when the setting is not given; without one the setting is optional (or required). */
    readonly default?: T;
    readonly required?: true;
    /** Must be set with `pulumi config set --secret`. */
    readonly secret?: true;
    /**
     * Must not be a secret, for this reason (and what to do instead): its value ends up in plain text
     * elsewhere (e.g. a task definition), so `--secret` would only hide it from the stack file.
     */
    readonly plaintext?: string;
    /**
     * Computed by the group's `derive` step when not given (and checked by it when given);
     * the text says how, for the config reference.
     */
    readonly derived?: string;
}

export type SettingMap = Readonly<Record<string, Setting>>;

/** The context a cross-setting rule may need besides the group's own values. */
export interface RuleContext {
    /** The stack's AWS region, when known. */
    readonly region?: string;
}

/**
 * Fills a group's `derived` settings that were not given, from the values that were (defaults
 * applied), and checks the given ones against the same arithmetic. It runs only when every
 * value of the group is valid, before the group's rules, and returns the derived values or
 * one line per problem, naming settings through `at`.
 */
export type Derivation<V> = (
    values: Partial<V>,
    at: (...path: string[]) => string,
    ctx: RuleContext,
) => { readonly values?: Readonly<Record<string, unknown>>; readonly problems?: readonly string[] };

/**
 * A rule over several settings of a group. It receives the values that are
 * themselves valid (defaults applied) and names settings through `at`, so the same
 * rule reads right in the stack config and in a component. It returns the problem
 * line, or undefined when the rule holds or its inputs are missing.
 */
export type CrossRule<V> = (
    values: Partial<V>,
    at: (...path: string[]) => string,
    ctx: RuleContext,
) => string | undefined;

export interface SettingsGroup<S extends SettingMap = SettingMap, G extends GroupMap = GroupMap> {
    readonly settings: S;
    /**
     * Sub-groups whose keys are joined in camel case in the stack config: sub-group
     * `static` with setting `minTtl` is `cdn.staticMinTtl`, read as `cdn.static.minTtl`.
     */
    readonly groups?: G;
    readonly rules?: readonly CrossRule<GroupValues<S, G>>[];
    readonly derive?: Derivation<GroupValues<S, G>>;
}

/**
 * Any group, its value types erased: what code that walks groups (flatten, resolve) and
 * the sub-groups of a group are typed as. Its rules and derivation take `never` because
 * their values' type is not known here; only resolveInto, which builds a group's values
 * from that group's own settings, calls them.
 */
export interface AnySettingsGroup {
    readonly settings: SettingMap;
    readonly groups?: GroupMap;
    readonly rules?: readonly CrossRule<never>[];
    readonly derive?: Derivation<never>;
}

export type GroupMap = Readonly<Record<string, AnySettingsGroup>>;

type ValueOf<S> = S extends Setting<infer T> ? T : never;
type Guaranteed<S> = S extends
    { readonly default: unknown } | { readonly required: true } | { readonly derived: string }
    ? true
    : false;

/** The values of a settings map: settings with a default, `required` or `derived` are always present. */
export type Values<S extends SettingMap> = {
    readonly [K in keyof S as Guaranteed<S[K]> extends true ? K : never]: ValueOf<S[K]>;
} & {
    readonly [K in keyof S as Guaranteed<S[K]> extends true ? never : K]?: ValueOf<S[K]>;
};

export type GroupValues<S extends SettingMap, G extends GroupMap> = Values<S> & {
    readonly [K in keyof G]: G[K] extends SettingsGroup<infer S2, infer G2> ? GroupValues<S2, G2> : never;
};

/** The values a group yields. */
export type ValuesOfGroup<X> = X extends SettingsGroup<infer S, infer G> ? GroupValues<S, G> : never;

/** What a caller may pass for a group: any subset, nested groups included. */
export type GroupInput<X> =
    X extends SettingsGroup<infer S, infer G>
        ? { readonly [K in keyof S]?: ValueOf<S[K]> | pulumi.Output<ValueOf<S[K]>> } & {
              readonly [K in keyof G]?: GroupInput<G[K]>;
          }
        : never;

export function setting<
    T,
    const E extends {
        default?: T;
        required?: true;
        secret?: true;
        plaintext?: string;
        derived?: string;
    } = Record<never, never>,
>(kind: SettingKind, description: string, schema: z.ZodType<T>, extra?: E): Setting<T> & E {
    return { kind, description, schema, ...(extra ?? ({} as E)) };
}

export function group<const S extends SettingMap, const G extends GroupMap = Record<never, never>>(
    settings: S,
    extra: {
        groups?: G;
        rules?: readonly CrossRule<GroupValues<S, G>>[];
        derive?: Derivation<GroupValues<S, G>>;
    } = {},
): SettingsGroup<S, G> & { readonly groups: G } {
    return {
        settings,
        groups: extra.groups ?? ({} as G),
        ...(extra.rules ? { rules: extra.rules } : {}),
        ...(extra.derive ? { derive: extra.derive } : {}),
    };
}

/** `static` + `minTtl` = `staticMinTtl`: how a sub-group's keys appear in the stack config. */
export function joinKey(prefix: string, key: string): string {
    return prefix === "" ? key : `${prefix}${key[0].toUpperCase()}${key.slice(1)}`;
}

/** A path in a group's values as the stack config names it: `["static", "minTtl"]` is `staticMinTtl`. */
export const flatKey = (path: readonly string[]): string => path.reduce(joinKey, "");

/** Every setting of a group with its path in the values (sub-groups included). */
export function flatten(g: AnySettingsGroup, path: readonly string[] = []): Array<{ path: string[]; spec: Setting }> {
    const own = Object.entries(g.settings).map(([k, spec]) => ({ path: [...path, k], spec }));
    const nested = Object.entries(g.groups ?? {}).flatMap(([name, sub]) => flatten(sub, [...path, name]));
    return [...own, ...nested];
}

export const show = (v: unknown): string =>
    typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));

/**
 * `<name> = <value> <message>`. An issue inside an object value (a schema that checks a map entry by
 * entry) names that entry: `credlink:service.environment.PORT = "8080" is set by ...`.
 */
function problemLine(name: string, raw: unknown, issue: z.core.$ZodIssue | undefined): string {
    const path = (issue?.path ?? []).map(String);
    let value: unknown = raw;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    const where = path.length > 0 ? `${name}.${path.join(".")}` : name;
    return `${where} = ${show(value)} ${issue?.message ?? "is invalid"}`;
}

export interface ResolveOptions {
    /** How a setting is named in messages, from its path in the values (`["static", "minTtl"]`). */
    readonly at: (path: readonly string[]) => string;
    /** Appended to "is required" for a missing required setting. */
    readonly howToSet?: (path: readonly string[], spec: Setting) => string;
    readonly ctx?: RuleContext;
    /** Values taken as given, without their schema: secrets whose plaintext the caller cannot see. */
    readonly opaque?: (path: readonly string[]) => boolean;
}

export interface Resolved<V> {
    readonly values: V;
    readonly problems: readonly string[];
}

/**
 * Apply defaults, validate each given value against its schema, derive what the
 * group derives, then run the group's cross-setting rules over the valid values.
 * Values that are Pulumi Outputs (known only at deployment) pass through unchecked.
 */
export function resolve<X extends AnySettingsGroup>(
    g: X,
    input: unknown,
    opts: ResolveOptions,
): Resolved<ValuesOfGroup<X>> {
    const problems: string[] = [];
    const values = resolveInto(g, (input ?? {}) as Record<string, unknown>, [], opts, problems);
    return { values: values as ValuesOfGroup<X>, problems };
}

function resolveInto(
    g: AnySettingsGroup,
    input: Record<string, unknown>,
    path: readonly string[],
    opts: ResolveOptions,
    problems: string[],
): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    const at = (...keys: string[]) => opts.at([...path, ...keys]);
    const before = problems.length;
    for (const [k, spec] of Object.entries(g.settings)) {
        const raw = input[k];
        if (raw === undefined) {
            if (spec.default !== undefined) values[k] = spec.default;
            else if (spec.required) problems.push(`${at(k)} is required${opts.howToSet?.([...path, k], spec) ?? ""}`);
            continue;
        }
        if (pulumi.Output.isInstance(raw) || opts.opaque?.([...path, k])) {
            values[k] = raw;
            continue;
        }
        const parsed = spec.schema.safeParse(raw);
        if (parsed.success) values[k] = parsed.data;
        else problems.push(problemLine(at(k), raw, parsed.error.issues[0]));
    }
    for (const [name, sub] of Object.entries(g.groups ?? {})) {
        values[name] = resolveInto(
            sub,
            (input[name] ?? {}) as Record<string, unknown>,
            [...path, name],
            opts,
            problems,
        );
    }
    // Deriving from invalid values would only add a second, misleading line.
    if (g.derive && problems.length === before) {
        const derived = g.derive(values as never, at, opts.ctx ?? {});
        for (const [k, v] of Object.entries(derived.values ?? {})) if (values[k] === undefined) values[k] = v;
        problems.push(...(derived.problems ?? []));
    }
    for (const rule of g.rules ?? []) {
        // `values` holds this group's own settings and sub-groups: the values its rules are written for.
        const line = rule(values as never, at, opts.ctx ?? {});
        if (line !== undefined) problems.push(line);
    }
    return values;
}

/**
 * A component's settings, resolved or thrown as one line naming the component,
 * the argument, the value and what is allowed.
 */
export function resolveOrThrow<X extends AnySettingsGroup>(
    component: string,
    g: X,
    input: unknown,
    argPrefix = "",
): ValuesOfGroup<X> {
    const { values, problems } = resolve(g, input, { at: argName(argPrefix) });
    if (problems.length > 0) throw new Error(`${component}: ${problems[0]}`);
    return values;
}

/** How a component names a setting in its errors: `scaling.minTasks`, `static.minTtl`. */
export const argName =
    (prefix = "") =>
    (path: readonly string[]): string =>
        `${prefix}${path.join(".")}`;

// Schemas shared by the components' settings.

const range = (min: number, max: number, unit: string) => `between ${min} and ${max}${unit}`;

/** A whole number in [min, max]. */
export const wholeNumber = (min: number, max: number, unit = ""): z.ZodType<number> =>
    z
        .number({ error: `must be a whole number ${range(min, max, unit)}` })
        .int({ error: `must be a whole number ${range(min, max, unit)}` })
        .min(min, { error: `must be ${range(min, max, unit)}` })
        .max(max, { error: `must be ${range(min, max, unit)}` });

/** One of a fixed list of values. */
export const oneOf = <const T extends readonly (string | number)[]>(values: T, what = "one of"): z.ZodType<T[number]> =>
    z.custom<T[number]>((v) => (values as readonly unknown[]).includes(v), {
        error: `must be ${what} ${values.join(", ")}`,
    });

/** A string matching a pattern; the message says what a valid one looks like. */
export const matching = (pattern: RegExp, error: string): z.ZodType<string> =>
    z.string({ error }).regex(pattern, { error });

export const nonEmptyString: z.ZodType<string> = z
    .string({ error: "must be a non-empty string" })
    .min(1, { error: "must not be empty" });

/** A list whose items must each pass `item`; the message names the first item that does not. */
export const listOf = <T>(item: z.ZodType<T>, what: string): z.ZodType<T[]> =>
    z.array(z.unknown(), { error: `must be a list of ${what}s` }).transform((items, ctx) => {
        const out: T[] = [];
        for (const v of items) {
            const r = item.safeParse(v);
            if (!r.success) {
                ctx.addIssue({
                    code: "custom",
                    message: `contains ${show(v)}, which is not ${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`,
                });
                return z.NEVER;
            }
            out.push(r.data);
        }
        return out;
    });

export const flag: z.ZodType<boolean> = z.boolean({ error: "must be true or false" });

/** A lower-case DNS host name. */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
