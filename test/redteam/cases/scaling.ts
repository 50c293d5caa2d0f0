/**
 * Red-team cases: ECS autoscaling.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

const AUTOSCALING = "components/scaling-service/autoscaling.ts";
/** Where index.ts has the service in hand. */
const AFTER_API = "setTaskSecurityGroupId(api.taskSecurityGroupId);";

/** A scheduled action on the API service, added to index.ts next to the service. */
const scheduledAction = (name: string, schedule: string, action: string) => ({
    file: "index.ts",
    find: AFTER_API,
    replace: `${AFTER_API}
    new aws.appautoscaling.ScheduledAction("${name}", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate\`service/\${api.clusterName}/\${api.serviceName}\`,
        schedule: "${schedule}",
        timezone: "Europe/Berlin",
        scalableTargetAction: ${action},
    });`,
});

/** An extra policy on the service's scalable target, added in the autoscaling module. */
const extraPolicy = (id: string, body: string) => ({
    file: AUTOSCALING,
    find: "    return target;\n}",
    replace: `    new aws.appautoscaling.Policy(
        \`\${name}-${id}\`,
        {
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
${body}
        },
        { parent },
    );
    return target;
}`,
});

/** The stack file without a per-task rate: the pack falls back to its planning figure. */
const NO_RATE = { "credlink:scaling.taskCapacityRps": undefined, "credlink:scaling.taskCapacitySource": undefined };

export const CASES: readonly RedTeamCase[] = [
    { name: "the production stack as committed", mustFail: [] },
    {
        name: "the stack file raises the task ceiling to 150 (past the cost ceiling)",
        stackFile: { "credlink:scaling.maxTasks": 150 },
        mustFail: ["scaling-task-range"],
    },

    // Scheduled scaling
    {
        name: "a night-time scheduled action scales the service down to one task",
        program: [scheduledAction("night", "cron(0 22 * * ? *)", "{ minCapacity: 1, maxCapacity: 1 }")],
        mustFail: ["scaling-task-range"],
    },
    {
        name: "compliant: a business-hours scheduled action raises the floor inside the range",
        program: [scheduledAction("business-hours", "cron(0 8 ? * MON-FRI *)", "{ minCapacity: 4, maxCapacity: 72 }")],
        mustFail: [],
    },
    {
        name: "a night-time scheduled ceiling of 40 tasks under production's 72-task plan",
        program: [scheduledAction("night", "cron(0 22 * * ? *)", "{ maxCapacity: 40 }")],
        mustFail: ["scaling-capacity-at-target"],
    },

    // Policy types
    {
        name: "a step-scaling policy added next to the target-tracking ones",
        program: [
            extraPolicy(
                "panic",
                `            policyType: "StepScaling",
            stepScalingPolicyConfiguration: {
                adjustmentType: "ChangeInCapacity",
                cooldown: 60,
                metricAggregationType: "Maximum",
                stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 10 }],
            },`,
            ),
        ],
        mustFail: ["scaling-policy-type"],
    },
    {
        name: "compliant: a predictive scaling policy on top that honours maxCapacity",
        program: [
            extraPolicy(
                "predictive",
                `            policyType: "PredictiveScaling",
            predictiveScalingPolicyConfiguration: {
                mode: "ForecastAndScale",
                maxCapacityBreachBehavior: "HonorMaxCapacity",
                metricSpecifications: [
                    {
                        targetValue: 60,
                        predefinedMetricPairSpecification: { predefinedMetricType: "ECSServiceCPUUtilization" },
                    },
                ],
            },`,
            ),
        ],
        mustFail: [],
    },
    {
        name: "a predictive scaling policy allowed to raise capacity above maxCapacity",
        program: [
            extraPolicy(
                "predictive",
                `            policyType: "PredictiveScaling",
            predictiveScalingPolicyConfiguration: {
                mode: "ForecastAndScale",
                maxCapacityBreachBehavior: "IncreaseMaxCapacity",
                maxCapacityBuffer: 100,
                metricSpecifications: [
                    {
                        targetValue: 60,
                        predefinedMetricPairSpecification: { predefinedMetricType: "ECSServiceCPUUtilization" },
                    },
                ],
            },`,
            ),
        ],
        mustFail: ["scaling-policy-type"],
    },

    // Inert autoscaling
    {
        name: "scale-in suspended on the scalable target during an incident, and left so",
        program: [
            {
                file: AUTOSCALING,
                find: "            maxCapacity: s.maxTasks,\n",
                replace:
                    "            maxCapacity: s.maxTasks,\n" +
                    "            suspendedState: { dynamicScalingInSuspended: true },\n",
            },
        ],
        mustFail: ["scaling-active"],
    },
    {
        name: "scale-in disabled on every target-tracking policy",
        program: [{ file: AUTOSCALING, find: "disableScaleIn: false,", replace: "disableScaleIn: true," }],
        mustFail: ["scaling-active"],
    },
    {
        name: "the policies' namespace and dimension computed from the target's ARN (unknown at preview)",
        program: [
            {
                file: AUTOSCALING,
                find: `                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,`,
                replace: `                policyType: "TargetTrackingScaling",
                serviceNamespace: target.arn.apply(() => ECS_SERVICE_NAMESPACE),
                scalableDimension: target.arn.apply(() => ECS_SCALABLE_DIMENSION),`,
            },
        ],
        mustFail: ["scaling-policy-type"],
    },

    // Links: a literal ID matched elsewhere
    {
        name: "the scalable target names the legacy cluster literally (it scales another service)",
        program: [
            {
                file: AUTOSCALING,
                find: "resourceId: pulumi.interpolate`service/${input.clusterName}/${input.serviceName}`,",
                replace: "resourceId: pulumi.interpolate`service/credlink-legacy/${input.serviceName}`,",
            },
        ],
        mustFail: ["scaling-links", "scaling-service-coverage"],
    },
    {
        name: "the policies target a -v2 service name built from the real one (no such scalable target)",
        program: [
            {
                file: AUTOSCALING,
                find: `                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                targetTrackingScalingPolicyConfiguration: {`,
                replace:
                    "                scalableDimension: target.scalableDimension,\n" +
                    "                resourceId: pulumi.interpolate`service/${input.clusterName}/" +
                    "${input.serviceName}-v2`,\n" +
                    "                targetTrackingScalingPolicyConfiguration: {",
            },
        ],
        mustFail: ["scaling-links", "scaling-service-coverage"],
    },

    // The capacity gate: config validation checks an explicit plan against taskCapacityRps, so
    // these drop the rate from the stack file first, and the pack still holds the line.
    {
        name: "the stack file drops the per-task rate, lowers its peak to 500 req/s and maxTasks to 36",
        stackFile: {
            ...NO_RATE,
            "credlink:scaling.peakRequestsPerSecond": 500,
            "credlink:scaling.maxTasks": 36,
            "credlink:scaling.requestsPerTarget": 1000,
        },
        mustFail: ["scaling-capacity-at-target"],
    },
    {
        name: "the stack file drops the per-task rate and packs 1200 requests per target per minute into a task",
        stackFile: { ...NO_RATE, "credlink:scaling.maxTasks": 72, "credlink:scaling.requestsPerTarget": 1200 },
        mustFail: ["scaling-target-tracking"],
    },
    {
        name: "the stack file lowers the peak to 500 req/s, so 36 tasks would do",
        stackFile: { "credlink:scaling.peakRequestsPerSecond": 500 },
        mustFail: ["scaling-capacity-at-target"],
    },
    {
        name: "the autoscaling module hard-codes maxCapacity 20, whatever the stack says",
        program: [{ file: AUTOSCALING, find: "maxCapacity: s.maxTasks,", replace: "maxCapacity: 20," }],
        mustFail: ["scaling-capacity-at-target"],
    },
];
