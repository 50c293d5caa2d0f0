/**
 * `npm run preview -- --stack <name>|all`: the offline `pulumi preview --policy-pack policies`
 * (tools/preview/cli.ts). Runs the program for each stack under Pulumi's mocks in preview mode,
 * sends the resources to the policy pack in its own process over the Analyzer gRPC protocol,
 * prints the plan and the policy report, and writes JSON/SARIF.
 *
 * Exit codes: 0 no mandatory violation; 1 a mandatory violation or a program
 * error; 2 bad input (unknown stack, unreadable policy config, bad flag).
 */
import { processIo } from "../tools/cli-io";
import { previewMain } from "../tools/preview/cli";

// tsx turns source maps on, and Node then reads the source map of every module loaded after it
// (about 0.1 s for the SDK and the program, which load after this line). Nothing here needs them:
// errors are printed as one line, never as a stack trace.
process.setSourceMapsEnabled(false);

void previewMain(process.argv.slice(2), processIo).then((code) =>
    // Exit now: the policy pack's process and gRPC channels must not keep Node alive.
    process.exit(code),
);
