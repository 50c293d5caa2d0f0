/**
 * CDN invalidation of the entry documents: `npm run cdn:invalidate -- --stack <name> [--paths ...]`.
 * See docs/cdn.md. Exits 0 (completed), 1 (not completed) or 2 (bad input or environment), with
 * one line per problem and no stack trace.
 */
import * as path from "node:path";
import { cdnInvalidateMain } from "../tools/cdn-invalidate/main";
import { processIo } from "../tools/cli-io";

const fail = (message: string, code = 2): never => {
    for (const line of message.split("\n")) process.stderr.write(`cdn:invalidate: ${line}\n`);
    process.exit(code);
};

// Node 20 on purpose (the pinned Pulumi SDK needs it): keep the SDK's multi-line notice off the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.on("unhandledRejection", (e) =>
    fail(`unexpected error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
);

cdnInvalidateMain(process.argv.slice(2), processIo, { projectDir: path.resolve(__dirname, "..") }).then(
    // Explicit exit: an abandoned request (after a deadline) must not keep the process alive.
    (code) => process.exit(code),
    (e: unknown) => fail(`unexpected error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
);
