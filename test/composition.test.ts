import type * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { StackOutputsSchema } from "../lib/outputs";
import { runStack, type RegisteredResource, type StackRun } from "../tools/harness/run";
import { readStackFile, stackNames } from "../tools/stack-file";
import { containersOf, outputsOf, policyOf } from "./resources";

const runs = new Map<string, StackRun>();
async function run(stack: string): Promise<StackRun> {
    if (!runs.has(stack)) runs.set(stack, await runStack(stack));
    return runs.get(stack)!;
}

const ALARM_TYPES = ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"];
const regionOf = (r: RegisteredResource, stackRegion: string) => (r.inputs.region as string | undefined) ?? stackRegion;

describe.each(stackNames())("stack %s", (stack) => {
    const stackRegion = readStackFile(stack).values["aws:region"] as string;

    it("sends ALARM and OK of every alarm to an alerts topic in the alarm's own region", async () => {
        const r = await run(stack);
        const topics = new Map(
            r.ofType("aws:sns/topic:Topic").map((t) => [t.outputs.arn as string, regionOf(t, stackRegion)]),
        );
        const alarms = r.resources.filter((x) => ALARM_TYPES.includes(x.type));
        expect(alarms.length).toBeGreaterThan(15);
        for (const alarm of alarms) {
            const where = `${alarm.type} ${alarm.name}`;
            expect(alarm.inputs.actionsEnabled, where).not.toBe(false);
            const actions = alarm.inputs.alarmActions as string[];
            expect(actions, where).toHaveLength(1);
            expect(alarm.inputs.okActions, where).toEqual(actions);
            expect(topics.get(actions[0]), `${where}: topic ${actions[0]}`).toBe(regionOf(alarm, stackRegion));
        }
    });

    it("exports every alarm it declares, with its region", async () => {
        const r = await run(stack);
        const declared = r.resources
            .filter((x) => ALARM_TYPES.includes(x.type))
            .map((a) => ({
                name: (a.outputs.name ?? a.outputs.alarmName) as string,
                region: regionOf(a, stackRegion),
            }));
        expect(
            [...(r.outputs.alarms as { name: string; region: string }[])].sort((a, b) => a.name.localeCompare(b.name)),
        ).toEqual(declared.sort((a, b) => a.name.localeCompare(b.name)));
    });

    it("points every dashboard metric at a resource of this stack", async () => {
        const r = await run(stack);
        const out = (type: string, key: string) => r.ofType(type).map((x) => x.outputs[key]);
        const known: Record<string, unknown[]> = {
            LoadBalancer: out("aws:lb/loadBalancer:LoadBalancer", "arnSuffix"),
            TargetGroup: out("aws:lb/targetGroup:TargetGroup", "arnSuffix"),
            ClusterName: out("aws:ecs/cluster:Cluster", "name"),
            ServiceName: out("aws:ecs/service:Service", "name"),
            DistributionId: r.ofType("aws:cloudfront/distribution:Distribution").map((d) => d.id),
            DBInstanceIdentifier: out("aws:rds/instance:Instance", "identifier"),
            Region: ["Global"],
        };
        const dashboards = r.ofType("aws:cloudwatch/dashboard:Dashboard");
        expect(dashboards).toHaveLength(1);
        const { widgets } = JSON.parse(dashboards[0].inputs.dashboardBody as string) as {
            widgets: { type: string; properties: { metrics?: unknown[][]; alarms?: string[] } }[];
        };
        let dimensions = 0;
        for (const w of widgets.filter((x) => x.type === "metric")) {
            for (const metric of w.properties.metrics ?? []) {
                const plain = metric.filter((p) => typeof p === "string");
                for (let i = 2; i + 1 < plain.length; i += 2) {
                    const [dim, value] = [plain[i], plain[i + 1]];
                    expect(known[dim], `dimension ${dim}`).toBeDefined();
                    expect(known[dim], `${dim} = ${value}`).toContain(value);
                    dimensions++;
                }
            }
        }
        expect(dimensions).toBeGreaterThan(10);
        const alarmArns = r.resources.filter((x) => ALARM_TYPES.includes(x.type)).map((a) => a.outputs.arn);
        for (const arn of widgets.find((w) => w.type === "alarm")?.properties.alarms ?? [])
            expect(alarmArns).toContain(arn);
    });

    it("pages on a composite alarm over alarms that exist", async () => {
        const r = await run(stack);
        const [composite] = r.ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm");
        const names = [...String(composite.inputs.alarmRule).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
        expect(names.map((n) => n.replace(/^api-[^-]+-/, ""))).toEqual([
            "latency-p95",
            "error-rate",
            "unhealthy-hosts",
        ]);
        const metricAlarms = r.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
        for (const n of names) {
            const referenced = metricAlarms.find((a) => a.inputs.name === n);
            expect(referenced, n).toBeDefined();
            // CloudWatch rejects a rule that names a missing alarm, and refuses to delete an alarm a
            // composite names: the composite must be created after, and deleted before, each of them.
            expect(composite.dependencies, n).toContain(referenced!.urn);
        }
    });

    it("exports what a user needs, in the documented shape, and no secret", async () => {
        const r = await run(stack);
        const parsed = StackOutputsSchema.safeParse(r.outputs);
        expect(parsed.error?.issues ?? []).toEqual([]);
        expect(Object.keys(r.outputs).sort()).toEqual(Object.keys(StackOutputsSchema.shape).sort());
        expect(r.secretOutputs).toEqual([]);
        const text = JSON.stringify(r.outputs);
        const originSecret = r.get("random:index/randomPassword:RandomPassword", "origin-verify").outputs
            .result as string;
        expect(originSecret.length).toBeGreaterThan(10);
        expect(text).not.toContain(originSecret);
        expect(text).not.toMatch(/password|secret/i);
        expect(r.outputs.stack).toBe(stack);
    });
});

describe("state safety", () => {
    const stateful = (r: StackRun) => [...r.ofType("aws:s3/bucket:Bucket"), ...r.ofType("aws:rds/instance:Instance")];

    it.each(["production", "staging"])("%s protects and retains its buckets and database", async (stack) => {
        const r = await run(stack);
        expect(stateful(r).length).toBeGreaterThanOrEqual(4);
        for (const res of stateful(r)) {
            expect(res.protect, `${res.type} ${res.name}`).toBe(true);
            expect(res.retainOnDelete, `${res.type} ${res.name}`).toBe(true);
        }
        expect(r.get("aws:rds/instance:Instance", "database").inputs.deletionProtection).toBe(true);
    });

    it("dev can be destroyed without a config change", async () => {
        const r = await run("dev");
        for (const res of stateful(r)) expect(res.protect, `${res.type} ${res.name}`).toBe(false);
    });
});

describe("environment differences come from the stack files", () => {
    it("production runs three AZs with a NAT each, WAF, all edge locations and a multi-AZ database", async () => {
        const r = await run("production");
        expect(r.ofType("awsx:ec2:Vpc")[0].inputs).toMatchObject({
            numberOfAvailabilityZones: 3,
            natGateways: { strategy: "OnePerAz" },
        });
        expect(r.ofType("aws:wafv2/webAcl:WebAcl")).toHaveLength(1);
        expect(r.ofType("aws:cloudfront/distribution:Distribution")[0].inputs.priceClass).toBe("PriceClass_All");
        expect(r.get("aws:rds/instance:Instance", "database").inputs).toMatchObject({
            multiAz: true,
            monitoringInterval: 1,
            performanceInsightsEnabled: true,
        });
    });

    it("dev is small and cheap: two AZs, one NAT, no WAF, single-AZ database", async () => {
        const r = await run("dev");
        expect(r.ofType("awsx:ec2:Vpc")[0].inputs).toMatchObject({
            numberOfAvailabilityZones: 2,
            natGateways: { strategy: "Single" },
        });
        expect(r.ofType("aws:wafv2/webAcl:WebAcl")).toHaveLength(0);
        expect(r.get("aws:rds/instance:Instance", "database").inputs).toMatchObject({
            multiAz: false,
            monitoringInterval: 60,
        });
        // dev is in eu-west-1: CloudFront's alarms notify a second topic in us-east-1.
        expect(r.ofType("aws:sns/topic:Topic").map((t) => t.inputs.region ?? "stack region")).toEqual([
            "stack region",
            "us-east-1",
        ]);
    });
});

describe("the API wired to this stack", () => {
    const TASK = "aws:ecs/taskDefinition:TaskDefinition";
    const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
    const containerOf = (r: StackRun) => containersOf(r.get(TASK, "api"))[0];
    const envOf = (r: StackRun) => Object.fromEntries(containerOf(r).environment.map((e) => [e.name, e.value]));
    const dbSecretArnOf = (r: StackRun) => {
        const db = outputsOf<aws.rds.InstanceState>(r.get("aws:rds/instance:Instance", "database"));
        return db.masterUserSecrets![0].secretArn;
    };

    it("production hands out proof URIs on its public host, a value that does not wait for CloudFront", async () => {
        const r = await run("production");
        expect(envOf(r).PROOF_URI_DOMAIN).toBe("https://api.credlink.example.com/proofs");
        // A plain value: the service does not wait for CloudFront.
        expect(r.get(TASK, "api").propertyDependencies.containerDefinitions).not.toContain(
            r.get(DISTRIBUTION, "cdn").urn,
        );
    });

    it("dev, without domain.name, hands out the distribution's own domain, once the distribution exists", async () => {
        const r = await run("dev");
        const domainName = r.get(DISTRIBUTION, "cdn").outputs.domainName as string;
        expect(domainName).toMatch(/^d[0-9a-f]+\.cloudfront\.net$/);
        expect(envOf(r).PROOF_URI_DOMAIN).toBe(`https://${domainName}/proofs`);
        expect(r.get(TASK, "api").propertyDependencies.containerDefinitions).toContain(r.get(DISTRIBUTION, "cdn").urn);
    });

    it.each(["dev", "staging", "production"])(
        "%s serves those URIs: the proofs behaviour maps /proofs/<uuid> with its viewer-request function",
        async (stack) => {
            const r = await run(stack);
            const fn = r.get("aws:cloudfront/function:Function", "cdn-proofs-uri");
            const behaviours = r.get(DISTRIBUTION, "cdn").inputs.orderedCacheBehaviors as {
                pathPattern: string;
                functionAssociations?: unknown;
            }[];
            expect(behaviours.find((b) => b.pathPattern === "/proofs/*")?.functionAssociations).toEqual([
                { eventType: "viewer-request", functionArn: fn.outputs.arn },
            ]);
            expect(fn.inputs.runtime).toBe("cloudfront-js-2.0");
        },
    );

    it(
        "hands the container service.environment and service.secrets from the stack config, " +
            "reads exactly those secrets",
        async () => {
            const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:credlink/api-keys-AbCdEf";
            const r = await runStack("production", {
                config: {
                    "credlink:service.environment": { RATE_LIMIT_MAX: 10000, SIGN_RATE_LIMIT_MAX: 12000 },
                    "credlink:service.secrets": { API_KEY_PEPPER: `${secret}:pepper::` },
                },
            });
            expect(envOf(r)).toMatchObject({ RATE_LIMIT_MAX: "10000", SIGN_RATE_LIMIT_MAX: "12000" });
            expect(containerOf(r).secrets).toContainEqual({ name: "API_KEY_PEPPER", valueFrom: `${secret}:pepper::` });
            const policy = policyOf(r.get("aws:iam/rolePolicy:RolePolicy", "api-execution"));
            const read = policy.Statement.find((st) => st.Sid === "ReadSecrets");
            expect(read?.Resource).toEqual([dbSecretArnOf(r), secret].sort());
        },
    );

    it(
        "connects the API to the database through the component: host, port, name, TLS and " + "the managed secret",
        async () => {
            const r = await run("production");
            const env = envOf(r);
            expect(env).toMatchObject({ PGPORT: "5432", PGDATABASE: "credlink", PGSSLMODE: "require" });
            expect(env.PGHOST).toBe(r.get("aws:rds/instance:Instance", "database").outputs.address);
            const secret = dbSecretArnOf(r);
            expect(containerOf(r).secrets).toEqual([
                { name: "PGPASSWORD", valueFrom: `${secret}:password::` },
                { name: "PGUSER", valueFrom: `${secret}:username::` },
            ]);
        },
    );
});
