import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnRegion } from "../../lib/arn";
import {
    CLOUDFRONT_METRIC,
    CLOUDFRONT_METRICS_REGION_DIMENSION,
    CLOUDFRONT_REGION,
} from "../../policies/aws/cloudfront";
import { CLOUDWATCH_NAMESPACE } from "../../policies/aws/cloudwatch";

export interface CdnAlarmsArgs {
    readonly distributionId: pulumi.Input<string>;
    /** SNS topic in us-east-1 for ALARM and OK notifications; none = alarms without actions. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Alarm when 5xxErrorRate (percent of viewer requests) stays above this. */
    readonly errorRatePercent: number;
    /** Alarm when CacheHitRate (percent of cacheable requests) stays below this. */
    readonly cacheHitRatePercent: number;
}

/**
 * CloudWatch only notifies SNS topics in the alarm's own region
 * ("Invalid region ... specified. Only us-east-1 is supported").
 */
export function checkTopicRegion(component: string, arn: string): string {
    const region = arnRegion(arn);
    if (region !== CLOUDFRONT_REGION) {
        throw new Error(
            `${component}: alarmTopicArn = ${JSON.stringify(arn)} must be an SNS topic in ${CLOUDFRONT_REGION}, ` +
                `not ${region ?? "an unknown region"}: CloudFront alarms live in ${CLOUDFRONT_REGION} ` +
                "and CloudWatch only notifies topics in the alarm's region",
        );
    }
    return arn;
}

/** The topic ARN, checked now when it is a plain string and once known when it is an Output. */
export function topicInAlarmRegion(component: string, arn: pulumi.Input<string>): pulumi.Input<string> {
    return typeof arn === "string"
        ? checkTopicRegion(component, arn)
        : pulumi.output(arn).apply((a) => checkTopicRegion(component, a));
}

/**
 * The CDN's alarms: 5xx error rate above the SLO and cache-hit rate below it. A
 * monitoring subscription turns on CloudFront's additional metrics, without
 * which CacheHitRate does not exist (they cost extra per metric).
 */
export function createCdnAlarms(
    name: string,
    args: CdnAlarmsArgs,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm[] {
    const dimensions = { DistributionId: args.distributionId, Region: CLOUDFRONT_METRICS_REGION_DIMENSION };
    const actions = args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn];
    const common = {
        // CloudFront publishes its metrics only in us-east-1, so its alarms live there too.
        region: CLOUDFRONT_REGION,
        namespace: CLOUDWATCH_NAMESPACE.cloudFront,
        statistic: "Average",
        dimensions,
        // No requests means no data points; that is not an outage.
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
    };

    const subscription = new aws.cloudfront.MonitoringSubscription(
        `${name}-additional-metrics`,
        {
            distributionId: args.distributionId,
            monitoringSubscription: {
                realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" },
            },
        },
        { parent },
    );

    const errorRate = new aws.cloudwatch.MetricAlarm(
        `${name}-5xx-error-rate`,
        {
            ...common,
            alarmDescription:
                `CloudFront 5xx responses above ${args.errorRatePercent} % of ` + `requests (3 of the last 5 minutes)`,
            metricName: CLOUDFRONT_METRIC.errorRate5xx,
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: args.errorRatePercent,
        },
        { parent },
    );
    const cacheHitRate = new aws.cloudwatch.MetricAlarm(
        `${name}-cache-hit-rate`,
        {
            ...common,
            alarmDescription: `CloudFront cache-hit rate below ${args.cacheHitRatePercent} % for 15 minutes`,
            metricName: CLOUDFRONT_METRIC.cacheHitRate,
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "LessThanThreshold",
            threshold: args.cacheHitRatePercent,
        },
        { parent, dependsOn: [subscription] },
    );
    return [errorRate, cacheHitRate];
}
