/**
 * Resource type tokens the rules look at, and property shapes keyed by the
 * names @pulumi/aws registers (so a misspelt property fails type-checking).
 * Values stay `unknown`: they may be unknown at preview and are read through
 * ./values.
 */
import type * as aws from "@pulumi/aws";

export const TYPES = {
    distribution: "aws:cloudfront/distribution:Distribution",
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    scalableTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    scheduledAction: "aws:appautoscaling/scheduledAction:ScheduledAction",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    ecsService: "aws:ecs/service:Service",
    ecsCluster: "aws:ecs/cluster:Cluster",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    albLoadBalancer: "aws:alb/loadBalancer:LoadBalancer",
} as const;

/** The property names of a resource's args (or a nested input type), with values still to be read. */
export type Props<A> = { readonly [K in keyof A]-?: unknown };

export type DistributionProps = Props<aws.cloudfront.DistributionArgs>;
export type BehaviorProps = Props<aws.types.input.cloudfront.DistributionOrderedCacheBehavior>;
export type OriginProps = Props<aws.types.input.cloudfront.DistributionOrigin>;
export type OriginGroupProps = Props<aws.types.input.cloudfront.DistributionOriginGroup>;
export type ViewerCertificateProps = Props<aws.types.input.cloudfront.DistributionViewerCertificate>;
export type CachePolicyProps = Props<aws.cloudfront.CachePolicyArgs> & { readonly id?: unknown };
export type ScalableTargetProps = Props<aws.appautoscaling.TargetArgs>;
export type ScalingPolicyProps = Props<aws.appautoscaling.PolicyArgs>;
export type PredictiveScalingProps = Props<aws.types.input.appautoscaling.PolicyPredictiveScalingPolicyConfiguration>;
export type ScheduledActionProps = Props<aws.appautoscaling.ScheduledActionArgs>;
export type ScalableTargetActionProps = Props<aws.types.input.appautoscaling.ScheduledActionScalableTargetAction>;
export type SuspendedStateProps = Props<aws.types.input.appautoscaling.TargetSuspendedState>;
export type TargetTrackingProps = Props<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration>;
export type MetricAlarmProps = Props<aws.cloudwatch.MetricAlarmArgs>;
export type MetricQueryProps = Props<aws.types.input.cloudwatch.MetricAlarmMetricQuery>;
export type QueryMetricProps = Props<aws.types.input.cloudwatch.MetricAlarmMetricQueryMetric>;
export type CompositeAlarmProps = Props<aws.cloudwatch.CompositeAlarmArgs>;
export type RdsInstanceProps = Props<aws.rds.InstanceArgs>;
export type RdsClusterProps = Props<aws.rds.ClusterArgs>;
export type RdsClusterInstanceProps = Props<aws.rds.ClusterInstanceArgs>;
export type LoadBalancerProps = Props<aws.lb.LoadBalancerArgs>;
export type EcsServiceProps = Props<aws.ecs.ServiceArgs>;
export type EcsClusterProps = Props<aws.ecs.ClusterArgs>;
