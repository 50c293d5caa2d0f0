/**
 * The complete k6 `options` of a run: scenarios + thresholds + summary settings.
 */
import type { Options, Scenario, Threshold } from "k6/options";
import { capacityScenarios, capacityThresholds, describeCapacity } from "./capacity.ts";
import type { LoadTestEnv } from "./env.ts";
import { buildScenarios, describeProfile } from "./profiles.ts";
import { buildThresholds } from "./thresholds.ts";
import type { TestType } from "./types.ts";

/** Trend columns of the summary; p(95) is the SLO, count feeds the reports. */
export const SUMMARY_TREND_STATS = Object.freeze(["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"]);

export function buildOptions(test: TestType, env: LoadTestEnv): Options {
    let scenarios: Record<string, Scenario>;
    let thresholds: Record<string, Threshold[]>;
    if (test === "capacity") {
        scenarios = capacityScenarios(env);
        thresholds = capacityThresholds(env.capacity);
    } else {
        scenarios = buildScenarios(test, env);
        thresholds = buildThresholds(test, Object.keys(scenarios));
    }
    return {
        scenarios,
        thresholds,
        summaryTrendStats: [...SUMMARY_TREND_STATS],
        // Test-wide tags become labels in Prometheus/Grafana Cloud, so runs can be told apart.
        tags: { test_type: test, workload: env.workload },
        // The k6 scripts' setup() signs one image (and may retry on 429) before any scenario starts.
        setupTimeout: "2m",
        userAgent: `credlink-loadtest/${test} (k6)`,
        cloud: { name: `credlink ${test} (${env.workload})` },
    };
}

/** One line describing the run's shape, printed by the wrapper before k6 starts. */
export function describeRun(test: TestType, env: LoadTestEnv): string {
    return test === "capacity" ? describeCapacity(env) : describeProfile(test, env);
}
