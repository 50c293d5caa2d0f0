/**
 * CredLink performance stack. Composes the components for the selected stack
 * from its configuration alone: environment differences live in the stack
 * files (Pulumi.<stack>.yaml), not in code.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AlertsTopic } from "./components/alerts";
import { CdnDistribution } from "./components/cdn";
import { MonitoredDatabase } from "./components/database";
import { Network } from "./components/network";
import { PrivateBucket } from "./components/private-bucket";
import { ScalingService } from "./components/scaling-service";
import { SloDashboard } from "./components/slo-dashboard";
import { loadStackConfig } from "./lib/config";
import { capacityAtTargetRps } from "./policies/capacity-plan";
import type { StackOutputs } from "./lib/outputs";
import { CLOUDFRONT_REGION } from "./policies/aws/cloudfront";
import { registerTagging, standardTags } from "./lib/tags";

type Outputs = { [K in keyof StackOutputs]: pulumi.Input<StackOutputs[K]> };

// `export =`, not `export default`: the Node.js language host calls a CommonJS program's export only when
// the export itself is a function; a default export would leave the stack empty.
export = function main(): Outputs {
    const config = loadStackConfig();
    const tags = standardTags(config.environment, config.tags);
    registerTagging(tags);
    const protect = config.protectStatefulResources;

    // Alerts. CloudWatch only notifies topics in the alarm's region, and CloudFront's alarms
    // live in us-east-1, so a stack elsewhere gets a second topic there.
    const alertsArgs = {
        emails: config.alerts.emails,
        httpsEndpoint:
            config.alerts.httpsEndpoint === undefined ? undefined : pulumi.secret(config.alerts.httpsEndpoint),
    };
    // The service's EventBridge notifications (scaling, deployments, failed tasks) publish here too.
    const alerts = new AlertsTopic("alerts", { ...alertsArgs, eventBridgeRules: true });
    const cdnAlerts =
        config.region === CLOUDFRONT_REGION
            ? alerts
            : new AlertsTopic("alerts-us-east-1", { ...alertsArgs, region: CLOUDFRONT_REGION });

    const network = new Network("network", { ...config.network, tags });

    // Proofs: written by the service (proofs/<uuid>.json), served by CloudFront under /proofs/*.
    const proofs = new PrivateBucket("proofs", {
        versioning: true,
        lifecycle: { noncurrentVersionExpireAfterDays: 30, abortIncompleteMultipartUploadDays: 7 },
        protect,
        // An unprotected (dev) stack must be destroyable even with proofs in the bucket.
        forceDestroy: !protect,
    });

    // The secret header CloudFront adds and the ALB requires; no URL-unsafe characters.
    const originVerify = new random.RandomPassword("origin-verify", { length: 48, special: false });

    // The database admits the service's tasks, and the service reads the database's secret:
    // a deferred output breaks that construction cycle.
    const [taskSecurityGroupId, setTaskSecurityGroupId] = pulumi.deferredOutput<string>();
    // The API's PROOF_URI_DOMAIN is the CDN's public URL + proofs path, and the CDN fronts the API's ALB:
    // another construction cycle, but no resource cycle (ALB <- distribution <- task definition).
    // With domain.name the value is a plain string, known in preview, and the service does not wait for
    // CloudFront; without it, it is the distribution's own domain name, known once the distribution exists.
    const [proofUriDomain, setProofUriDomain] = pulumi.deferredOutput<string>();
    const database = new MonitoredDatabase("database", {
        ...config.database,
        protect,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        clientSecurityGroupIds: [taskSecurityGroupId],
        alarmTopicArn: alerts.topicArn,
    });

    const api = new ScalingService("api", {
        vpcId: network.vpcId,
        vpcCidrBlock: network.cidrBlock,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        ...config.service,
        scaling: config.scaling,
        alarms: config.alarms,
        certificateArn: config.domain.albCertificateArn,
        originVerifySecret: originVerify.result,
        proofsBucketName: proofs.bucketName,
        proofsBucketArn: proofs.bucketArn,
        proofUriDomain,
        alarmTopicArn: alerts.topicArn,
        database: {
            host: pulumi.all([database.proxyEndpoint, database.address]).apply(([proxy, address]) => proxy ?? address),
            port: database.port,
            name: config.database.databaseName,
            credentialsSecretArn: database.masterUserSecretArn,
        },
    });
    setTaskSecurityGroupId(api.taskSecurityGroupId);

    // With HTTPS to the origin, CloudFront checks the ALB's certificate against the origin's
    // host name, which must therefore be a name the certificate covers, not the ALB's own.
    const originDomainName = config.domain.originName ?? api.albDnsName;
    if (config.domain.originName !== undefined && config.domain.hostedZoneId !== undefined) {
        new aws.route53.Record("api-origin", {
            zoneId: config.domain.hostedZoneId,
            name: config.domain.originName,
            type: "A",
            aliases: [{ name: api.albDnsName, zoneId: api.albZoneId, evaluateTargetHealth: true }],
        });
    }

    const cdn = new CdnDistribution("cdn", {
        apiOrigin: { domainName: originDomainName, protocol: api.originProtocolPolicy },
        originVerifySecret: originVerify.result,
        proofsBucket: proofs,
        ...config.cdn,
        aliases: config.domain.name === undefined ? [] : [config.domain.name],
        certificateArn: config.domain.cdnCertificateArn,
        hostedZoneId: config.domain.hostedZoneId,
        protectData: protect,
        alarmTopicArn: cdnAlerts.topicArn,
        errorRatePercent: config.alarms.errorRatePercent,
    });

    setProofUriDomain(cdn.proofsBaseUrl);

    const inRegion = (names: pulumi.Output<string[]>, region: string) =>
        names.apply((ns) => ns.map((name) => ({ name, region })));
    const dashboard = new SloDashboard("slo", {
        region: config.region,
        albArnSuffix: api.albArnSuffix,
        targetGroupArnSuffix: api.targetGroupArnSuffix,
        clusterName: api.clusterName,
        serviceName: api.serviceName,
        distributionId: cdn.distributionId,
        dbInstanceIdentifier: database.instanceIdentifier,
        minTasks: config.scaling.minTasks,
        maxTasks: config.scaling.maxTasks,
        cpuTargetPercent: config.scaling.cpuTargetPercent,
        memoryTargetPercent: config.scaling.memoryTargetPercent,
        capacityAtTargetRps: capacityAtTargetRps(config.scaling.maxTasks, config.scaling.requestsPerTarget),
        degradedWhenAnyOf: {
            latencyAlarmName: api.alarmNamesByKind["latency-p95"],
            errorRateAlarmName: api.alarmNamesByKind["error-rate"],
            unhealthyHostsAlarmName: api.alarmNamesByKind["unhealthy-hosts"],
        },
        alarmTopicArn: alerts.topicArn,
        alarmArns: api.alarmArns,
    });

    return {
        stack: config.environment,
        region: config.region,
        cdnDomainName: cdn.domainName,
        cdnUrl: cdn.url,
        distributionId: cdn.distributionId,
        staticBucketName: cdn.staticBucketName,
        proofsBucketName: proofs.bucketName,
        apiUrl: cdn.url,
        clusterName: api.clusterName,
        serviceName: api.serviceName,
        albDnsName: api.albDnsName,
        capacityAtTargetRps: api.capacityAtTargetRps,
        dbInstanceIdentifier: database.instanceIdentifier,
        dbEndpoint: database.endpoint,
        alertsTopicArn: alerts.topicArn,
        dashboardName: dashboard.dashboardName,
        dashboardUrl: dashboard.dashboardUrl,
        alarms: pulumi
            .all([
                inRegion(api.alarmNames, config.region),
                inRegion(database.alarmNames, config.region),
                cdn.alarms,
                inRegion(
                    dashboard.degradedAlarmName.apply((n) => [n]),
                    config.region,
                ),
            ])
            .apply((groups) => groups.flat()),
    };
};
