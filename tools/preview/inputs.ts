/**
 * Turning command-line input into stacks and policy configs, with one-line
 * errors that say what is wrong and how to fix it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, stackNames } from "../stack-file";

/** Bad input from the user: printed as one line, exit code 2, no stack trace. */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** A path as shown to users and written to reports: relative to the repo root when inside it. */
export function displayPath(file: string): string {
    const rel = path.relative(REPO_ROOT, path.resolve(file));
    if (rel === "") return ".";
    return rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(file) : rel.split(path.sep).join("/");
}

/** The stacks `--stack` names: one stack, or every Pulumi.<stack>.yaml for `all`. */
export function resolveStacks(requested: string, stackDir: string): string[] {
    if (!fs.existsSync(stackDir) || !fs.statSync(stackDir).isDirectory()) {
        throw new InputError(`--stack-dir ${displayPath(stackDir)} is not a directory`);
    }
    const existing = stackNames(stackDir);
    if (existing.length === 0)
        throw new InputError(`no Pulumi.<stack>.yaml files in ${displayPath(stackDir)}; pass --stack-dir <dir>`);
    if (requested === "all") return existing;
    if (existing.includes(requested)) return [requested];
    throw new InputError(
        `unknown stack "${requested}"; the stacks in ${displayPath(stackDir)} are: ${existing.join(", ")} (or "all")`,
    );
}

/** `policies/config/<stack>.json`, the default `--policy-config`. */
export const defaultPolicyConfigFile = (stack: string): string =>
    path.join(REPO_ROOT, "policies", "config", `${stack}.json`);

/** Read a `--policy-pack-config` file: a JSON object keyed by policy name. Contents are the pack's to validate. */
export function readPolicyConfig(file: string): Record<string, unknown> {
    const shown = displayPath(file);
    if (!fs.existsSync(file))
        throw new InputError(`policy config ${shown} does not exist; pass --policy-config <file>`);
    const text = fs.readFileSync(file, "utf8");
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new InputError(`policy config ${shown} is not valid JSON${jsonErrorWhere(text, (e as Error).message)}`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        throw new InputError(
            `policy config ${shown} must be a JSON object keyed by policy name, got ` +
                `${Array.isArray(doc) ? "an array" : JSON.stringify(doc)}`,
        );
    }
    return doc as Record<string, unknown>;
}

/** `at line 4 column 5: Expected double-quoted property name`, the same on every Node version. */
function jsonErrorWhere(text: string, message: string): string {
    const m = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
    // V8 quotes a multi-line snippet in some messages: keep the report on one line.
    if (!m) return `: ${message.replace(/\s*\n\s*/g, " ")}`;
    const before = text.slice(0, Number(m[2])).split("\n");
    return ` at line ${before.length} column ${before[before.length - 1].length + 1}: ${m[1]}`;
}
