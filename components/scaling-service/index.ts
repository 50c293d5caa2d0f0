/**
 * ScalingService: the CredLink API on ECS Fargate in private subnets behind an
 * internet-facing ALB that only CloudFront can reach, with three-signal target
 * tracking (CPU, memory, requests per target), its alarms and custom metrics.
 *
 * Everything here is plain @pulumi/aws so tests and the policy pack see every
 * resource and input.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../lib/origin";
import { ECS_SCALABLE_DIMENSION } from "../../policies/slo";
import { type AlarmSuffix, createAlarms } from "./alarms";
import { originSecretProblem, resolveArgs, type ScalingServiceArgs } from "./args";
import { capacityReport } from "./capacity";
import { createExecutionRole, createTaskRole } from "./iam";
import { createLogMetricFilters } from "./metrics";

export { ALARM_SUFFIXES, alarmBodies, type AlarmSuffix } from "./alarms";
export type { AlarmSettings, ScalingServiceArgs, ScalingSettings, ServiceSettings } from "./args";
export { ALARM_SETTINGS, SCALING_SETTINGS, SERVICE_SETTINGS } from "./settings";
export { capacityReport } from "./capacity";
export { CUSTOM_METRICS, EXAMPLE_REQUEST_LOG_LINE, PERFORMANCE_NAMESPACE } from "./metrics";

/** AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing";
const CONTAINER_NAME = "api";
const HEALTH_CHECK_PATH = "/health";
const POSTGRES_PORT = 5432;
const FORBIDDEN = { type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" } };

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
    /** Requests per second the service carries with max tasks at the request-count target. */
    public readonly capacityAtTarget: pulumi.Output<number>;
    /** `service/<cluster>/<service>`: the Application Auto Scaling resource ID. */
    public readonly scalableTargetResourceId: pulumi.Output<string>;
    public readonly alarmNames: pulumi.Output<string[]>;
    public readonly alarmArns: pulumi.Output<string[]>;
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
        const parent: pulumi.Resource = this; // eslint-disable-line @typescript-eslint/no-this-alias -- children's parent, read dozens of times
        // Physical names that must be unique per account and region carry the stack name.
        const physical = `${name}-${pulumi.getStack()}`;
        const https = args.certificateArn !== undefined;
        const listenerPort = https ? 443 : 80;

        const capacity = capacityReport(name, args.scaling.maxTasks, args.scaling.requestsPerTarget);
        if (capacity.warning) void pulumi.log.warn(capacity.warning, this);

        const identity = aws.getCallerIdentityOutput({}, { parent });
        const partition = aws.getPartitionOutput({}, { parent });
        const region = aws.getRegionOutput({}, { parent });

        // Logs and the custom metrics derived from them.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/ecs/${physical}`, retentionInDays: args.logRetentionDays }, { parent });
        createLogMetricFilters(`${name}-metric`, logGroup.name, parent);

        // Security groups: CloudFront -> ALB -> tasks, nothing else in.
        const albSg = new aws.ec2.SecurityGroup(`${name}-alb`, { vpcId: args.vpcId, description: "CredLink API ALB: CloudFront origin-facing addresses only" }, { parent });
        const taskSg = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.vpcId, description: "CredLink API tasks: the ALB only" }, { parent });
        const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME }, { parent });
        // One rule only: the prefix list weighs ~55 rules against the 60-rule default quota of a group.
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-alb-from-cloudfront`,
            { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: listenerPort, toPort: listenerPort, prefixListId: cloudfront.id, description: `CloudFront origin-facing, ${https ? "HTTPS" : "HTTP"}` },
            { parent },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-tasks`,
            { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: args.containerPort, toPort: args.containerPort, referencedSecurityGroupId: taskSg.id, description: "Requests and health checks to the tasks" },
            { parent },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-tasks-from-alb`,
            { securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: args.containerPort, toPort: args.containerPort, referencedSecurityGroupId: albSg.id, description: "From the ALB only" },
            { parent },
        );
        // Tasks call AWS APIs (ECR, S3, CloudWatch Logs, Secrets Manager) over HTTPS through NAT.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-tasks-https-out`,
            { securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS to AWS APIs" },
            { parent },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-tasks-postgres-out`,
            { securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, cidrIpv4: args.vpcCidrBlock, description: "PostgreSQL inside the VPC" },
            { parent },
        );

        // Load balancer.
        const alb = new aws.lb.LoadBalancer(
            `${name}`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [albSg.id],
                dropInvalidHeaderFields: true,
                enableHttp2: true,
                idleTimeout: 60,
            },
            { parent },
        );
        const targetGroup = new aws.lb.TargetGroup(
            `${name}`,
            {
                vpcId: args.vpcId,
                targetType: "ip",
                protocol: "HTTP",
                port: args.containerPort,
                deregistrationDelay: args.deregistrationDelaySeconds,
                healthCheck: {
                    enabled: true,
                    path: HEALTH_CHECK_PATH,
                    protocol: "HTTP",
                    port: "traffic-port",
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            },
            { parent },
        );
        let servingListener: aws.lb.Listener;
        if (https) {
            servingListener = new aws.lb.Listener(
                `${name}-https`,
                { loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", certificateArn: args.certificateArn, sslPolicy: args.sslPolicy, defaultActions: [FORBIDDEN] },
                { parent },
            );
            new aws.lb.Listener(
                `${name}-http-redirect`,
                { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
                { parent },
            );
        } else {
            servingListener = new aws.lb.Listener(`${name}-http`, { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [FORBIDDEN] }, { parent });
        }
        const originSecret = pulumi.secret(
            pulumi.output(args.originVerifySecret).apply((v) => {
                const problem = originSecretProblem(v);
                if (problem) throw new Error(`ScalingService ${name}: originVerifySecret ${problem}`);
                return v;
            }),
        );
        const forwardRule = new aws.lb.ListenerRule(
            `${name}-from-cloudfront`,
            {
                listenerArn: servingListener.arn,
                priority: 1,
                conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [originSecret] } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            { parent },
        );

        // ECS.
        const cluster = new aws.ecs.Cluster(`${name}`, { settings: [{ name: "containerInsights", value: "enabled" }] }, { parent });
        const secrets = Object.entries(args.secrets ?? {}).sort(([a], [b]) => a.localeCompare(b));
        const execution = createExecutionRole(
            name,
            { image: args.image, logGroupArn: logGroup.arn, secretValueFroms: secrets.map(([, v]) => v), accountId: identity.accountId, partition: partition.partition },
            parent,
        );
        const task = createTaskRole(name, { proofsBucketArn: args.proofsBucketArn, proofsKmsKeyArn: args.proofsKmsKeyArn, accountId: identity.accountId, region: region.region }, parent);

        const environment: Record<string, pulumi.Input<string>> = {
            ...args.environment,
            PORT: String(args.containerPort),
            NODE_ENV: "production",
            STORAGE_PROVIDER: "s3",
            STORAGE_BUCKET: args.proofsBucketName,
            STORAGE_REGION: region.region,
            // The legacy local proof store writes under PROOF_STORAGE_PATH; keep it on the writable volume.
            PROOF_STORAGE_PATH: "/tmp/proofs",
            TMPDIR: "/tmp",
        };
        const containerDefinitions = pulumi.jsonStringify([
            {
                name: CONTAINER_NAME,
                image: args.image,
                essential: true,
                portMappings: [{ name: "http", containerPort: args.containerPort, hostPort: args.containerPort, protocol: "tcp", appProtocol: "http" }],
                environment: Object.keys(environment)
                    .sort()
                    .map((key) => ({ name: key, value: environment[key] })),
                secrets: secrets.map(([key, valueFrom]) => ({ name: key, valueFrom })),
                readonlyRootFilesystem: args.readonlyRootFilesystem,
                mountPoints: args.readonlyRootFilesystem ? [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }] : [],
                healthCheck: {
                    command: ["CMD-SHELL", `curl -f http://localhost:${args.containerPort}${HEALTH_CHECK_PATH} || exit 1`],
                    interval: 30,
                    timeout: 5,
                    retries: 3,
                    startPeriod: 60,
                },
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": region.region,
                        "awslogs-stream-prefix": CONTAINER_NAME,
                        // A slow CloudWatch Logs must never stall requests; a bounded buffer drops lines instead.
                        mode: "non-blocking",
                        "max-buffer-size": "25m",
                    },
                },
            },
        ]);
        const taskDefinition = new aws.ecs.TaskDefinition(
            `${name}`,
            {
                family: physical,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(args.cpu),
                memory: String(args.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture },
                executionRoleArn: execution.role.arn,
                taskRoleArn: task.role.arn,
                containerDefinitions,
                volumes: args.readonlyRootFilesystem ? [{ name: "tmp" }] : [],
            },
            { parent },
        );
        const service = new aws.ecs.Service(
            `${name}`,
            {
                cluster: cluster.arn,
                taskDefinition: taskDefinition.arn,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                desiredCount: args.scaling.minTasks,
                networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [taskSg.id], assignPublicIp: false },
                loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: CONTAINER_NAME, containerPort: args.containerPort }],
                healthCheckGracePeriodSeconds: 60,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                enableEcsManagedTags: true,
                propagateTags: "SERVICE",
                enableExecuteCommand: false,
                // A deploy that the circuit breaker rolls back fails `pulumi up` instead of passing silently.
                waitForSteadyState: true,
            },
            {
                parent,
                // Autoscaling owns the running count; a deploy must not reset it to minTasks.
                ignoreChanges: ["desiredCount"],
                // The target group must be attached to the ALB, and the roles usable, before tasks start.
                dependsOn: [forwardRule, execution.policy, task.policy],
            },
        );

        // Autoscaling: scale out when any policy asks, scale in only when all agree.
        const target = new aws.appautoscaling.Target(
            `${name}`,
            {
                serviceNamespace: "ecs",
                scalableDimension: ECS_SCALABLE_DIMENSION,
                resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
                minCapacity: args.scaling.minTasks,
                maxCapacity: args.scaling.maxTasks,
            },
            { parent },
        );
        const s = args.scaling;
        const trackingPolicy = (id: string, metricType: string, targetValue: number, scaleOutCooldown: number, resourceLabel?: pulumi.Input<string>, dependsOn: pulumi.Resource[] = []) =>
            new aws.appautoscaling.Policy(
                `${name}-${id}`,
                {
                    name: `${physical}-${id}`,
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        targetValue,
                        scaleOutCooldown,
                        scaleInCooldown: s.scaleInCooldownSeconds,
                        disableScaleIn: false,
                        predefinedMetricSpecification: { predefinedMetricType: metricType, ...(resourceLabel === undefined ? {} : { resourceLabel }) },
                    },
                },
                { parent, dependsOn },
            );
        trackingPolicy("cpu", "ECSServiceAverageCPUUtilization", s.cpuTargetPercent, s.scaleOutCooldownSeconds);
        trackingPolicy("memory", "ECSServiceAverageMemoryUtilization", s.memoryTargetPercent, s.scaleOutCooldownSeconds);
        // ALBRequestCountPerTarget needs the target group behind a listener before the policy exists.
        trackingPolicy("requests", "ALBRequestCountPerTarget", s.requestsPerTarget, s.requestScaleOutCooldownSeconds, pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`, [forwardRule]);

        const created = createAlarms(
            name,
            physical,
            { albArnSuffix: alb.arnSuffix, targetGroupArnSuffix: targetGroup.arnSuffix, clusterName: cluster.name, serviceName: service.name, maxTasks: s.maxTasks, topicArn: args.alarmTopicArn },
            args.alarms,
            parent,
        );

        this.clusterName = cluster.name;
        this.serviceName = service.name;
        this.albArn = alb.arn;
        this.albArnSuffix = alb.arnSuffix;
        this.albDnsName = alb.dnsName;
        this.albZoneId = alb.zoneId;
        this.albSecurityGroupId = albSg.id;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.logGroupName = logGroup.name;
        this.taskSecurityGroupId = taskSg.id;
        this.taskRoleName = task.role.name;
        this.capacityAtTarget = pulumi.output(capacity.capacityAtTarget);
        this.scalableTargetResourceId = target.resourceId;
        this.alarmNames = pulumi.output(created.names);
        this.alarmArns = pulumi.all(Object.values(created.alarms).map((a) => a.arn));
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
            capacityAtTarget: this.capacityAtTarget,
            scalableTargetResourceId: this.scalableTargetResourceId,
            alarmNames: this.alarmNames,
            alarmArns: this.alarmArns,
        });
    }
}
