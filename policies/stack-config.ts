/**
 * The stack's own config, as the Pulumi CLI hands it to a policy pack: it starts the
 * pack's process with `PULUMI_CONFIG` (every `<namespace>:<key>` of the stack, values
 * as strings) and `PULUMI_NODEJS_PROJECT`, the way it starts a program; @pulumi/pulumi's
 * `Config` reads both. Rules use it for planning inputs the resources do not carry
 * (the peak a stack plans for, the per-task rate); what the resources do carry
 * (task counts, targets) is always read from the resources.
 */
import * as pulumi from "@pulumi/pulumi";

/** A stack setting: set to a number, not set, or set to something that is not a number. */
export type StackNumber =
    | { readonly state: "set"; readonly value: number; readonly key: string }
    | { readonly state: "absent"; readonly key: string }
    | { readonly state: "invalid"; readonly raw: string; readonly key: string };

/** The full key of a setting of this project, e.g. `credlink:scaling.peakRequestsPerSecond`. */
export function stackKey(key: string): string {
    return `${pulumi.getProject() || "<project>"}:${key}`;
}

/** A numeric setting of this project's stack config (`<project>:<key>`). */
export function stackNumber(key: string): StackNumber {
    const full = stackKey(key);
    const raw = new pulumi.Config().get(key);
    if (raw === undefined || raw.trim() === "") return { state: "absent", key: full };
    const n = Number(raw);
    return Number.isFinite(n) ? { state: "set", value: n, key: full } : { state: "invalid", raw, key: full };
}

/** A string setting of this project's stack config; undefined when not set or empty. */
export function stackString(key: string): string | undefined {
    const raw = new pulumi.Config().get(key);
    return raw === undefined || raw.trim() === "" ? undefined : raw;
}
