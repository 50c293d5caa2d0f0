/**
 * What the scaling simulation models, and the numbers it assumes. Each number says where it
 * comes from: AWS documentation, behaviour observed by AWS users (AWS does not publish it), or
 * this project's own planning assumption. No imports, so the policy pack stays self-contained.
 */

/** The metrics of the three target-tracking policies the ScalingService registers. */
export type TrackedMetric = "cpu" | "memory" | "requests";

/** One target-tracking scaling policy as Application Auto Scaling runs it. */
export interface TrackingPolicy {
    readonly metric: TrackedMetric;
    /** Percent for cpu and memory; requests per target per MINUTE for requests (ALBRequestCountPerTarget). */
    readonly targetValue: number;
    readonly scaleOutCooldownSeconds: number;
    readonly scaleInCooldownSeconds: number;
    /** A policy with scale-in disabled never votes for (or blocks) a scale-in. */
    readonly disableScaleIn?: boolean;
}

/**
 * The CloudWatch alarms Application Auto Scaling creates for each target-tracking policy.
 * AWS does not document their parameters and they cannot be changed ("Do not create, edit, or
 * delete the CloudWatch alarms that are used with a target tracking scaling policy":
 * https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
 */
export interface AlarmModel {
    /** Metric period, seconds. */
    readonly periodSeconds: number;
    /** Consecutive datapoints above the target that put the scale-out alarm (AlarmHigh) in ALARM. */
    readonly scaleOutDatapoints: number;
    /** Consecutive datapoints below the scale-in threshold that put the scale-in alarm (AlarmLow) in ALARM. */
    readonly scaleInDatapoints: number;
    /** The scale-in threshold as a share of the target. */
    readonly scaleInThresholdRatio: number;
}

export const DEFAULT_ALARMS: AlarmModel = Object.freeze({
    // Documented: ECS sends service CPU and memory "every minute" as one aggregated datapoint
    // (ECS developer guide, cloudwatch-metrics); ALB metrics are reported in 60-second intervals
    // (ELB user guide, load-balancer-cloudwatch-metrics).
    periodSeconds: 60,
    // Observed, not documented: AlarmHigh is "3 out of 3 datapoints" of 1 minute and AlarmLow
    // "15 out of 15" (https://github.com/aws/containers-roadmap/issues/1208, also
    // aws/copilot-cli#4233); check with `aws cloudwatch describe-alarms --alarm-name-prefix
    // TargetTracking-service/`.
    scaleOutDatapoints: 3,
    scaleInDatapoints: 15,
    // Documented only loosely: capacity is removed when utilization is "far enough below the
    // target value (usually more than 10% lower)" (Application Auto Scaling user guide, target
    // tracking). 0.9 x target is the reading of that sentence; the alarm itself shows the real one.
    scaleInThresholdRatio: 0.9,
});

/**
 * Seconds from a scale-out decision until a new task serves requests. No AWS figure exists;
 * 60 s is 45 s for Fargate to provision the ENI, pull the image and start the container
 * (observed: "It is normal for new AWS Fargate tasks to take 30-45 seconds or longer to start",
 * AWS re:Post QUjZAzJd27SZWxXM7MgyxOZw; the pull grows with the image, since Fargate does not
 * cache images: ECS developer guide, fargate-pull-behavior) plus 15 s for one ALB health check
 * at the target group's 15 s interval (documented: a newly registered target needs one
 * successful health check, whatever the healthy threshold: ECS developer guide,
 * load-balancer-healthcheck). Measure yours: ECS task events' `createdAt` to the target's
 * `healthy` state.
 */
export const DEFAULT_STARTUP_SECONDS = 60;

/**
 * How load turns into the metrics the policies track. A simple, CPU-bound task:
 * - utilisation u = requests offered to a task per second / taskCapacityRps (the rate one task
 *   sustains within the SLO). Offered load above running tasks x taskCapacityRps is overload;
 *   the ALB still hands those requests to the tasks, so u can exceed 1.
 * - CPU % = min(100, u x cpuPercentAtCapacity): signing and verifying is CPU work, so the rate a
 *   task sustains is the rate at which its CPU runs out.
 * - memory % = min(100, memoryBaselinePercent + u x memoryPercentPerCapacity): the runtime's
 *   resident memory plus buffers for requests in flight (uploads up to 50 MB).
 */
export interface TaskModel {
    readonly cpuPercentAtCapacity: number;
    readonly memoryBaselinePercent: number;
    readonly memoryPercentPerCapacity: number;
}

export const DEFAULT_TASK_MODEL: TaskModel = Object.freeze({
    cpuPercentAtCapacity: 100,
    memoryBaselinePercent: 30,
    memoryPercentPerCapacity: 30,
});

/** Everything the simulation needs about one ECS service's autoscaling. */
export interface ScalingSetup {
    /** The scalable target's MinCapacity and MaxCapacity. */
    readonly minTasks: number;
    readonly maxTasks: number;
    /** Tasks running at t = 0 (default minTasks: the service idle before the test). */
    readonly initialTasks?: number;
    readonly policies: readonly TrackingPolicy[];
    /** Requests per second one task sustains within the SLO. */
    readonly taskCapacityRps: number;
    /** Seconds from a scale-out decision until the new tasks serve (default DEFAULT_STARTUP_SECONDS). */
    readonly startupSeconds?: number;
    readonly alarms?: Partial<AlarmModel>;
    readonly task?: Partial<TaskModel>;
}

/**
 * The planning assumption for the per-task rate when no measurement exists: the request
 * target is where a task should sit at 70 % of what it sustains, so a task sustains
 * requestsPerTarget / 60 / 0.7 requests per second (1000 requests per target per minute:
 * 23.8 req/s). A measured rate (k6 against one task) replaces it.
 */
export const PLANNING_TARGET_UTILISATION = 0.7;

export function plannedTaskCapacityRps(requestsPerTargetPerMinute: number): number {
    return requestsPerTargetPerMinute / 60 / PLANNING_TARGET_UTILISATION;
}
