/**
 * alarm-coverage through the pack's gRPC protocol: a resource is covered only by
 * alarms that can fire on it (its metrics, dimension names and values, region, a
 * threshold it can cross, an action that reaches a topic of the stack).
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import type { InputsOf } from "../resources";
import {
    analyze,
    changed,
    compliantStack,
    expectCompliant,
    expectViolations,
    failedPolicies,
    type FixtureResource,
    openPack,
    resource,
    T,
    UNKNOWN,
    urnOf,
    withOutputs,
    without,
} from "./fixtures";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

type AlarmInputs = InputsOf<aws.cloudwatch.MetricAlarmArgs>;
const alarm = (name: string, fn: (a: AlarmInputs, links: { propertyDependencies: Record<string, string[]> }) => void) =>
    changed<AlarmInputs>(compliantStack(), T.alarm, name, fn);
const coverageOf = async (stack: readonly FixtureResource[]) =>
    (await analyze(pack, stack)).filter((d) => d.policyName === "alarm-coverage");
const lineOf = async (stack: readonly FixtureResource[]) => {
    const ds = await coverageOf(stack);
    expect(ds).toHaveLength(1);
    return ds[0].message.split("\n")[1];
};

const RDS_REQUIRED =
    "alarms on AWS/RDS:CPUUtilization, AWS/RDS:FreeableMemory, AWS/RDS:FreeStorageSpace, " +
    "AWS/RDS:DatabaseConnections, AWS/RDS:ReadLatency, AWS/RDS:WriteLatency";
const ALB_SUFFIX = "app/api-test/0123456789abcdef";
const ALB_ARN = `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${ALB_SUFFIX}`;

it("links unknown dimensions through property dependencies: a missing RDS alarm is reported", async () => {
    const stack = without(compliantStack(), T.alarm, "database-FreeStorageSpace");
    expectViolations(await analyze(pack, stack), "alarm-coverage", [
        {
            resource: `${T.db} "database"`,
            property: "alarms",
            found:
                "alarms on AWS/RDS:CPUUtilization, AWS/RDS:DatabaseConnections, " +
                "AWS/RDS:FreeableMemory, AWS/RDS:ReadLatency, AWS/RDS:WriteLatency",
            allowed: RDS_REQUIRED,
            fix:
                "add alarms on AWS/RDS:FreeStorageSpace with dimensions taken from this resource's outputs, " +
                'in "us-east-1"',
        },
    ]);
});

it("reports an ALB, ECS service and distribution whose alarms point elsewhere", async () => {
    let stack = compliantStack();
    for (const name of ["api-unhealthy-hosts", "api-cpu-high", "cdn-cache-hit-rate"]) {
        stack = changed(stack, T.alarm, name, (_a, links) => {
            links.propertyDependencies.dimensions = [];
        });
    }
    expectViolations(await analyze(pack, stack), "alarm-coverage", [
        {
            resource: `${T.alb} "api"`,
            property: "alarms",
            found:
                "alarms on AWS/ApplicationELB:HTTPCode_Target_5XX_Count, " +
                "AWS/ApplicationELB:RequestCount, AWS/ApplicationELB:TargetResponseTime",
            allowed:
                "alarms on AWS/ApplicationELB:TargetResponseTime, " +
                "AWS/ApplicationELB:HTTPCode_Target_5XX_Count|AWS/ApplicationELB:HTTPCode_ELB_5XX_Count, " +
                "AWS/ApplicationELB:RequestCount, AWS/ApplicationELB:UnHealthyHostCount",
            fix: "add alarms on AWS/ApplicationELB:UnHealthyHostCount",
        },
        {
            resource: `${T.service} "api"`,
            property: "alarms",
            found: "alarms on AWS/ECS:MemoryUtilization",
            allowed: "alarms on AWS/ECS:CPUUtilization, AWS/ECS:MemoryUtilization",
            fix: "add alarms on AWS/ECS:CPUUtilization",
        },
        {
            resource: `${T.distribution} "cdn"`,
            property: "alarms",
            found: "alarms on AWS/CloudFront:5xxErrorRate",
            allowed: "alarms on AWS/CloudFront:5xxErrorRate, AWS/CloudFront:CacheHitRate",
            fix: "add alarms on AWS/CloudFront:CacheHitRate",
        },
    ]);
});

it("does not ask a network load balancer for ALB alarms", async () => {
    const stack = changed(
        compliantStack().filter((r) => !(r.type === T.alarm && r.name.startsWith("api-") && !r.name.includes("high"))),
        T.alb,
        "api",
        (lb) => (lb.loadBalancerType = "network"),
    );
    expectCompliant(await analyze(pack, stack));
});

describe("dimensions: the names the resource publishes, holding its own values", () => {
    it("counts a literal equal to the resource's literal identifier (a fixed DB identifier)", async () => {
        const stack = alarm("database-ReadLatency", (_a, links) => (links.propertyDependencies.dimensions = []));
        expectCompliant(await analyze(pack, stack));
    });

    it("does not count the right value under the wrong dimension name", async () => {
        const stack = alarm("database-ReadLatency", (a, links) => {
            a.dimensions = { DBClusterIdentifier: "database-test" };
            links.propertyDependencies.dimensions = [];
        });
        expect(await lineOf(stack)).toContain(
            '"database-ReadLatency" on AWS/RDS:ReadLatency: dimensions {DBClusterIdentifier}; ' +
                "AWS/RDS:ReadLatency of this resource is published with {DBInstanceIdentifier}",
        );
    });

    it("does not count a literal that is an unrelated resource's name", async () => {
        const stack = changed(
            alarm("database-ReadLatency", (a, links) => {
                a.dimensions = { DBInstanceIdentifier: "api-test-service" };
                links.propertyDependencies.dimensions = [];
            }),
            T.service,
            "api",
            (s) => (s.name = "api-test-service"),
        );
        expect(await lineOf(stack)).toMatch(
            /^aws:rds\/instance:Instance "database": alarms = .*Fix: add alarms on AWS\/RDS:ReadLatency /,
        );
    });

    it("needs both ClusterName and ServiceName on an ECS service's metrics", async () => {
        const stack = alarm("api-cpu-high", (a) => (a.dimensions = { ServiceName: UNKNOWN }));
        expect(await lineOf(stack)).toContain(
            '"api-cpu-high" on AWS/ECS:CPUUtilization: dimensions {ServiceName}; AWS/ECS:CPUUtilization of this ' +
                "resource is published with {ClusterName, ServiceName}",
        );
    });

    it('needs Region: "Global" next to DistributionId on CloudFront metrics', async () => {
        const noRegion = alarm("cdn-5xx-error-rate", (a) => (a.dimensions = { DistributionId: UNKNOWN }));
        expect(await lineOf(noRegion)).toContain(
            "dimensions {DistributionId}; AWS/CloudFront:5xxErrorRate of this resource is published with " +
                "{DistributionId, Region}",
        );
        const wrongRegion = alarm(
            "cdn-5xx-error-rate",
            (a) => (a.dimensions = { DistributionId: UNKNOWN, Region: "us-east-1" }),
        );
        expect(await lineOf(wrongRegion)).toContain('Region = "us-east-1" is not "Global" ("Global")');
    });

    it("update preview: needs the ALB's exact ARN suffix, not its ARN (known values compared exactly)", async () => {
        const known = (value: string) =>
            changed<AlarmInputs>(
                withOutputs(compliantStack(), T.alb, "api", { arn: ALB_ARN, arnSuffix: ALB_SUFFIX }),
                T.alarm,
                "api-latency-p95",
                (a) => (a.dimensions = { LoadBalancer: value }),
            );
        expectCompliant(await analyze(pack, known(ALB_SUFFIX)));
        expect(await lineOf(known(ALB_ARN))).toContain(
            `"api-latency-p95" on AWS/ApplicationELB:TargetResponseTime: LoadBalancer = "${ALB_ARN}" is not its ` +
                `arnSuffix ("${ALB_SUFFIX}")`,
        );
    });

    it("new-stack preview: a literal cannot be a value AWS has not computed yet", async () => {
        const stack = alarm("api-latency-p95", (a, links) => {
            a.dimensions = { LoadBalancer: ALB_SUFFIX };
            links.propertyDependencies.dimensions = [];
        });
        // Not linked to the ALB at all, so it is simply missing.
        expect(await lineOf(stack)).toContain("Fix: add alarms on AWS/ApplicationELB:TargetResponseTime ");
        const linked = alarm("api-latency-p95", (a) => (a.dimensions = { LoadBalancer: ALB_SUFFIX }));
        expect(await lineOf(linked)).toContain(
            `LoadBalancer = "${ALB_SUFFIX}" is a literal, but its arnSuffix is computed by AWS at deploy`,
        );
    });

    it("counts an ECS service in the default cluster when the service names no cluster", async () => {
        let stack = changed(compliantStack(), T.service, "api", (s, links) => {
            delete s.cluster;
            delete links.propertyDependencies.cluster;
        });
        for (const name of ["api-cpu-high", "api-memory-high"])
            stack = changed(
                stack,
                T.alarm,
                name,
                (a: AlarmInputs) => (a.dimensions = { ClusterName: "default", ServiceName: UNKNOWN }),
            );
        expectCompliant(await analyze(pack, stack));
    });
});

describe("an alarm that cannot fire does not count", () => {
    const cases: Array<[string, string, string, (a: AlarmInputs) => void]> = [
        [
            "CPU alarm",
            "database-CPUUtilization",
            "datapointsToAlarm 4 > evaluationPeriods 3: it can never fire",
            (a) => (a.datapointsToAlarm = 4),
        ],
        [
            "CPU alarm",
            "database-CPUUtilization",
            'statistic = "average" is not a CloudWatch statistic',
            (a) => (a.statistic = "average"),
        ],
        [
            "CPU alarm",
            "database-CPUUtilization",
            "period = 45 (AWS metrics have one datapoint a minute",
            (a) => (a.period = 45),
        ],
        [
            "CPU alarm",
            "database-CPUUtilization",
            'unit = "Count", but AWS/RDS:CPUUtilization is published in Percent',
            (a) => (a.unit = "Count"),
        ],
        [
            "CPU alarm",
            "database-CPUUtilization",
            "threshold 100: AWS/RDS:CPUUtilization never exceeds 100",
            (a) => (a.threshold = 100),
        ],
        ["CPU alarm", "database-CPUUtilization", "actionsEnabled = false", (a) => (a.actionsEnabled = false)],
        [
            "storage alarm",
            "database-FreeStorageSpace",
            'comparisonOperator "GreaterThanThreshold" does not fire when AWS/RDS:FreeStorageSpace goes down',
            (a) => (a.comparisonOperator = "GreaterThanThreshold"),
        ],
        [
            "storage alarm",
            "database-FreeStorageSpace",
            "threshold 0: AWS/RDS:FreeStorageSpace never goes below it",
            (a) => (a.threshold = 0),
        ],
        [
            "CPU alarm",
            "database-CPUUtilization",
            "AWS/Rds:CPUUtilization differs in case from AWS/RDS:CPUUtilization (CloudWatch is case-sensitive)",
            (a) => (a.namespace = "AWS/Rds"),
        ],
        [
            "error-rate alarm",
            "api-error-rate",
            'metricQueries[0].accountId = "210987654321": it reads another account\'s metric',
            (a) => (a.metricQueries![0].accountId = "210987654321"),
        ],
    ];
    it.each(cases)("%s %s: %s", async (_what, name, why, edit) => {
        expect(await lineOf(alarm(name, edit))).toContain(`"${name}" on `);
        expect(await lineOf(alarm(name, edit))).toContain(why);
    });

    it("a latency alarm with only an anomaly band does not hold the SLO", async () => {
        const stack = without(compliantStack(), T.alarm, "api-latency-p95");
        expect(await lineOf(stack)).toContain(
            '"api-latency-anomaly" on AWS/ApplicationELB:TargetResponseTime: an anomaly-detection band follows the ' +
                "metric instead of holding a fixed limit",
        );
    });

    it("a CloudFront alarm outside us-east-1 sees no data (its topic there included)", async () => {
        const euTopic = urnOf(T.topic, "alerts-eu");
        const stack = [
            ...changed(compliantStack(), T.alarm, "cdn-cache-hit-rate", (a: AlarmInputs, links) => {
                a.region = "eu-west-1";
                links.propertyDependencies.alarmActions = [euTopic];
            }),
            resource(T.topic, "alerts-eu", { region: "eu-west-1" }),
            resource(
                "aws:sns/topicSubscription:TopicSubscription",
                "alerts-eu-email",
                { region: "eu-west-1", topic: UNKNOWN, protocol: "email", endpoint: "oncall@test.example.com" },
                { propertyDependencies: { topic: [euTopic] } },
            ),
        ];
        expect(failedPolicies(await analyze(pack, stack))).toEqual(["alarm-coverage"]);
        expect(await lineOf(stack)).toContain(
            '"cdn-cache-hit-rate" on AWS/CloudFront:CacheHitRate: the alarm is in "eu-west-1", the resource ' +
                'publishes in "us-east-1"',
        );
    });

    it("an alarm whose actions reach no topic of the stack does not count", async () => {
        const stack = alarm("api-memory-high", (a, links) => {
            a.alarmActions = ["arn:aws:sns:us-east-1:123456789012:somebody-else"];
            delete links.propertyDependencies.alarmActions;
        });
        expect(await lineOf(stack)).toContain(
            '"api-memory-high" on AWS/ECS:MemoryUtilization: no action reaches an SNS topic of this stack in ' +
                "its region",
        );
    });
});

describe("read replicas and other watched types", () => {
    const REPLICA = urnOf(T.db, "database-replica-1");
    const replicaAlarm = (metric: string, op = "GreaterThanThreshold") =>
        resource(
            T.alarm,
            `replica-${metric}`,
            {
                metricName: metric,
                namespace: "AWS/RDS",
                statistic: "Average",
                threshold: metric.startsWith("Free") ? 1 : 30,
                comparisonOperator: metric.startsWith("Free") ? "LessThanThreshold" : op,
                period: 60,
                evaluationPeriods: 5,
                dimensions: { DBInstanceIdentifier: UNKNOWN },
                alarmActions: [UNKNOWN],
            },
            { propertyDependencies: { dimensions: [REPLICA], alarmActions: [urnOf(T.topic, "alerts")] } },
        );
    const replica = resource(T.db, "database-replica-1", {
        identifier: "database-test-replica-1",
        replicateSourceDb: "database-test",
        instanceClass: "db.r6g.large",
        storageEncrypted: true,
        publiclyAccessible: false,
        monitoringInterval: 1,
        monitoringRoleArn: UNKNOWN,
        performanceInsightsEnabled: true,
        performanceInsightsRetentionPeriod: 7,
    });
    const METRICS = [
        "CPUUtilization",
        "FreeableMemory",
        "FreeStorageSpace",
        "DatabaseConnections",
        "ReadLatency",
        "WriteLatency",
    ];

    it("asks a read replica for its own instance alarms and ReplicaLag", async () => {
        const stack = [...compliantStack(), replica, ...METRICS.map((m) => replicaAlarm(m))];
        expect(await lineOf(stack)).toContain(
            `${T.db} "database-replica-1": alarms = alarms on AWS/RDS:CPUUtilization, AWS/RDS:DatabaseConnections, ` +
                "AWS/RDS:FreeStorageSpace, AWS/RDS:FreeableMemory, AWS/RDS:ReadLatency, AWS/RDS:WriteLatency; " +
                `allowed: ${RDS_REQUIRED}, AWS/RDS:ReplicaLag. Fix: add alarms on AWS/RDS:ReplicaLag `,
        );
        expectCompliant(await analyze(pack, [...stack, replicaAlarm("ReplicaLag")]));
    });

    it('reads replicateSourceDb: "" as a primary (AWS does too)', async () => {
        const primary = changed([replica], T.db, "database-replica-1", (d) => (d.replicateSourceDb = ""));
        const stack = [...compliantStack(), ...primary, ...METRICS.map((m) => replicaAlarm(m))];
        expectCompliant(await analyze(pack, stack));
    });

    it("asks Aurora cluster instances for their alarms", async () => {
        const stack = [
            ...compliantStack(),
            resource("aws:rds/clusterInstance:ClusterInstance", "aurora-1", {
                identifier: "aurora-test-1",
                clusterIdentifier: UNKNOWN,
                instanceClass: "db.r6g.large",
                engine: "aurora-postgresql",
            }),
        ];
        const line = (await coverageOf(stack)).map((d) => d.message.split("\n")[1]).find((l) => l.includes("aurora-1"));
        expect(line).toContain(
            'aws:rds/clusterInstance:ClusterInstance "aurora-1": alarms = no alarm that can fire on this resource; ' +
                "allowed: alarms on AWS/RDS:CPUUtilization, AWS/RDS:FreeableMemory, AWS/RDS:DatabaseConnections",
        );
    });
});
