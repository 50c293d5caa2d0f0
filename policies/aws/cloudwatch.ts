/**
 * CloudWatch facts: the metric namespaces and names the alarms, the dashboard and the policy
 * pack use, and the retention periods CloudWatch Logs accepts. No imports, so the pack stays
 * publishable on its own. CloudFront's metric names are in cloudfront.ts with its other facts.
 */

export const CLOUDWATCH_NAMESPACE = Object.freeze({
    applicationElb: "AWS/ApplicationELB",
    ecs: "AWS/ECS",
    /** Task counts of services in clusters with Container Insights on. */
    containerInsights: "ECS/ContainerInsights",
    rds: "AWS/RDS",
    /** Published only in us-east-1 (CLOUDFRONT_REGION). */
    cloudFront: "AWS/CloudFront",
} as const);

/** Application Load Balancer metrics (`AWS/ApplicationELB`). The 5xx counts exist only when non-zero. */
export const ALB_METRIC = Object.freeze({
    /** Seconds. */
    targetResponseTime: "TargetResponseTime",
    requestCount: "RequestCount",
    target5xxCount: "HTTPCode_Target_5XX_Count",
    elb5xxCount: "HTTPCode_ELB_5XX_Count",
    unhealthyHostCount: "UnHealthyHostCount",
} as const);

/** ECS service metrics (`AWS/ECS`), percent. */
export const ECS_METRIC = Object.freeze({
    cpuUtilization: "CPUUtilization",
    memoryUtilization: "MemoryUtilization",
} as const);

/** Container Insights metrics (`ECS/ContainerInsights`). */
export const CONTAINER_INSIGHTS_METRIC = Object.freeze({
    runningTaskCount: "RunningTaskCount",
} as const);

/** RDS instance metrics (`AWS/RDS`); the latencies and ReplicaLag are in seconds. */
export const RDS_METRIC = Object.freeze({
    cpuUtilization: "CPUUtilization",
    freeableMemory: "FreeableMemory",
    freeStorageSpace: "FreeStorageSpace",
    databaseConnections: "DatabaseConnections",
    readLatency: "ReadLatency",
    writeLatency: "WriteLatency",
    replicaLag: "ReplicaLag",
} as const);

/** The retention periods CloudWatch Logs accepts, days. */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = Object.freeze([
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
