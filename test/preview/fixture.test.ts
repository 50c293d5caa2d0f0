/**
 * The seeded-violations stack file must stay the production stack file plus
 * exactly the seeded changes, or the preview test would catch drift instead of
 * the violations it seeds.
 */
import * as path from "node:path";
import { expect, it } from "vitest";
import { readStackFile, REPO_ROOT } from "../../tools/stack-file";

const SEEDED_CHANGES = {
    "credlink:scaling.minTasks": 1,
    "credlink:scaling.maxTasks": 400,
    "credlink:cdn.staticMaxTtl": 2 * 365 * 24 * 3600,
    "credlink:alarms.latencyP95ThresholdMs": 2000,
} as const;

it("test/preview/fixtures/Pulumi.seeded.yaml is Pulumi.production.yaml with only the seeded changes", () => {
    const production = readStackFile("production").values;
    const seeded = readStackFile("seeded", path.join(REPO_ROOT, "test", "preview", "fixtures")).values;
    expect(seeded, "update test/preview/fixtures/Pulumi.seeded.yaml to match Pulumi.production.yaml").toEqual({
        ...production,
        ...SEEDED_CHANGES,
    });
    for (const key of Object.keys(SEEDED_CHANGES)) expect(production[key], key).not.toBe(seeded[key]);
});
