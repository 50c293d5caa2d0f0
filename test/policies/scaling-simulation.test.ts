/**
 * scaling-simulated-overload, through the pack running in its own process over gRPC: the
 * scalable target and target-tracking policies come from the resources, the per-task rate and
 * the peak from the stack config the CLI hands the pack (PULUMI_CONFIG).
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic, PolicyPackProcess } from "../../tools/analyzer";
import type { InputsOf } from "../resources";
import { advisory, analyze, changed, compliantStack, mandatory, openPack, T, TEST_CONFIG } from "./fixtures";

const RULE = "scaling-simulated-overload";
const SERVICE = `${T.service} "api"`;
/** The SLO's peak (no peak in the stack config): 1000 req/s. */
const NO_STACK_CONFIG = {};

const findings = (ds: readonly Diagnostic[]) => ds.filter((d) => d.policyName === RULE);
const line = (d: Diagnostic) => d.message.split("\n")[1];

const packs: PolicyPackProcess[] = [];
async function pack(stackConfig: Record<string, string>, config = TEST_CONFIG): Promise<PolicyPackProcess> {
    const p = await openPack(config, stackConfig);
    packs.push(p);
    return p;
}
afterAll(async () => {
    await Promise.all(packs.map((p) => p.close()));
});

let atSloPeak: PolicyPackProcess;
beforeAll(async () => {
    atSloPeak = await pack(NO_STACK_CONFIG);
});

describe("the compliant fixture", () => {
    it("is not reported when its minimum carries the stack's peak (40 req/s on 2 tasks of 23.8)", async () => {
        const p = await pack({ "credlink:scaling.peakRequestsPerSecond": "40" });
        expect(findings(await analyze(p, compliantStack()))).toEqual([]);
    });

    it("is reported, advisory, for the spike and load profiles at the SLO's 1000 req/s peak", async () => {
        const ds = findings(await analyze(atSloPeak, compliantStack()));
        expect(mandatory(ds)).toEqual([]);
        expect(advisory(ds)).toHaveLength(2);
        const [spike, load] = ds.map(line);
        // 2..20 tasks at 1000 requests per target per minute: 1000 / 60 / 0.7 = 23.8 req/s per task.
        expect(spike).toMatch(
            new RegExp(
                `^${SERVICE}: simulated k6 spike profile \\(23\\.8 req/s per task, planning assumption: 1000 ` +
                    `requests per target per minute / 60 / 0\\.7; task start-up 60 s\\) = overloaded \\d+ s ` +
                    `between 0:02 and \\d:\\d\\d, [\\d,]+ requests over capacity \\(\\d+ %\\), up to \\d+ tasks; ` +
                    `allowed: at most 0 s of overload\\. Fix: `,
            ),
        );
        // 20 tasks carry 476 req/s: no minTasks helps, maxTasks must reach ceil(1000 / 23.8) = 42.
        expect(spike).toContain(
            "Fix: 20 tasks carry 476 req/s, less than the 1,000 req/s peak: raise credlink:scaling.maxTasks " +
                "to at least 42",
        );
        expect(load).toContain("simulated k6 load profile");
    });
});

describe("reads the resources", () => {
    it("passes a stack whose minimum carries the peak (minCapacity 42 of 23.8 req/s >= 1000)", async () => {
        const stack = changed(compliantStack(), T.target, "api", (t) => {
            t.minCapacity = 42;
            t.maxCapacity = 60;
        });
        expect(findings(await analyze(atSloPeak, stack))).toEqual([]);
        const oneShort = changed(compliantStack(), T.target, "api", (t) => {
            t.minCapacity = 41;
            t.maxCapacity = 60;
        });
        const ds = findings(await analyze(atSloPeak, oneShort));
        expect(ds.map(line)[0]).toContain("Fix: set credlink:scaling.minTasks to at least 42:");
    });

    it("takes the per-task rate from the request policy's target", async () => {
        const stack = changed<InputsOf<aws.appautoscaling.PolicyArgs>>(
            compliantStack(),
            T.policy,
            "api-requests",
            (p) => {
                p.targetTrackingScalingPolicyConfiguration!.targetValue = 1400; // 33.3 req/s per task
            },
        );
        const [spike] = findings(await analyze(atSloPeak, stack)).map(line);
        expect(spike).toContain("(33.3 req/s per task, planning assumption: 1400 requests per target per minute");
        // 20 x 33.3 = 667 req/s: still short of 1000, so maxTasks must reach ceil(1000 / 33.33) = 30.
        expect(spike).toContain("raise credlink:scaling.maxTasks to at least 30");
    });
});

describe("reads the stack config", () => {
    it("uses a measured per-task rate (credlink:scaling.taskCapacityRps)", async () => {
        // 50 req/s per task: 20 tasks carry the 1000 req/s peak, 19 do not.
        const p = await pack({ "credlink:scaling.taskCapacityRps": "50" });
        const ds = findings(await analyze(p, compliantStack())).map(line);
        expect(ds[0]).toContain("simulated k6 spike profile (50.0 req/s per task, credlink:scaling.taskCapacityRps;");
        expect(ds[0]).toContain("Fix: set credlink:scaling.minTasks to at least 20:");
    });

    it("reports a per-task rate that is not a positive number, once per service", async () => {
        const p = await pack({ "credlink:scaling.taskCapacityRps": "fast" });
        expect(findings(await analyze(p, compliantStack())).map(line)).toEqual([
            `${SERVICE}: credlink:scaling.taskCapacityRps (stack config) = "fast"; allowed: a positive number of ` +
                "requests per second. Fix: set it with `pulumi config set scaling.taskCapacityRps <requests per " +
                "second>` or remove it",
        ]);
    });
});

describe("policy config", () => {
    it("is mandatory where the config says so", async () => {
        const p = await pack(NO_STACK_CONFIG, {
            ...TEST_CONFIG,
            [RULE]: { enforcementLevel: "mandatory", properties: {} },
        });
        const ds = findings(await analyze(p, compliantStack()));
        expect(ds.map((d) => d.enforcementLevel)).toEqual(["mandatory", "mandatory"]);
    });

    it("replays the configured profiles and allows the configured overload", async () => {
        const only = await pack(NO_STACK_CONFIG, {
            ...TEST_CONFIG,
            [RULE]: { properties: { profiles: ["throughput"], maxOverloadSeconds: 59 } },
        });
        // Throughput offers the peak from the first second: overloaded for its whole 60 s.
        const ds = findings(await analyze(only, compliantStack())).map(line);
        expect(ds).toHaveLength(1);
        expect(ds[0]).toMatch(/simulated k6 throughput profile .* = overloaded 60 s between 0:00 and 1:00/);
        expect(ds[0]).toContain("allowed: at most 59 s of overload");
        const lenient = await pack(NO_STACK_CONFIG, {
            ...TEST_CONFIG,
            [RULE]: { properties: { profiles: ["throughput"], maxOverloadSeconds: 60 } },
        });
        expect(findings(await analyze(lenient, compliantStack()))).toEqual([]);
    });

    it("takes the task start-up from the config", async () => {
        const p = await pack(NO_STACK_CONFIG, { ...TEST_CONFIG, [RULE]: { properties: { startupSeconds: 15 } } });
        expect(findings(await analyze(p, compliantStack())).map(line)[0]).toContain("task start-up 15 s)");
    });
});
