/**
 * Spike: warm up to VUS, surge to 5x VUS for DURATION, drop back and watch the recovery.
 *
 *   TARGET_URL=https://<cloudfront-domain> k6 run loadtests/spike.ts
 *
 * Environment and shapes: loadtests/README.md. Logic lives in ./lib (pure) and ./k6/workload.ts.
 */
import { FIXTURE } from "./lib/api.ts";
import { defineLoadTest } from "./k6/workload.ts";

const test = defineLoadTest("spike", __ENV, open(FIXTURE.path, "b"));

export const options = test.options;
export const setup = test.setup;
export const health = test.health;
export const sign = test.sign;
export const verify = test.verify;
export const proofs = test.proofs;
export const handleSummary = test.handleSummary;
