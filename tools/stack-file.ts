/**
 * The one reader of Pulumi.<stack>.yaml for the offline tools (preview, verify,
 * the harness and the tests). It reads the file the way the Pulumi CLI does:
 * a key without a namespace belongs to the project (`scaling.maxTasks` is
 * `credlink:scaling.maxTasks`), and a `secure:` value is a secret whose plaintext
 * only the stack's secrets provider knows, so it stands in as SECRET_PLACEHOLDER.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, SECRET_PLACEHOLDER } from "../lib/project";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** A stack file that cannot be read: the message is one line naming the file and the fix. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

export interface StackFile {
    readonly stack: string;
    /** The file's path. */
    readonly file: string;
    /** Every config value by full key (`namespace:key`), as Pulumi hands them to the program. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Full keys of `secure:` values (their value is SECRET_PLACEHOLDER). */
    readonly secretKeys: readonly string[];
}

/** `org/project/production` and `production` both name the stack file Pulumi.production.yaml. */
export function shortStackName(stack: string): string {
    return stack.slice(stack.lastIndexOf("/") + 1);
}

export function stackFilePath(stack: string, dir = REPO_ROOT): string {
    return path.join(dir, `Pulumi.${shortStackName(stack)}.yaml`);
}

/** Stack names that have a Pulumi.<stack>.yaml in `dir`. */
export function stackNames(dir = REPO_ROOT): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function readStackFile(stack: string, dir = REPO_ROOT): StackFile {
    const name = shortStackName(stack);
    const file = stackFilePath(name, dir);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new StackFileError(
            `Pulumi.${name}.yaml not found in ${dir}: the stack must be one of this project's ` +
                `(${stackNames(dir).join(", ") || "none found"})`,
        );
    }
    return parseStackFile(name, file, text);
}

/** A stack file's text read as readStackFile reads the file (e.g. an edit before it is written). */
export function parseStackFile(name: string, file: string, text: string): StackFile {
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (e) {
        // YAML errors span several lines with a code frame: keep the first.
        const first = (e instanceof Error ? e.message : String(e)).split("\n")[0].replace(/:$/, "");
        throw new StackFileError(`Pulumi.${name}.yaml is not valid YAML: ${first}`);
    }
    const block = doc && typeof doc === "object" ? (doc as { config?: unknown }).config : undefined;
    if (block !== undefined && block !== null && (typeof block !== "object" || Array.isArray(block))) {
        throw new StackFileError(`Pulumi.${name}.yaml: "config" must be a map of key: value`);
    }
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries((block ?? {}) as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else values[fullKey] = value;
    }
    return { stack: name, file, values, secretKeys };
}
