/**
 * Every stack file, previewed as a brand-new stack under the harness, through
 * the policy pack exactly as `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json` runs it: zero mandatory
 * violations, and no rule skipped because a value was unknown at preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    analyzeResources,
    DEFAULT_PACK_DIR,
    type Diagnostic,
    loadPolicyConfigFile,
    type PolicyPackProcess,
    SKIPPED_AT_PREVIEW,
    startPolicyPack,
} from "../../tools/analyzer";
import { isUnknown, runStack, type StackRun } from "../../tools/harness/run";
import { readStackFile, REPO_ROOT, stackNames } from "../../tools/stack-file";
import { stackConfigStrings } from "../../tools/preview/inputs";
import { TTL } from "../../policies/slo";
import { isPairingNote } from "./fixtures";

const STACKS = stackNames();
const configFile = (stack: string) => path.join(DEFAULT_PACK_DIR, "config", `${stack}.json`);

let pack: PolicyPackProcess;
const runs = new Map<string, StackRun>();
const results = new Map<string, Diagnostic[]>();

const packs: PolicyPackProcess[] = [];

/** A pack for a stack as the CLI starts one: the stack's own config in PULUMI_CONFIG, its policy config. */
async function packFor(stack: string): Promise<PolicyPackProcess> {
    const p = await startPolicyPack(DEFAULT_PACK_DIR, {
        project: "credlink",
        stack,
        stackConfig: stackConfigStrings(readStackFile(stack)),
    });
    packs.push(p);
    await p.configure(loadPolicyConfigFile(configFile(stack)), path.relative(REPO_ROOT, configFile(stack)));
    return p;
}

beforeAll(async () => {
    const started = STACKS.map(packFor);
    for (const [i, stack] of STACKS.entries()) {
        const run = await runStack(stack, { preview: true });
        runs.set(stack, run);
        const p = await started[i];
        if (stack === "production") pack = p;
        results.set(stack, await analyzeResources(p, run.resources));
    }
});
afterAll(async () => {
    await Promise.all(packs.map((p) => p.close()));
});

const describeFinding = (d: Diagnostic) => `[${d.enforcementLevel}] ${d.policyName}: ${d.message.split("\n")[1]}`;

it("has a policy config for every stack file", () => {
    expect(STACKS).toEqual(["dev", "production", "staging"]);
    for (const stack of STACKS) expect(fs.existsSync(configFile(stack)), configFile(stack)).toBe(true);
});

describe.each(STACKS)("stack %s, fresh-stack preview", (stack) => {
    it("has no mandatory violation", () => {
        expect(
            results
                .get(stack)!
                .filter((d) => d.enforcementLevel === "mandatory")
                .map(describeFinding),
        ).toEqual([]);
    });

    it("skipped no rule because of a value unknown at preview", () => {
        const ds = results.get(stack)!;
        expect(
            ds
                .filter(
                    (d) => SKIPPED_AT_PREVIEW.test(d.message) || d.message.includes("can't be known during preview"),
                )
                .map(describeFinding),
        ).toEqual([]);
    });

    it("sent the pack a preview full of unknowns (so the check above means something)", () => {
        const resources = runs.get(stack)!.resources;
        const withUnknownInputs = resources.filter((r) => isUnknown(r.inputs));
        expect(withUnknownInputs.length).toBeGreaterThan(resources.length / 3);
    });
});

it("dev's advisories are exactly the rules dev relaxes on purpose", () => {
    const relaxed = results.get("dev")!.filter((d) => !isPairingNote(d));
    expect([...new Set(relaxed.map((d) => d.policyName))].sort()).toEqual([
        "alarm-topic-subscribed",
        "cdn-minimum-tls",
        "database-enhanced-monitoring",
        "database-performance-insights",
    ]);
});

it(
    "production: the rules reach the real resources at preview (tightened thresholds are reported on " + "them)",
    async () => {
        const run = runs.get("production")!;
        const dist = run.ofType("aws:cloudfront/distribution:Distribution")[0];
        // The path the cache-TTL stack rules must take: cache policy IDs are unknown at preview.
        expect(
            (dist.inputs.orderedCacheBehaviors as Array<{ cachePolicyId: unknown }>).every((b) =>
                isUnknown(b.cachePolicyId),
            ),
        ).toBe(true);

        await pack.configure(
            {
                ...loadPolicyConfigFile(configFile("production")),
                "scaling-task-range": { properties: { maxTasks: 10 } },
                // Tighten the static band; the proofs band stays as configured (a cached path without
                // a band is itself a violation).
                "cdn-ttl-bands": {
                    properties: {
                        paths: [
                            { pathPattern: "/static/*", minTtl: TTL.static.minTtl, maxTtl: TTL.static.defaultTtl },
                            { pathPattern: "/proofs/*", minTtl: TTL.proofs.minTtl, maxTtl: TTL.proofs.maxTtl },
                        ],
                    },
                },
                "alarm-latency": { properties: { maxThresholdSeconds: 0.25 } },
                "alarm-coverage": {
                    properties: { requiredAlarmMetrics: { "aws:rds/instance:Instance": ["AWS/RDS:ReplicaLag"] } },
                },
                "database-performance-insights": { properties: { minRetentionDays: 31 } },
            },
            "tightened production config",
        );
        const ds = await analyzeResources(pack, run.resources);
        const typeOf = (urn: string) => urn.split("::")[2].split("$").pop();
        expect(
            ds
                .filter((d) => d.enforcementLevel === "mandatory")
                .map((d) => `${d.policyName} -> ${typeOf(d.urn)}`)
                .sort(),
        ).toEqual([
            "alarm-coverage -> aws:rds/instance:Instance",
            "alarm-latency -> aws:cloudwatch/metricAlarm:MetricAlarm",
            "cdn-ttl-bands -> aws:cloudfront/distribution:Distribution",
            "database-performance-insights -> aws:rds/instance:Instance",
            "scaling-task-range -> aws:appautoscaling/target:Target",
        ]);
    },
);
