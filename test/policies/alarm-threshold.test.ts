/**
 * Alarm rules, through the pack running in its own process over gRPC.
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { SLO } from "../../policies/slo";
import type { InputsOf } from "../resources";
import { analyze, changed, compliantStack, expectViolations, openPack, T, UNKNOWN, without } from "./fixtures";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

const alarm = (name: string, fn: (a: InputsOf<aws.cloudwatch.MetricAlarmArgs>) => void) =>
    changed(compliantStack(), T.alarm, name, fn);
const ALARM = (name: string) => `${T.alarm} "${name}"`;

it("reports nothing for the compliant stack (an anomaly-detection latency alarm has no fixed threshold)", async () => {
    expect(await analyze(pack, compliantStack())).toEqual([]);
});

describe("alarm-latency", () => {
    it("rejects a 2 s latency threshold", async () => {
        const stack = alarm("api-latency-p95", (a) => (a.threshold = 2));
        expectViolations(await analyze(pack, stack), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "threshold",
                found: "2 s",
                allowed: `at most ${SLO.latencyP95Ms / 1000} s (TargetResponseTime is in seconds)`,
                fix: "credlink:alarms.latencyP95ThresholdMs",
            },
        ]);
    });

    it("rejects an alarm that fires when latency is low, whatever its threshold", async () => {
        const stack = alarm("api-latency-p95", (a) => (a.comparisonOperator = "LessThanThreshold"));
        expectViolations(await analyze(pack, stack), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "comparisonOperator",
                found: "LessThanThreshold",
                allowed: "GreaterThanThreshold or GreaterThanOrEqualToThreshold",
            },
        ]);
    });

    it("rejects an average instead of a tail percentile", async () => {
        const stack = alarm("api-latency-p95", (a) => {
            delete a.extendedStatistic;
            a.statistic = "Average";
        });
        expectViolations(await analyze(pack, stack), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "extendedStatistic",
                found: '"Average"',
                allowed: "p95 or p99",
            },
        ]);
    });

    it("reads the statistic of a metric-query latency alarm", async () => {
        const stack = alarm("api-latency-p95", (a) => {
            // The fixture's latency alarm names its metric and period.
            const { metricName, namespace, period, dimensions } = a as Required<typeof a>;
            for (const k of ["metricName", "namespace", "period", "dimensions", "extendedStatistic"] as const)
                delete a[k];
            a.metricQueries = [
                { id: "latency", returnData: true, metric: { metricName, namespace, period, dimensions, stat: "p50" } },
            ];
        });
        expectViolations(await analyze(pack, stack), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "metricQueries[0].metric.stat",
                found: '"p50"',
                allowed: "p95 or p99",
            },
        ]);
    });
});

describe("alarm-error-rate", () => {
    it("rejects a 10 % 5xx rate (metric math in percent)", async () => {
        const stack = alarm("api-error-rate", (a) => (a.threshold = 10));
        expectViolations(await analyze(pack, stack), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "threshold",
                found: "10 %",
                allowed: `at most ${SLO.errorRate * 100} %`,
                fix: "credlink:alarms.errorRatePercent",
            },
        ]);
    });

    it("rejects an error-rate alarm that fires below its threshold", async () => {
        const stack = alarm("api-error-rate", (a) => (a.comparisonOperator = "LessThanOrEqualToThreshold"));
        expectViolations(await analyze(pack, stack), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "comparisonOperator",
                found: "LessThanOrEqualToThreshold",
                allowed: "GreaterThanThreshold or GreaterThanOrEqualToThreshold",
            },
        ]);
    });

    it("understands a ratio expression without the 100 factor", async () => {
        const stack = alarm("api-error-rate", (a) => {
            a.metricQueries![2].expression = "target5xx / requests";
            a.threshold = 0.2;
        });
        expectViolations(await analyze(pack, stack), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "threshold",
                found: "0.2 (a ratio: 20 %)",
                allowed: "at most 5 %",
            },
        ]);
    });

    it("rejects CloudFront's 5xxErrorRate above the SLO", async () => {
        const stack = alarm("cdn-5xx-error-rate", (a) => (a.threshold = 25));
        expectViolations(await analyze(pack, stack), "alarm-error-rate", [
            { resource: ALARM("cdn-5xx-error-rate"), property: "threshold", found: "25 %", allowed: "at most 5 %" },
        ]);
    });
});

describe("alarm-request-rate", () => {
    it("rejects 50,000 requests per 5 minutes", async () => {
        const stack = alarm("api-request-rate", (a) => (a.threshold = 50_000));
        expectViolations(await analyze(pack, stack), "alarm-request-rate", [
            {
                resource: ALARM("api-request-rate"),
                property: "threshold",
                found: "50000 requests per 300 s",
                allowed: `at most ${SLO.requestRateAlarm.requests} per ${SLO.requestRateAlarm.periodSeconds} s`,
            },
        ]);
    });

    it("rejects a request-rate alarm that fires below its threshold", async () => {
        const stack = alarm("api-request-rate", (a) => (a.comparisonOperator = "LessThanThreshold"));
        expectViolations(await analyze(pack, stack), "alarm-request-rate", [
            {
                resource: ALARM("api-request-rate"),
                property: "comparisonOperator",
                found: "LessThanThreshold",
                allowed: "GreaterThanThreshold or GreaterThanOrEqualToThreshold",
            },
        ]);
    });

    it("scales the ceiling to the alarm's period", async () => {
        const stack = alarm("api-request-rate", (a) => {
            a.period = 60;
            a.threshold = 5000;
        });
        expectViolations(await analyze(pack, stack), "alarm-request-rate", [
            {
                resource: ALARM("api-request-rate"),
                property: "threshold",
                found: "5000 requests per 60 s",
                allowed: "at most 10000 per 300 s (2000 per 60 s)",
            },
        ]);
    });

    it("rejects a request alarm that is not a Sum", async () => {
        const stack = alarm("api-request-rate", (a) => (a.statistic = "Average"));
        expectViolations(await analyze(pack, stack), "alarm-request-rate", [
            { resource: ALARM("api-request-rate"), property: "statistic", found: '"Average"', allowed: '"Sum"' },
        ]);
    });
});

describe("alarm-actions", () => {
    it("rejects an alarm with actions disabled and one with no ALARM action", async () => {
        let stack = alarm("api-cpu-high", (a) => (a.actionsEnabled = false));
        stack = changed(stack, T.alarm, "database-CPUUtilization", (a, links) => {
            a.alarmActions = [];
            delete links.propertyDependencies.alarmActions;
        });
        expectViolations(await analyze(pack, stack), "alarm-actions", [
            {
                resource: ALARM("api-cpu-high"),
                property: "actionsEnabled",
                found: "false",
                allowed: "true (or not set)",
            },
            {
                resource: ALARM("database-CPUUtilization"),
                property: "alarmActions",
                found: "[]",
                allowed: "at least one action",
            },
        ]);
    });

    it("rejects a composite alarm whose action list is computed (length unknown at preview)", async () => {
        const stack = changed(compliantStack(), T.composite, "service-degraded", (a) => (a.alarmActions = UNKNOWN));
        expectViolations(await analyze(pack, stack), "alarm-actions", [
            {
                resource: `${T.composite} "service-degraded"`,
                property: "alarmActions",
                found: "a list computed at preview (its length is unknown)",
                allowed: "at least one action",
            },
        ]);
    });
});

describe("alarm-coverage", () => {
    it(
        "finds the resources behind unknown dimensions through property dependencies: a missing RDS " +
            "alarm is reported",
        async () => {
            const stack = without(compliantStack(), T.alarm, "database-FreeStorageSpace");
            expectViolations(await analyze(pack, stack), "alarm-coverage", [
                {
                    resource: `${T.db} "database"`,
                    property: "alarms",
                    found:
                        "alarms on AWS/RDS:CPUUtilization, AWS/RDS:DatabaseConnections, " +
                        "AWS/RDS:FreeableMemory, AWS/RDS:ReadLatency, AWS/RDS:WriteLatency",
                    allowed: "alarms on AWS/RDS:CPUUtilization",
                    fix: "add alarms on AWS/RDS:FreeStorageSpace",
                },
            ]);
        },
    );

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

    it("links an alarm by a literal dimension value (a fixed DB identifier)", async () => {
        const stack = changed(compliantStack(), T.alarm, "database-ReadLatency", (_a, links) => {
            links.propertyDependencies.dimensions = [];
        });
        expect(await analyze(pack, stack)).toEqual([]);
    });

    it("does not ask a network load balancer for ALB alarms", async () => {
        const stack = changed(
            compliantStack().filter(
                (r) => !(r.type === T.alarm && r.name.startsWith("api-") && !r.name.includes("high")),
            ),
            T.alb,
            "api",
            (lb) => (lb.loadBalancerType = "network"),
        );
        expect(await analyze(pack, stack)).toEqual([]);
    });
});
