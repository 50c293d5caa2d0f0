/**
 * ScalingService: the CredLink API on ECS Fargate in private subnets behind an
 * internet-facing ALB that only CloudFront can reach, with three-signal target
 * tracking (CPU, memory, requests per target), its alarms and custom metrics.
 * The task ceiling and the request-count target come from the capacity plan
 * (policies/capacity-plan.ts) unless given, and given ones must carry the peak.
 *
 * Everything here is plain @pulumi/aws so tests and the policy pack see every
 * resource and input.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmSuffix, createAlarms } from "./alarms";
import { resolveArgs, type ScalingServiceArgs } from "./args";
import { createAutoscaling } from "./autoscaling";
import { createLoadBalancer } from "./load-balancer";
import { createLogMetricFilters } from "./metrics";
import { createNetworkSecurity } from "./network-security";
import { createNotifications, type NotificationKind } from "./notifications";
import { createService } from "./service";
import { capacityAtTargetRps } from "../../policies/capacity-plan";

export { ALARM_SUFFIXES, alarmBodies, type AlarmSuffix } from "./alarms";
export type { AlarmSettings, ScalingServiceArgs, ScalingSettings, ServiceSettings } from "./args";
export { ALARM_SETTINGS, SCALING_SETTINGS, SERVICE_SETTINGS } from "./settings";
export { CUSTOM_METRICS, EXAMPLE_REQUEST_LOG_LINE, PERFORMANCE_NAMESPACE } from "./metrics";
export { NOTIFICATION_KINDS, notificationRules, type NotificationKind } from "./notifications";

export class ScalingService extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    /** `app/<name>/<id>`: the ALB's CloudWatch `LoadBalancer` dimension. */
    public readonly albArnSuffix: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albZoneId: pulumi.Output<string>;
    public readonly albSecurityGroupId: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** `targetgroup/<name>/<id>`: the `TargetGroup` dimension. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** The database admits this group on 5432. */
    public readonly taskSecurityGroupId: pulumi.Output<string>;
    public readonly taskRoleName: pulumi.Output<string>;
    /** Requests per second the service carries with maxTasks tasks at the request-count target. */
    public readonly capacityAtTargetRps: pulumi.Output<number>;
    /** `service/<cluster>/<service>`: the Application Auto Scaling resource ID. */
    public readonly scalableTargetResourceId: pulumi.Output<string>;
    /** Every alarm: the eight of ALARM_SUFFIXES, then the notification-delivery alarm. */
    public readonly alarmNames: pulumi.Output<string[]>;
    public readonly alarmArns: pulumi.Output<string[]>;
    /** The EventBridge notification rules' names by kind (NOTIFICATION_KINDS). */
    public readonly notificationRuleNames: Readonly<Record<NotificationKind, pulumi.Output<string>>>;
    /**
     * Alarm names by kind, e.g. for a composite alarm: `alarmNamesByKind["latency-p95"]`. Outputs, so a
     * composite alarm that names them depends on them (CloudWatch rejects a rule naming a missing alarm).
     */
    public readonly alarmNamesByKind: Readonly<Record<AlarmSuffix, pulumi.Output<string>>>;
    /** What CloudFront must use towards this origin: HTTPS when a certificate is configured, else HTTP. */
    public readonly originProtocolPolicy: "https-only" | "http-only";

    constructor(name: string, rawArgs: ScalingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:compute:ScalingService", name, {}, opts);
        const args = resolveArgs(name, rawArgs);
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- every piece's parent
        const parent: pulumi.Resource = this;
        // Physical names that must be unique per account and region carry the stack name.
        const physical = `${name}-${pulumi.getStack()}`;
        const https = args.certificateArn !== undefined;

        const identity = aws.getCallerIdentityOutput({}, { parent });
        const partition = aws.getPartitionOutput({}, { parent });
        const region = aws.getRegionOutput({}, { parent });

        // Logs and the custom metrics derived from them.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/ecs/${physical}`, retentionInDays: args.logRetentionDays },
            { parent },
        );
        createLogMetricFilters(`${name}-metric`, logGroup.name, parent);

        const { albSecurityGroup, taskSecurityGroup } = createNetworkSecurity(
            name,
            { vpcId: args.vpcId, vpcCidrBlock: args.vpcCidrBlock, containerPort: args.containerPort, https },
            parent,
        );
        const { alb, targetGroup, forwardRule } = createLoadBalancer(
            name,
            {
                vpcId: args.vpcId,
                publicSubnetIds: args.publicSubnetIds,
                albSecurityGroupId: albSecurityGroup.id,
                containerPort: args.containerPort,
                deregistrationDelaySeconds: args.deregistrationDelaySeconds,
                certificateArn: args.certificateArn,
                sslPolicy: args.sslPolicy,
                originVerifySecret: args.originVerifySecret,
            },
            parent,
        );
        const { cluster, service, taskRole } = createService(
            name,
            {
                settings: args,
                family: physical,
                initialTaskCount: args.scaling.minTasks,
                logGroup,
                accountId: identity.accountId,
                partition: partition.partition,
                region: region.region,
                taskSecurityGroupId: taskSecurityGroup.id,
                targetGroupArn: targetGroup.arn,
                forwardRule,
            },
            parent,
        );
        const target = createAutoscaling(
            name,
            {
                scaling: args.scaling,
                physicalName: physical,
                clusterName: cluster.name,
                serviceName: service.name,
                albArnSuffix: alb.arnSuffix,
                targetGroupArnSuffix: targetGroup.arnSuffix,
                forwardRule,
            },
            parent,
        );

        const created = createAlarms(
            name,
            physical,
            {
                albArnSuffix: alb.arnSuffix,
                targetGroupArnSuffix: targetGroup.arnSuffix,
                clusterName: cluster.name,
                serviceName: service.name,
                maxTasks: args.scaling.maxTasks,
                topicArn: args.alarmTopicArn,
            },
            args.alarms,
            parent,
        );

        const notifications = createNotifications(
            name,
            {
                physicalName: physical,
                clusterArn: cluster.arn,
                clusterName: cluster.name,
                serviceName: service.name,
                serviceArn: service.arn,
                scalableTargetResourceId: target.resourceId,
                topicArn: args.alarmTopicArn,
            },
            parent,
        );

        this.clusterName = cluster.name;
        this.serviceName = service.name;
        this.albArn = alb.arn;
        this.albArnSuffix = alb.arnSuffix;
        this.albDnsName = alb.dnsName;
        this.albZoneId = alb.zoneId;
        this.albSecurityGroupId = albSecurityGroup.id;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.logGroupName = logGroup.name;
        this.taskSecurityGroupId = taskSecurityGroup.id;
        this.taskRoleName = taskRole.name;
        this.capacityAtTargetRps = pulumi
            .all([args.scaling.maxTasks, args.scaling.requestsPerTarget])
            .apply(([maxTasks, perTarget]) => capacityAtTargetRps(maxTasks, perTarget));
        this.scalableTargetResourceId = target.resourceId;
        this.alarmNames = pulumi.output([...created.names, `${physical}-notifications-failed`]);
        this.alarmArns = pulumi.all([...Object.values(created.alarms), notifications.deliveryAlarm].map((a) => a.arn));
        this.notificationRuleNames = Object.freeze(
            Object.fromEntries(Object.entries(notifications.rules).map(([kind, rule]) => [kind, rule.name])) as Record<
                NotificationKind,
                pulumi.Output<string>
            >,
        );
        this.alarmNamesByKind = Object.freeze(created.namesByKind);
        this.originProtocolPolicy = https ? "https-only" : "http-only";
        this.registerOutputs({
            clusterName: this.clusterName,
            serviceName: this.serviceName,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            albDnsName: this.albDnsName,
            albZoneId: this.albZoneId,
            albSecurityGroupId: this.albSecurityGroupId,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            logGroupName: this.logGroupName,
            taskSecurityGroupId: this.taskSecurityGroupId,
            taskRoleName: this.taskRoleName,
            capacityAtTargetRps: this.capacityAtTargetRps,
            scalableTargetResourceId: this.scalableTargetResourceId,
            alarmNames: this.alarmNames,
            alarmArns: this.alarmArns,
        });
    }
}
