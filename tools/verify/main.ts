/**
 * The whole `npm run verify` command, in-process: argv in, exit code out, lines on io.out and
 * io.err. scripts/verify.ts only wires it to the process (and tests call it without spawning one).
 */
import { type CliIo, runCommand } from "../cli-io";
import { parseCli } from "./cli";
import { runVerify, type VerifyDeps } from "./run";

/** Exit 0 = matches, 1 = drift, 2 = bad input or environment (one `verify: ` line per problem on err). */
export function verifyMain(argv: readonly string[], io: CliIo, deps: Omit<VerifyDeps, "print">): Promise<number> {
    return runCommand("verify", argv, io, parseCli, (options, print) => runVerify(options, { ...deps, print }));
}
