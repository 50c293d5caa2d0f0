/**
 * Turning command-line input into stacks and policy configs, with one-line
 * errors that say what is wrong and how to fix it. Nothing here loads
 * @pulumi/pulumi or the program: the preview plans its stacks and starts the
 * first policy pack before those load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parsePolicyConfig, PolicyConfigError, type PolicyConfig } from "../analyzer";
import { readStackFile, REPO_ROOT, type StackFile, StackFileError, stackNames } from "../stack-file";

/** Bad input from the user: printed as one line, exit code 2, no stack trace. */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** A policy config the pack's schema rejects is bad input, like a malformed file. */
export function asInputError(e: PolicyConfigError): InputError {
    return new InputError(e.problems.map((p) => `policy config ${p}`).join("\n"));
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

export interface PreviewOptions {
    /** A stack name or `all`. */
    readonly stack: string;
    /** Directory holding Pulumi.<stack>.yaml (default: the repo root). */
    readonly stackDir?: string;
    /** One policy config for every stack; default policies/config/<stack>.json. */
    readonly policyConfigFile?: string;
}

export interface PlannedStack {
    readonly stack: string;
    readonly stackFile: string;
    /** Pulumi.<stack>.yaml's config, parsed once for the program and the pack. */
    readonly stackConfig: StackFile;
    readonly policyConfigFile: string;
    readonly policyConfig: PolicyConfig;
}

/** Check every input that can be checked before running anything, so bad input fails fast with one line. */
export function planPreview(opts: PreviewOptions): { stackDir: string; stacks: PlannedStack[] } {
    const stackDir = path.resolve(opts.stackDir ?? REPO_ROOT);
    const stacks = resolveStacks(opts.stack, stackDir).map((stack) => {
        const file = path.resolve(opts.policyConfigFile ?? defaultPolicyConfigFile(stack));
        const shown = displayPath(file);
        let policyConfig: PolicyConfig;
        try {
            policyConfig = parsePolicyConfig(readPolicyConfig(file), shown);
        } catch (e) {
            throw e instanceof PolicyConfigError ? asInputError(e) : e;
        }
        const stackFile = displayPath(path.join(stackDir, `Pulumi.${stack}.yaml`));
        let stackConfig: StackFile;
        try {
            stackConfig = readStackFile(stack, stackDir);
        } catch (e) {
            throw e instanceof StackFileError ? new InputError(`stack ${stack}: ${e.message}`) : e;
        }
        return { stack, stackFile, stackConfig, policyConfigFile: shown, policyConfig };
    });
    return { stackDir, stacks };
}

/** Stack config as the Pulumi CLI hands it to plugins: every value a string, objects and lists as JSON. */
export function stackConfigStrings({ values }: StackFile): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}
