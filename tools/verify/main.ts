/**
 * The whole `npm run verify` command, in-process: argv in, exit code out, lines on io.out and
 * io.err. scripts/verify.ts only wires it to the process (and tests call it without spawning one).
 */
import type { CliIo } from "../cli-io";
import { parseCli } from "./cli";
import { runVerify, type VerifyDeps } from "./run";

/** Exit 0 = matches, 1 = drift, 2 = bad input or environment (one `verify: ` line per problem on err). */
export async function verifyMain(argv: readonly string[], io: CliIo, deps: Omit<VerifyDeps, "print">): Promise<number> {
    const fail = (message: string, code: number): number => {
        for (const line of message.split("\n")) io.err(`verify: ${line}\n`);
        return code;
    };
    const cli = parseCli(argv, io);
    if (cli.kind === "exit") return cli.message ? fail(cli.message, cli.code) : cli.code;
    const run = await runVerify(cli.options, { ...deps, print: (line) => io.out(`${line}\n`) });
    return run.error ? fail(run.error, run.exitCode) : run.exitCode;
}
