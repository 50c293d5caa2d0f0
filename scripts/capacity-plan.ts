/**
 * `npm run capacity:plan -- --stack <name> (--per-task-rps <n> | --from <capacity.json>) [--json] [--write]`:
 * derive a stack's task ceiling and request-count target from what one task sustains, with the
 * monthly Fargate cost of its task range (tools/capacity/). Exit 0 = planned, 2 = bad input.
 */
import { runCapacityPlan } from "../tools/capacity/cli";
import { processIo } from "../tools/cli-io";

try {
    process.exitCode = runCapacityPlan(process.argv.slice(2), processIo);
} catch (e) {
    process.stderr.write(
        `capacity:plan: unexpected error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`,
    );
    process.exitCode = 1;
}
