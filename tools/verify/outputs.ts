/**
 * Stack outputs, from `pulumi stack output --json` or a file (CI), validated
 * against the same schema the program's outputs are tested with.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { StackOutputsSchema, type StackOutputs } from "../../lib/outputs";
import { shortStackName } from "./stack-config";
import { VerifyError } from "./types";

/** Runs `pulumi <args>` and resolves with stdout; rejects like child_process.execFile. */
export type PulumiRunner = (args: readonly string[], opts: { cwd: string; timeoutMs: number }) => Promise<string>;

export const runPulumiCli: PulumiRunner = (args, { cwd, timeoutMs }) =>
    new Promise((resolve, reject) => {
        execFile(
            "pulumi",
            [...args],
            {
                cwd,
                timeout: timeoutMs,
                maxBuffer: 16 * 1024 * 1024,
                env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
            },
            // ExecFileException is an Error, but declared as an Omit<> of one; Error is what is rejected.
            (error: Error | null, stdout, stderr) => {
                if (error) reject(Object.assign(error, { stderr }));
                else resolve(stdout);
            },
        );
    });

export interface OutputsSource {
    readonly stack: string;
    readonly outputsFile?: string;
    readonly projectDir: string;
    readonly timeoutMs: number;
    readonly runPulumi?: PulumiRunner;
}

export interface LoadedOutputs {
    readonly outputs: StackOutputs;
    /** Where they came from, for the report. */
    readonly source: string;
}

export async function loadOutputs(src: OutputsSource): Promise<LoadedOutputs> {
    const { text, source } = src.outputsFile !== undefined ? readOutputsFile(src.outputsFile) : await readFromCli(src);
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new VerifyError(
            `Stack outputs from ${source} are not JSON (${(e as Error).message}): write them with ` +
                `\`pulumi stack output --json --stack ${src.stack} > outputs.json\``,
        );
    }
    const expectedStack = shortStackName(src.stack);
    // Another stack's outputs are one problem, not a list of schema differences.
    const rawStack = raw && typeof raw === "object" ? (raw as { stack?: unknown }).stack : undefined;
    if (typeof rawStack === "string" && rawStack !== expectedStack) {
        throw new VerifyError(
            `Stack outputs from ${source} belong to stack "${rawStack}", not "${expectedStack}": ` +
                `pass that stack's outputs, or run with --stack ${rawStack}`,
        );
    }
    const parsed = StackOutputsSchema.safeParse(raw);
    if (!parsed.success) {
        throw new VerifyError(
            parsed.error.issues
                .map((i) => {
                    const what = i.path.length > 0 ? `"${i.path.join(".")}"` : "the document";
                    const problem = i.message
                        .replace(/^Invalid input: /, "")
                        .replace(/^expected (\w+), received undefined$/, "is missing (expected $1)");
                    return `Stack outputs from ${source}: ${what} ${problem}`;
                })
                .join("\n"),
        );
    }
    return { outputs: parsed.data, source };
}

function readOutputsFile(file: string): { text: string; source: string } {
    try {
        return { text: fs.readFileSync(file, "utf8"), source: file };
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
            code === "ENOENT"
                ? "no such file"
                : code === "EISDIR"
                  ? "is a directory"
                  : `cannot be read (${code ?? (e as Error).message})`;
        throw new VerifyError(`--outputs ${file}: ${why}`);
    }
}

async function readFromCli(src: OutputsSource): Promise<{ text: string; source: string }> {
    const args = ["stack", "output", "--json", "--show-secrets=false", "--stack", src.stack];
    const source = `pulumi ${args.join(" ")}`;
    try {
        return {
            text: await (src.runPulumi ?? runPulumiCli)(args, { cwd: src.projectDir, timeoutMs: src.timeoutMs }),
            source,
        };
    } catch (e) {
        const err = e as NodeJS.ErrnoException & { killed?: boolean; signal?: string; stderr?: string };
        if (err.code === "ENOENT") {
            throw new VerifyError(
                `The pulumi CLI is not on PATH: install it, or pass the outputs as a file with ` +
                    `--outputs <file> (written by \`pulumi stack output --json --stack ${src.stack} > ` +
                    `outputs.json\`)`,
            );
        }
        if (err.killed || err.signal) {
            throw new VerifyError(
                `\`${source}\` did not finish within ${Math.round(src.timeoutMs / 1000)} s: check ` +
                    `\`pulumi login\` and the network, or pass --outputs <file>`,
            );
        }
        const reason =
            (err.stderr ?? "")
                .split("\n")
                .map((l) => l.trim())
                .filter(Boolean)
                .pop() ?? err.message.split("\n")[0];
        throw new VerifyError(`\`${source}\` failed: ${reason}`);
    }
}
