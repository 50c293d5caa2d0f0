/**
 * Application Auto Scaling facts for ECS services, shared by the ScalingService component,
 * the policy pack and `npm run verify`. No imports, so the pack stays publishable on its own.
 */

/** Application Auto Scaling's service namespace for ECS. */
export const ECS_SERVICE_NAMESPACE = "ecs";

/** The scalable dimension of an ECS service's task count. */
export const ECS_SCALABLE_DIMENSION = "ecs:service:DesiredCount";

/** The predefined target-tracking metric types this stack scales an ECS service on. */
export const ECS_TARGET_TRACKING_METRIC = Object.freeze({
    /** Service average CPU, percent. */
    cpu: "ECSServiceAverageCPUUtilization",
    /** Service average memory, percent. */
    memory: "ECSServiceAverageMemoryUtilization",
    /** Requests per target per MINUTE (a one-minute Sum); needs the ALB and target group as resource label. */
    requests: "ALBRequestCountPerTarget",
} as const);
export type EcsTargetTrackingMetric = (typeof ECS_TARGET_TRACKING_METRIC)[keyof typeof ECS_TARGET_TRACKING_METRIC];

/**
 * Predictive scaling's predefined metric pairs for ECS, each the counterpart of a target-tracking
 * metric: the target value is in the same unit (percent, requests per task per minute).
 */
export const ECS_PREDICTIVE_METRIC = Object.freeze({
    cpu: "ECSServiceCPUUtilization",
    memory: "ECSServiceMemoryUtilization",
    requests: "ALBRequestCount",
} as const);

/** Application Auto Scaling's cooldown for ECS target tracking when none is set, seconds. */
export const ECS_DEFAULT_COOLDOWN_SECONDS = 300;
