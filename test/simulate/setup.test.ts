/**
 * The simulation reads a stack's autoscaling from its stack file through lib/config; the
 * setup it builds must be what the program registers for that stack (scalable target range,
 * one target-tracking policy per metric with its target and cooldowns).
 */
import { describe, expect, it } from "vitest";
import { ECS_TARGET_TRACKING_METRIC } from "../../policies/aws/autoscaling";
import { runStack } from "../../tools/harness/run";
import { loadStackConfig, scalingSetupOf, taskCapacityOf } from "../../tools/simulate/setup";
import { stackNames } from "../../tools/stack-file";

const METRIC_OF = {
    [ECS_TARGET_TRACKING_METRIC.cpu]: "cpu",
    [ECS_TARGET_TRACKING_METRIC.memory]: "memory",
    [ECS_TARGET_TRACKING_METRIC.requests]: "requests",
} as const;

describe.each(stackNames())("stack %s", (stack) => {
    it("simulates the scalable target and policies the program registers", async () => {
        const run = await runStack(stack, { preview: false });
        const [target] = run.ofType("aws:appautoscaling/target:Target");
        const registered = run.ofType("aws:appautoscaling/policy:Policy").map((p) => {
            const c = p.inputs.targetTrackingScalingPolicyConfiguration as {
                targetValue: number;
                scaleOutCooldown: number;
                scaleInCooldown: number;
                disableScaleIn: boolean;
                predefinedMetricSpecification: { predefinedMetricType: keyof typeof METRIC_OF };
            };
            return {
                metric: METRIC_OF[c.predefinedMetricSpecification.predefinedMetricType],
                targetValue: c.targetValue,
                scaleOutCooldownSeconds: c.scaleOutCooldown,
                scaleInCooldownSeconds: c.scaleInCooldown,
                disableScaleIn: c.disableScaleIn,
            };
        });
        const config = loadStackConfig(stack);
        const setup = scalingSetupOf(config);
        expect({ min: setup.minTasks, max: setup.maxTasks }).toEqual({
            min: target.inputs.minCapacity,
            max: target.inputs.maxCapacity,
        });
        expect(setup.policies.map((p) => ({ disableScaleIn: false, ...p }))).toEqual(
            expect.arrayContaining(registered),
        );
        expect(setup.policies).toHaveLength(registered.length);
        // The stack's per-task rate when it declares one (production, staging), else the planning
        // assumption from the request target (dev).
        const declared = config.scaling.taskCapacityRps;
        expect(taskCapacityOf(config)).toEqual(
            declared === undefined
                ? {
                      rps: config.scaling.requestsPerTarget / 60 / 0.7,
                      source:
                          "planning assumption: scaling.requestsPerTarget " +
                          `${config.scaling.requestsPerTarget} / 60 / 0.7`,
                  }
                : { rps: declared, source: config.scaling.taskCapacitySource },
        );
        expect(declared === undefined).toBe(stack === "dev");
    });
});
