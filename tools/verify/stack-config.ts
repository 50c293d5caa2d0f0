/**
 * The stack's expected state comes from its stack file, read by the tools' one
 * stack-file reader and validated by the same `parseConfig` the Pulumi program
 * uses, so verify and the program can never disagree about what a setting means
 * or defaults to.
 */
import { ConfigError, parseConfig, type StackConfig } from "../../lib/config";
import { readStackFile, StackFileError } from "../stack-file";
import { VerifyError } from "./types";

export { shortStackName } from "../stack-file";

export interface LoadedStackConfig {
    readonly config: StackConfig;
    readonly file: string;
    /** `namespace:key` of every `secure:` value: their plaintext is unknown here, only their presence. */
    readonly secureKeys: ReadonlySet<string>;
}

export function readStackConfig(stack: string, projectDir: string): LoadedStackConfig {
    let file;
    try {
        file = readStackFile(stack, projectDir);
    } catch (e) {
        if (e instanceof StackFileError) throw new VerifyError(e.message);
        throw e;
    }
    const secureKeys = new Set(file.secretKeys);
    try {
        return {
            config: parseConfig({ values: file.values, secretKeys: secureKeys, stack: file.stack }),
            file: file.file,
            secureKeys,
        };
    } catch (e) {
        if (e instanceof ConfigError)
            throw new VerifyError(e.problems.map((p) => `Pulumi.${file.stack}.yaml: ${p}`).join("\n"));
        throw e;
    }
}
