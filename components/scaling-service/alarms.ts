/**
 * The service's CloudWatch alarms. Every alarm notifies the alerts topic on ALARM
 * and on OK, and names its missing-data behaviour on purpose: ALB metrics only
 * exist while requests flow, so "no data" mostly means "no traffic".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALB_METRIC, CLOUDWATCH_NAMESPACE, CONTAINER_INSIGHTS_METRIC, ECS_METRIC } from "../../policies/aws/cloudwatch";
import type { AlarmSettings } from "./args";

export interface AlarmTargets {
    /** `app/<name>/<id>`: the ALB's CloudWatch `LoadBalancer` dimension. */
    readonly albArnSuffix: pulumi.Input<string>;
    /** `targetgroup/<name>/<id>`: the `TargetGroup` dimension. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    readonly serviceName: pulumi.Input<string>;
    readonly maxTasks: number;
    readonly topicArn: pulumi.Input<string>;
}

/** Alarm name suffixes, in creation order; the physical name is `<prefix>-<suffix>`. */
export const ALARM_SUFFIXES = [
    "latency-p95",
    "error-rate",
    "request-rate",
    "unhealthy-hosts",
    "cpu-high",
    "memory-high",
    "at-max-capacity",
    "latency-anomaly",
] as const;
export type AlarmSuffix = (typeof ALARM_SUFFIXES)[number];

type AlarmBody = Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmActions" | "okActions" | "actionsEnabled">;

const MINUTE = 60;

export function alarmBodies(t: AlarmTargets, s: AlarmSettings): Record<AlarmSuffix, AlarmBody> {
    const alb = { LoadBalancer: t.albArnSuffix };
    const service = { ClusterName: t.clusterName, ServiceName: t.serviceName };
    const albSum = (metricName: string) => ({
        namespace: CLOUDWATCH_NAMESPACE.applicationElb,
        metricName,
        dimensions: alb,
        stat: "Sum",
        period: MINUTE,
    });
    return {
        "latency-p95": {
            alarmDescription:
                `ALB p95 TargetResponseTime above the ${s.latencyP95ThresholdMs} ms ` + `SLO for 3 of 5 minutes`,
            namespace: CLOUDWATCH_NAMESPACE.applicationElb,
            metricName: ALB_METRIC.targetResponseTime,
            dimensions: alb,
            extendedStatistic: "p95",
            // TargetResponseTime is reported in seconds.
            threshold: s.latencyP95ThresholdMs / 1000,
            comparisonOperator: "GreaterThanThreshold",
            period: MINUTE,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            // The SLO holds at any traffic level, so a p95 over few requests still counts.
            evaluateLowSampleCountPercentiles: "evaluate",
            // No requests, no latency: nothing is slow.
            treatMissingData: "notBreaching",
        },
        "error-rate": {
            alarmDescription:
                `5xx responses (target + load balancer) above ${s.errorRatePercent} % ` +
                `of requests for 3 of 5 minutes`,
            metricQueries: [
                { id: "target5xx", metric: albSum(ALB_METRIC.target5xxCount) },
                { id: "elb5xx", metric: albSum(ALB_METRIC.elb5xxCount) },
                { id: "requests", metric: albSum(ALB_METRIC.requestCount) },
                {
                    id: "errorRate",
                    label: "5xx error rate (%)",
                    // 5xx counts are only published when non-zero, hence FILL(.., 0). RequestCount skips
                    // requests rejected before a target was chosen (e.g. 503 with no healthy task), so a
                    // missing denominator is filled with 1: a total outage still yields a breaching rate.
                    expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",
                    returnData: true,
                },
            ],
            threshold: s.errorRatePercent,
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            // The FILLs always produce a value; if CloudWatch still has none, there was no traffic to fail.
            treatMissingData: "notBreaching",
        },
        "request-rate": {
            alarmDescription: `More than ${s.requestRatePer5Min} ALB requests in 5 minutes`,
            namespace: CLOUDWATCH_NAMESPACE.applicationElb,
            metricName: ALB_METRIC.requestCount,
            dimensions: alb,
            statistic: "Sum",
            threshold: s.requestRatePer5Min,
            comparisonOperator: "GreaterThanThreshold",
            period: 5 * MINUTE,
            evaluationPeriods: 1,
            // RequestCount is absent when there are no requests: that is below any threshold.
            treatMissingData: "notBreaching",
        },
        "unhealthy-hosts": {
            alarmDescription: "At least one registered task fails the ALB health check for 3 minutes",
            namespace: CLOUDWATCH_NAMESPACE.applicationElb,
            metricName: ALB_METRIC.unhealthyHostCount,
            dimensions: { TargetGroup: t.targetGroupArnSuffix, LoadBalancer: t.albArnSuffix },
            statistic: "Maximum",
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            period: MINUTE,
            evaluationPeriods: 3,
            // No data means no registered targets to be unhealthy; losing every task shows up as
            // ELB 5xx in the error-rate alarm instead.
            treatMissingData: "notBreaching",
        },
        "cpu-high": {
            alarmDescription:
                `Service average CPU above ${s.cpuHighPercent} % for 5 minutes: ` + `scaling is not keeping up`,
            namespace: CLOUDWATCH_NAMESPACE.ecs,
            metricName: ECS_METRIC.cpuUtilization,
            dimensions: service,
            statistic: "Average",
            threshold: s.cpuHighPercent,
            comparisonOperator: "GreaterThanThreshold",
            period: MINUTE,
            evaluationPeriods: 5,
            // Missing means no running tasks: an availability problem the ALB alarms report, not a CPU one.
            treatMissingData: "notBreaching",
        },
        "memory-high": {
            alarmDescription:
                `Service average memory above ${s.memoryHighPercent} % for 5 minutes: ` + `scaling is not keeping up`,
            namespace: CLOUDWATCH_NAMESPACE.ecs,
            metricName: ECS_METRIC.memoryUtilization,
            dimensions: service,
            statistic: "Average",
            threshold: s.memoryHighPercent,
            comparisonOperator: "GreaterThanThreshold",
            period: MINUTE,
            evaluationPeriods: 5,
            // Same reasoning as cpu-high.
            treatMissingData: "notBreaching",
        },
        "at-max-capacity": {
            alarmDescription:
                `Running tasks pinned at the scaling ceiling (${t.maxTasks}) for 15 ` +
                `minutes: raise scaling.maxTasks or find the bottleneck`,
            namespace: CLOUDWATCH_NAMESPACE.containerInsights,
            metricName: CONTAINER_INSIGHTS_METRIC.runningTaskCount,
            dimensions: service,
            // Minimum over each 5-minute window: every minute of all three windows was at the ceiling.
            statistic: "Minimum",
            threshold: t.maxTasks,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            period: 5 * MINUTE,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            // No Container Insights data means no running tasks, which is not the ceiling.
            treatMissingData: "notBreaching",
        },
        "latency-anomaly": {
            alarmDescription:
                `ALB p95 TargetResponseTime above its learned band ` +
                `(${s.latencyAnomalyStdDevs} standard deviations) for 3 of 5 minutes: ` +
                `performance degradation`,
            metricQueries: [
                {
                    id: "p95",
                    metric: {
                        namespace: CLOUDWATCH_NAMESPACE.applicationElb,
                        metricName: ALB_METRIC.targetResponseTime,
                        dimensions: alb,
                        stat: "p95",
                        period: MINUTE,
                    },
                    returnData: true,
                },
                {
                    id: "band",
                    label: "expected p95 latency",
                    expression: `ANOMALY_DETECTION_BAND(p95, ${s.latencyAnomalyStdDevs})`,
                    returnData: true,
                },
            ],
            thresholdMetricId: "band",
            comparisonOperator: "GreaterThanUpperThreshold",
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            // The band is learned from traffic; quiet periods neither breach nor clear it.
            treatMissingData: "notBreaching",
        },
    };
}

export interface CreatedAlarms {
    readonly alarms: Record<AlarmSuffix, aws.cloudwatch.MetricAlarm>;
    readonly names: string[];
    /**
     * Alarm names as Outputs, so whatever references them (a composite alarm) is created after
     * and deleted before them.
     */
    readonly namesByKind: Record<AlarmSuffix, pulumi.Output<string>>;
}

export function createAlarms(
    logicalPrefix: string,
    physicalPrefix: string,
    t: AlarmTargets,
    s: AlarmSettings,
    parent: pulumi.Resource,
): CreatedAlarms {
    const bodies = alarmBodies(t, s);
    const alarms = {} as Record<AlarmSuffix, aws.cloudwatch.MetricAlarm>;
    const names: string[] = [];
    const namesByKind = {} as Record<AlarmSuffix, pulumi.Output<string>>;
    for (const suffix of ALARM_SUFFIXES) {
        const name = `${physicalPrefix}-${suffix}`;
        alarms[suffix] = new aws.cloudwatch.MetricAlarm(
            `${logicalPrefix}-${suffix}`,
            { ...bodies[suffix], name, actionsEnabled: true, alarmActions: [t.topicArn], okActions: [t.topicArn] },
            { parent },
        );
        names.push(name);
        namesByKind[suffix] = alarms[suffix].name;
    }
    return { alarms, names, namesByKind };
}
