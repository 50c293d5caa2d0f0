/**
 * `npm run simulate -- --stack <name> --profile <smoke|load|stress|spike|soak|throughput>
 * [--json <file>] [--svg <file>] [--stack-dir <dir>] [--duration <d>] [--startup-seconds <n>]`:
 * replays a k6 load profile through the stack's ECS autoscaling (tools/simulate).
 *
 * Exit codes: 0 done; 2 bad input (unknown stack or profile, invalid stack config, bad flag).
 */
import { processIo } from "../tools/cli-io";
import { main } from "../tools/simulate/cli";

try {
    process.exitCode = main(process.argv.slice(2), processIo);
} catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
}
