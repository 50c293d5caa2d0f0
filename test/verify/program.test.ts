/**
 * The real program (index.ts under Pulumi's mocks) for every stack file,
 * translated into what the AWS APIs would answer after `pulumi up`, must pass
 * `npm run verify` with no failure and no warning. This ties the checks to what
 * the components actually declare, not to a hand-written fixture.
 */
import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { Distribution } from "@aws-sdk/client-cloudfront";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Subscription } from "@aws-sdk/client-sns";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StackOutputsSchema, type StackOutputs } from "../../lib/outputs";
import { MANAGED_CACHE_POLICY } from "../../policies/aws/cloudfront";
import { runVerify } from "../../tools/verify/run";
import { readStackConfig } from "../../tools/verify/stack-config";
import { runStack, type RegisteredResource, type StackRun } from "../../tools/harness/run";
import { stackNames } from "../../tools/stack-file";
import { outputsOf } from "../resources";
import { PROJECT_DIR, serve, tempDir, writeOutputs, type Account } from "./fixtures";

/** Secrets reach the mocks wrapped in the engine's secret envelope; AWS returns plain values. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
function plain(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") {
        if (SECRET_SIG_KEY in v) return plain("value" in v ? v.value : undefined);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
}
const list = <T>(items: T[] | undefined) => ({ Quantity: items?.length ?? 0, Items: items ?? [] });

/** GetDistribution's answer for the distribution the program declared. */
function distribution(r: RegisteredResource, o: StackOutputs): Distribution {
    const i = plain(r.outputs) as pulumi.Unwrap<aws.cloudfront.DistributionState>;
    if (!i.defaultCacheBehavior) throw new Error(`${r.name} has no default cache behaviour`);
    /** What the default and the ordered behaviours have in common. */
    interface Behaviour {
        pathPattern?: string;
        targetOriginId: string;
        cachePolicyId?: string;
        compress?: boolean;
        viewerProtocolPolicy: string;
    }
    const behaviour = (b: Behaviour) => ({
        PathPattern: b.pathPattern,
        TargetOriginId: b.targetOriginId,
        CachePolicyId: b.cachePolicyId,
        Compress: b.compress === true,
        ViewerProtocolPolicy: b.viewerProtocolPolicy,
    });
    const cert = i.viewerCertificate ?? {};
    return {
        Id: o.distributionId,
        ARN: `arn:aws:cloudfront::123456789012:distribution/${o.distributionId}`,
        Status: "Deployed",
        DomainName: o.cdnDomainName,
        LastModifiedTime: new Date(),
        InProgressInvalidationBatches: 0,
        DistributionConfig: {
            CallerReference: r.urn,
            Comment: i.comment ?? "",
            Enabled: i.enabled === true,
            Aliases: list(i.aliases),
            Origins: list(
                (i.origins ?? []).map((x) => ({
                    Id: x.originId,
                    DomainName: x.domainName,
                    CustomHeaders: list(
                        (x.customHeaders ?? []).map((h) => ({ HeaderName: h.name, HeaderValue: h.value })),
                    ),
                })),
            ),
            DefaultCacheBehavior: behaviour(i.defaultCacheBehavior),
            CacheBehaviors: list((i.orderedCacheBehaviors ?? []).map(behaviour)),
            PriceClass: i.priceClass,
            HttpVersion: i.httpVersion,
            ViewerCertificate: {
                ACMCertificateArn: cert.acmCertificateArn,
                MinimumProtocolVersion: cert.minimumProtocolVersion ?? "TLSv1",
                CloudFrontDefaultCertificate: cert.cloudfrontDefaultCertificate === true,
            },
            Logging: i.loggingConfig
                ? {
                      Enabled: true,
                      IncludeCookies: false,
                      Bucket: i.loggingConfig.bucket,
                      Prefix: i.loggingConfig.prefix ?? "",
                  }
                : { Enabled: false, IncludeCookies: false, Bucket: "", Prefix: "" },
            WebACLId: i.webAclId ?? "",
        },
    } as Distribution;
}

function accountFrom(run: StackRun, o: StackOutputs): Account {
    const target = run
        .ofType("aws:appautoscaling/target:Target")
        .find((t) => t.outputs.resourceId === `service/${o.clusterName}/${o.serviceName}`);
    const db = outputsOf<aws.rds.InstanceState>(
        run.ofType("aws:rds/instance:Instance").find((d) => d.outputs.identifier === o.dbInstanceIdentifier)!,
    );
    const cachePolicies: Account["cachePolicies"] = {
        [MANAGED_CACHE_POLICY.CachingDisabled]: { MinTTL: 0, DefaultTTL: 0, MaxTTL: 0 },
    };
    for (const p of run.ofType("aws:cloudfront/cachePolicy:CachePolicy"))
        cachePolicies[p.id] = {
            MinTTL: p.outputs.minTtl as number,
            DefaultTTL: p.outputs.defaultTtl as number,
            MaxTTL: p.outputs.maxTtl as number,
        };
    const alarm = (
        name: string | undefined,
        a: { actionsEnabled?: boolean; alarmActions?: unknown[] },
    ): MetricAlarm => ({
        AlarmName: name,
        // The provider's default for actionsEnabled is true.
        ActionsEnabled: a.actionsEnabled !== false,
        // Topic ARNs (a metric alarm's state type also admits a Topic object; the program passes ARNs).
        AlarmActions: (a.alarmActions ?? []) as string[],
        StateValue: "OK",
    });
    return {
        distribution: distribution(run.ofType("aws:cloudfront/distribution:Distribution")[0], o),
        cachePolicies,
        scalableTarget: target
            ? { MinCapacity: target.outputs.minCapacity as number, MaxCapacity: target.outputs.maxCapacity as number }
            : undefined,
        scalingPolicies: run.ofType("aws:appautoscaling/policy:Policy").map((p) => {
            const {
                name,
                policyType,
                targetTrackingScalingPolicyConfiguration: c,
            } = outputsOf<aws.appautoscaling.PolicyState>(p);
            if (!c) throw new Error(`${p.name} has no target tracking configuration`);
            const m = c.predefinedMetricSpecification;
            return {
                PolicyName: name,
                PolicyType: policyType,
                TargetTrackingScalingPolicyConfiguration: {
                    TargetValue: c.targetValue,
                    ScaleInCooldown: c.scaleInCooldown,
                    ScaleOutCooldown: c.scaleOutCooldown,
                    DisableScaleIn: c.disableScaleIn,
                    PredefinedMetricSpecification: {
                        PredefinedMetricType: m?.predefinedMetricType,
                        ResourceLabel: m?.resourceLabel,
                    },
                },
            } as ScalingPolicy;
        }),
        db: {
            DBInstanceIdentifier: db.identifier,
            DBInstanceStatus: "available",
            DBInstanceClass: db.instanceClass,
            MultiAZ: db.multiAz === true,
            DeletionProtection: db.deletionProtection === true,
            BackupRetentionPeriod: db.backupRetentionPeriod,
            MonitoringInterval: db.monitoringInterval ?? 0,
            // The program passes the role's ARN as an input; the mock returns it as is.
            MonitoringRoleArn: db.monitoringRoleArn,
            PerformanceInsightsEnabled: db.performanceInsightsEnabled === true,
            PerformanceInsightsRetentionPeriod: db.performanceInsightsEnabled
                ? db.performanceInsightsRetentionPeriod
                : undefined,
        },
        alarms: [
            ...run
                .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
                .map((a) => outputsOf<aws.cloudwatch.MetricAlarmState>(a))
                .map((a) => alarm(a.name, a)),
            ...run
                .ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm")
                .map((a) => outputsOf<aws.cloudwatch.CompositeAlarmState>(a))
                .map((a) => alarm(a.alarmName, a)),
        ],
        // Everyone has followed the confirmation link.
        subscriptions: run
            .ofType("aws:sns/topicSubscription:TopicSubscription")
            .filter((s) => s.outputs.topic === o.alertsTopicArn)
            .map(
                (s) =>
                    ({
                        SubscriptionArn: s.outputs.arn,
                        Protocol: s.outputs.protocol,
                        Endpoint: s.outputs.endpoint,
                    }) as Subscription,
            ),
    };
}

describe.each(stackNames())("stack %s as the program declares it", (stack) => {
    it("passes every verify check", async () => {
        const run = await runStack(stack);
        const outputs = StackOutputsSchema.parse(run.outputs);
        serve(accountFrom(run, outputs), outputs);
        const dir = tempDir();
        const result = await runVerify(
            { stack, outputsFile: writeOutputs(dir, outputs), probe: false, reportDir: dir, timeoutMs: 1_000 },
            // domain.originName resolves to the ALB, as the stack's alias record makes it.
            { projectDir: PROJECT_DIR, print: () => undefined, resolveHost: () => Promise.resolve(["192.0.2.10"]) },
        );
        expect(result.error).toBeUndefined();
        expect(result.results.filter((r) => r.status === "fail")).toEqual([]);
        // The one warning a stack file can ask for: nobody subscribed to the alerts.
        const config = readStackConfig(stack, PROJECT_DIR).config;
        const unsubscribed =
            config.alerts.emails.length === 0 &&
            config.alerts.httpsEndpoint === undefined &&
            !readStackConfig(stack, PROJECT_DIR).secureKeys.has("credlink:alerts.httpsEndpoint");
        expect(result.results.filter((r) => r.status === "warn").map((r) => r.name)).toEqual(
            unsubscribed ? ["alerts topic has a confirmed subscription"] : [],
        );
        expect(result.results.filter((r) => r.area === "Alarms")).toHaveLength(outputs.alarms.length + 1);
        expect(result.exitCode).toBe(0);
    });
});
