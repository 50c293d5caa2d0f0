/**
 * Smoke: 5 VUs for 30 s on every endpoint; aborts at the first SLO threshold that fails.
 *
 *   TARGET_URL=https://<cloudfront-domain> k6 run loadtests/smoke.ts
 *
 * Environment and shapes: loadtests/README.md. Logic lives in ./lib (pure) and ./k6/workload.ts.
 */
import { FIXTURE } from "./lib/api.ts";
import { defineLoadTest } from "./k6/workload.ts";

const test = defineLoadTest("smoke", __ENV, open(FIXTURE.path, "b"));

export const options = test.options;
export const setup = test.setup;
export const health = test.health;
export const sign = test.sign;
export const verify = test.verify;
export const proofs = test.proofs;
export const handleSummary = test.handleSummary;
