/**
 * Application Auto Scaling for the service: the scalable target and three target-tracking
 * policies (CPU, memory, ALB requests per target). AWS scales out when any policy asks and
 * scales in only when all agree.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ECS_SCALABLE_DIMENSION,
    ECS_SERVICE_NAMESPACE,
    ECS_TARGET_TRACKING_METRIC,
} from "../../policies/aws/autoscaling";
import type { ScalingSettings } from "./args";

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
    trackingPolicy(
        "requests",
        ECS_TARGET_TRACKING_METRIC.requests,
        s.requestsPerTarget,
        s.requestScaleOutCooldownSeconds,
        pulumi.interpolate`${input.albArnSuffix}/${input.targetGroupArnSuffix}`,
        [input.forwardRule],
    );
    return target;
}
