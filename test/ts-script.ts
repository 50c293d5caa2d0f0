/**
 * The repository's scripts run as child processes, as users run them. A TypeScript entry point
 * starts the way `npm run <script>` starts it (package.json): `node --import tsx <script> <args>`,
 * with no tsx CLI process in between.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../tools/stack-file";

export function tsScript(script: string, ...args: string[]): [string, string[]] {
    return [process.execPath, ["--import", "tsx", script, ...args]];
}

/** What a script run printed and how it exited (`code` null: killed, e.g. by the timeout). */
export interface ScriptResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Run `script` (relative to the repo root) as a child process, from the repo root, without colour. */
export function runTsScript(script: string, args: readonly string[], timeoutMs = 60_000): Promise<ScriptResult> {
    return new Promise((resolve) => {
        execFile(
            ...tsScript(script, ...args),
            { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...process.env, NO_COLOR: "1" } },
            (err, stdout, stderr) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
    });
}

/** What a process printed and its exit status (null: killed, e.g. by the timeout). */
export interface ProcessResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Run a command from the repo root with PATH replaced; resolves when it has exited. */
export function runWithPath(cmd: string, args: readonly string[], PATH: string): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, PATH }, timeout: 60_000 });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/** A fresh PATH holding only node, so no pulumi CLI can be found however the machine is set up. */
export function nodeOnlyPath(): string {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "credlink-node-only-"));
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    return bin;
}
