/**
 * Alarm threshold rules (alarm-latency, alarm-error-rate, alarm-request-rate) and
 * alarm-readable, through the pack running in its own process over gRPC. Thresholds
 * written as metric math are read in the rule's unit by evaluating the expression.
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { SLO } from "../../policies/slo";
import type { InputsOf } from "../resources";
import {
    analyze,
    changed,
    compliantStack,
    expectCompliant,
    expectViolations,
    failedPolicies,
    mandatory,
    openPack,
    T,
    TEST_CONFIG,
    UNKNOWN,
} from "./fixtures";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

type AlarmInputs = InputsOf<aws.cloudwatch.MetricAlarmArgs>;
const alarm = (name: string, fn: (a: AlarmInputs) => void) => changed<AlarmInputs>(compliantStack(), T.alarm, name, fn);
const ALARM = (name: string) => `${T.alarm} "${name}"`;
/** The mandatory findings of one policy only (others, e.g. coverage, are asserted separately). */
const of = async (stack: Parameters<typeof analyze>[1], policy: string) =>
    (await analyze(pack, stack)).filter((d) => d.policyName === policy);

/** The latency alarm as metric math over its metric: `m1` is TargetResponseTime with `stat`. */
const latencyMath = (expression: string, threshold: number, stat = "p95") =>
    alarm("api-latency-p95", (a) => {
        const { metricName, namespace, period, dimensions } = a as Required<AlarmInputs>;
        for (const k of ["metricName", "namespace", "period", "dimensions", "extendedStatistic"] as const) delete a[k];
        a.metricQueries = [
            { id: "m1", metric: { metricName, namespace, period, dimensions, stat } },
            { id: "latency", expression, returnData: true },
        ];
        a.threshold = threshold;
    });
const errorMath = (expression: string, threshold: number) =>
    alarm("api-error-rate", (a) => {
        a.metricQueries![2].expression = expression;
        a.threshold = threshold;
    });

it("reports nothing for the compliant stack", async () => {
    expectCompliant(await analyze(pack, compliantStack()));
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

    it("rejects an alarm that fires when latency is low (and it no longer covers the ALB)", async () => {
        const ds = await analyze(
            pack,
            alarm("api-latency-p95", (a) => (a.comparisonOperator = "LessThanThreshold")),
        );
        expect(failedPolicies(ds)).toEqual(["alarm-coverage", "alarm-latency"]);
        expectViolations(
            ds.filter((d) => d.policyName === "alarm-latency"),
            "alarm-latency",
            [
                {
                    resource: ALARM("api-latency-p95"),
                    property: "comparisonOperator",
                    found: "LessThanThreshold",
                    allowed: "GreaterThanThreshold or GreaterThanOrEqualToThreshold",
                },
            ],
        );
    });

    it("rejects an average instead of a tail percentile", async () => {
        const stack = alarm("api-latency-p95", (a) => {
            delete a.extendedStatistic;
            a.statistic = "Average";
        });
        expectViolations(await analyze(pack, stack), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "statistic",
                found: '"Average"',
                allowed: "a percentile at or above p95",
            },
        ]);
    });

    it("accepts any tail percentile at or above the floor: p99.9 and Maximum at 0.5 s", async () => {
        for (const stat of ["p99.9", "p99", "p100"]) {
            const stack = alarm("api-latency-p95", (a) => (a.extendedStatistic = stat));
            expectCompliant(await analyze(pack, stack), stat);
        }
        const max = alarm("api-latency-p95", (a) => {
            delete a.extendedStatistic;
            a.statistic = "Maximum";
        });
        expectCompliant(await analyze(pack, max));
    });

    it("rejects percentiles below the floor, and takes the floor from config", async () => {
        const p90 = alarm("api-latency-p95", (a) => (a.extendedStatistic = "p90"));
        expectViolations(await analyze(pack, p90), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "extendedStatistic",
                found: '"p90"',
                allowed: "a percentile at or above p95",
            },
        ]);
        await pack.configure({ ...TEST_CONFIG, "alarm-latency": { properties: { minPercentile: 99 } } });
        try {
            const ds = await analyze(pack, compliantStack());
            // The compliant stack's p95 alarms (the fixed one and the anomaly one) are now below the floor.
            expect(mandatory(ds).map((d) => d.message.split("\n")[1].split(";")[0])).toEqual([
                `${ALARM("api-latency-p95")}: extendedStatistic = "p95"`,
                `${ALARM("api-latency-anomaly")}: metricQueries[0].metric.stat = "p95"`,
            ]);
        } finally {
            await pack.configure(TEST_CONFIG);
        }
    });

    it("reads the statistic of a metric-query latency alarm", async () => {
        expectViolations(await analyze(pack, latencyMath("m1", 0.5, "p50")), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "metricQueries[0].metric.stat",
                found: '"p50"',
                allowed: "a percentile at or above p95",
            },
        ]);
    });

    it("reads metric math in its unit: m1 * 1000 at 500 is 0.5 s, at 2000 it is 2 s", async () => {
        expectCompliant(await analyze(pack, latencyMath("m1 * 1000", 500)));
        expectCompliant(await analyze(pack, latencyMath("(m1) * 1000 / 1", 500, "p99.9")));
        expectViolations(await analyze(pack, latencyMath("m1 * 1000", 2000)), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "threshold",
                found: "2000 (the series is 1000 x TargetResponseTime: 2 s)",
                allowed: "at most 0.5 s",
            },
        ]);
    });

    it("cannot read an offset or a function it cannot evaluate: a violation, not a skip", async () => {
        expectViolations(await analyze(pack, latencyMath("m1 - 1", 0.5)), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "metricQueries[1].expression",
                found: '"m1 - 1" (cannot read it in seconds: it is -1 when the metric is 0 (an offset))',
                allowed: "an expression the pack can evaluate into seconds",
            },
        ]);
        expectViolations(await analyze(pack, latencyMath("RATE(m1)", 0.5)), "alarm-latency", [
            {
                resource: ALARM("api-latency-p95"),
                property: "metricQueries[1].expression",
                found: '"RATE(m1)" (cannot read it in seconds: the pack does not evaluate RATE())',
                allowed: "an expression the pack can evaluate into seconds",
            },
        ]);
    });

    describe("anomaly-detection bands", () => {
        it('does not let empty optional fields ("", {}, []) switch the fixed-threshold check off', async () => {
            const empties: Array<(a: AlarmInputs) => void> = [
                (a) => (a.thresholdMetricId = ""),
                (a) => (a.evaluationCriteria = {} as AlarmInputs["evaluationCriteria"]),
                (a) => (a.metricQueries = []),
                (a) => (a.unit = ""),
            ];
            for (const empty of empties) {
                const stack = alarm("api-latency-p95", (a) => {
                    empty(a);
                    a.threshold = 2;
                });
                expectViolations(await of(stack, "alarm-latency"), "alarm-latency", [
                    {
                        resource: ALARM("api-latency-p95"),
                        property: "threshold",
                        found: "2 s",
                        allowed: "at most 0.5 s",
                    },
                ]);
            }
        });

        it("exempts only a real band of the compared series", async () => {
            const pointsAtMetric = alarm("api-latency-anomaly", (a) => (a.thresholdMetricId = "p95"));
            expectViolations(await of(pointsAtMetric, "alarm-latency"), "alarm-latency", [
                {
                    resource: ALARM("api-latency-anomaly"),
                    property: "thresholdMetricId",
                    found: '"p95" (metricQueries[0] is a metric)',
                    allowed: "the ID of a query whose expression is ANOMALY_DETECTION_BAND",
                },
            ]);
            const notABand = alarm("api-latency-anomaly", (a) => (a.metricQueries![1].expression = "p95 * 10"));
            expectViolations(await of(notABand, "alarm-latency"), "alarm-latency", [
                {
                    resource: ALARM("api-latency-anomaly"),
                    property: "thresholdMetricId",
                    found: '"band" (metricQueries[1] is "p95 * 10")',
                    allowed: "the ID of a query whose expression is ANOMALY_DETECTION_BAND",
                },
            ]);
            const unknownId = alarm("api-latency-anomaly", (a) => (a.thresholdMetricId = UNKNOWN));
            expectViolations(await of(unknownId, "alarm-latency"), "alarm-latency", [
                {
                    resource: ALARM("api-latency-anomaly"),
                    property: "thresholdMetricId",
                    found: "unknown at preview",
                    allowed: "a literal query ID",
                },
            ]);
        });

        it("still checks the band alarm's statistic and that it fires above the band", async () => {
            const average = alarm("api-latency-anomaly", (a) => (a.metricQueries![0].metric!.stat = "Average"));
            expectViolations(await of(average, "alarm-latency"), "alarm-latency", [
                {
                    resource: ALARM("api-latency-anomaly"),
                    property: "metricQueries[0].metric.stat",
                    found: '"Average"',
                    allowed: "a percentile at or above p95",
                },
            ]);
            const below = alarm("api-latency-anomaly", (a) => (a.comparisonOperator = "LessThanLowerThreshold"));
            expectViolations(await of(below, "alarm-latency"), "alarm-latency", [
                {
                    resource: ALARM("api-latency-anomaly"),
                    property: "comparisonOperator",
                    found: "LessThanLowerThreshold",
                    allowed: "GreaterThanUpperThreshold or LessThanLowerOrGreaterThanUpperThreshold",
                },
            ]);
        });
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

    it("reads 100.0 * m1 / m2, (m1 / m2) * 100 and 100 * (m1 + m2) / m3 at 5 as 5 %", async () => {
        for (const expression of [
            "100.0 * target5xx / requests",
            "(target5xx / requests) * 100",
            "(FILL(target5xx, 0) / FILL(requests, 1)) * 100",
            "1e2 * SUM([target5xx]) / requests",
        ]) {
            expectCompliant(await analyze(pack, errorMath(expression, 5)), expression);
        }
        const twoCounts = alarm("api-error-rate", (a) => {
            const [target5xx, requests] = a.metricQueries!;
            const elb5xx = { id: "elb5xx", metric: { ...target5xx.metric!, metricName: "HTTPCode_ELB_5XX_Count" } };
            a.metricQueries = [
                target5xx,
                elb5xx,
                requests,
                { id: "rate", expression: "100 * (target5xx + elb5xx) / requests", returnData: true },
            ];
        });
        expectCompliant(await analyze(pack, twoCounts));
    });

    it("reads a ratio: m1 / m2 at 0.05 is 5 %, at 5 it is 500 %", async () => {
        expectCompliant(await analyze(pack, errorMath("target5xx / requests", 0.05)));
        expectViolations(await analyze(pack, errorMath("target5xx / requests", 5)), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "threshold",
                found: "5 (the series is a ratio: 500 %)",
                allowed: "at most 5 %",
                fix: "a ratio threshold is the percentage / 100",
            },
        ]);
    });

    it("reads the true firing rate when the denominator is inflated (requests counted twice)", async () => {
        expectViolations(
            await analyze(pack, errorMath("100 * target5xx / (requests + requests)", 5)),
            "alarm-error-rate",
            [
                {
                    resource: ALARM("api-error-rate"),
                    property: "threshold",
                    found: "5 (the series is 0.5 x the percentage: 10 %)",
                    allowed: "at most 5 %",
                },
            ],
        );
    });

    it("cannot read expressions that are not a share of requests: a violation", async () => {
        const cases: Array<[string, string]> = [
            ["100 * target5xx / requests + 1", "it is not 0 when there are no errors (an offset)"],
            [
                "100 * target5xx / (requests + target5xx)",
                "it is not proportional to AWS/ApplicationELB:HTTPCode_Target_5XX_Count",
            ],
            // A division-by-zero guard belongs in FILL(requests, 1): + 1 is not a share of the requests.
            ["100 * target5xx / (requests + 1)", "it is not inversely proportional to the request count"],
            [
                "100 * target5xx * target5xx / requests",
                "it is not proportional to AWS/ApplicationELB:HTTPCode_Target_5XX_Count",
            ],
        ];
        for (const [expression, reason] of cases) {
            expectViolations(await analyze(pack, errorMath(expression, 5)), "alarm-error-rate", [
                {
                    resource: ALARM("api-error-rate"),
                    property: "metricQueries[2].expression",
                    found: `${JSON.stringify(expression)} (cannot read it in percent: ${reason}`,
                    allowed: "an expression the pack can evaluate into percent",
                },
            ]);
        }
    });

    it("rejects an error-rate alarm that fires below its threshold", async () => {
        const ds = await analyze(
            pack,
            alarm("api-error-rate", (a) => (a.comparisonOperator = "LessThanOrEqualToThreshold")),
        );
        expectViolations(
            ds.filter((d) => d.policyName === "alarm-error-rate"),
            "alarm-error-rate",
            [
                {
                    resource: ALARM("api-error-rate"),
                    property: "comparisonOperator",
                    found: "LessThanOrEqualToThreshold",
                    allowed: "GreaterThanThreshold or GreaterThanOrEqualToThreshold",
                },
            ],
        );
    });

    it("needs Sums of errors and requests of the same load balancer", async () => {
        const average = alarm("api-error-rate", (a) => (a.metricQueries![1].metric!.stat = "Average"));
        expectViolations(await analyze(pack, average), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "metricQueries[1].metric.stat",
                found: '"Average"',
                allowed: '"Sum" for AWS/ApplicationELB:RequestCount',
            },
        ]);
        // Errors of one load balancer over the requests of a busier one dilute the rate.
        const otherAlb = alarm("api-error-rate", (a) => {
            a.metricQueries![0].metric!.dimensions = { LoadBalancer: "app/api/0123456789abcdef" };
            a.metricQueries![1].metric!.dimensions = { LoadBalancer: "app/busy/fedcba9876543210" };
        });
        expectViolations(await of(otherAlb, "alarm-error-rate"), "alarm-error-rate", [
            {
                resource: ALARM("api-error-rate"),
                property: "metricQueries[1].metric.dimensions",
                found: 'AWS/ApplicationELB:RequestCount over {"LoadBalancer":"app/busy/fedcba9876543210"}',
                allowed: "the same literal period and dimensions as AWS/ApplicationELB:HTTPCode_Target_5XX_Count",
            },
        ]);
    });

    it("rejects CloudFront's 5xxErrorRate above the SLO, also through metric math", async () => {
        const stack = alarm("cdn-5xx-error-rate", (a) => (a.threshold = 25));
        expectViolations(await analyze(pack, stack), "alarm-error-rate", [
            { resource: ALARM("cdn-5xx-error-rate"), property: "threshold", found: "25 %", allowed: "at most 5 %" },
        ]);
        const asRatio = alarm("cdn-5xx-error-rate", (a) => {
            const { metricName, namespace, period, dimensions, statistic } = a as Required<AlarmInputs>;
            for (const k of ["metricName", "namespace", "period", "dimensions", "statistic"] as const) delete a[k];
            a.metricQueries = [
                { id: "m1", metric: { metricName, namespace, period, dimensions, stat: statistic } },
                { id: "ratio", expression: "m1 / 100", returnData: true },
            ];
            a.threshold = 0.25;
        });
        expectViolations(await analyze(pack, asRatio), "alarm-error-rate", [
            {
                resource: ALARM("cdn-5xx-error-rate"),
                property: "threshold",
                found: "0.25 (the series is a ratio: 25 %)",
                allowed: "at most 5 %",
            },
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

    it("reads requests per second written as m1 / PERIOD(m1)", async () => {
        const perSecond = (threshold: number) =>
            alarm("api-request-rate", (a) => {
                const { metricName, namespace, period, dimensions } = a as Required<AlarmInputs>;
                for (const k of ["metricName", "namespace", "period", "dimensions", "statistic"] as const) delete a[k];
                a.metricQueries = [
                    { id: "m1", metric: { metricName, namespace, period, dimensions, stat: "Sum" } },
                    { id: "rps", expression: "m1 / PERIOD(m1)", returnData: true },
                ];
                a.threshold = threshold;
            });
        expectCompliant(await analyze(pack, perSecond(30)));
        expectViolations(await analyze(pack, perSecond(40)), "alarm-request-rate", [
            {
                resource: ALARM("api-request-rate"),
                property: "threshold",
                found: "40 (the series is 0.00333333333333 x the request count: 12000 requests per 300 s)",
                allowed: "at most 10000 per 300 s",
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

describe("alarm-readable", () => {
    it("rejects alarms whose metric is unknown at preview, so no threshold rule is skipped", async () => {
        const stack = alarm("api-latency-p95", (a) => (a.metricName = UNKNOWN));
        const ds = await of(stack, "alarm-readable");
        expectViolations(ds, "alarm-readable", [
            {
                resource: ALARM("api-latency-p95"),
                property: "metricName",
                found: "unknown at preview",
                allowed: "a literal name",
            },
        ]);
    });

    it("rejects alarms that do not say which query they compare, or read metrics from a search", async () => {
        const twoReturned = alarm("api-error-rate", (a) => (a.metricQueries![0].returnData = true));
        expectViolations(await of(twoReturned, "alarm-readable"), "alarm-readable", [
            {
                resource: ALARM("api-error-rate"),
                property: "metricQueries",
                found: "returnData: true on metricQueries[0], metricQueries[2]",
                allowed: "returnData: true on exactly one query",
            },
        ]);
        const search = alarm("api-error-rate", (a) => {
            const search = "SEARCH('{AWS/ApplicationELB,LoadBalancer} HTTPCode_Target_5XX_Count', 'Sum', 60)";
            a.metricQueries![2].expression = `100 * SUM(${search}) / requests`;
        });
        const ds = await analyze(pack, search);
        expect(failedPolicies(ds)).toContain("alarm-readable");
        expect(ds.find((d) => d.policyName === "alarm-readable")!.message).toContain(
            "list the metrics as metric queries instead of SEARCH()",
        );
        const dangling = errorMath("100 * target5xx / requestz", 5);
        expectViolations(await of(dangling, "alarm-readable"), "alarm-readable", [
            {
                resource: ALARM("api-error-rate"),
                property: "metricQueries[2].expression",
                found: '"100 * target5xx / requestz" reads "requestz"',
                allowed: "IDs of this alarm's metric queries (target5xx, requests, errorRate)",
            },
        ]);
    });

    it("rejects PromQL alarms (waivable): the pack cannot read them", async () => {
        const stack = alarm("api-request-rate", (a) => {
            for (const k of ["metricName", "namespace", "period", "dimensions", "statistic", "threshold"] as const)
                delete a[k];
            a.evaluationCriteria = { promqlCriteria: { query: "sum(rate(requests[5m])) > 1e9" } };
            a.evaluationInterval = 60;
        });
        const ds = await of(stack, "alarm-readable");
        expectViolations(ds, "alarm-readable", [
            {
                resource: ALARM("api-request-rate"),
                property: "evaluationCriteria",
                found: "a PromQL query",
                allowed: "a metric alarm",
            },
        ]);
    });
});
