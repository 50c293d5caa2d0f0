/**
 * The whole `npm run cdn:invalidate` command, in-process: argv in, exit code out, lines on io.out
 * and io.err. scripts/cdn-invalidate.ts only wires it to the process (and tests call it without
 * spawning one).
 */
import { type CliIo, runCommand } from "../cli-io";
import { parseCli } from "./cli";
import { runInvalidation, type InvalidateDeps } from "./run";

/** Exit 0 = completed, 1 = not completed, 2 = bad input or environment (one line per problem on err). */
export function cdnInvalidateMain(
    argv: readonly string[],
    io: CliIo,
    deps: Omit<InvalidateDeps, "print">,
): Promise<number> {
    return runCommand("cdn:invalidate", argv, io, parseCli, (options, print) =>
        runInvalidation(options, { ...deps, print }),
    );
}
