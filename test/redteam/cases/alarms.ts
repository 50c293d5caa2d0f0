/**
 * Red-team cases: alarm thresholds, coverage and actions.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";
import type { SourceEdit } from "../../../tools/harness/program-copy";

const SERVICE_ALARMS = "components/scaling-service/alarms.ts";
const DATABASE_ALARMS = "components/database/alarms.ts";
const CDN_ALARMS = "components/cdn/alarms.ts";
const ERROR_RATE_EXPRESSION = 'expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",';
const errorRateExpression = (expression: string): SourceEdit => ({
    file: SERVICE_ALARMS,
    find: ERROR_RATE_EXPRESSION,
    replace: `expression: ${JSON.stringify(expression)},`,
});
/** The p95 latency alarm written as metric math over a metric query. */
const latencyAsMath = (expression: string, threshold: string, stat = "p95"): SourceEdit => ({
    file: SERVICE_ALARMS,
    find: `            namespace: CLOUDWATCH_NAMESPACE.applicationElb,
            metricName: ALB_METRIC.targetResponseTime,
            dimensions: alb,
            extendedStatistic: "p95",
            // TargetResponseTime is reported in seconds.
            threshold: s.latencyP95ThresholdMs / 1000,`,
    replace: `            metricQueries: [
                {
                    id: "m1",
                    metric: {
                        namespace: CLOUDWATCH_NAMESPACE.applicationElb,
                        metricName: ALB_METRIC.targetResponseTime,
                        dimensions: alb,
                        stat: "${stat}",
                        period: MINUTE,
                    },
                },
                { id: "latencyMs", expression: "${expression}", returnData: true },
            ],
            threshold: ${threshold},`,
});

export const CASES: readonly RedTeamCase[] = [
    { name: "the production stack as committed", mustFail: [] },
    { name: "the dev stack as committed (no alert subscription there: advisory only)", stack: "dev", mustFail: [] },

    // 1. Thresholds written as metric math are read in the rule's unit.
    {
        name: "error-rate expression loses its x 100 while the threshold stays 5 (a 500 % alarm)",
        program: [errorRateExpression("(FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)")],
        mustFail: ["alarm-error-rate"],
    },
    {
        name: "error-rate expression written 100.0 * ... at 5 % passes",
        program: [errorRateExpression("100.0 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)")],
        mustFail: [],
    },
    {
        name: "error-rate expression written (errors / requests) * 100 at 5 % passes",
        program: [errorRateExpression("((FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)) * 100")],
        mustFail: [],
    },
    {
        name: "error-rate as a ratio with the threshold divided by 100 passes",
        program: [
            errorRateExpression("(FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)"),
            {
                file: SERVICE_ALARMS,
                find: "threshold: s.errorRatePercent,",
                replace: "threshold: s.errorRatePercent / 100,",
            },
        ],
        mustFail: [],
    },
    {
        name: "error-rate expression with an offset that keeps it below the threshold",
        program: [errorRateExpression("100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1) - 20")],
        mustFail: ["alarm-error-rate"],
    },
    {
        name: "error-rate divided by requests counted twice (halves the rate)",
        program: [errorRateExpression("100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 1) + requests)")],
        mustFail: ["alarm-error-rate"],
    },
    {
        name: "latency alarm in milliseconds through metric math at the SLO passes",
        program: [latencyAsMath("m1 * 1000", "s.latencyP95ThresholdMs")],
        mustFail: [],
    },
    {
        name: "latency alarm multiplied to milliseconds but the threshold still in seconds x 4",
        program: [latencyAsMath("m1 * 250", "s.latencyP95ThresholdMs")],
        mustFail: ["alarm-latency"],
    },

    // 2. Percentiles: any tail percentile at or above the floor.
    {
        name: "latency alarm on p99.9 at 0.5 s passes",
        program: [{ file: SERVICE_ALARMS, find: 'extendedStatistic: "p95",', replace: 'extendedStatistic: "p99.9",' }],
        mustFail: [],
    },
    {
        name: "latency alarm on the median (p50)",
        program: [{ file: SERVICE_ALARMS, find: 'extendedStatistic: "p95",', replace: 'extendedStatistic: "p50",' }],
        mustFail: ["alarm-latency"],
    },
    {
        name: "latency alarm through metric math on the Average",
        program: [latencyAsMath("m1 * 1000", "s.latencyP95ThresholdMs", "Average")],
        mustFail: ["alarm-latency"],
    },

    // 3. The anomaly-detection exemption needs a real band.
    {
        name: 'latency alarm at 2 s with thresholdMetricId: "" (an empty field must not switch the rule off)',
        program: [
            {
                file: SERVICE_ALARMS,
                find: "threshold: s.latencyP95ThresholdMs / 1000,",
                replace: 'threshold: 2,\n            thresholdMetricId: "",',
            },
        ],
        mustFail: ["alarm-latency"],
    },
    {
        name: "anomaly alarm whose thresholdMetricId names the metric instead of the band",
        program: [{ file: SERVICE_ALARMS, find: 'thresholdMetricId: "band",', replace: 'thresholdMetricId: "p95",' }],
        mustFail: ["alarm-latency"],
    },

    // 4. Coverage only by alarms that can fire on the resource.
    {
        name: "ALB alarms dimensioned by the load balancer's ARN instead of its ARN suffix",
        program: [
            {
                file: "components/scaling-service/index.ts",
                // The alarms' targets (the autoscaling call before them passes the same two lines).
                find: `albArnSuffix: alb.arnSuffix,
                targetGroupArnSuffix: targetGroup.arnSuffix,
                clusterName`,
                replace: `albArnSuffix: alb.arn,
                targetGroupArnSuffix: targetGroup.arnSuffix,
                clusterName`,
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "ALB alarms' LoadBalancer picked through an Output from the target group (a decoy)",
        program: [
            {
                file: SERVICE_ALARMS,
                find: "const alb = { LoadBalancer: t.albArnSuffix };",
                replace: `const alb = {
        LoadBalancer: pulumi.all([t.albArnSuffix, t.targetGroupArnSuffix]).apply(([, tg]) => tg),
    };`,
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: 'CloudFront alarms without the Region: "Global" dimension',
        program: [
            {
                file: CDN_ALARMS,
                find: ", Region: CLOUDFRONT_METRICS_REGION_DIMENSION };",
                replace: " };",
            },
            { file: CDN_ALARMS, find: "    CLOUDFRONT_METRICS_REGION_DIMENSION,\n", replace: "" },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "CloudFront alarms created in the stack's region (eu-west-1) instead of us-east-1",
        stack: "dev",
        program: [{ file: CDN_ALARMS, find: "        region: CLOUDFRONT_REGION,\n", replace: "" }],
        mustFail: ["alarm-coverage", "alarm-notifies"],
    },
    {
        name: "database alarms in namespace AWS/Rds (wrong case)",
        program: [
            { file: DATABASE_ALARMS, find: "namespace: CLOUDWATCH_NAMESPACE.rds,", replace: 'namespace: "AWS/Rds",' },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "ECS alarms with ServiceName only (the service's metrics need ClusterName too)",
        program: [
            {
                file: SERVICE_ALARMS,
                find: "const service = { ClusterName: t.clusterName, ServiceName: t.serviceName };",
                replace: "const service = { ServiceName: t.serviceName };",
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "database alarms needing more breaching datapoints than they evaluate (never fire)",
        program: [
            {
                file: DATABASE_ALARMS,
                find: "datapointsToAlarm: t.evaluationPeriods,",
                replace: "datapointsToAlarm: t.evaluationPeriods + 1,",
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "database alarms pasted from staging with staging's literal DB identifier",
        program: [
            {
                file: DATABASE_ALARMS,
                find: "dimensions: { DBInstanceIdentifier: spec.identifier },",
                replace: 'dimensions: { DBInstanceIdentifier: "database-staging" },',
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "latency alarm filtered to unit Milliseconds (TargetResponseTime is published in Seconds: no data)",
        program: [
            {
                file: SERVICE_ALARMS,
                find: 'extendedStatistic: "p95",',
                replace: 'extendedStatistic: "p95",\n            unit: "Milliseconds",',
            },
        ],
        mustFail: ["alarm-coverage"],
    },
    {
        name: "free-storage alarm flipped to fire when storage is plentiful",
        program: [
            {
                file: DATABASE_ALARMS,
                find: `metricName: RDS_METRIC.freeStorageSpace,
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",`,
                replace: `metricName: RDS_METRIC.freeStorageSpace,
            statistic: "Minimum",
            comparisonOperator: "GreaterThanThreshold",`,
            },
        ],
        mustFail: ["alarm-coverage"],
    },

    // 5. Actions that reach someone.
    {
        name: "production without alert e-mail addresses (the topic has no subscriber)",
        stackFile: { "credlink:alerts.emails": undefined },
        mustFail: ["alarm-topic-subscribed"],
    },
    {
        name: "database alarms notify a hard-coded legacy topic outside the stack",
        program: [
            {
                file: DATABASE_ALARMS,
                find: "alarmActions: [a.alarmTopicArn],",
                replace: 'alarmActions: ["arn:aws:sns:us-east-1:123456789012:legacy-alerts"],',
            },
        ],
        mustFail: ["alarm-notifies"],
    },
    {
        name: "database alarms notify a topic picked through an Output from the real one (a decoy)",
        program: [
            {
                file: DATABASE_ALARMS,
                find: "alarmActions: [a.alarmTopicArn],",
                replace: `alarmActions: [
                    pulumi.output(a.alarmTopicArn).apply(() => "arn:aws:sns:us-east-1:123456789012:nobody"),
                ],`,
            },
        ],
        mustFail: ["alarm-notifies"],
    },
    {
        name: "a mute rule declared at module scope to silence alarms during deploys",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.cloudwatch.AlarmMuteRule("quiet-deploys", {
    rule: { schedule: { expression: "cron(0 2 * * *)", duration: "PT4H" } },
});

type Outputs =`,
            },
        ],
        mustFail: ["alarm-not-silenced"],
    },
    {
        name: "the SLO composite alarm suppressed while the latency alarm is in ALARM",
        program: [
            {
                file: "components/slo-dashboard.ts",
                find: "                actionsEnabled: true,\n                alarmActions: [args.alarmTopicArn],",
                replace: `                actionsEnabled: true,
                actionsSuppressor: { alarm: anyOf.latencyAlarmName, extensionPeriod: 60, waitPeriod: 60 },
                alarmActions: [args.alarmTopicArn],`,
            },
        ],
        mustFail: ["alarm-not-silenced"],
    },

    // 6. False positives removed: documented options pass.
    {
        name: "one read replica (a documented option)",
        stackFile: { "credlink:database.readReplicas": 1 },
        mustFail: [],
    },

    // 7. A value a rule needs that is unknown at preview stays a violation.
    {
        name: "latency threshold computed from another resource's output",
        program: [
            {
                file: SERVICE_ALARMS,
                find: "threshold: s.latencyP95ThresholdMs / 1000,",
                replace: "threshold: pulumi.output(t.albArnSuffix).apply(() => 2),",
            },
        ],
        mustFail: ["alarm-latency"],
    },
    {
        name: "database alarm namespace taken from an output (the pack cannot tell what it watches)",
        program: [
            {
                file: DATABASE_ALARMS,
                find: "namespace: CLOUDWATCH_NAMESPACE.rds,",
                replace: "namespace: pulumi.output(a.alarmTopicArn).apply(() => CLOUDWATCH_NAMESPACE.rds),",
            },
        ],
        mustFail: ["alarm-readable"],
    },
];
