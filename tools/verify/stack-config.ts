/**
 * The stack's expected state comes from its stack file, read and validated by
 * the same `parseConfig` the Pulumi program uses, so verify and the program can
 * never disagree about what a setting means or defaults to.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseConfig, PROJECT, type StackConfig } from "../../lib/config";
import { VerifyError } from "./types";

export interface LoadedStackConfig {
    readonly config: StackConfig;
    readonly file: string;
    /** `namespace:key` of every `secure:` value: their plaintext is unknown here, only their presence. */
    readonly secureKeys: ReadonlySet<string>;
}

/** `org/project/production` and `production` both name the stack file Pulumi.production.yaml. */
export function shortStackName(stack: string): string {
    return stack.slice(stack.lastIndexOf("/") + 1);
}

export function readStackConfig(stack: string, projectDir: string): LoadedStackConfig {
    const name = shortStackName(stack);
    const file = path.join(projectDir, `Pulumi.${name}.yaml`);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new VerifyError(`Stack file Pulumi.${name}.yaml not found in ${projectDir}: --stack must name a stack of this project (e.g. --stack production)`);
    }
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch (e) {
        throw new VerifyError(`Pulumi.${name}.yaml is not valid YAML: ${firstLine(e)}`);
    }
    const block = doc && typeof doc === "object" ? (doc as { config?: unknown }).config : undefined;
    if (block !== undefined && block !== null && (typeof block !== "object" || Array.isArray(block))) {
        throw new VerifyError(`Pulumi.${name}.yaml: "config" must be a map of key: value`);
    }

    const values: Record<string, unknown> = {};
    const secureKeys = new Set<string>();
    for (const [key, value] of Object.entries((block ?? {}) as Record<string, unknown>)) {
        // Keys without a namespace belong to the project, as in the Pulumi CLI.
        const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value && typeof value === "object" && "secure" in value) {
            secureKeys.add(fullKey);
            continue;
        }
        values[fullKey] = value;
    }

    try {
        return { config: parseConfig({ values, secretKeys: secureKeys, stack: name }), file, secureKeys };
    } catch (e) {
        if (e instanceof ConfigError) throw new VerifyError(e.problems.map((p) => `Pulumi.${name}.yaml: ${p}`).join("\n"));
        throw e;
    }
}

function firstLine(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
