/**
 * Application Auto Scaling for the service: the scalable target, three target-tracking
 * policies (CPU, memory, ALB requests per target) and, when `scaling.predictive` is on, a
 * predictive scaling policy on the ALB request count. AWS scales out when any policy asks and
 * scales in only when all agree; predictive scaling never scales in on a forecast.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ECS_SCALABLE_DIMENSION,
    ECS_SERVICE_NAMESPACE,
    ECS_TARGET_TRACKING_METRIC,
} from "../../policies/aws/autoscaling";
import type { ScalingSettings } from "./args";
import type { PredictiveMode } from "./settings";

/** Application Auto Scaling's `Mode` for each `scaling.predictive` setting. */
export const PREDICTIVE_POLICY_MODE: Readonly<Record<Exclude<PredictiveMode, "off">, string>> = {
    forecastOnly: "ForecastOnly",
    forecastAndScale: "ForecastAndScale",
};
/**
 * The ALB metric pair: RequestCount of the target group is the load, RequestCountPerTarget the
 * scaling metric, so the target value is requests per task per minute, as for target tracking
 * (AWS Application Auto Scaling API, PredictiveScalingMetricSpecification).
 */
export const PREDICTIVE_METRIC_PAIR = "ALBRequestCount";

export interface AutoscalingInput {
    readonly scaling: ScalingSettings;
    /** Prefix of the policies' physical names; unique per account and region. */
    readonly physicalName: string;
    readonly clusterName: pulumi.Input<string>;
    readonly serviceName: pulumi.Input<string>;
    /** `app/<name>/<id>`; with the target group's suffix, the request-count policy's resource label. */
    readonly albArnSuffix: pulumi.Input<string>;
    /** `targetgroup/<name>/<id>`. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /** Puts the target group behind a listener, which the request-count policy needs. */
    readonly forwardRule: aws.lb.ListenerRule;
}

export function createAutoscaling(
    name: string,
    input: AutoscalingInput,
    parent: pulumi.Resource,
): aws.appautoscaling.Target {
    const s = input.scaling;
    const target = new aws.appautoscaling.Target(
        name,
        {
            serviceNamespace: ECS_SERVICE_NAMESPACE,
            scalableDimension: ECS_SCALABLE_DIMENSION,
            resourceId: pulumi.interpolate`service/${input.clusterName}/${input.serviceName}`,
            minCapacity: s.minTasks,
            maxCapacity: s.maxTasks,
        },
        { parent },
    );
    const trackingPolicy = (
        id: string,
        metricType: string,
        targetValue: number,
        scaleOutCooldown: number,
        resourceLabel?: pulumi.Input<string>,
        dependsOn: pulumi.Resource[] = [],
    ) =>
        new aws.appautoscaling.Policy(
            `${name}-${id}`,
            {
                name: `${input.physicalName}-${id}`,
                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    targetValue,
                    scaleOutCooldown,
                    scaleInCooldown: s.scaleInCooldownSeconds,
                    disableScaleIn: false,
                    predefinedMetricSpecification: {
                        predefinedMetricType: metricType,
                        ...(resourceLabel === undefined ? {} : { resourceLabel }),
                    },
                },
            },
            { parent, dependsOn },
        );
    trackingPolicy("cpu", ECS_TARGET_TRACKING_METRIC.cpu, s.cpuTargetPercent, s.scaleOutCooldownSeconds);
    trackingPolicy("memory", ECS_TARGET_TRACKING_METRIC.memory, s.memoryTargetPercent, s.scaleOutCooldownSeconds);
    // ALBRequestCountPerTarget needs the target group behind a listener before the policy exists.
    const requestLabel = pulumi.interpolate`${input.albArnSuffix}/${input.targetGroupArnSuffix}`;
    trackingPolicy(
        "requests",
        ECS_TARGET_TRACKING_METRIC.requests,
        s.requestsPerTarget,
        s.requestScaleOutCooldownSeconds,
        requestLabel,
        [input.forwardRule],
    );

    if (s.predictive !== "off") {
        // The same per-task request target as target tracking, so the forecast asks for the capacity
        // target tracking would settle at. HonorMaxCapacity: never above maxTasks (the scalable target's
        // max bounds every policy); the pack checks the plan against the target-tracking one.
        new aws.appautoscaling.Policy(
            `${name}-predictive`,
            {
                name: `${input.physicalName}-predictive`,
                policyType: "PredictiveScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                predictiveScalingPolicyConfiguration: {
                    mode: PREDICTIVE_POLICY_MODE[s.predictive],
                    schedulingBufferTime: s.predictiveBufferSeconds,
                    maxCapacityBreachBehavior: "HonorMaxCapacity",
                    metricSpecifications: [
                        {
                            // The provider types the target value as a string.
                            targetValue: String(s.requestsPerTarget),
                            predefinedMetricPairSpecification: {
                                predefinedMetricType: PREDICTIVE_METRIC_PAIR,
                                resourceLabel: requestLabel,
                            },
                        },
                    ],
                },
            },
            { parent, dependsOn: [input.forwardRule] },
        );
    }
    return target;
}
