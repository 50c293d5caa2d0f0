/**
 * A mocked AWS account that matches the real Pulumi.production.yaml. Every
 * value is built from the parsed stack config (not from tools/verify/expected.ts),
 * so a check that reads the wrong setting, or a stack file that changes without
 * the checks, breaks the tests.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    ApplicationAutoScalingClient,
    DescribeScalableTargetsCommand,
    DescribeScalingPoliciesCommand,
    type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import {
    CloudFrontClient,
    GetCachePolicyCommand,
    GetDistributionCommand,
    type Distribution,
} from "@aws-sdk/client-cloudfront";
import {
    CloudWatchClient,
    DescribeAlarmsCommand,
    GetDashboardCommand,
    type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeDBInstancesCommand, RDSClient, type DBInstance } from "@aws-sdk/client-rds";
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import type { StackConfig } from "../../lib/config";
import type { StackOutputs } from "../../lib/outputs";
import { readStackConfig } from "../../tools/verify/stack-config";

export const PROJECT_DIR = path.resolve(__dirname, "../..");
export const ACCOUNT = "123456789012";

export const production = (): StackConfig => readStackConfig("production", PROJECT_DIR).config;

export function outputsFor(config: StackConfig): StackOutputs {
    const r = config.region;
    const env = config.environment;
    return {
        stack: env,
        region: r,
        cdnDomainName: "d111111abcdef8.cloudfront.net",
        cdnUrl: `https://${config.domain.name ?? "d111111abcdef8.cloudfront.net"}`,
        distributionId: "E2QWRUHEXAMPLE",
        staticBucketName: `credlink-${env}-static-0a1b2c`,
        proofsBucketName: `credlink-${env}-proofs-3d4e5f`,
        apiUrl: `https://${config.domain.name ?? "d111111abcdef8.cloudfront.net"}`,
        clusterName: `credlink-${env}`,
        serviceName: "credlink-api",
        albDnsName: `credlink-${env}-alb-1234567890.${r}.elb.amazonaws.com`,
        capacityAtTargetRps: (config.scaling.maxTasks * config.scaling.requestsPerTarget) / 60,
        dbInstanceIdentifier: `credlink-${env}-db`,
        dbEndpoint: `credlink-${env}-db.abcdefghijkl.${r}.rds.amazonaws.com:5432`,
        alertsTopicArn: `arn:aws:sns:${r}:${ACCOUNT}:credlink-${env}-alerts`,
        dashboardName: `credlink-${env}-slo`,
        dashboardUrl:
            `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}` + `#dashboards:name=credlink-${env}-slo`,
        alarms: [
            { name: `credlink-${env}-api-p95-latency`, region: r },
            { name: `credlink-${env}-api-5xx-rate`, region: r },
            { name: `credlink-${env}-cdn-5xx-rate`, region: "us-east-1" },
        ],
    };
}

export const STATIC_POLICY_ID = "11111111-2222-4333-8444-555555555555";
export const PROOFS_POLICY_ID = "66666666-7777-4888-8999-000000000000";
export const ORIGIN_SECRET = "test-origin-secret-value";

export function distributionFor(config: StackConfig, o: StackOutputs): Distribution {
    const behaviour = (pathPattern: string, origin: string, policy: string) => ({
        PathPattern: pathPattern,
        TargetOriginId: origin,
        CachePolicyId: policy,
        Compress: true,
        ViewerProtocolPolicy: "redirect-to-https" as const,
    });
    return {
        Id: o.distributionId,
        ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/${o.distributionId}`,
        Status: "Deployed",
        DomainName: o.cdnDomainName,
        LastModifiedTime: new Date("2025-01-01T00:00:00Z"),
        InProgressInvalidationBatches: 0,
        DistributionConfig: {
            CallerReference: "pulumi",
            Comment: "CredLink",
            Enabled: true,
            Aliases: config.domain.name ? { Quantity: 1, Items: [config.domain.name] } : { Quantity: 0 },
            Origins: {
                Quantity: 3,
                Items: [
                    {
                        Id: "api",
                        DomainName: config.domain.originName ?? o.albDnsName,
                        CustomHeaders: {
                            Quantity: 1,
                            Items: [{ HeaderName: "X-Origin-Verify", HeaderValue: ORIGIN_SECRET }],
                        },
                        CustomOriginConfig: {
                            HTTPPort: 80,
                            HTTPSPort: 443,
                            OriginProtocolPolicy: config.domain.albCertificateArn ? "https-only" : "http-only",
                        },
                    },
                    {
                        Id: "static",
                        DomainName: `${o.staticBucketName}.s3.${config.region}.amazonaws.com`,
                        S3OriginConfig: { OriginAccessIdentity: "" },
                    },
                    {
                        Id: "proofs",
                        DomainName: `${o.proofsBucketName}.s3.${config.region}.amazonaws.com`,
                        S3OriginConfig: { OriginAccessIdentity: "" },
                    },
                ],
            },
            DefaultCacheBehavior: {
                TargetOriginId: "api",
                CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                Compress: true,
                ViewerProtocolPolicy: "redirect-to-https",
            },
            CacheBehaviors: {
                Quantity: 2,
                Items: [
                    behaviour(config.cdn.static.pathPattern, "static", STATIC_POLICY_ID),
                    behaviour(config.cdn.proofs.pathPattern, "proofs", PROOFS_POLICY_ID),
                ],
            },
            PriceClass: config.cdn.priceClass,
            HttpVersion: "http2and3",
            ViewerCertificate: config.domain.cdnCertificateArn
                ? {
                      ACMCertificateArn: config.domain.cdnCertificateArn,
                      SSLSupportMethod: "sni-only",
                      MinimumProtocolVersion: "TLSv1.2_2021",
                  }
                : { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: "TLSv1" },
            Logging: config.cdn.loggingEnabled
                ? {
                      Enabled: true,
                      IncludeCookies: false,
                      Bucket: `credlink-${config.environment}-cdn-logs.s3.amazonaws.com`,
                      Prefix: "cloudfront/",
                  }
                : { Enabled: false, IncludeCookies: false, Bucket: "", Prefix: "" },
            WebACLId: config.cdn.wafEnabled
                ? `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/credlink/00000000-0000-4000-8000-00000000000a`
                : "",
        },
    };
}

export function scalingPoliciesFor(config: StackConfig, o: StackOutputs): ScalingPolicy[] {
    const s = config.scaling;
    const resourceId = `service/${o.clusterName}/${o.serviceName}`;
    const policy = (
        name: string,
        metric: string,
        target: number,
        scaleOut: number,
        resourceLabel?: string,
    ): ScalingPolicy => ({
        PolicyARN:
            `arn:aws:autoscaling:${config.region}:${ACCOUNT}:scalingPolicy:00000000-0000-4000-8000-000000000000` +
            `:resource/ecs/${resourceId}:policyName/${name}`,
        PolicyName: name,
        ServiceNamespace: "ecs",
        ResourceId: resourceId,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        CreationTime: new Date("2025-01-01T00:00:00Z"),
        TargetTrackingScalingPolicyConfiguration: {
            TargetValue: target,
            ScaleOutCooldown: scaleOut,
            ScaleInCooldown: s.scaleInCooldownSeconds,
            DisableScaleIn: false,
            PredefinedMetricSpecification: {
                PredefinedMetricType: metric as "ECSServiceAverageCPUUtilization",
                ResourceLabel: resourceLabel,
            },
        },
    });
    return [
        policy("cpu", "ECSServiceAverageCPUUtilization", s.cpuTargetPercent, s.scaleOutCooldownSeconds),
        policy("memory", "ECSServiceAverageMemoryUtilization", s.memoryTargetPercent, s.scaleOutCooldownSeconds),
        policy(
            "requests",
            "ALBRequestCountPerTarget",
            s.requestsPerTarget,
            s.requestScaleOutCooldownSeconds,
            "app/credlink-alb/0123456789abcdef/targetgroup/credlink-api/fedcba9876543210",
        ),
    ];
}

export function dbInstanceFor(config: StackConfig, o: StackOutputs): DBInstance {
    const d = config.database;
    return {
        DBInstanceIdentifier: o.dbInstanceIdentifier,
        DBInstanceStatus: "available",
        DBInstanceClass: d.instanceClass,
        Engine: "postgres",
        MultiAZ: d.multiAz,
        DeletionProtection: d.deletionProtection,
        BackupRetentionPeriod: d.backupRetentionDays,
        MonitoringInterval: d.monitoringIntervalSeconds,
        MonitoringRoleArn:
            d.monitoringIntervalSeconds > 0 ? `arn:aws:iam::${ACCOUNT}:role/credlink-db-monitoring` : undefined,
        PerformanceInsightsEnabled: d.performanceInsightsEnabled,
        PerformanceInsightsRetentionPeriod: d.performanceInsightsEnabled
            ? d.performanceInsightsRetentionDays
            : undefined,
    };
}

export function alarmsFor(o: StackOutputs): MetricAlarm[] {
    return o.alarms.map((a) => ({
        AlarmName: a.name,
        AlarmArn: `arn:aws:cloudwatch:${a.region}:${ACCOUNT}:alarm:${a.name}`,
        ActionsEnabled: true,
        AlarmActions: [`arn:aws:sns:${a.region}:${ACCOUNT}:credlink-alerts`],
        StateValue: "OK",
        StateReason: "Threshold Crossed: no datapoints were breaching",
    }));
}

export function subscriptionsFor(config: StackConfig, o: StackOutputs): Subscription[] {
    return config.alerts.emails.map((email, i) => ({
        SubscriptionArn: `${o.alertsTopicArn}:00000000-0000-4000-8000-00000000000${i}`,
        Protocol: "email",
        Endpoint: email,
        Owner: ACCOUNT,
        TopicArn: o.alertsTopicArn,
    }));
}

/** Every client verify uses, mocked; reset() before each test. */
export const mocks = {
    sts: mockClient(STSClient),
    cloudfront: mockClient(CloudFrontClient),
    autoscaling: mockClient(ApplicationAutoScalingClient),
    ecs: mockClient(ECSClient),
    rds: mockClient(RDSClient),
    cloudwatch: mockClient(CloudWatchClient),
    sns: mockClient(SNSClient),
};

export interface Account {
    distribution: Distribution;
    cachePolicies: Record<string, { MinTTL: number; DefaultTTL: number; MaxTTL: number }>;
    scalableTarget: { MinCapacity: number; MaxCapacity: number } | undefined;
    scalingPolicies: ScalingPolicy[];
    db: DBInstance;
    alarms: MetricAlarm[];
    subscriptions: Subscription[];
}

export function compliantAccount(config: StackConfig, o: StackOutputs): Account {
    const ttls = (t: StackConfig["cdn"]["static"]) => ({
        MinTTL: t.minTtl,
        DefaultTTL: t.defaultTtl,
        MaxTTL: t.maxTtl,
    });
    return {
        distribution: distributionFor(config, o),
        cachePolicies: {
            [STATIC_POLICY_ID]: ttls(config.cdn.static),
            [PROOFS_POLICY_ID]: ttls(config.cdn.proofs),
            "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": { MinTTL: 0, DefaultTTL: 0, MaxTTL: 0 },
        },
        scalableTarget: { MinCapacity: config.scaling.minTasks, MaxCapacity: config.scaling.maxTasks },
        scalingPolicies: scalingPoliciesFor(config, o),
        db: dbInstanceFor(config, o),
        alarms: alarmsFor(o),
        subscriptions: subscriptionsFor(config, o),
    };
}

/** Points every mock at `account`; tests edit the account (drift) before calling this. */
export function serve(account: Account, o: StackOutputs): void {
    for (const m of Object.values(mocks)) m.reset();
    mocks.sts
        .on(GetCallerIdentityCommand)
        .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/verify`, UserId: "AIDAEXAMPLE" });
    mocks.cloudfront
        .on(GetDistributionCommand, { Id: o.distributionId })
        .resolves({ Distribution: account.distribution, ETag: "E1" });
    mocks.cloudfront.on(GetCachePolicyCommand).callsFake((input: { Id?: string }) => {
        const ttl = account.cachePolicies[input.Id ?? ""];
        if (!ttl) throw Object.assign(new Error("The cache policy does not exist."), { name: "NoSuchCachePolicy" });
        return {
            CachePolicy: {
                Id: input.Id,
                LastModifiedTime: new Date(),
                CachePolicyConfig: { Name: `policy-${input.Id}`, ...ttl },
            },
        };
    });
    const resourceId = `service/${o.clusterName}/${o.serviceName}`;
    mocks.autoscaling.on(DescribeScalableTargetsCommand).resolves({
        ScalableTargets: account.scalableTarget
            ? [
                  {
                      ServiceNamespace: "ecs",
                      ResourceId: resourceId,
                      ScalableDimension: "ecs:service:DesiredCount",
                      RoleARN:
                          `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/` +
                          "AWSServiceRoleForApplicationAutoScaling_ECSService",
                      CreationTime: new Date(),
                      ...account.scalableTarget,
                  },
              ]
            : [],
    });
    mocks.autoscaling.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: account.scalingPolicies });
    mocks.ecs.on(DescribeServicesCommand).resolves({
        services: [
            {
                serviceName: o.serviceName,
                status: "ACTIVE",
                runningCount: account.scalableTarget?.MinCapacity ?? 2,
                desiredCount: account.scalableTarget?.MinCapacity ?? 2,
            },
        ],
        failures: [],
    });
    mocks.rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: o.dbInstanceIdentifier })
        .resolves({ DBInstances: [account.db] });
    mocks.cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
        MetricAlarms: account.alarms.filter((a) => input.AlarmNames?.includes(a.AlarmName ?? "")),
        CompositeAlarms: [],
    }));
    mocks.cloudwatch
        .on(GetDashboardCommand, { DashboardName: o.dashboardName })
        .resolves({ DashboardName: o.dashboardName, DashboardBody: "{}" });
    mocks.sns
        .on(ListSubscriptionsByTopicCommand, { TopicArn: o.alertsTopicArn })
        .resolves({ Subscriptions: account.subscriptions });
}

export function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "credlink-verify-"));
}

export function writeOutputs(dir: string, o: unknown): string {
    const file = path.join(dir, "outputs.json");
    fs.writeFileSync(file, JSON.stringify(o));
    return file;
}
