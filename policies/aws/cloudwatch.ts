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

/**
 * The unit each metric above is published in; an alarm that names another `unit` sees no data.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 */
export const METRIC_UNIT: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
    [CLOUDWATCH_NAMESPACE.applicationElb]: {
        [ALB_METRIC.targetResponseTime]: "Seconds",
        [ALB_METRIC.requestCount]: "Count",
        [ALB_METRIC.target5xxCount]: "Count",
        [ALB_METRIC.elb5xxCount]: "Count",
        [ALB_METRIC.unhealthyHostCount]: "Count",
    },
    [CLOUDWATCH_NAMESPACE.ecs]: { [ECS_METRIC.cpuUtilization]: "Percent", [ECS_METRIC.memoryUtilization]: "Percent" },
    [CLOUDWATCH_NAMESPACE.rds]: {
        [RDS_METRIC.cpuUtilization]: "Percent",
        [RDS_METRIC.freeableMemory]: "Bytes",
        [RDS_METRIC.freeStorageSpace]: "Bytes",
        [RDS_METRIC.databaseConnections]: "Count",
        [RDS_METRIC.readLatency]: "Seconds",
        [RDS_METRIC.writeLatency]: "Seconds",
        [RDS_METRIC.replicaLag]: "Seconds",
    },
    // CLOUDFRONT_METRIC's names (cloudfront.ts; this file imports nothing).
    [CLOUDWATCH_NAMESPACE.cloudFront]: { Requests: "None", "5xxErrorRate": "Percent", CacheHitRate: "Percent" },
});

/** Dimension names, as the services publish them (case-sensitive, like everything in CloudWatch). */
export const DIMENSION = Object.freeze({
    loadBalancer: "LoadBalancer",
    targetGroup: "TargetGroup",
    clusterName: "ClusterName",
    serviceName: "ServiceName",
    dbInstanceIdentifier: "DBInstanceIdentifier",
    distributionId: "DistributionId",
    region: "Region",
} as const);

/**
 * The dimension sets an ALB metric is published with that name the whole load balancer
 * (the AvailabilityZone splits cover one zone only, a TargetGroup alone no load balancer).
 * ELB-generated codes have no target group; host counts exist only per target group.
 */
export const ALB_METRIC_DIMENSIONS: Readonly<Record<string, readonly (readonly string[])[]>> = Object.freeze({
    [ALB_METRIC.targetResponseTime]: [[DIMENSION.loadBalancer], [DIMENSION.loadBalancer, DIMENSION.targetGroup]],
    [ALB_METRIC.requestCount]: [[DIMENSION.loadBalancer], [DIMENSION.loadBalancer, DIMENSION.targetGroup]],
    [ALB_METRIC.target5xxCount]: [[DIMENSION.loadBalancer], [DIMENSION.loadBalancer, DIMENSION.targetGroup]],
    [ALB_METRIC.elb5xxCount]: [[DIMENSION.loadBalancer]],
    [ALB_METRIC.unhealthyHostCount]: [[DIMENSION.loadBalancer, DIMENSION.targetGroup]],
});

/** What `statistic` takes; everything else goes in `extendedStatistic`. */
export const STANDARD_STATISTICS: readonly string[] = Object.freeze([
    "SampleCount",
    "Average",
    "Sum",
    "Minimum",
    "Maximum",
]);

/**
 * Extended statistics: percentiles p0..p100 and the trimmed/winsorized forms, short (tm90) or
 * ranged (TM(10%:90%)), PR(..) and IQM.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 */
export const EXTENDED_STATISTIC =
    /^(?:(?:p|tm|wm|tc|ts)(?:100|\d{1,2}(?:\.\d+)?)|(?:TM|WM|TC|TS|PR)\(\d*(?:\.\d+)?%?:\d*(?:\.\d+)?%?\)|IQM)$/;

/** Standard-resolution (AWS service) metrics hold one datapoint a minute: alarm periods are whole minutes. */
export const STANDARD_RESOLUTION_SECONDS = 60;

/** The retention periods CloudWatch Logs accepts, days. */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = Object.freeze([
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
