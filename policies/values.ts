/**
 * Reading resource properties without ever tripping the SDK's unknown-value guard.
 *
 * The policy SDK wraps props in a proxy that throws when a rule reads a value
 * that is unknown during `pulumi preview`, and then downgrades the rule to an
 * advisory "can't run policy ... during preview" note: a mandatory rule would
 * pass a pull request unseen. Rules here work on the plain data instead and
 * decide for themselves what an unknown value means (usually: a violation,
 * because a threshold the pack cannot see cannot be approved).
 */

/** Sentinels the engine sends for values that are computed later (see @pulumi/policy proxy.ts). */
const UNKNOWN_SENTINELS = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the engine sends this one for every type)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
]);

export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/**
 * The plain properties behind the SDK's proxy. The proxy only traps `get`, so
 * own-property descriptors hand back the raw values (unknowns stay sentinels).
 */
export function plain<T = Record<string, unknown>>(props: object): T {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(props)) out[key] = Object.getOwnPropertyDescriptor(props, key)?.value;
    return out as T;
}

/** A value read from a resource: known, unknown at preview, or not set. */
export type Read<T> =
    { readonly state: "known"; readonly value: T } | { readonly state: "unknown" } | { readonly state: "absent" };

const ABSENT = { state: "absent" } as const;
const UNKNOWN_READ = { state: "unknown" } as const;

export function readNumber(v: unknown): Read<number> {
    if (v === undefined || v === null) return ABSENT;
    if (isUnknown(v)) return UNKNOWN_READ;
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    return Number.isFinite(n) ? { state: "known", value: n } : ABSENT;
}

export function readString(v: unknown): Read<string> {
    if (v === undefined || v === null) return ABSENT;
    if (isUnknown(v)) return UNKNOWN_READ;
    return typeof v === "string" ? { state: "known", value: v } : ABSENT;
}

/**
 * A string where "" counts as not set: what the AWS provider does with an empty ID, ARN or
 * name (an empty `cachePolicyId` means "no cache policy", an empty `replicateSourceDb` "no
 * source"), so an empty value can never look like a set one to a rule.
 */
export function readSetString(v: unknown): Read<string> {
    const r = readString(v);
    return r.state === "known" && r.value.trim() === "" ? ABSENT : r;
}

export function readBoolean(v: unknown): Read<boolean> {
    if (v === undefined || v === null) return ABSENT;
    if (isUnknown(v)) return UNKNOWN_READ;
    if (typeof v === "boolean") return { state: "known", value: v };
    if (v === "true" || v === "false") return { state: "known", value: v === "true" };
    return ABSENT;
}

export function readArray(v: unknown): Read<readonly unknown[]> {
    if (v === undefined || v === null) return ABSENT;
    if (isUnknown(v)) return UNKNOWN_READ;
    return Array.isArray(v) ? { state: "known", value: v } : ABSENT;
}

export function readObject(v: unknown): Read<Record<string, unknown>> {
    if (v === undefined || v === null) return ABSENT;
    if (isUnknown(v)) return UNKNOWN_READ;
    return typeof v === "object" && !Array.isArray(v)
        ? { state: "known", value: v as Record<string, unknown> }
        : ABSENT;
}

/** The known value, or the fallback AWS applies when the property is not set; undefined if unknown. */
export function valueOr<T>(r: Read<T>, whenAbsent: T): T | undefined {
    return r.state === "known" ? r.value : r.state === "absent" ? whenAbsent : undefined;
}

/** How a read looks in a message. */
export function show(r: Read<unknown>, whenAbsent = "not set"): string {
    if (r.state === "unknown") return "unknown at preview (computed from another resource)";
    if (r.state === "absent") return whenAbsent;
    return typeof r.value === "string" ? `"${r.value}"` : JSON.stringify(r.value);
}
