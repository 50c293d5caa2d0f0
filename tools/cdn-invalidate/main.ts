/**
 * The whole `npm run cdn:invalidate` command, in-process: argv in, exit code out, lines on io.out
 * and io.err. scripts/cdn-invalidate.ts only wires it to the process (and tests call it without
 * spawning one).
 */
import type { CliIo } from "../cli-io";
import { parseCli } from "./cli";
import { runInvalidation, type InvalidateDeps } from "./run";

/** Exit 0 = completed, 1 = not completed, 2 = bad input or environment (one line per problem on err). */
export async function cdnInvalidateMain(
    argv: readonly string[],
    io: CliIo,
    deps: Omit<InvalidateDeps, "print">,
): Promise<number> {
    const fail = (message: string, code: number): number => {
        for (const line of message.split("\n")) io.err(`cdn:invalidate: ${line}\n`);
        return code;
    };
    const cli = parseCli(argv, io);
    if (cli.kind === "exit") return cli.message ? fail(cli.message, cli.code) : cli.code;
    const run = await runInvalidation(cli.options, { ...deps, print: (line) => io.out(`${line}\n`) });
    return run.error ? fail(run.error, run.exitCode) : run.exitCode;
}
