import { describe, expect, it } from "vitest";
import { SloDashboard } from "../components/slo-dashboard";
import { SLO } from "../policies/slo";
import { runProgram } from "../tools/harness/run";

const args = {
    region: "eu-west-1",
    albArnSuffix: "app/api-alb-1234567/0123456789abcdef",
    targetGroupArnSuffix: "targetgroup/api-tg-1234567/fedcba9876543210",
    clusterName: "api-cluster-1234567",
    serviceName: "api-service-1234567",
    distributionId: "E2EXAMPLE12345",
    dbInstanceIdentifier: "db-1234567",
    minTasks: 2,
    maxTasks: 72,
    cpuTargetPercent: 60,
    memoryTargetPercent: 70,
    // 43 tasks x 1000 requests per target per minute / 60: a fraction, drawn exactly and labelled in whole req/s.
    capacityAtTargetRps: 716.6666666666666,
    degradedWhenAnyOf: {
        latencyAlarmName: "api-latency-p95",
        errorRateAlarmName: "api-5xx-rate",
        unhealthyHostsAlarmName: "api-unhealthy-hosts",
    },
    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
    alarmArns: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-latency-p95"],
};

type Widget = {
    type: string;
    properties: {
        title: string;
        region?: string;
        metrics?: unknown[][];
        annotations?: { horizontal: { value: number; label: string }[] };
        alarms?: string[];
    };
};

async function build() {
    const r = await runProgram(() => new SloDashboard("slo", args), {
        stack: "production",
        config: { "aws:region": "eu-west-1" },
    });
    const { widgets } = JSON.parse(
        r.get("aws:cloudwatch/dashboard:Dashboard", "slo").inputs.dashboardBody as string,
    ) as { widgets: Widget[] };
    const byTitle = (prefix: string) => {
        const w = widgets.find((x) => x.properties.title.startsWith(prefix));
        if (!w) throw new Error(`no widget titled ${prefix}…`);
        return w;
    };
    return { r, widgets, byTitle };
}

describe("SloDashboard", () => {
    it("draws the SLO lines from the SLO module and the scaling config", async () => {
        const { byTitle } = await build();
        expect(byTitle("Latency").properties.annotations!.horizontal).toEqual([
            { label: "SLO p95 500 ms", value: SLO.latencyP95Ms / 1000, fill: "above" },
        ]);
        expect(byTitle("Latency").properties.metrics!.map((m) => (m[4] as { stat: string }).stat)).toEqual([
            "p95",
            "p99",
        ]);
        expect(byTitle("Requests per second").properties.annotations!.horizontal).toEqual([
            { label: `Peak target ${SLO.peakRequestsPerSecond} req/s`, value: SLO.peakRequestsPerSecond },
            { label: "Capacity at scaling target 716 req/s", value: args.capacityAtTargetRps },
        ]);
        expect(byTitle("5xx error rate").properties.annotations!.horizontal[0].value).toBe(SLO.errorRate * 100);
        expect(byTitle("CDN cache-hit rate").properties.annotations!.horizontal[0].value).toBe(
            SLO.cdnCacheHitRatePercent,
        );
        expect(byTitle("Running tasks").properties.annotations!.horizontal.map((h) => h.value)).toEqual([2, 72]);
        expect(byTitle("Service CPU and memory").properties.annotations!.horizontal.map((h) => h.value)).toEqual([
            60, 70,
        ]);
    });

    it("points every metric at the resources it was given, CloudFront in us-east-1", async () => {
        const { byTitle } = await build();
        expect(byTitle("Latency").properties.metrics![0].slice(0, 4)).toEqual([
            "AWS/ApplicationELB",
            "TargetResponseTime",
            "LoadBalancer",
            args.albArnSuffix,
        ]);
        expect(byTitle("Latency").properties.region).toBe("eu-west-1");
        const cdn = byTitle("CDN cache-hit rate").properties;
        expect(cdn.region).toBe("us-east-1");
        expect(cdn.metrics![0].slice(0, 6)).toEqual([
            "AWS/CloudFront",
            "CacheHitRate",
            "DistributionId",
            args.distributionId,
            "Region",
            "Global",
        ]);
        expect(byTitle("Running tasks").properties.metrics![0].slice(0, 6)).toEqual([
            "ECS/ContainerInsights",
            "RunningTaskCount",
            "ClusterName",
            args.clusterName,
            "ServiceName",
            args.serviceName,
        ]);
        expect(byTitle("Database CPU").properties.metrics![0].slice(0, 4)).toEqual([
            "AWS/RDS",
            "CPUUtilization",
            "DBInstanceIdentifier",
            args.dbInstanceIdentifier,
        ]);
        expect(byTitle("Application metrics").properties.metrics!.map((m) => m.slice(0, 2))).toEqual([
            ["CredLink/Performance", "ResponseTime"],
            ["CredLink/Performance", "RequestSize"],
            ["CredLink/Performance", "SignOperations"],
        ]);
    });

    it("pages through a composite alarm over latency, error rate and unhealthy hosts", async () => {
        const { r, byTitle } = await build();
        const composite = r.get("aws:cloudwatch/compositeAlarm:CompositeAlarm", "slo-service-degraded").inputs;
        expect(composite.alarmRule).toBe(
            'ALARM("api-latency-p95") OR ALARM("api-5xx-rate") OR ALARM("api-unhealthy-hosts")',
        );
        expect(composite.alarmActions).toEqual([args.alarmTopicArn]);
        expect(composite.okActions).toEqual([args.alarmTopicArn]);
        expect(composite.actionsEnabled).toBe(true);
        expect(byTitle("Alarms").properties.alarms).toEqual([
            r.get("aws:cloudwatch/compositeAlarm:CompositeAlarm", "slo-service-degraded").outputs.arn,
            ...args.alarmArns,
        ]);
    });

    it("links to the dashboard in the stack's region", async () => {
        const r = await runProgram(() => ({ url: new SloDashboard("slo", args).dashboardUrl }), {
            stack: "production",
            config: { "aws:region": "eu-west-1" },
        });
        expect(r.outputs.url).toBe(
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1" +
                "#dashboards/dashboard/credlink-production-slo",
        );
    });

    it("rejects a task range it cannot draw", async () => {
        await expect(runProgram(() => new SloDashboard("slo", { ...args, minTasks: 75 }))).rejects.toThrow(
            "SloDashboard slo: minTasks = 75 must be a whole number between 1 and maxTasks (72)",
        );
    });

    it.each([0, -5, Number.NaN])("rejects a capacity line of %s req/s", async (capacityAtTargetRps) => {
        await expect(runProgram(() => new SloDashboard("slo", { ...args, capacityAtTargetRps }))).rejects.toThrow(
            `SloDashboard slo: capacityAtTargetRps = ${capacityAtTargetRps} must be a number of requests per ` +
                "second greater than 0 (maxTasks × requestsPerTarget / 60)",
        );
    });
});
