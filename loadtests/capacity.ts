/**
 * Capacity: constant arrival rates in steps (START_RATE, +RATE_STEP, STEPS of STEP_DURATION) on the
 * task share of the workload; the highest step within the SLO is the target's capacity, divided by
 * TASKS per task. Writes capacity.json next to the reports. Stops at the first step that misses the
 * SLO (k6 then exits 99: that is the knee, not an error of the run).
 *
 *   TARGET_URL=https://<cloudfront-domain> TASKS=1 k6 run loadtests/capacity.ts
 *
 * Environment and the format of capacity.json: loadtests/README.md. Logic lives in ./lib (pure) and ./k6/workload.ts.
 */
import { FIXTURE } from "./lib/api.ts";
import { defineLoadTest } from "./k6/workload.ts";

const test = defineLoadTest("capacity", __ENV, open(FIXTURE.path, "b"));

export const options = test.options;
export const setup = test.setup;
export const capacity = test.capacity;
export const handleSummary = test.handleSummary;
