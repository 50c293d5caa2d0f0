/**
 * The `npm run preview` command (scripts/preview.ts is its entry point): the offline
 * `pulumi preview --policy-pack policies`.
 * Runs the program for each stack under Pulumi's mocks in preview mode, sends
 * the resources to the policy pack in its own process over the Analyzer gRPC
 * protocol, prints the plan and the policy report, and writes JSON/SARIF.
 *
 * Exit codes: 0 no mandatory violation; 1 a mandatory violation or a program
 * error; 2 bad input (unknown stack, unreadable policy config, bad flag).
 */
import type { CliIo } from "../cli-io";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { launchEvaluator, type LaunchedEvaluator } from "./evaluator";
import { InputError, planPreview } from "./inputs";
import { buildJsonReport, renderStackPreview, renderSummary } from "./report";
import { buildSarif } from "./sarif";
import { previewFailed, programErrorMessage, type StackPreview } from "./types";

interface Flags {
    stack: string;
    policyConfig?: string;
    stackDir?: string;
    json?: string;
    sarif?: string;
    verbose?: boolean;
}

export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

function parseFlags(argv: readonly string[], io: CliIo): Flags {
    const program = new Command()
        .name("npm run preview --")
        .description("Preview stacks offline under Pulumi's mocks and check them with the policy pack (policies/).")
        .requiredOption("--stack <name>", 'stack to preview (a Pulumi.<name>.yaml), or "all"')
        .option("--policy-config <file>", "policy pack config (default: policies/config/<stack>.json)")
        .option("--stack-dir <dir>", "directory holding the Pulumi.<stack>.yaml files (default: the repo root)")
        .option("--json <file>", "write the JSON report to <file>")
        .option("--sarif <file>", "write a SARIF 2.1.0 report for GitHub code scanning to <file>")
        .option("--verbose", "print the resource tree of each stack")
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    program.parse([...argv], { from: "user" });
    return program.opts<Flags>();
}

function writeReport(file: string, content: unknown): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * Runs the command; returns its exit code. Bad input (InputError) and any other failure are
 * one `error:` line on stderr, never a stack trace.
 */
export async function previewMain(argv: readonly string[], io: CliIo): Promise<number> {
    try {
        return await run(argv, io);
    } catch (e) {
        io.err(`error: ${programErrorMessage(e)}\n`);
        return e instanceof InputError ? EXIT.badInput : EXIT.failed;
    }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
    let flags: Flags;
    try {
        flags = parseFlags(argv, io);
    } catch (e) {
        // Commander has already printed its one-line message (or the help).
        if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
        throw e;
    }

    const { stacks } = planPreview({
        stack: flags.stack,
        stackDir: flags.stackDir,
        policyConfigFile: flags.policyConfig,
    });

    // Each stack's pack boots in its own process while this one works: the first while this one
    // loads @pulumi/pulumi and the program (so ./preview, which loads them, is imported only once
    // the pack is spawned), each next one while the stack before it is previewed.
    const packs: LaunchedEvaluator[] = [launchEvaluator(stacks[0])];
    let handedOver = 0; // packs given to previewStack, which closes them
    const previews: StackPreview[] = [];
    try {
        await packs[0].spawned;
        const { previewStack } = await import("./preview");
        for (const [i, planned] of stacks.entries()) {
            if (i + 1 < stacks.length) {
                packs.push(launchEvaluator(stacks[i + 1]));
                await packs[i + 1].spawned;
            }
            handedOver = i + 1;
            const preview = await previewStack(planned, packs[i]);
            previews.push(preview);
            if (previews.length > 1) io.out("\n");
            io.out(`${renderStackPreview(preview, { verbose: flags.verbose })}\n`);
            for (const w of preview.warnings) io.out(`warning: stack ${preview.stack}: ${w}\n`);
            if (preview.error !== undefined) io.err(`error: stack ${preview.stack}: ${preview.error}\n`);
        }
    } finally {
        // Only when something threw: packs started for stacks that were never previewed.
        for (const p of packs.slice(handedOver)) await p.ready.then((e) => e.close()).catch(() => undefined);
    }

    io.out(`\n${renderSummary(previews)}\n`);
    if (flags.json) writeReport(flags.json, buildJsonReport(previews));
    if (flags.sarif) writeReport(flags.sarif, buildSarif(previews));
    return previews.some(previewFailed) ? EXIT.failed : EXIT.ok;
}
