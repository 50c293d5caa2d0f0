/**
 * Post-deploy verification: `npm run verify -- --stack <name> [--probe]`.
 * See docs/verify.md. Prints one line per check, writes the report, and exits
 * 0 (matches), 1 (drift) or 2 (bad input or environment) without stack traces.
 */
import * as path from "node:path";
import { verifyMain } from "../tools/verify/main";
import { processIo } from "../tools/cli-io";

const fail = (message: string, code = 2): never => {
    for (const line of message.split("\n")) process.stderr.write(`verify: ${line}\n`);
    process.exit(code);
};

// The project runs Node 20 on purpose (the pinned Pulumi SDK needs it); the SDK's multi-line
// notice about future Node 22 requirements would bury the one-line results.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.on("unhandledRejection", (e) =>
    fail(`unexpected error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
);

verifyMain(process.argv.slice(2), processIo, { projectDir: path.resolve(__dirname, "..") }).then(
    // Explicit exit: an abandoned request (after a deadline) must not keep the process alive.
    (code) => process.exit(code),
    (e: unknown) => fail(`unexpected error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
);
