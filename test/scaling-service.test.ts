import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ScalingService, type ScalingServiceArgs } from "../components/scaling-service";
import { checkProofUriDomain } from "../components/scaling-service/args";
import { checkSecretRefs } from "../components/scaling-service/iam";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../tools/harness/mocks";
import { runProgram, UNKNOWN, type RegisteredResource, type StackRun } from "../tools/harness/run";
import { containersOf, inputsOf, outputsOf, policyOf } from "./resources";

const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    cluster: "aws:ecs/cluster:Cluster",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    policy: "aws:appautoscaling/policy:Policy",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rule: "aws:lb/listenerRule:ListenerRule",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    service: "aws:ecs/service:Service",
    target: "aws:appautoscaling/target:Target",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    tg: "aws:lb/targetGroup:TargetGroup",
};

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000002";
const ORIGIN_SECRET = "s3cr3tOriginValue0123456789abcdef";
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const PRIVATE = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"];
const PUBLIC = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"];
const SM_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:credlink/api-keys-AbCdEf";
const SSM_PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/credlink/signing-key";
const DB_SECRET =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f8fad5b-d9cb-469f-a165-70867728950e-Xy12Zw";

/**
 * A measured per-task rate. By hand, at the default 0.7 utilisation and 1000 req/s peak + 20 %:
 * requestsPerTarget = round(31.5 × 0.7 × 60) = round(1323) = 1323 per minute;
 * maxTasks = ceil(1200 × 60 / 1323) = ceil(54.42) = 55; capacity at target = 55 × 1323 / 60 = 1212.75 req/s.
 */
const PLAN = {
    taskCapacityRps: 31.5,
    taskCapacitySource: "measurement: k6 TEST=capacity on 2026-11-30 (1 task), reports/run/capacity.json",
};

function args(overrides: Partial<ScalingServiceArgs> = {}): ScalingServiceArgs {
    return {
        vpcId: "vpc-0123456789abcdef0",
        vpcCidrBlock: "10.0.0.0/16",
        publicSubnetIds: PUBLIC,
        privateSubnetIds: PRIVATE,
        image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/credlink-api:1.0.0",
        cpu: 1024,
        memory: 2048,
        logRetentionDays: 90,
        certificateArn: CERT,
        originVerifySecret: pulumi.secret(ORIGIN_SECRET),
        proofsBucketName: "credlink-proofs-test",
        proofsBucketArn: "arn:aws:s3:::credlink-proofs-test",
        proofUriDomain: "https://api.example.com/proofs",
        alarmTopicArn: TOPIC,
        scaling: PLAN,
        ...overrides,
    };
}

/** Build the component and export what the tests read from its outputs. */
function build(overrides: Partial<ScalingServiceArgs> = {}) {
    return () => {
        const svc = new ScalingService("api", args(overrides));
        return {
            capacityAtTargetRps: svc.capacityAtTargetRps,
            alarmNames: svc.alarmNames,
            alarmArns: svc.alarmArns,
            scalableTargetResourceId: svc.scalableTargetResourceId,
            albArnSuffix: svc.albArnSuffix,
            targetGroupArnSuffix: svc.targetGroupArnSuffix,
            taskSecurityGroupId: svc.taskSecurityGroupId,
            taskRoleName: svc.taskRoleName,
            logGroupName: svc.logGroupName,
            originProtocolPolicy: svc.originProtocolPolicy,
            alarmNamesByKind: svc.alarmNamesByKind,
        };
    };
}

async function constructionError(overrides: Partial<ScalingServiceArgs>): Promise<string> {
    try {
        await runProgram(build(overrides));
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected construction to fail");
}

/**
 * Security-group IDs are not in the recorded state, so read each one where it is
 * consumed and prove through property dependencies which group it came from.
 */
function sgIds(r: StackRun): { alb: string; tasks: string } {
    const lb = r.get(T.lb, "api");
    const service = r.get(T.service, "api");
    expect(lb.propertyDependencies.securityGroups).toEqual([r.get(T.sg, "api-alb").urn]);
    expect(service.propertyDependencies.networkConfiguration).toContain(r.get(T.sg, "api-tasks").urn);
    const alb = (lb.inputs.securityGroups as string[])[0];
    const tasks = (service.inputs.networkConfiguration as { securityGroups: string[] }).securityGroups[0];
    expect(alb).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(tasks).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(alb).not.toBe(tasks);
    return { alb, tasks };
}

const policyConfig = (p: RegisteredResource) => {
    const c = inputsOf<aws.appautoscaling.PolicyArgs>(p).targetTrackingScalingPolicyConfiguration;
    if (!c) throw new Error(`${p.name} has no target tracking configuration`);
    return c;
};

describe("ScalingService (with an ALB certificate)", () => {
    let r: StackRun;
    beforeAll(async () => {
        r = await runProgram(build());
    });

    it("registers the component type and parents every resource to it", () => {
        const component = r.get("credlink:compute:ScalingService", "api");
        const children = r.resources.filter((x) => x.type.startsWith("aws:"));
        expect(children.length).toBeGreaterThan(20);
        for (const child of children) expect(child.parent, child.name).toBe(component.urn);
    });

    it("scales between minTasks and the planned maxTasks on the ECS service's desired count", () => {
        const target = r.get(T.target, "api");
        const cluster = r.get(T.cluster, "api");
        const service = r.get(T.service, "api");
        expect(target.inputs).toMatchObject({
            minCapacity: 2,
            maxCapacity: 55,
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
        });
        const clusterName = outputsOf<aws.ecs.ClusterState>(cluster).name;
        const serviceName = outputsOf<aws.ecs.ServiceState>(service).name;
        expect(target.inputs.resourceId).toBe(`service/${clusterName}/${serviceName}`);
        expect(r.outputs.scalableTargetResourceId).toBe(target.inputs.resourceId);
    });

    it("tracks CPU 60 % and memory 70 % with 60 s scale-out and 300 s scale-in", () => {
        const cpu = r.get(T.policy, "api-cpu");
        const memory = r.get(T.policy, "api-memory");
        for (const p of [cpu, memory]) {
            expect(p.inputs.policyType).toBe("TargetTrackingScaling");
            expect(p.inputs.resourceId).toBe(r.get(T.target, "api").inputs.resourceId);
        }
        expect(policyConfig(cpu)).toEqual({
            targetValue: 60,
            scaleOutCooldown: 60,
            scaleInCooldown: 300,
            disableScaleIn: false,
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        });
        expect(policyConfig(memory)).toEqual({
            targetValue: 70,
            scaleOutCooldown: 60,
            scaleInCooldown: 300,
            disableScaleIn: false,
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" },
        });
    });

    it(
        "tracks the planned 1323 requests per target with a 30 s scale-out and labels it <alb arnSuffix>/<target " +
            "group arnSuffix>",
        () => {
            const requests = r.get(T.policy, "api-requests");
            const albSuffix = r.get(T.lb, "api").outputs.arnSuffix as string;
            const tgSuffix = r.get(T.tg, "api").outputs.arnSuffix as string;
            expect(albSuffix).toMatch(/^app\/api-[0-9a-f]{7}\/[0-9a-f]{16}$/);
            expect(tgSuffix).toMatch(/^targetgroup\/api-[0-9a-f]{7}\/[0-9a-f]{16}$/);
            expect(policyConfig(requests)).toEqual({
                targetValue: 1323,
                scaleOutCooldown: 30,
                scaleInCooldown: 300,
                disableScaleIn: false,
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: `${albSuffix}/${tgSuffix}`,
                },
            });
            // The target group must be behind a listener before the policy can reference it.
            expect(requests.dependencies).toContain(r.get(T.rule, "api-from-cloudfront").urn);
            expect(r.outputs.albArnSuffix).toBe(albSuffix);
            expect(r.outputs.targetGroupArnSuffix).toBe(tgSuffix);
        },
    );

    it("runs Fargate tasks in the private subnets without public IPs, behind the target group", () => {
        const service = r.get(T.service, "api");
        expect(service.inputs.networkConfiguration).toEqual({
            subnets: PRIVATE,
            securityGroups: [sgIds(r).tasks],
            assignPublicIp: false,
        });
        expect(service.inputs).toMatchObject({
            launchType: "FARGATE",
            desiredCount: 2,
            healthCheckGracePeriodSeconds: 60,
        });
        expect(service.inputs.loadBalancers).toEqual([
            { targetGroupArn: r.get(T.tg, "api").outputs.arn, containerName: "api", containerPort: 3000 },
        ]);
    });

    it("deploys safely: circuit breaker with rollback, 100 % minimum healthy, desiredCount left to autoscaling", () => {
        const service = r.get(T.service, "api");
        expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
        expect(service.inputs.deploymentMinimumHealthyPercent).toBe(100);
        expect(service.inputs.deploymentMaximumPercent).toBe(200);
        expect(service.ignoreChanges).toContain("desiredCount");
        expect(service.dependencies).toEqual(
            expect.arrayContaining([
                r.get(T.rule, "api-from-cloudfront").urn,
                r.get(T.rolePolicy, "api-execution").urn,
                r.get(T.rolePolicy, "api-task").urn,
            ]),
        );
    });

    it("admits only CloudFront to the ALB and only the ALB to the tasks", () => {
        const albSg = r.get(T.sg, "api-alb");
        const taskSg = r.get(T.sg, "api-tasks");
        const ids = sgIds(r);
        for (const sg of [albSg, taskSg]) {
            expect(sg.inputs.vpcId).toBe("vpc-0123456789abcdef0");
            expect(sg.inputs.ingress).toBeUndefined();
            expect(sg.inputs.egress).toBeUndefined();
        }
        const rules = (type: string) =>
            r.ofType(type).map((x) => {
                // Each rule's group must be the group its ID claims to be.
                const owner = x.inputs.securityGroupId === ids.alb ? albSg : taskSg;
                expect(x.propertyDependencies.securityGroupId, x.name).toEqual([owner.urn]);
                return [x.name, x.inputs];
            });
        expect(Object.fromEntries(rules(T.ingress))).toEqual({
            "api-alb-from-cloudfront": {
                securityGroupId: ids.alb,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                prefixListId: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
                description: "CloudFront origin-facing, HTTPS",
            },
            "api-tasks-from-alb": {
                securityGroupId: ids.tasks,
                ipProtocol: "tcp",
                fromPort: 3000,
                toPort: 3000,
                referencedSecurityGroupId: ids.alb,
                description: "From the ALB only",
            },
        });
        expect(Object.fromEntries(rules(T.egress))).toEqual({
            "api-alb-to-tasks": {
                securityGroupId: ids.alb,
                ipProtocol: "tcp",
                fromPort: 3000,
                toPort: 3000,
                referencedSecurityGroupId: ids.tasks,
                description: "Requests and health checks to the tasks",
            },
            "api-tasks-https-out": {
                securityGroupId: ids.tasks,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
                description: "HTTPS to AWS APIs",
            },
            "api-tasks-postgres-out": {
                securityGroupId: ids.tasks,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                cidrIpv4: "10.0.0.0/16",
                description: "PostgreSQL inside the VPC",
            },
        });
        expect(r.outputs.taskSecurityGroupId).toBe(ids.tasks);
    });

    it("puts an internet-facing ALB in the public subnets that drops invalid headers", () => {
        const lb = r.get(T.lb, "api");
        expect(lb.inputs).toMatchObject({
            loadBalancerType: "application",
            internal: false,
            subnets: PUBLIC,
            securityGroups: [sgIds(r).alb],
            dropInvalidHeaderFields: true,
        });
        expect(r.get(T.tg, "api").inputs).toMatchObject({
            targetType: "ip",
            protocol: "HTTP",
            port: 3000,
            deregistrationDelay: 30,
            healthCheck: {
                path: "/health",
                matcher: "200",
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
        });
    });

    it(
        "serves HTTPS with the certificate, redirects HTTP with a 301, and forwards only requests " +
            "with the origin header",
        () => {
            const https = r.get(T.listener, "api-https");
            expect(https.inputs).toMatchObject({
                port: 443,
                protocol: "HTTPS",
                certificateArn: CERT,
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            });
            expect(https.inputs.defaultActions).toEqual([
                {
                    type: "fixed-response",
                    fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" },
                },
            ]);
            const http = r.get(T.listener, "api-http-redirect");
            expect(http.inputs).toMatchObject({ port: 80, protocol: "HTTP" });
            expect(http.inputs.defaultActions).toEqual([
                { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ]);
            expect(r.ofType(T.listener)).toHaveLength(2);

            const rule = r.get(T.rule, "api-from-cloudfront");
            expect(rule.inputs.listenerArn).toBe(https.outputs.arn);
            expect(rule.inputs.priority).toBe(1);
            // The header CloudFront adds (test/cdn.test.ts checks the same literal on the distribution).
            const secret = { ...SECRET_SIG, value: ORIGIN_SECRET };
            const condition = { httpHeader: { httpHeaderName: "X-Origin-Verify", values: [secret] } };
            expect(rule.inputs.conditions).toEqual([condition]);
            expect(rule.inputs.actions).toEqual([{ type: "forward", targetGroupArn: r.get(T.tg, "api").outputs.arn }]);
            expect(r.outputs.originProtocolPolicy).toBe("https-only");
        },
    );

    it(
        "defines the container: image, port, /health check, read-only root, awslogs and the storage " +
            "env the app reads",
        () => {
            const td = r.get(T.taskDef, "api");
            expect(td.inputs).toMatchObject({
                family: "api-test",
                cpu: "1024",
                memory: "2048",
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                volumes: [{ name: "tmp" }],
            });
            expect(td.inputs.executionRoleArn).toBe(r.get(T.role, "api-execution").outputs.arn);
            expect(td.inputs.taskRoleArn).toBe(r.get(T.role, "api-task").outputs.arn);
            const [container] = JSON.parse(
                td.inputs.containerDefinitions as string,
            ) as pulumi.Unwrap<aws.ecs.ContainerDefinition>[];
            expect(container).toMatchObject({
                name: "api",
                image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/credlink-api:1.0.0",
                essential: true,
                readonlyRootFilesystem: true,
                mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
                portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: "tcp" }],
                healthCheck: { command: ["CMD-SHELL", "curl -f http://localhost:3000/health || exit 1"] },
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": "/ecs/api-test",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "api",
                    },
                },
            });
            const env = Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
            expect(env).toMatchObject({
                PORT: "3000",
                STORAGE_PROVIDER: "s3",
                STORAGE_BUCKET: "credlink-proofs-test",
                STORAGE_REGION: "us-east-1",
                PROOF_STORAGE_PATH: "/tmp/proofs",
            });
            expect(r.get(T.logGroup, "api-logs").inputs).toMatchObject({ name: "/ecs/api-test", retentionInDays: 90 });
            expect(r.outputs.logGroupName).toBe("/ecs/api-test");
        },
    );

    it("lets the task role read and write proofs/* only, and the execution role pull only its ECR repository", () => {
        const task = policyOf(r.get(T.rolePolicy, "api-task"));
        expect(task.Statement).toEqual([
            {
                Sid: "ProofObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
                Resource: "arn:aws:s3:::credlink-proofs-test/proofs/*",
            },
            {
                Sid: "ListProofs",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: "arn:aws:s3:::credlink-proofs-test",
                Condition: { StringLike: { "s3:prefix": ["proofs/", "proofs/*"] } },
            },
        ]);
        const execution = policyOf(r.get(T.rolePolicy, "api-execution"));
        expect(execution.Statement).toContainEqual(
            expect.objectContaining({
                Sid: "EcrPull",
                Resource: "arn:aws:ecr:us-east-1:123456789012:repository/credlink-api",
            }),
        );
        expect(execution.Statement).toContainEqual(
            expect.objectContaining({
                Sid: "WriteLogs",
                Resource: `${outputsOf<aws.cloudwatch.LogGroupState>(r.get(T.logGroup, "api-logs")).arn}:*`,
            }),
        );
        const trust = policyOf(r.get(T.role, "api-task"), "assumeRolePolicy");
        expect(trust.Statement[0]).toMatchObject({
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        });
        expect(r.outputs.taskRoleName).toBe(r.get(T.role, "api-task").outputs.name);
    });

    it("turns on Container Insights (RunningTaskCount comes from it)", () => {
        expect(r.get(T.cluster, "api").inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    });

    it("derives ResponseTime, RequestSize and SignOperations from the JSON logs into CredLink/Performance", () => {
        const filters = r.ofType(T.filter).map((f) => ({
            name: f.name,
            logGroupName: f.inputs.logGroupName,
            pattern: f.inputs.pattern,
            t: f.inputs.metricTransformation,
        }));
        expect(filters).toEqual([
            {
                name: "api-metric-response-time",
                logGroupName: "/ecs/api-test",
                pattern: "{ $.response_time_ms >= 0 }",
                t: {
                    namespace: "CredLink/Performance",
                    name: "ResponseTime",
                    value: "$.response_time_ms",
                    unit: "Milliseconds",
                },
            },
            {
                name: "api-metric-request-size",
                logGroupName: "/ecs/api-test",
                pattern: "{ $.request_size_bytes >= 0 }",
                t: {
                    namespace: "CredLink/Performance",
                    name: "RequestSize",
                    value: "$.request_size_bytes",
                    unit: "Bytes",
                },
            },
            {
                name: "api-metric-sign-operations",
                logGroupName: "/ecs/api-test",
                pattern: '{ ($.operation = "sign") && ($.status = 200) }',
                t: {
                    namespace: "CredLink/Performance",
                    name: "SignOperations",
                    value: "1",
                    unit: "Count",
                    defaultValue: "0",
                },
            },
        ]);
    });

    describe("alarms", () => {
        const alarm = (suffix: string) => inputsOf<aws.cloudwatch.MetricAlarmArgs>(r.get(T.alarm, `api-${suffix}`));
        const albDim = () => ({ LoadBalancer: r.get(T.lb, "api").outputs.arnSuffix });
        const serviceDim = () => ({
            ClusterName: r.get(T.cluster, "api").outputs.name,
            ServiceName: r.get(T.service, "api").outputs.name,
        });

        it(
            "every alarm notifies the alerts topic on ALARM and OK, with actions enabled and a " +
                "deliberate missing-data rule",
            () => {
                const alarms = r.ofType(T.alarm);
                expect(alarms).toHaveLength(9);
                for (const a of alarms) {
                    expect(a.inputs.alarmActions, a.name).toEqual([TOPIC]);
                    expect(a.inputs.okActions, a.name).toEqual([TOPIC]);
                    expect(a.inputs.actionsEnabled, a.name).toBe(true);
                    expect(a.inputs.treatMissingData, a.name).toBe("notBreaching");
                    expect(a.inputs.name, a.name).toBe(a.name.replace(/^api-/, "api-test-"));
                }
                expect(r.outputs.alarmNames).toEqual([
                    "api-test-latency-p95",
                    "api-test-error-rate",
                    "api-test-request-rate",
                    "api-test-unhealthy-hosts",
                    "api-test-cpu-high",
                    "api-test-memory-high",
                    "api-test-at-max-capacity",
                    "api-test-latency-anomaly",
                    "api-test-notifications-failed",
                ]);
                expect(r.outputs.alarmNamesByKind).toMatchObject({
                    "latency-p95": "api-test-latency-p95",
                    "error-rate": "api-test-error-rate",
                    "unhealthy-hosts": "api-test-unhealthy-hosts",
                });
                // Same order as the names, one ARN per alarm.
                expect(r.outputs.alarmArns).toEqual(
                    (r.outputs.alarmNames as string[]).map(
                        (n) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`,
                    ),
                );
                expect([...(r.outputs.alarmArns as string[])].sort()).toEqual(alarms.map((a) => a.outputs.arn).sort());
            },
        );

        it("latency: ALB TargetResponseTime p95 > 0.5 s (the metric is in seconds)", () => {
            expect(alarm("latency-p95")).toMatchObject({
                namespace: "AWS/ApplicationELB",
                metricName: "TargetResponseTime",
                dimensions: albDim(),
                extendedStatistic: "p95",
                threshold: 0.5,
                comparisonOperator: "GreaterThanThreshold",
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
            });
            expect(alarm("latency-p95").statistic).toBeUndefined();
        });

        it("errors: (target 5xx + ELB 5xx) / RequestCount x 100 > 5 %", () => {
            const a = alarm("error-rate");
            expect(a).toMatchObject({
                threshold: 5,
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
            });
            expect(a.metricName).toBeUndefined();
            const m = (id: string, metricName: string) => ({
                id,
                metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: albDim(), stat: "Sum", period: 60 },
            });
            expect(a.metricQueries).toEqual([
                m("target5xx", "HTTPCode_Target_5XX_Count"),
                m("elb5xx", "HTTPCode_ELB_5XX_Count"),
                m("requests", "RequestCount"),
                {
                    id: "errorRate",
                    label: "5xx error rate (%)",
                    expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",
                    returnData: true,
                },
            ]);
        });

        it("request rate: RequestCount Sum over 300 s > 10,000", () => {
            expect(alarm("request-rate")).toMatchObject({
                namespace: "AWS/ApplicationELB",
                metricName: "RequestCount",
                dimensions: albDim(),
                statistic: "Sum",
                period: 300,
                threshold: 10_000,
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 1,
            });
        });

        it("unhealthy hosts: UnHealthyHostCount Maximum > 0 on the target group", () => {
            expect(alarm("unhealthy-hosts")).toMatchObject({
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: {
                    TargetGroup: r.get(T.tg, "api").outputs.arnSuffix,
                    LoadBalancer: r.get(T.lb, "api").outputs.arnSuffix,
                },
                statistic: "Maximum",
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                period: 60,
                evaluationPeriods: 3,
            });
        });

        it("ECS CPU and memory above 85 % for 5 minutes", () => {
            for (const [suffix, metricName] of [
                ["cpu-high", "CPUUtilization"],
                ["memory-high", "MemoryUtilization"],
            ]) {
                expect(alarm(suffix), suffix).toMatchObject({
                    namespace: "AWS/ECS",
                    metricName,
                    dimensions: serviceDim(),
                    statistic: "Average",
                    threshold: 85,
                    comparisonOperator: "GreaterThanThreshold",
                    period: 60,
                    evaluationPeriods: 5,
                });
            }
        });

        it("scaling ceiling: RunningTaskCount minimum >= maxTasks for 3 x 5 minutes", () => {
            expect(alarm("at-max-capacity")).toMatchObject({
                namespace: "ECS/ContainerInsights",
                metricName: "RunningTaskCount",
                dimensions: serviceDim(),
                statistic: "Minimum",
                threshold: 55,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
            });
        });

        it("degradation: p95 latency above its anomaly-detection band", () => {
            const a = alarm("latency-anomaly");
            expect(a).toMatchObject({
                thresholdMetricId: "band",
                comparisonOperator: "GreaterThanUpperThreshold",
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
            });
            expect(a.threshold).toBeUndefined();
            expect(a.metricQueries).toEqual([
                {
                    id: "p95",
                    metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "TargetResponseTime",
                        dimensions: albDim(),
                        stat: "p95",
                        period: 60,
                    },
                    returnData: true,
                },
                {
                    id: "band",
                    label: "expected p95 latency",
                    expression: "ANOMALY_DETECTION_BAND(p95, 2)",
                    returnData: true,
                },
            ]);
        });
    });

    it("outputs the capacity at target of the plan (55 x 1323 / 60) and logs no warning", () => {
        expect(r.outputs.capacityAtTargetRps).toBe(1212.75);
        expect(r.warnings).toEqual([]);
    });
});

describe("ScalingService without a certificate (dev)", () => {
    let r: StackRun;
    beforeAll(async () => {
        // No per-task rate: both explicit, still checked against the peak (60 x 1200 / 60 = 1200 req/s).
        r = await runProgram(
            build({ certificateArn: undefined, scaling: { minTasks: 1, maxTasks: 60, requestsPerTarget: 1200 } }),
        );
    });

    it("serves plain HTTP on 80, forwarding only requests with the origin header", () => {
        const listeners = r.ofType(T.listener);
        expect(listeners.map((l) => l.name)).toEqual(["api-http"]);
        expect(listeners[0].inputs).toMatchObject({
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "403" } }],
        });
        expect(listeners[0].inputs.certificateArn).toBeUndefined();
        const rule = r.get(T.rule, "api-from-cloudfront");
        expect(rule.inputs.listenerArn).toBe(listeners[0].outputs.arn);
        expect(rule.inputs.actions).toEqual([{ type: "forward", targetGroupArn: r.get(T.tg, "api").outputs.arn }]);
        expect(r.outputs.originProtocolPolicy).toBe("http-only");
    });

    it("opens the ALB to CloudFront on 80 only", () => {
        const albIngress = r.ofType(T.ingress).filter((x) => x.name === "api-alb-from-cloudfront");
        expect(albIngress.map((x) => [x.inputs.fromPort, x.inputs.toPort, x.inputs.prefixListId])).toEqual([
            [80, 80, CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST],
        ]);
    });

    it("follows an explicit range and request target that carry the planned peak", () => {
        expect(r.get(T.target, "api").inputs).toMatchObject({ minCapacity: 1, maxCapacity: 60 });
        expect(policyConfig(r.get(T.policy, "api-requests")).targetValue).toBe(1200);
        expect(r.get(T.service, "api").inputs.desiredCount).toBe(1);
        expect(r.get(T.alarm, "api-at-max-capacity").inputs.threshold).toBe(60);
        expect(r.outputs.capacityAtTargetRps).toBe(1200);
        expect(r.warnings).toEqual([]);
    });
});

describe("ScalingService in preview (a new stack)", () => {
    let r: StackRun;
    beforeAll(async () => {
        r = await runProgram(build(), { preview: true });
    });

    it("knows the capacity at target and the alarm names", () => {
        expect(r.warnings).toEqual([]);
        expect(r.outputs.alarmNames).toHaveLength(9);
        expect(r.outputs.capacityAtTargetRps).toBe(1212.75);
    });

    it("knows every SLO-backed input even though ARN suffixes are computed later", () => {
        const requests = r.get(T.policy, "api-requests");
        expect(policyConfig(requests).targetValue).toBe(1323);
        expect(policyConfig(requests).predefinedMetricSpecification?.resourceLabel).toBe(UNKNOWN);
        expect(r.get(T.target, "api").inputs).toMatchObject({ minCapacity: 2, maxCapacity: 55 });
        expect(r.get(T.alarm, "api-latency-p95").inputs).toMatchObject({
            threshold: 0.5,
            extendedStatistic: "p95",
            alarmActions: [TOPIC],
        });
        expect(r.get(T.service, "api").inputs.networkConfiguration).toMatchObject({
            assignPublicIp: false,
            subnets: PRIVATE,
        });
    });
});

describe("ScalingService container settings: environment, secrets, database, proof URIs", () => {
    let r: StackRun;
    beforeAll(async () => {
        r = await runProgram(
            build({
                environment: { RATE_LIMIT_MAX: "10000", SIGN_RATE_LIMIT_MAX: "12000", LOG_LEVEL: "info" },
                secrets: {
                    API_KEY_PEPPER: `${SM_SECRET}:pepper::`,
                    API_KEY_SALT: `${SM_SECRET}:salt::`,
                    SIGNING_KEY: SSM_PARAMETER,
                },
                database: {
                    host: "credlink-db.proxy-c0123456789a.us-east-1.rds.amazonaws.com",
                    port: pulumi.output(5432),
                    name: "credlink",
                    credentialsSecretArn: pulumi.output(DB_SECRET),
                },
            }),
        );
    });

    const container = () => containersOf(r.get(T.taskDef, "api"))[0];
    const executionPolicy = () => policyOf(r.get(T.rolePolicy, "api-execution"));

    it("hands the container the operator's variables next to its own, PROOF_URI_DOMAIN and the database's", () => {
        const env = Object.fromEntries(container().environment.map((e) => [e.name, e.value]));
        expect(env).toEqual({
            RATE_LIMIT_MAX: "10000",
            SIGN_RATE_LIMIT_MAX: "12000",
            LOG_LEVEL: "info",
            PORT: "3000",
            NODE_ENV: "production",
            STORAGE_PROVIDER: "s3",
            STORAGE_BUCKET: "credlink-proofs-test",
            STORAGE_REGION: "us-east-1",
            PROOF_STORAGE_PATH: "/tmp/proofs",
            TMPDIR: "/tmp",
            PROOF_URI_DOMAIN: "https://api.example.com/proofs",
            PGHOST: "credlink-db.proxy-c0123456789a.us-east-1.rds.amazonaws.com",
            PGPORT: "5432",
            PGDATABASE: "credlink",
            PGSSLMODE: "require",
        });
        // Sorted by name, so a reordered map is no task definition change.
        const names = container().environment.map((e) => e.name);
        expect(names).toEqual([...names].sort());
    });

    it("hands the container its secrets by reference, sorted by name", () => {
        expect(container().secrets).toEqual([
            { name: "API_KEY_PEPPER", valueFrom: `${SM_SECRET}:pepper::` },
            { name: "API_KEY_SALT", valueFrom: `${SM_SECRET}:salt::` },
            { name: "PGPASSWORD", valueFrom: `${DB_SECRET}:password::` },
            { name: "PGUSER", valueFrom: `${DB_SECRET}:username::` },
            { name: "SIGNING_KEY", valueFrom: SSM_PARAMETER },
        ]);
    });

    it("lets the execution role read exactly the referenced secrets and parameters, and decrypt only those", () => {
        const statements = executionPolicy().Statement as Array<Record<string, unknown>>;
        const bySid: Record<string, unknown> = Object.fromEntries(statements.map((st) => [String(st.Sid), st]));
        expect(Object.keys(bySid)).toEqual([
            "EcrLogin",
            "EcrPull",
            "WriteLogs",
            "ReadSecrets",
            "DecryptSecrets",
            "ReadParameters",
            "DecryptParameters",
        ]);
        // The secret ARNs without the json-key suffix, each once.
        expect(bySid.ReadSecrets).toEqual({
            Sid: "ReadSecrets",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: [DB_SECRET, SM_SECRET].sort(),
        });
        expect(bySid.DecryptSecrets).toEqual({
            Sid: "DecryptSecrets",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: ["arn:aws:kms:*:*:key/*"],
            Condition: {
                StringEquals: {
                    "kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"],
                    "kms:EncryptionContext:SecretARN": [DB_SECRET, SM_SECRET].sort(),
                },
            },
        });
        expect(bySid.ReadParameters).toEqual({
            Sid: "ReadParameters",
            Effect: "Allow",
            Action: "ssm:GetParameters",
            Resource: [SSM_PARAMETER],
        });
        expect(bySid.DecryptParameters).toEqual({
            Sid: "DecryptParameters",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: ["arn:aws:kms:*:*:key/*"],
            Condition: {
                StringEquals: {
                    "kms:ViaService": ["ssm.us-east-1.amazonaws.com"],
                    "kms:EncryptionContext:PARAMETER_ARN": [SSM_PARAMETER],
                },
            },
        });
    });

    it("grants no secret access at all without secrets or a database", async () => {
        const plain = await runProgram(build());
        const statements = policyOf(plain.get(T.rolePolicy, "api-execution")).Statement as Array<{ Sid?: string }>;
        expect(statements.map((st) => st.Sid)).toEqual(["EcrLogin", "EcrPull", "WriteLogs"]);
        const [c] = containersOf(plain.get(T.taskDef, "api"));
        expect(c.secrets).toEqual([]);
        expect(c.environment.map((e) => e.name)).not.toContain("PGHOST");
    });

    it("takes PROOF_URI_DOMAIN known only at deployment (the CDN's domain without domain.name)", async () => {
        const run = await runProgram(
            build({ proofUriDomain: pulumi.output("https://d111111abcdef8.cloudfront.net/proofs") }),
        );
        const [c] = containersOf(run.get(T.taskDef, "api"));
        expect(c.environment).toContainEqual({
            name: "PROOF_URI_DOMAIN",
            value: "https://d111111abcdef8.cloudfront.net/proofs",
        });
    });
});

describe("ScalingService argument errors", () => {
    it("rejects minTasks above maxTasks", async () => {
        expect(await constructionError({ scaling: { ...PLAN, minTasks: 70, maxTasks: 60 } })).toBe(
            "ScalingService api: scaling.minTasks = 70 must be <= scaling.maxTasks (60)",
        );
    });

    it("rejects a CPU target of 150 %", async () => {
        expect(await constructionError({ scaling: { ...PLAN, cpuTargetPercent: 150 } })).toBe(
            "ScalingService api: scaling.cpuTargetPercent = 150 must be between 1 and 100 %",
        );
    });

    it("rejects a negative cooldown", async () => {
        expect(await constructionError({ scaling: { ...PLAN, scaleOutCooldownSeconds: -1 } })).toBe(
            "ScalingService api: scaling.scaleOutCooldownSeconds = -1 must be between 0 and 3600 s",
        );
    });

    it("rejects an origin secret that the ALB would treat as a wildcard, without printing it", async () => {
        expect(await constructionError({ originVerifySecret: "abc*defghijklmnopqrstuvwxyz" })).toBe(
            "ScalingService api: originVerifySecret contains * or ?, which the ALB header condition " +
                "treats as wildcards",
        );
    });

    it("rejects an environment variable the component owns, naming it", async () => {
        expect(await constructionError({ environment: { RATE_LIMIT_MAX: "10000", STORAGE_BUCKET: "other" } })).toBe(
            'ScalingService api: environment.STORAGE_BUCKET = "other" is reserved: the service sets it itself ' +
                "(reserved: PORT, NODE_ENV, STORAGE_PROVIDER, STORAGE_BUCKET, STORAGE_REGION, PROOF_STORAGE_PATH, " +
                "TMPDIR, PROOF_URI_DOMAIN, PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGUSER, PGPASSWORD)",
        );
        expect(await constructionError({ secrets: { PROOF_URI_DOMAIN: SM_SECRET } })).toMatch(
            /^ScalingService api: secrets\.PROOF_URI_DOMAIN = "arn:aws:secretsmanager:.+" is reserved: /,
        );
    });

    it("rejects a name that is not an environment variable name", async () => {
        expect(await constructionError({ environment: { "rate-limit": "5" } })).toBe(
            'ScalingService api: environment.rate-limit = "5" has a name that is not an environment variable ' +
                "name (letters, digits and _, not first)",
        );
    });

    it("rejects a secret that is not a full Secrets Manager or SSM parameter ARN", async () => {
        expect(await constructionError({ secrets: { API_KEY: "arn:aws:s3:::credlink-keys/api" } })).toBe(
            'ScalingService api: secrets.API_KEY = "arn:aws:s3:::credlink-keys/api" must be the full ARN of a ' +
                "Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, " +
                "optionally followed by :<json-key>:<version-stage>:<version-id>) or of an SSM parameter " +
                "(arn:aws:ssm:<region>:<account>:parameter/<name>)",
        );
        expect(
            await constructionError({
                secrets: { API_KEY: "arn:aws:secretsmanager:us-east-1:123456789012:secret:api" },
            }),
        ).toBe(
            'ScalingService api: secrets.API_KEY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api" is a ' +
                "partial Secrets Manager ARN: use the full ARN, with the 6-character suffix Secrets Manager appends " +
                "(aws secretsmanager describe-secret --secret-id <name> --query ARN)",
        );
        // The json-key form needs all three colons, as ECS does.
        expect(await constructionError({ secrets: { API_KEY: `${SM_SECRET}:token` } })).toMatch(
            /^ScalingService api: secrets\.API_KEY = ".+:token" must be the full ARN of a Secrets Manager secret/,
        );
    });

    // An Output is checked by the same function once known; a throwing apply fails `pulumi up`
    // ("error serializing property ..."), which the mock engine cannot report.
    it("checks secret references and proof URI bases known only at deployment with the same lines", () => {
        expect(() => checkSecretRefs("api", ["PGUSER", "API_KEY"], [`${DB_SECRET}:username::`, "nope"])).toThrow(
            'ScalingService api: secrets.API_KEY = "nope" must be the full ARN of a Secrets Manager secret',
        );
        expect(checkSecretRefs("api", ["PGUSER"], [`${DB_SECRET}:username::`])).toEqual([
            { service: "secretsmanager", arn: DB_SECRET, partition: "aws", region: "us-east-1", jsonKey: "username" },
        ]);
        expect(() => checkProofUriDomain("api", "https://d111111abcdef8.cloudfront.net/proofs/")).toThrow(
            'ScalingService api: proofUriDomain = "https://d111111abcdef8.cloudfront.net/proofs/" must be an https://',
        );
        expect(checkProofUriDomain("api", "https://d111111abcdef8.cloudfront.net/proofs")).toBe(
            "https://d111111abcdef8.cloudfront.net/proofs",
        );
    });

    it("rejects a variable set both as a value and as a secret", async () => {
        expect(
            await constructionError({ environment: { API_KEY: "plain" }, secrets: { API_KEY: SSM_PARAMETER } }),
        ).toBe(
            "ScalingService api: secrets.API_KEY is also set in environment: a variable comes from one or the other",
        );
    });

    it("rejects a proof URI base that the API would turn into broken URIs", async () => {
        for (const url of ["https://api.example.com/proofs/", "http://api.example.com/proofs", "api.example.com"]) {
            expect(await constructionError({ proofUriDomain: url })).toBe(
                `ScalingService api: proofUriDomain = ${JSON.stringify(url)} must be an https:// URL of a lower-case ` +
                    "host and an optional path, without a trailing slash, e.g. https://api.example.com/proofs (the " +
                    "API appends /<uuid>)",
            );
        }
    });

    it("accepts a range outside the SLO bands (the policy pack reports it, construction does not fail)", async () => {
        const r = await runProgram(build({ scaling: { ...PLAN, minTasks: 1, maxTasks: 100 } }));
        expect(r.get(T.target, "api").inputs).toMatchObject({ minCapacity: 1, maxCapacity: 100 });
    });
});

describe("ScalingService capacity plan", () => {
    it("derives maxTasks from an explicit, lower request target: ceil(1200 x 60 / 1000) = 72", async () => {
        const r = await runProgram(build({ scaling: { ...PLAN, requestsPerTarget: 1000 } }));
        expect(r.get(T.target, "api").inputs).toMatchObject({ minCapacity: 2, maxCapacity: 72 });
        expect(policyConfig(r.get(T.policy, "api-requests")).targetValue).toBe(1000);
        expect(r.outputs.capacityAtTargetRps).toBe(1200);
    });

    it("plans for its own peak and headroom: ceil(200 x 1.5 x 60 / 1323) = 14", async () => {
        const r = await runProgram(
            build({ scaling: { ...PLAN, peakRequestsPerSecond: 200, peakHeadroomPercent: 50 } }),
        );
        expect(r.get(T.target, "api").inputs).toMatchObject({ minCapacity: 2, maxCapacity: 14 });
        expect(r.outputs.capacityAtTargetRps).toBe(308.7);
    });

    it("rejects a task ceiling that cannot carry the planned peak", async () => {
        expect(await constructionError({ scaling: { ...PLAN, maxTasks: 20 } })).toBe(
            "ScalingService api: scaling.maxTasks = 20 carries 441 req/s at the scaling target, below the planned " +
                "peak of 1200 req/s (1000 × 1.2); set it to 55 or more, or leave it unset to derive it",
        );
    });

    it("rejects a request target above what one task sustains at the target utilisation", async () => {
        expect(await constructionError({ scaling: { ...PLAN, requestsPerTarget: 1324 } })).toBe(
            "ScalingService api: scaling.requestsPerTarget = 1324 is more than one task sustains at the scaling " +
                "target (31.5 req/s × 0.7 × 60 = 1323 requests per target per minute); set it to 1323 or less, or " +
                "leave it unset to derive it",
        );
    });

    it("needs a per-task rate to derive anything", async () => {
        expect(await constructionError({ scaling: { maxTasks: 60 } })).toBe(
            "ScalingService api: scaling.taskCapacityRps is required to derive scaling.requestsPerTarget: set it to " +
                "the requests per second one task sustains within the SLO (and scaling.taskCapacitySource to where " +
                "that figure came from; see npm run capacity:plan), or set it explicitly",
        );
    });
});
