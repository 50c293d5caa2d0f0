/**
 * Scaling-range rules, through the pack running in its own process over gRPC.
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { SCALING } from "../../policies/slo";
import type { InputsOf } from "../resources";
import {
    advisory,
    analyze,
    changed,
    compliantStack,
    expectViolations,
    openPack,
    T,
    TEST_CONFIG,
    UNKNOWN,
    urnOf,
    without,
} from "./fixtures";

const TARGET = `${T.target} "api"`;
const SERVICE = `${T.service} "api"`;

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

// Plain inputs: the changes include an UNKNOWN where a number belongs.
const target = (fn: (t: Record<string, unknown>) => void) => changed(compliantStack(), T.target, "api", fn);
type TargetTracking = InputsOf<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration>;
const policy = (name: string, fn: (c: TargetTracking) => void) =>
    changed<InputsOf<aws.appautoscaling.PolicyArgs>>(compliantStack(), T.policy, name, (p) => {
        if (!p.targetTrackingScalingPolicyConfiguration) throw new Error(`fixture policy ${name} tracks no target`);
        fn(p.targetTrackingScalingPolicyConfiguration);
    });

it("reports nothing for the compliant stack", async () => {
    expect(await analyze(pack, compliantStack())).toEqual([]);
});

describe("scaling-task-range", () => {
    it("rejects a task range of 1..40", async () => {
        const stack = target((t) => {
            t.minCapacity = 1;
            t.maxCapacity = 40;
        });
        expectViolations(await analyze(pack, stack), "scaling-task-range", [
            {
                resource: TARGET,
                property: "minCapacity",
                found: "1",
                allowed: `${SCALING.tasks.min}..${SCALING.tasks.max} tasks`,
                fix: "credlink:scaling.minTasks",
            },
            {
                resource: TARGET,
                property: "maxCapacity",
                found: "40",
                allowed: `${SCALING.tasks.min}..${SCALING.tasks.max} tasks`,
                fix: "credlink:scaling.maxTasks",
            },
        ]);
    });

    it("rejects min above max even inside the band", async () => {
        const stack = target((t) => {
            t.minCapacity = 10;
            t.maxCapacity = 5;
        });
        expectViolations(await analyze(pack, stack), "scaling-task-range", [
            {
                resource: TARGET,
                property: "minCapacity/maxCapacity",
                found: "10 > 5",
                allowed: "minCapacity <= maxCapacity",
            },
        ]);
    });

    it("rejects a capacity that is unknown at preview instead of skipping the rule", async () => {
        const stack = target((t) => {
            t.maxCapacity = UNKNOWN;
        });
        const ds = await analyze(pack, stack);
        expectViolations(ds, "scaling-task-range", [
            { resource: TARGET, property: "maxCapacity", found: "unknown at preview", allowed: "a literal number" },
        ]);
        expect(ds.some((d) => d.message.includes("can't run policy"))).toBe(false);
    });

    it("ignores scalable targets of other services (not ECS)", async () => {
        const stack = target((t) => {
            Object.assign(t, {
                serviceNamespace: "dynamodb",
                scalableDimension: "dynamodb:table:ReadCapacityUnits",
                minCapacity: 1,
                maxCapacity: 400,
            });
        });
        // The ECS service then has no scalable target: only the coverage rule speaks.
        expectViolations(await analyze(pack, stack), "scaling-service-coverage", [
            {
                resource: SERVICE,
                property: "autoscaling",
                found: "no scalable target",
                allowed: "a scalable target with target-tracking policies",
            },
        ]);
    });
});

describe("scaling-target-tracking", () => {
    it.each([
        [
            "api-cpu",
            "ECSServiceAverageCPUUtilization",
            85,
            `${SCALING.cpuTargetPercent.min}..${SCALING.cpuTargetPercent.max} %`,
            "cpuTargetPercent",
        ],
        [
            "api-memory",
            "ECSServiceAverageMemoryUtilization",
            50,
            `${SCALING.memoryTargetPercent.min}..${SCALING.memoryTargetPercent.max} %`,
            "memoryTargetPercent",
        ],
        [
            "api-requests",
            "ALBRequestCountPerTarget",
            5000,
            `${SCALING.requestsPerTargetPerMinute.min}..${SCALING.requestsPerTargetPerMinute.max} ` +
                `requests per target per minute`,
            "requestsPerTarget",
        ],
    ])("rejects %s aiming at %s = %d", async (name, metric, value, allowed, setting) => {
        const stack = policy(name, (c) => {
            c.targetValue = value;
        });
        expectViolations(await analyze(pack, stack), "scaling-target-tracking", [
            {
                resource: `${T.policy} "${name}"`,
                property: `targetTrackingScalingPolicyConfiguration.targetValue (${metric})`,
                found: String(value),
                allowed,
                fix: `credlink:scaling.${setting}`,
            },
        ]);
    });
});

describe("scaling-cooldowns", () => {
    it("rejects a slow scale-out and a hasty scale-in", async () => {
        const stack = policy("api-cpu", (c) => {
            c.scaleOutCooldown = 120;
            c.scaleInCooldown = 60;
        });
        expectViolations(await analyze(pack, stack), "scaling-cooldowns", [
            {
                resource: `${T.policy} "api-cpu"`,
                property: "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
                found: "120",
                allowed: `at most ${SCALING.scaleOutCooldownMaxSeconds} s`,
            },
            {
                resource: `${T.policy} "api-cpu"`,
                property: "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
                found: "60",
                allowed: `at least ${SCALING.scaleInCooldownMinSeconds} s`,
            },
        ]);
    });

    it("counts an unset scale-out cooldown as AWS's 300 s default", async () => {
        const stack = policy("api-memory", (c) => {
            delete c.scaleOutCooldown;
        });
        expectViolations(await analyze(pack, stack), "scaling-cooldowns", [
            {
                resource: `${T.policy} "api-memory"`,
                property: "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
                found: "not set (Application Auto Scaling's default for ECS: 300 s)",
                allowed: "at most 60 s",
            },
        ]);
    });
});

describe("scaling-service-coverage", () => {
    it("rejects a service without a memory policy", async () => {
        const stack = without(compliantStack(), T.policy, "api-memory");
        expectViolations(await analyze(pack, stack), "scaling-service-coverage", [
            {
                resource: SERVICE,
                property: "autoscaling",
                found: "a scalable target tracking ECSServiceAverageCPUUtilization, ALBRequestCountPerTarget",
                allowed:
                    "a scalable target with target-tracking policies on " +
                    "ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, " +
                    "ALBRequestCountPerTarget",
                fix: "ECSServiceAverageMemoryUtilization",
            },
        ]);
    });

    it("rejects a service whose policies point at another service's target", async () => {
        const other = urnOf(T.target, "worker");
        const stack = changed(compliantStack(), T.policy, "api-requests", (_p, links) => {
            links.propertyDependencies.resourceId = [other];
        });
        expectViolations(await analyze(pack, stack), "scaling-service-coverage", [
            {
                resource: SERVICE,
                property: "autoscaling",
                found: "a scalable target tracking ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization",
                allowed:
                    "a scalable target with target-tracking policies on " +
                    "ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, " +
                    "ALBRequestCountPerTarget",
            },
        ]);
    });

    it("links a target by its literal resourceId when it is known", async () => {
        const stack = changed(
            changed(compliantStack(), T.service, "api", (s) => {
                s.name = "credlink-api";
            }),
            T.target,
            "api",
            (t, links) => {
                t.resourceId = "service/credlink/credlink-api";
                links.propertyDependencies = {};
            },
        );
        expect(await analyze(pack, stack)).toEqual([]);
    });
});

describe("scaling-capacity-at-target", () => {
    it("is advisory by default and names the arithmetic", async () => {
        const stack = target((t) => {
            t.maxCapacity = 10;
        });
        const ds = await analyze(pack, stack);
        expect(ds.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);
        expect(advisory(ds).map((d) => [d.policyName, d.message.split("\n")[1]])).toEqual([
            [
                "scaling-capacity-at-target",
                `${SERVICE}: capacity at target (maxCapacity x ALBRequestCountPerTarget target / ` +
                    `60) = 10 x 1000 / 60 = 167 requests/s; allowed: at least 300 requests/s (the SLO's ` +
                    `peak). Fix: it takes credlink:scaling.maxTasks >= 18 at 1000 requests per target, ` +
                    `or credlink:scaling.requestsPerTarget >= 1800 at 10 tasks; raise them after ` +
                    `load-testing what one task sustains (and the SCALING bands in policies/slo.ts if ` +
                    `they forbid it)`,
            ],
        ]);
    });

    it("is reported as mandatory when the config makes it so", async () => {
        const strict = await openPack({
            "scaling-capacity-at-target": { enforcementLevel: "mandatory", properties: { peakRequestsPerSecond: 300 } },
        });
        try {
            expectViolations(
                await analyze(
                    strict,
                    target((t) => (t.maxCapacity = 10)),
                ),
                "scaling-capacity-at-target",
                [
                    {
                        resource: SERVICE,
                        property: "capacity at target",
                        found: "10 x 1000 / 60 = 167 requests/s",
                        allowed: "at least 300 requests/s",
                    },
                ],
            );
        } finally {
            await strict.close();
        }
    });
});

it("runs with the shared test config", () => {
    expect(TEST_CONFIG["scaling-capacity-at-target"].properties).toEqual({ peakRequestsPerSecond: 300 });
});
