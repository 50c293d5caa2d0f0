import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_METRIC, CLOUDFRONT_METRICS_REGION_DIMENSION, CLOUDFRONT_REGION } from "../policies/aws/cloudfront";
import {
    ALB_METRIC,
    CLOUDWATCH_NAMESPACE,
    CONTAINER_INSIGHTS_METRIC,
    ECS_METRIC,
    RDS_METRIC,
} from "../policies/aws/cloudwatch";
import { SLO } from "../policies/slo";
import { PERFORMANCE_NAMESPACE } from "./scaling-service/metrics";

export interface SloDashboardArgs {
    /** Region of the ALB, ECS service and database. */
    readonly region: string;
    /** ALB `arnSuffix` (app/<name>/<id>), the `LoadBalancer` metric dimension. */
    readonly albArnSuffix: pulumi.Input<string>;
    /** Target group `arnSuffix` (targetgroup/<name>/<id>), the `TargetGroup` metric dimension. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /** ECS cluster and service names, the `ClusterName` / `ServiceName` dimensions. */
    readonly clusterName: pulumi.Input<string>;
    readonly serviceName: pulumi.Input<string>;
    /** CloudFront distribution ID. */
    readonly distributionId: pulumi.Input<string>;
    /** RDS instance identifier, the `DBInstanceIdentifier` dimension. */
    readonly dbInstanceIdentifier: pulumi.Input<string>;
    /** Scaling range and targets, drawn as horizontal lines. */
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly cpuTargetPercent: number;
    readonly memoryTargetPercent: number;
    /**
     * Requests per second the service carries with maxTasks tasks at its request-count target
     * (maxTasks × requestsPerTarget / 60), drawn on the throughput widget next to the SLO peak.
     */
    readonly capacityAtTargetRps: number;
    /** The alarms the composite "service degraded" alarm combines. */
    readonly degradedWhenAnyOf: {
        readonly latencyAlarmName: pulumi.Input<string>;
        readonly errorRateAlarmName: pulumi.Input<string>;
        readonly unhealthyHostsAlarmName: pulumi.Input<string>;
    };
    /** Topic for the composite alarm's ALARM and OK notifications (the page). */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Every alarm of the stack, shown in an alarm-status widget. Default: none. */
    readonly alarmArns?: pulumi.Input<pulumi.Input<string>[]>;
}

type Metric = (string | Record<string, unknown>)[];

/**
 * The SLO dashboard and the composite "service degraded" alarm that pages.
 * Every horizontal line comes from the SLO module or the scaling config; every
 * metric points at a resource of this stack.
 */
export class SloDashboard extends pulumi.ComponentResource {
    public readonly dashboardName: pulumi.Output<string>;
    public readonly dashboardUrl: pulumi.Output<string>;
    public readonly degradedAlarmName: pulumi.Output<string>;
    public readonly degradedAlarmArn: pulumi.Output<string>;

    constructor(name: string, args: SloDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:monitoring:SloDashboard", name, {}, opts);
        if (
            !Number.isInteger(args.minTasks) ||
            !Number.isInteger(args.maxTasks) ||
            args.minTasks < 1 ||
            args.minTasks > args.maxTasks
        ) {
            throw new Error(
                `SloDashboard ${name}: minTasks = ${args.minTasks} must be a whole number between 1 ` +
                    `and maxTasks (${args.maxTasks})`,
            );
        }
        if (!Number.isFinite(args.capacityAtTargetRps) || args.capacityAtTargetRps <= 0) {
            throw new Error(
                `SloDashboard ${name}: capacityAtTargetRps = ${args.capacityAtTargetRps} must be a number of ` +
                    `requests per second greater than 0 (maxTasks × requestsPerTarget / 60)`,
            );
        }

        const anyOf = args.degradedWhenAnyOf;
        const degraded = new aws.cloudwatch.CompositeAlarm(
            `${name}-service-degraded`,
            {
                alarmName: `${name}-${pulumi.getStack()}-service-degraded`,
                alarmDescription:
                    `CredLink is outside its SLO: p95 latency > ${SLO.latencyP95Ms} ` +
                    `ms, 5xx rate > ${SLO.errorRate * 100} % or unhealthy targets. ` +
                    `Page the on-call.`,
                alarmRule: pulumi
                    .all([anyOf.latencyAlarmName, anyOf.errorRateAlarmName, anyOf.unhealthyHostsAlarmName])
                    .apply((names) => names.map((n) => `ALARM("${n}")`).join(" OR ")),
                actionsEnabled: true,
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );

        const body = pulumi
            .all([
                args.albArnSuffix,
                args.targetGroupArnSuffix,
                args.clusterName,
                args.serviceName,
                args.distributionId,
                args.dbInstanceIdentifier,
                args.alarmArns ?? [],
                degraded.arn,
            ])
            .apply(([alb, tg, cluster, service, distribution, db, alarmArns, degradedArn]) =>
                JSON.stringify(
                    dashboardBody({
                        ...args,
                        alb,
                        tg,
                        cluster,
                        service,
                        distribution,
                        db,
                        alarmArns: [degradedArn, ...alarmArns],
                    }),
                ),
            );

        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}`,
            { dashboardName: `credlink-${pulumi.getStack()}-slo`, dashboardBody: body },
            { parent: this },
        );

        this.dashboardName = dashboard.dashboardName;
        const console = `https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}`;
        this.dashboardUrl = pulumi.interpolate`${console}#dashboards/dashboard/${dashboard.dashboardName}`;
        this.degradedAlarmName = degraded.alarmName;
        this.degradedAlarmArn = degraded.arn;
        this.registerOutputs({
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
            degradedAlarmName: this.degradedAlarmName,
            degradedAlarmArn: this.degradedAlarmArn,
        });
    }
}

interface Resolved {
    readonly region: string;
    readonly alb: string;
    readonly tg: string;
    readonly cluster: string;
    readonly service: string;
    readonly distribution: string;
    readonly db: string;
    readonly alarmArns: string[];
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly cpuTargetPercent: number;
    readonly memoryTargetPercent: number;
    readonly capacityAtTargetRps: number;
}

/**
 * The CloudWatch dashboard body
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 */
export function dashboardBody(r: Resolved): { widgets: Record<string, unknown>[] } {
    const alb = (metric: string, extra: Record<string, unknown>): Metric => [
        CLOUDWATCH_NAMESPACE.applicationElb,
        metric,
        "LoadBalancer",
        r.alb,
        extra,
    ];
    const service = (namespace: string, metric: string, extra: Record<string, unknown>): Metric => [
        namespace,
        metric,
        "ClusterName",
        r.cluster,
        "ServiceName",
        r.service,
        extra,
    ];
    const db = (metric: string, extra: Record<string, unknown>): Metric => [
        CLOUDWATCH_NAMESPACE.rds,
        metric,
        "DBInstanceIdentifier",
        r.db,
        extra,
    ];
    const line = (label: string, value: number, fill?: "above" | "below") => ({
        label,
        value,
        ...(fill ? { fill } : {}),
    });
    const widgets: Record<string, unknown>[] = [];
    let x = 0;
    let y = 0;
    const add = (title: string, properties: Record<string, unknown>, type = "metric") => {
        const defaults = type === "metric" ? { region: r.region, view: "timeSeries", stat: "Average", period: 60 } : {};
        widgets.push({ type, x, y, width: 12, height: 6, properties: { title, ...defaults, ...properties } });
        x = x === 0 ? 12 : 0;
        if (x === 0) y += 6;
    };

    add("Latency p95 / p99 (ALB TargetResponseTime, seconds)", {
        metrics: [
            alb(ALB_METRIC.targetResponseTime, { stat: "p95", label: "p95" }),
            alb(ALB_METRIC.targetResponseTime, { stat: "p99", label: "p99" }),
        ],
        annotations: { horizontal: [line(`SLO p95 ${SLO.latencyP95Ms} ms`, SLO.latencyP95Ms / 1000, "above")] },
        yAxis: { left: { min: 0, label: "seconds", showUnits: false } },
    });
    add("Requests per second (ALB)", {
        metrics: [
            alb(ALB_METRIC.requestCount, { id: "requests", stat: "Sum", visible: false }),
            [{ id: "rps", expression: "requests / PERIOD(requests)", label: "requests/s" }],
        ],
        annotations: {
            horizontal: [
                line(`Peak target ${SLO.peakRequestsPerSecond} req/s`, SLO.peakRequestsPerSecond),
                line(`Capacity at scaling target ${Math.floor(r.capacityAtTargetRps)} req/s`, r.capacityAtTargetRps),
            ],
        },
        yAxis: { left: { min: 0 } },
    });
    add("5xx error rate (%)", {
        metrics: [
            alb(ALB_METRIC.target5xxCount, { id: "target5xx", stat: "Sum", visible: false }),
            alb(ALB_METRIC.elb5xxCount, { id: "elb5xx", stat: "Sum", visible: false }),
            alb(ALB_METRIC.requestCount, { id: "requests", stat: "Sum", visible: false }),
            [
                {
                    id: "errorRate",
                    expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                    label: "5xx %",
                },
            ],
        ],
        annotations: { horizontal: [line(`SLO ${SLO.errorRate * 100} %`, SLO.errorRate * 100, "above")] },
        yAxis: { left: { min: 0, max: 100 } },
    });
    add("CDN cache-hit rate (%)", {
        region: CLOUDFRONT_REGION,
        metrics: [
            [
                CLOUDWATCH_NAMESPACE.cloudFront,
                CLOUDFRONT_METRIC.cacheHitRate,
                "DistributionId",
                r.distribution,
                "Region",
                CLOUDFRONT_METRICS_REGION_DIMENSION,
                { label: "cache hit %" },
            ],
        ],
        annotations: {
            horizontal: [line(`Target ${SLO.cdnCacheHitRatePercent} %`, SLO.cdnCacheHitRatePercent, "below")],
        },
        yAxis: { left: { min: 0, max: 100 } },
    });
    add("Running tasks", {
        metrics: [
            service(CLOUDWATCH_NAMESPACE.containerInsights, CONTAINER_INSIGHTS_METRIC.runningTaskCount, {
                label: "running",
            }),
        ],
        annotations: { horizontal: [line(`min ${r.minTasks}`, r.minTasks), line(`max ${r.maxTasks}`, r.maxTasks)] },
        yAxis: { left: { min: 0 } },
    });
    add("Service CPU and memory (%)", {
        metrics: [
            service(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.cpuUtilization, { label: "CPU" }),
            service(CLOUDWATCH_NAMESPACE.ecs, ECS_METRIC.memoryUtilization, { label: "memory" }),
        ],
        annotations: {
            horizontal: [
                line(`CPU target ${r.cpuTargetPercent} %`, r.cpuTargetPercent),
                line(`memory target ${r.memoryTargetPercent} %`, r.memoryTargetPercent),
            ],
        },
        yAxis: { left: { min: 0, max: 100 } },
    });
    add("Database CPU (%) and connections", {
        metrics: [
            db(RDS_METRIC.cpuUtilization, { label: "CPU %" }),
            db(RDS_METRIC.databaseConnections, { label: "connections", yAxis: "right" }),
        ],
        yAxis: { left: { min: 0, max: 100 }, right: { min: 0 } },
    });
    add("Database read / write latency (seconds)", {
        metrics: [db(RDS_METRIC.readLatency, { label: "read" }), db(RDS_METRIC.writeLatency, { label: "write" })],
        yAxis: { left: { min: 0 } },
    });
    add("Application metrics (from the service's JSON logs)", {
        metrics: [
            [PERFORMANCE_NAMESPACE, "ResponseTime", { stat: "p95", label: "ResponseTime p95 (ms)" }],
            [
                PERFORMANCE_NAMESPACE,
                "RequestSize",
                { stat: "Average", label: "RequestSize avg (bytes)", yAxis: "right" },
            ],
            [PERFORMANCE_NAMESPACE, "SignOperations", { stat: "Sum", label: "SignOperations / min", yAxis: "right" }],
        ],
        annotations: { horizontal: [line(`SLO p95 ${SLO.latencyP95Ms} ms`, SLO.latencyP95Ms)] },
    });
    if (r.alarmArns.length > 0)
        add("Alarms", { alarms: r.alarmArns, sortBy: "stateUpdatedTimestamp", states: [] }, "alarm");
    return { widgets };
}
