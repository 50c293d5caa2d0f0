/**
 * Scaling rules, through the pack running in its own process over gRPC: task range and scheduled
 * actions, policy types, inert autoscaling, target bands and the per-task request ceiling,
 * cooldowns, unambiguous links, coverage and the capacity gate (with the stack config the CLI
 * hands the pack).
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic, PolicyPackProcess } from "../../tools/analyzer";
import { CAPACITY_GATE, SCALING } from "../../policies/slo";
import type { InputsOf } from "../resources";
import {
    analyze,
    changed,
    compliantStack,
    ECS_IDS,
    expectCompliant,
    expectViolations,
    type FixtureResource,
    mandatory,
    openPack,
    resource,
    scalingIdsKnown,
    T,
    TEST_CONFIG,
    TEST_STACK_CONFIG,
    UNKNOWN,
    urnOf,
    without,
} from "./fixtures";

const TARGET = `${T.target} "api"`;
const SERVICE = `${T.service} "api"`;
const SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction";
const BAND = `${SCALING.tasks.min}..${CAPACITY_GATE.maxTasks} tasks`;

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

// Plain inputs: the changes include an UNKNOWN where a number belongs.
const target = (fn: (t: Record<string, unknown>) => void, stack = compliantStack()) =>
    changed(stack, T.target, "api", fn);
type TargetTracking = InputsOf<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration>;
const policy = (name: string, fn: (c: TargetTracking) => void, stack = compliantStack()) =>
    changed<InputsOf<aws.appautoscaling.PolicyArgs>>(stack, T.policy, name, (p) => {
        if (!p.targetTrackingScalingPolicyConfiguration) throw new Error(`fixture policy ${name} tracks no target`);
        fn(p.targetTrackingScalingPolicyConfiguration);
    });
const failedPolicies = (ds: readonly Diagnostic[]) => [...new Set(mandatory(ds).map((d) => d.policyName))].sort();

/** A scheduled action on the fixture's scalable target, as the program would declare it. */
const scheduled = (name: string, action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    resource(
        SCHEDULED,
        name,
        {
            resourceId: UNKNOWN,
            scalableDimension: "ecs:service:DesiredCount",
            serviceNamespace: "ecs",
            schedule: "cron(0 22 * * ? *)",
            scalableTargetAction: action,
            ...extra,
        },
        { propertyDependencies: { resourceId: [urnOf(T.target, "api")] } },
    );

/** An extra scaling policy on the fixture's scalable target. */
const extraPolicy = (name: string, inputs: Record<string, unknown>) =>
    resource(
        T.policy,
        name,
        {
            name: `api-test-${name}`,
            resourceId: UNKNOWN,
            scalableDimension: "ecs:service:DesiredCount",
            serviceNamespace: "ecs",
            ...inputs,
        },
        { propertyDependencies: { resourceId: [urnOf(T.target, "api")] } },
    );

it("reports nothing for the compliant stack", async () => {
    expectCompliant(await analyze(pack, compliantStack()));
});

it("reports nothing for the compliant stack as an update sends it (every resourceId known)", async () => {
    expectCompliant(await analyze(pack, scalingIdsKnown(compliantStack())));
});

describe("scaling-task-range", () => {
    it("rejects a task range of 1..140 (floor and cost ceiling)", async () => {
        const stack = target((t) => {
            t.minCapacity = 1;
            t.maxCapacity = 140;
        });
        expectViolations(await analyze(pack, stack), "scaling-task-range", [
            { resource: TARGET, property: "minCapacity", found: "1", allowed: BAND, fix: "credlink:scaling.minTasks" },
            {
                resource: TARGET,
                property: "maxCapacity",
                found: "140",
                allowed: BAND,
                fix: "credlink:scaling.maxTasks",
            },
        ]);
    });

    it("rejects min above max even inside the band", async () => {
        const stack = target((t) => {
            t.minCapacity = 20;
            t.maxCapacity = 19;
        });
        expectViolations(await analyze(pack, stack), "scaling-task-range", [
            {
                resource: TARGET,
                property: "minCapacity/maxCapacity",
                found: "20 > 19",
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

    it("fails (does not skip) a scalable target whose namespace and dimension are unknown at preview", async () => {
        const stack = target((t) => {
            t.serviceNamespace = UNKNOWN;
            t.scalableDimension = UNKNOWN;
        });
        const ds = await analyze(pack, stack);
        // Not known to scale the service, the target links nothing: the service counts as unscaled too.
        expect(failedPolicies(ds)).toEqual(["scaling-service-coverage", "scaling-task-range"]);
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toContainEqual(
            expect.stringContaining(
                `${TARGET}: serviceNamespace = unknown at preview (computed from another resource); allowed: a ` +
                    `literal value ("ecs" and "ecs:service:DesiredCount" for an ECS service)`,
            ),
        );
    });

    it("checks a scalable target whose dimension says ECS though its namespace is unknown", async () => {
        const stack = target((t) => {
            t.serviceNamespace = UNKNOWN;
            t.maxCapacity = 140;
        });
        expectViolations(await analyze(pack, stack), "scaling-task-range", [
            { resource: TARGET, property: "maxCapacity", found: "140", allowed: BAND },
        ]);
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

    it("holds scheduled actions to the range: a night-time ceiling of 1 task and a 500-task burst", async () => {
        const stack = [
            ...compliantStack(),
            scheduled("night", { minCapacity: 1, maxCapacity: 1 }),
            scheduled("burst", { maxCapacity: 500 }),
        ];
        const ds = await analyze(pack, stack);
        const range = mandatory(ds).filter((d) => d.policyName === "scaling-task-range");
        expect(range.map((d) => d.message.split("\n")[1])).toEqual([
            expect.stringContaining(`${SCHEDULED} "night": scalableTargetAction.minCapacity = 1; allowed: ${BAND}`),
            expect.stringContaining(`${SCHEDULED} "night": scalableTargetAction.maxCapacity = 1; allowed: ${BAND}`),
            expect.stringContaining(`${SCHEDULED} "burst": scalableTargetAction.maxCapacity = 500; allowed: ${BAND}`),
        ]);
    });

    it("rejects a scheduled action whose capacities are unknown at preview", async () => {
        const ds = await analyze(pack, [...compliantStack(), scheduled("night", { maxCapacity: UNKNOWN })]);
        expectViolations(ds, "scaling-task-range", [
            {
                resource: `${SCHEDULED} "night"`,
                property: "scalableTargetAction.maxCapacity",
                found: "unknown at preview",
                allowed: "a literal number",
            },
        ]);
    });

    it("accepts a scheduled action inside the range that keeps the capacity plan", async () => {
        expectCompliant(
            await analyze(pack, [...compliantStack(), scheduled("event", { minCapacity: 6, maxCapacity: 30 })]),
        );
    });
});

describe("scaling-policy-type", () => {
    const step = {
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
            adjustmentType: "ChangeInCapacity",
            cooldown: 60,
            metricAggregationType: "Average",
            stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: -5 }],
        },
    };

    it("rejects step scaling on the ECS service, and a policy that leaves policyType to AWS's default", async () => {
        const { policyType: _type, ...unset } = step;
        const ds = await analyze(pack, [
            ...compliantStack(),
            extraPolicy("api-step", step),
            extraPolicy("api-default", unset),
        ]);
        expectViolations(ds, "scaling-policy-type", [
            {
                resource: `${T.policy} "api-step"`,
                property: "policyType",
                found: '"StepScaling"',
                allowed: "TargetTrackingScaling or PredictiveScaling",
            },
            {
                resource: `${T.policy} "api-default"`,
                property: "policyType",
                found: "not set (Application Auto Scaling's default: StepScaling)",
                allowed: "TargetTrackingScaling or PredictiveScaling",
            },
        ]);
    });

    const predictive = (breach?: string) => ({
        policyType: "PredictiveScaling",
        predictiveScalingPolicyConfiguration: {
            mode: "ForecastAndScale",
            ...(breach === undefined ? {} : { maxCapacityBreachBehavior: breach }),
            ...(breach === "IncreaseMaxCapacity" ? { maxCapacityBuffer: 50 } : {}),
            metricSpecifications: [
                {
                    targetValue: 60,
                    predefinedMetricPairSpecification: { predefinedMetricType: "ECSServiceCPUUtilization" },
                },
            ],
        },
    });

    it("accepts a predictive policy on top of the three target-tracking ones (ceiling honoured or unset)", async () => {
        expectCompliant(
            await analyze(pack, [
                ...compliantStack(),
                extraPolicy("api-predictive", predictive("HonorMaxCapacity")),
                extraPolicy("api-predictive-default", predictive()),
            ]),
        );
    });

    it("rejects a predictive policy that may raise capacity above maxCapacity", async () => {
        const ds = await analyze(pack, [
            ...compliantStack(),
            extraPolicy("api-predictive", predictive("IncreaseMaxCapacity")),
        ]);
        expectViolations(ds, "scaling-policy-type", [
            {
                resource: `${T.policy} "api-predictive"`,
                property: "predictiveScalingPolicyConfiguration.maxCapacityBreachBehavior",
                found: '"IncreaseMaxCapacity"',
                allowed: '"HonorMaxCapacity" or not set',
            },
        ]);
    });

    it("holds a predictive plan to the target-tracking targets (targetValue a string, as sent)", async () => {
        const onRequests = (targetValue: string) =>
            extraPolicy("api-predictive", {
                policyType: "PredictiveScaling",
                predictiveScalingPolicyConfiguration: {
                    mode: "ForecastAndScale",
                    maxCapacityBreachBehavior: "HonorMaxCapacity",
                    metricSpecifications: [
                        {
                            targetValue,
                            predefinedMetricPairSpecification: {
                                predefinedMetricType: "ALBRequestCount",
                                resourceLabel: UNKNOWN,
                            },
                        },
                    ],
                },
            });
        expectCompliant(await analyze(pack, [...compliantStack(), onRequests("1000")]));
        expectViolations(await analyze(pack, [...compliantStack(), onRequests("2000")]), "scaling-target-tracking", [
            {
                resource: `${T.policy} "api-predictive"`,
                property: "predictiveScalingPolicyConfiguration.metricSpecifications[0].targetValue (ALBRequestCount)",
                found: "2000",
                allowed: "more than 0 and at most 1000 requests per target per minute",
            },
        ]);
    });

    it("does not count a predictive policy as a replacement for a target-tracking one", async () => {
        const stack = [
            ...without(compliantStack(), T.policy, "api-requests"),
            extraPolicy("api-predictive", predictive("HonorMaxCapacity")),
        ];
        expectViolations(await analyze(pack, stack), "scaling-service-coverage", [
            {
                resource: SERVICE,
                property: "autoscaling",
                found: "a scalable target tracking ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization",
                allowed: "a scalable target with target-tracking policies on",
            },
        ]);
    });

    it("fails (does not skip) a policy whose namespace and dimension are unknown at preview", async () => {
        const stack = changed(compliantStack(), T.policy, "api-cpu", (p) => {
            p.serviceNamespace = UNKNOWN;
            p.scalableDimension = UNKNOWN;
        });
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).map((d) => [d.policyName, d.message.split("\n")[1]])).toContainEqual([
            "scaling-policy-type",
            expect.stringContaining(`${T.policy} "api-cpu": serviceNamespace = unknown at preview`),
        ]);
    });
});

describe("scaling-active (inert autoscaling)", () => {
    it("rejects a scalable target with suspended scaling activities, known or not", async () => {
        const stack = target((t) => {
            t.suspendedState = {
                dynamicScalingInSuspended: true,
                dynamicScalingOutSuspended: false,
                scheduledScalingSuspended: UNKNOWN,
            };
        });
        expectViolations(await analyze(pack, stack), "scaling-active", [
            {
                resource: TARGET,
                property: "suspendedState.dynamicScalingInSuspended",
                found: "true",
                allowed: "false (or not set)",
            },
            {
                resource: TARGET,
                property: "suspendedState.scheduledScalingSuspended",
                found: "unknown at preview",
                allowed: "false (or not set)",
            },
        ]);
    });

    it("accepts a suspendedState with every flag false", async () => {
        expectCompliant(
            await analyze(
                pack,
                target((t) => {
                    t.suspendedState = { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false };
                }),
            ),
        );
    });

    it("rejects a target-tracking policy with scale-in disabled", async () => {
        const stack = policy("api-memory", (c) => {
            c.disableScaleIn = true;
        });
        expectViolations(await analyze(pack, stack), "scaling-active", [
            {
                resource: `${T.policy} "api-memory"`,
                property: "targetTrackingScalingPolicyConfiguration.disableScaleIn",
                found: "true",
                allowed: "false (or not set)",
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

    it.each([1001, 0])(
        "holds the request target to the per-task rate at the target utilisation (rejects %d)",
        async (value) => {
            const stack = policy("api-requests", (c) => {
                c.targetValue = value;
            });
            const ds = await analyze(pack, stack);
            expect(
                mandatory(ds)
                    .filter((d) => d.policyName === "scaling-target-tracking")
                    .map((d) => d.message.split("\n")[1]),
            ).toEqual([
                `${T.policy} "api-requests": targetTrackingScalingPolicyConfiguration.targetValue ` +
                    `(ALBRequestCountPerTarget) = ${value}; allowed: more than 0 and at most 1000 requests per ` +
                    `target per minute (taskCapacityRps 23.81 req/s (the policy's planning assumption) x ` +
                    `targetUtilization 0.7 x 60). Fix: set credlink:scaling.requestsPerTarget to 1000 or less ` +
                    `(or leave it to the capacity plan), or measure what one task sustains (k6 TEST=capacity) ` +
                    `and set credlink:scaling.taskCapacityRps from it`,
            ]);
        },
    );

    it.each([
        ["an empty predefinedMetricSpecification", { predefinedMetricSpecification: {} }],
        ["an empty predefinedMetricType", { predefinedMetricSpecification: { predefinedMetricType: "" } }],
    ])("does not let %s switch the band off", async (_label, change) => {
        const stack = policy("api-cpu", (c) => {
            Object.assign(c, change);
            c.targetValue = 95;
        });
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).map((d) => [d.policyName, d.message.split("\n")[1]])).toContainEqual([
            "scaling-target-tracking",
            expect.stringContaining(
                `${T.policy} "api-cpu": targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification` +
                    `.predefinedMetricType = not set`,
            ),
        ]);
    });

    describe("with the stack's own capacity settings (PULUMI_CONFIG)", () => {
        const withStack = async (stackConfig: Record<string, string>, stack: FixtureResource[]) => {
            const p = await openPack(TEST_CONFIG, { ...TEST_STACK_CONFIG, ...stackConfig });
            try {
                return await analyze(p, stack);
            } finally {
                await p.close();
            }
        };
        const measured = {
            "credlink:scaling.taskCapacityRps": "50",
            "credlink:scaling.taskCapacitySource": "2026-01-10 capacity test, reports/20260110-capacity",
        };
        const requests = (value: number) =>
            policy("api-requests", (c) => {
                c.targetValue = value;
            });

        it("accepts a request target up to a measured per-task rate x 0.7 x 60 (50 req/s: 2100)", async () => {
            expectCompliant(await withStack(measured, requests(2100)));
        });

        it("rejects a target above it, and caps a stack's targetUtilization at the policy's 0.7", async () => {
            const ds = await withStack({ ...measured, "credlink:scaling.targetUtilization": "0.95" }, requests(2500));
            expectViolations(ds, "scaling-target-tracking", [
                {
                    resource: `${T.policy} "api-requests"`,
                    property: "targetTrackingScalingPolicyConfiguration.targetValue (ALBRequestCountPerTarget)",
                    found: "2500",
                    allowed:
                        "more than 0 and at most 2100 requests per target per minute (taskCapacityRps 50 req/s " +
                        "(credlink:scaling.taskCapacityRps) x targetUtilization 0.7 x 60; the stack's " +
                        "targetUtilization 0.95 is capped at the policy's 0.7)",
                },
            ]);
        });

        it("rejects a per-task rate without its source, and one that is not a number", async () => {
            const ds = await withStack({ "credlink:scaling.taskCapacityRps": "fast" }, compliantStack());
            expectViolations(ds, "scaling-target-tracking", [
                {
                    resource: `${T.policy} "api-requests"`,
                    property: "stack config credlink:scaling.taskCapacityRps",
                    found: '"fast"',
                    allowed: "a positive number of requests per second",
                },
                {
                    resource: `${T.policy} "api-requests"`,
                    property: "stack config credlink:scaling.taskCapacitySource",
                    found: "not set",
                    allowed: "where scaling.taskCapacityRps came from",
                },
            ]);
        });
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

describe("scaling-links (a value picked through an Output, a literal ID matched elsewhere)", () => {
    /** A second ECS service (and its cluster) that scales nothing: the decoy. */
    const decoy = () => [
        resource(T.cluster, "decoy", { name: "decoy-cluster" }),
        resource(
            T.service,
            "decoy",
            { cluster: UNKNOWN, name: "decoy-service", desiredCount: 1, launchType: "FARGATE" },
            { propertyDependencies: { cluster: [urnOf(T.cluster, "decoy")] } },
        ),
    ];
    // The decoy would need alarms and scaling of its own; these tests look at the links only.
    const linksAndCoverage = (ds: readonly Diagnostic[]) => failedPolicies(ds).filter((p) => p.startsWith("scaling-"));

    it("rejects a target whose resourceId is built from two services (pulumi.all([decoy, real]))", async () => {
        const stack = [...compliantStack(), ...decoy()].map((r) =>
            r.type === T.target
                ? resource(r.type, r.name, r.inputs, {
                      propertyDependencies: {
                          resourceId: [urnOf(T.cluster, "api"), urnOf(T.service, "api"), urnOf(T.service, "decoy")],
                      },
                  })
                : r,
        );
        const ds = await analyze(pack, stack);
        expect(linksAndCoverage(ds)).toEqual(["scaling-links", "scaling-service-coverage"]);
        expect(mandatory(ds).find((d) => d.policyName === "scaling-links")?.message).toContain(
            `${TARGET}: resourceId = built from several ECS services: ${T.service} "api", ${T.service} "decoy"`,
        );
    });

    it("rejects a policy whose resourceId is built from two scalable targets", async () => {
        const other = resource(
            T.target,
            "decoy",
            {
                minCapacity: 2,
                maxCapacity: 4,
                resourceId: UNKNOWN,
                scalableDimension: "ecs:service:DesiredCount",
                serviceNamespace: "ecs",
            },
            { propertyDependencies: { resourceId: [urnOf(T.cluster, "decoy"), urnOf(T.service, "decoy")] } },
        );
        const stack = changed([...compliantStack(), ...decoy(), other], T.policy, "api-requests", (_p, links) => {
            links.propertyDependencies.resourceId = [urnOf(T.target, "decoy"), urnOf(T.target, "api")];
        });
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).find((d) => d.policyName === "scaling-links")?.message).toContain(
            `${T.policy} "api-requests": resourceId = built from several resources: ${T.target} "decoy", ${TARGET}`,
        );
        expect(
            mandatory(ds).some((d) => d.policyName === "scaling-service-coverage" && d.message.includes(`${SERVICE}:`)),
        ).toBe(true);
    });

    it("rejects (in an update, values known) a target built from the service but naming another one", async () => {
        const stack = target((t) => {
            t.resourceId = "service/api-cluster/legacy-service";
        }, scalingIdsKnown(compliantStack()));
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toContainEqual(
            expect.stringContaining(
                `${TARGET}: resourceId = "service/api-cluster/legacy-service", but it is built from ${SERVICE} ` +
                    `(service name "${ECS_IDS.service}")`,
            ),
        );
    });

    it("rejects (in an update) a policy whose literal resourceId is not its scalable target's", async () => {
        const stack = changed(
            scalingIdsKnown(compliantStack()),
            T.policy,
            "api-cpu",
            (p) => (p.resourceId = "service/api-cluster/legacy-service"),
        );
        const ds = await analyze(pack, stack);
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toContainEqual(
            expect.stringContaining(
                `${T.policy} "api-cpu": resourceId = "service/api-cluster/legacy-service", but it is built from ` +
                    `${TARGET} (resourceId "${ECS_IDS.resourceId}")`,
            ),
        );
    });

    it("rejects a policy whose resourceId is unknown and built from nothing in the stack", async () => {
        const stack = changed(compliantStack(), T.policy, "api-requests", (_p, links) => {
            links.propertyDependencies.resourceId = [];
        });
        const ds = await analyze(pack, stack);
        expect(linksAndCoverage(ds)).toEqual(["scaling-links", "scaling-service-coverage"]);
        expect(mandatory(ds).find((d) => d.policyName === "scaling-links")?.message).toContain(
            `${T.policy} "api-requests": resourceId = unknown at preview (computed from another resource), built ` +
                `from no scalable target or ECS service of this stack`,
        );
    });

    it("links a target and its policies by their literal resourceId when it is known", async () => {
        const stack = scalingIdsKnown(compliantStack()).map((r) =>
            r.type === T.target || r.type === T.policy
                ? resource(r.type, r.name, r.inputs, { propertyDependencies: {} })
                : r,
        );
        expectCompliant(await analyze(pack, stack));
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
});

describe("scaling-capacity-at-target (mandatory by default)", () => {
    it("names the arithmetic and the plan", async () => {
        const stack = target((t) => {
            t.maxCapacity = 10;
        });
        expectViolations(await analyze(pack, stack), "scaling-capacity-at-target", [
            {
                resource: SERVICE,
                property: "capacity at target (maxCapacity x ALBRequestCountPerTarget target / 60)",
                found: `10 (${TARGET}) x 1000 / 60 = 166.7 requests/s`,
                allowed:
                    "at least 300 requests/s: peak 250 (the policy's floor 250; the stack's " +
                    "credlink:scaling.peakRequestsPerSecond 40 is below it) + 20 % headroom",
                fix: "it takes maxCapacity >= 18 at 1000 requests per target",
            },
        ]);
    });

    it("counts the lowest ceiling a scheduled action sets", async () => {
        const ds = await analyze(pack, [...compliantStack(), scheduled("night", { minCapacity: 2, maxCapacity: 12 })]);
        expectViolations(ds, "scaling-capacity-at-target", [
            {
                resource: SERVICE,
                property: "capacity at target",
                found: `12 (scheduled action "night") x 1000 / 60 = 200 requests/s`,
                allowed: "at least 300 requests/s",
            },
        ]);
    });

    it("carries production's plan at the defaults: 72 tasks x 1000 / 60 = 1200 req/s, 1000 req/s + 20 %", async () => {
        const defaults = await openPack({});
        try {
            expectCompliant(
                await analyze(
                    defaults,
                    target((t) => (t.maxCapacity = 72)),
                ),
            );
            expectViolations(
                await analyze(
                    defaults,
                    target((t) => (t.maxCapacity = 71)),
                ),
                "scaling-capacity-at-target",
                [
                    {
                        resource: SERVICE,
                        property: "capacity at target",
                        found: "71 (",
                        allowed: "at least 1200 requests/s: peak 1000",
                    },
                ],
            );
        } finally {
            await defaults.close();
        }
    });

    describe("each stack against its own peak setting, never below the policy's", () => {
        const withStack = async (stackConfig: Record<string, string>) => {
            const p = await openPack(TEST_CONFIG, { ...TEST_STACK_CONFIG, ...stackConfig });
            try {
                return await analyze(p, compliantStack());
            } finally {
                await p.close();
            }
        };

        it("raises the peak to the stack's scaling.peakRequestsPerSecond", async () => {
            expectViolations(
                await withStack({ "credlink:scaling.peakRequestsPerSecond": "400" }),
                "scaling-capacity-at-target",
                [
                    {
                        resource: SERVICE,
                        property: "capacity at target",
                        found: `20 (${TARGET}) x 1000 / 60 = 333.3 requests/s`,
                        allowed: "at least 480 requests/s: peak 400 (credlink:scaling.peakRequestsPerSecond)",
                    },
                ],
            );
        });

        it("keeps the policy's floor when a stack file lowers its peak", async () => {
            expectCompliant(await withStack({ "credlink:scaling.peakRequestsPerSecond": "10" }));
            expectViolations(
                await withStack({
                    "credlink:scaling.peakRequestsPerSecond": "10",
                    "credlink:scaling.peakHeadroomPercent": "50",
                }),
                "scaling-capacity-at-target",
                [
                    {
                        resource: SERVICE,
                        property: "capacity at target",
                        found: "333.3 requests/s",
                        allowed:
                            "at least 375 requests/s: peak 250 (the policy's floor 250; the stack's " +
                            "credlink:scaling.peakRequestsPerSecond 10 is below it) + 50 % headroom",
                    },
                ],
            );
        });
    });
});

it("runs with the shared test config", () => {
    expect(TEST_CONFIG["scaling-capacity-at-target"].properties).toEqual({ peakRequestsPerSecond: 250 });
});
