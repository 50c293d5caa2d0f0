/**
 * Rule metadata, per-environment config and waivers, through the pack's own
 * process: what `getAnalyzerInfo` reports, how `--policy-pack-config` entries
 * change levels and thresholds, and how waivers behave.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    loadPolicyConfigFile,
    parsePolicyConfig,
    type PolicyConfig,
    PolicyConfigError,
    type PolicyPackProcess,
} from "../../tools/analyzer";
import { DEFAULT_STARTUP_SECONDS } from "../../policies/simulation";
import { CAPACITY, CAPACITY_GATE, DATABASE, SCALING, SIMULATION, SLO, TTL } from "../../policies/slo";
import { DEFAULT_DENIED_TYPES } from "../../policies/unchecked-resource-types";
import {
    advisory,
    analyze,
    changed,
    compliantStack,
    expectCompliant,
    isPairingNote,
    mandatory,
    openPack,
    T,
    TEST_CONFIG,
    urnOf,
} from "./fixtures";

const RULES = [
    "cdn-api-not-cached",
    "cdn-ttl-bands",
    "cdn-ttl-order",
    "cdn-compression",
    "cdn-viewer-https",
    "cdn-minimum-tls",
    "scaling-task-range",
    "scaling-policy-type",
    "scaling-active",
    "scaling-target-tracking",
    "scaling-cooldowns",
    "scaling-links",
    "scaling-service-coverage",
    "scaling-capacity-at-target",
    "scaling-simulated-overload",
    "alarm-latency",
    "alarm-error-rate",
    "alarm-request-rate",
    "alarm-actions",
    "alarm-coverage",
    "alarm-readable",
    "alarm-notifies",
    "alarm-topic-subscribed",
    "alarm-not-silenced",
    "database-enhanced-monitoring",
    "database-performance-insights",
    "database-storage-encrypted",
    "database-not-public",
    "unchecked-resource-types",
];

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

/** Configure from JSON text as `--policy-pack-config` would read it (plus the shared test peak). */
async function configure(json: object): Promise<void> {
    await pack.configure({ ...TEST_CONFIG, ...parsePolicyConfig(JSON.stringify(json), "test.json") }, "test.json");
}

const bigTarget = () => changed(compliantStack(), T.target, "api", (t) => (t.maxCapacity = 140));
const targetWaiver = (expires: string) => ({
    rule: "scaling-task-range",
    name: "api",
    type: T.target,
    reason: "Black Friday load test, ticket SRE-123",
    expires,
});

describe("rule metadata (getAnalyzerInfo)", () => {
    it("serves every rule with an ID, description, severity, remediation steps, mandatory by default", () => {
        expect(pack.info.name).toBe("credlink-performance");
        expect(pack.info.supportsConfig).toBe(true);
        const rules = pack.info.policies.filter((p) => p.name !== "waivers");
        expect(rules.map((p) => p.name)).toEqual(RULES);
        for (const p of rules) {
            expect(p.description.length, p.name).toBeGreaterThan(20);
            expect(p.remediationSteps.length, p.name).toBeGreaterThan(20);
            expect(["low", "medium", "high", "critical"], p.name).toContain(p.severity);
            // The simulation gate stays advisory until a measured per-task rate backs it.
            const advisoryByDefault = ["scaling-simulated-overload"];
            expect(p.enforcementLevel, p.name).toBe(advisoryByDefault.includes(p.name) ? "advisory" : "mandatory");
        }
        expect(Object.fromEntries(pack.info.policies.map((p) => [p.name, p.type]))).toMatchObject({
            "cdn-ttl-bands": "stack",
            "alarm-coverage": "stack",
            "scaling-task-range": "resource",
            "scaling-links": "stack",
            "scaling-capacity-at-target": "stack",
            "database-enhanced-monitoring": "stack",
            "database-not-public": "resource",
            "unchecked-resource-types": "resource",
            waivers: "resource",
        });
    });

    it("takes every threshold default from the SLO module", () => {
        const defaults = Object.fromEntries(
            pack.info.policies.map((p) => [
                p.name,
                Object.fromEntries(
                    Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [
                        k,
                        (s as { default?: unknown }).default,
                    ]),
                ),
            ]),
        );
        expect(defaults["scaling-task-range"]).toEqual({
            minTasks: SCALING.tasks.min,
            maxTasks: CAPACITY_GATE.maxTasks,
        });
        expect(defaults["scaling-target-tracking"]).toEqual({
            cpuTargetMin: SCALING.cpuTargetPercent.min,
            cpuTargetMax: SCALING.cpuTargetPercent.max,
            memoryTargetMin: SCALING.memoryTargetPercent.min,
            memoryTargetMax: SCALING.memoryTargetPercent.max,
            taskCapacityRps: CAPACITY_GATE.planningTaskCapacityRps,
            maxTargetUtilization: CAPACITY.targetUtilization,
        });
        // The planning assumption reproduces the seed's 1000 requests per target per minute at the target.
        expect(Math.round(CAPACITY_GATE.planningTaskCapacityRps * CAPACITY.targetUtilization * 60)).toBe(
            SCALING.requestsPerTargetPerMinute.default,
        );
        expect(defaults["scaling-cooldowns"]).toEqual({
            scaleOutCooldownMaxSeconds: SCALING.scaleOutCooldownMaxSeconds,
            scaleInCooldownMinSeconds: SCALING.scaleInCooldownMinSeconds,
        });
        expect(defaults["scaling-capacity-at-target"]).toEqual({
            peakRequestsPerSecond: SLO.peakRequestsPerSecond,
            peakHeadroomPercent: CAPACITY.peakHeadroomPercent,
        });
        expect(defaults["scaling-simulated-overload"]).toEqual({
            profiles: ["spike", "load"],
            maxOverloadSeconds: SIMULATION.maxOverloadSeconds,
            startupSeconds: DEFAULT_STARTUP_SECONDS,
        });
        expect(defaults["unchecked-resource-types"].deniedTypes).toEqual([...DEFAULT_DENIED_TYPES]);
        expect(defaults["cdn-ttl-bands"].paths).toEqual([
            { pathPattern: "/static/*", minTtl: TTL.static.minTtl, maxTtl: TTL.static.maxTtl },
            { pathPattern: "/proofs/*", minTtl: TTL.proofs.minTtl, maxTtl: TTL.proofs.maxTtl },
        ]);
        expect(defaults["alarm-latency"]).toEqual({
            minPercentile: SLO.latencyPercentile,
            maxThresholdSeconds: SLO.latencyP95Ms / 1000,
        });
        expect(defaults["alarm-error-rate"].maxErrorRatePercent).toBe(SLO.errorRate * 100);
        expect(defaults["alarm-request-rate"]).toMatchObject({
            maxRequests: SLO.requestRateAlarm.requests,
            periodSeconds: SLO.requestRateAlarm.periodSeconds,
        });
        expect(defaults["database-enhanced-monitoring"].maxIntervalSeconds).toBe(
            DATABASE.enhancedMonitoringIntervalSeconds,
        );
        expect(defaults["database-performance-insights"].minRetentionDays).toBe(
            DATABASE.performanceInsightsRetentionDays,
        );
    });
});

describe("enforcement levels and thresholds from the config", () => {
    it('"all": "advisory" turns every violation into a warning', async () => {
        await configure({ all: "advisory" });
        const ds = await analyze(pack, bigTarget());
        expect(mandatory(ds)).toEqual([]);
        expect(
            advisory(ds)
                .filter((d) => !isPairingNote(d))
                .map((d) => d.policyName),
        ).toEqual(["scaling-task-range"]);
    });

    it("a disabled rule does not run", async () => {
        await configure({ "scaling-task-range": "disabled" });
        expectCompliant(await analyze(pack, bigTarget()));
    });

    it("a threshold override applies to the compliant stack", async () => {
        await configure({ "scaling-task-range": { maxTasks: 10 } });
        const ds = await analyze(pack, compliantStack());
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toEqual([
            `${T.target} "api": maxCapacity = 20; allowed: ${SCALING.tasks.min}..10 tasks. Fix: set ` +
                `credlink:scaling.maxTasks between ${SCALING.tasks.min} and 10`,
        ]);
    });
});

describe("waivers", () => {
    it("an active waiver reports the finding as advisory, marked WAIVED with its reason and expiry", async () => {
        await configure({ waivers: { waivers: [targetWaiver("2999-01-01")] } });
        const ds = await analyze(pack, bigTarget());
        expect(mandatory(ds)).toEqual([]);
        expect(
            advisory(ds)
                .filter((d) => !isPairingNote(d))
                .map((d) => [d.policyName, d.message.split("\n")[1]]),
        ).toEqual([
            [
                "scaling-task-range",
                `WAIVED until 2999-01-01 (Black Friday load test, ticket SRE-123): ${T.target} ` +
                    `"api": maxCapacity = 140; allowed: 2..100 tasks. Fix: set credlink:scaling.maxTasks ` +
                    `between 2 and 100`,
            ],
        ]);
    });

    it("an expired waiver no longer waives", async () => {
        await configure({ waivers: { waivers: [targetWaiver("2001-01-01")] } });
        const ds = await analyze(pack, bigTarget());
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toEqual([
            `${T.target} "api": maxCapacity = 140; allowed: 2..100 tasks. Fix: set ` +
                `credlink:scaling.maxTasks between 2 and 100 (The waiver for this resource expired on ` +
                `2001-01-01.)`,
        ]);
    });

    it("waives only the named rule on the named resource; a stack rule's finding is waived by URN", async () => {
        const stack = changed(bigTarget(), T.db, "database", (d) => (d.publiclyAccessible = true)).filter(
            (r) => r.name !== "api-unhealthy-hosts",
        );
        await configure({
            waivers: {
                waivers: [
                    {
                        rule: "alarm-coverage",
                        urn: urnOf(T.alb, "api"),
                        reason: "unhealthy-host alarm moves to the new target group in PR 42",
                        expires: "2999-01-01",
                    },
                    {
                        rule: "database-not-public",
                        name: "other-db",
                        type: T.db,
                        reason: "a different database entirely",
                        expires: "2999-01-01",
                    },
                ],
            },
        });
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).map((d) => d.policyName)).toEqual(["scaling-task-range", "database-not-public"]);
        expect(
            advisory(ds)
                .filter((d) => !isPairingNote(d))
                .map((d) => [d.policyName, d.urn, d.message.split("\n")[1]]),
        ).toEqual([
            [
                "alarm-coverage",
                urnOf(T.alb, "api"),
                expect.stringMatching(
                    new RegExp(
                        "^WAIVED until 2999-01-01 \\(unhealthy-host alarm moves to the new target group in PR 42\\): " +
                            'aws:lb/loadBalancer:LoadBalancer "api": alarms = .*' +
                            "Fix: add alarms on AWS/ApplicationELB:UnHealthyHostCount ",
                    ),
                ),
            ],
        ]);
    });

    const configError = (waiver: object) => configure({ waivers: { waivers: [waiver] } });

    it("a waiver without a reason is a config error", async () => {
        const { reason: _reason, ...noReason } = targetWaiver("2999-01-01");
        await expect(configError(noReason)).rejects.toThrow(
            new PolicyConfigError(['test.json: waivers: waivers[0] is missing "reason"']),
        );
    });

    it("a waiver for an unknown rule is a config error", async () => {
        await expect(configError({ ...targetWaiver("2999-01-01"), rule: "scaling-task-rnage" })).rejects.toThrow(
            `test.json: waivers: waivers[0].rule must be one of ` +
                `${RULES.map((r) => `"${r}"`).join(", ")} (found "scaling-task-rnage")`,
        );
    });

    it("a waiver with an impossible date, or naming its resource twice, is a config error", async () => {
        await expect(configError(targetWaiver("2026-02-30"))).rejects.toThrow(
            new PolicyConfigError(['test.json: waivers: waivers[0].expires must be a date (found "2026-02-30")']),
        );
        await expect(configError({ ...targetWaiver("2999-01-01"), urn: urnOf(T.target, "api") })).rejects.toThrow(
            new PolicyConfigError(["test.json: waivers: waivers[0] must name exactly one of: urn | name and type"]),
        );
    });
});

describe("config errors (one line each)", () => {
    it("names unknown policies, bad levels and values that break a rule's schema", () => {
        const check = (json: object) => () =>
            pack.configure(parsePolicyConfig(JSON.stringify(json), "test.json"), "test.json");
        expect(() => parsePolicyConfig('{"all": "strict"}', "test.json")).toThrow(
            new PolicyConfigError([
                'test.json: all = "strict" is not an enforcement level (use one of advisory, ' +
                    "mandatory, remediate, disabled)",
            ]),
        );
        expect(() => parsePolicyConfig("{ nope", "test.json")).toThrow(/^test\.json: not valid JSON \(/);
        return Promise.all([
            expect(check({ "scaling-task-rnage": "advisory" })()).rejects.toThrow(
                /^test\.json: "scaling-task-rnage" is not a policy of this pack \(it has: alarm-actions, /,
            ),
            expect(check({ "scaling-task-range": { maxTasks: "twenty" } })()).rejects.toThrow(
                new PolicyConfigError(['test.json: scaling-task-range: maxTasks must be integer (found "twenty")']),
            ),
        ]);
    });

    it("reports an unreadable config file with its path", () => {
        expect(() => loadPolicyConfigFile("policies/config/nope.json")).toThrow(
            new PolicyConfigError(["policies/config/nope.json: cannot read the policy config (ENOENT)"]),
        );
    });
});

describe("committed per-environment configs", () => {
    const load = (stack: string): PolicyConfig =>
        loadPolicyConfigFile(path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`));
    const levels = async (stack: string) =>
        Object.fromEntries(
            Object.entries(await pack.configure(load(stack), stack))
                .filter(([k]) => RULES.includes(k))
                .map(([k, v]) => [k, v.enforcementLevel]),
        );

    it("production and staging: every rule mandatory except the simulated overload", async () => {
        for (const stack of ["production", "staging"]) {
            const l = await levels(stack);
            expect(Object.entries(l).filter(([, v]) => v !== "mandatory")).toEqual([
                ["scaling-simulated-overload", "advisory"],
            ]);
        }
    });

    it("each environment's capacity gate holds its own peak, and its task range its own cost ceiling", () => {
        const peaks = ["production", "staging", "dev"].map((s) => load(s)["scaling-capacity-at-target"]);
        expect(peaks).toEqual([
            undefined, // the SLO's 1000 req/s
            { enforcementLevel: "mandatory", properties: { peakRequestsPerSecond: 200 } },
            { enforcementLevel: "mandatory", properties: { peakRequestsPerSecond: 20 } },
        ]);
        expect(["production", "staging", "dev"].map((s) => load(s)["scaling-task-range"])).toEqual([
            undefined, // CAPACITY_GATE.maxTasks
            { properties: { maxTasks: 30 } },
            { enforcementLevel: "mandatory", properties: { minTasks: 1, maxTasks: 10 } },
        ]);
    });

    it("dev: advisory exactly where dev is smaller on purpose", async () => {
        const l = await levels("dev");
        expect(
            Object.entries(l)
                .filter(([, v]) => v !== "mandatory")
                .map(([k]) => k)
                .sort(),
        ).toEqual([
            "alarm-topic-subscribed",
            "cdn-minimum-tls",
            "database-enhanced-monitoring",
            "database-performance-insights",
            "scaling-simulated-overload",
        ]);
    });
});
