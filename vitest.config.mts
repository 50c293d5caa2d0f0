import * as os from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Files that run a Pulumi program (the runtime under mocks is process-global and keeps state
 * between runs), mock modules, stub the environment or count the policy packs their process
 * runs: each gets a fresh process.
 */
const ISOLATED = [
    "test/{alerts,cdn,cdn-invalidate,composition,config,database,harness,private-bucket}.test.ts",
    "test/{scaling-notifications,scaling-service,slo-dashboard,stack,tags}.test.ts",
    "test/redteam/**/*.test.ts",
    "test/preview/cli.test.ts",
    "test/policies/stacks.test.ts",
    "test/policies/analyzer-client.test.ts",
    "test/policies/prebuilt-pack.test.ts",
    "test/capacity/stacks.test.ts",
    "test/verify/{aws,cli,probes,program,verify}.test.ts",
    "loadtests/test/workload.test.ts",
];

/**
 * The rest are plain modules or talk to policy packs through test/policies/fixtures.ts: a worker's
 * files share imports and packs.
 */
const SHARED = ["test/**/*.test.ts", "loadtests/test/**/*.test.ts"];

const common = {
    pool: "forks" as const,
    testTimeout: 60_000,
    hookTimeout: 60_000,
};

export default defineConfig({
    test: {
        // One worker per core, not vitest's cores - 1: much of a file's time is spent waiting on the
        // policy pack's own process, so a 2-core machine finishes sooner with two files at a time.
        maxWorkers: os.availableParallelism(),
        projects: [
            { test: { ...common, name: "isolated", include: ISOLATED, isolate: true } },
            { test: { ...common, name: "shared", include: SHARED, exclude: ISOLATED, isolate: false } },
        ],
    },
});
