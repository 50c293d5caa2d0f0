/**
 * ScalingService's scaling and deployment notifications (components/scaling-service/notifications.ts)
 * and its predictive scaling policy, as registered under the mocks: the EventBridge rules' patterns,
 * their targets and input templates, the delivery alarm, the alerts topic's and key's policies.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AlertsTopic } from "../components/alerts";
import { NOTIFICATION_KINDS, ScalingService, type ScalingServiceArgs } from "../components/scaling-service";
import { runProgram, type StackRun } from "../tools/harness/run";
import { inputsOf, policyOf } from "./resources";

const T = {
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    policy: "aws:appautoscaling/policy:Policy",
    cluster: "aws:ecs/cluster:Cluster",
    service: "aws:ecs/service:Service",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    tg: "aws:lb/targetGroup:TargetGroup",
    rule_: "aws:lb/listenerRule:ListenerRule",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    key: "aws:kms/key:Key",
};
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

const args = (overrides: Partial<ScalingServiceArgs> = {}): ScalingServiceArgs => ({
    vpcId: "vpc-0123456789abcdef0",
    vpcCidrBlock: "10.0.0.0/16",
    publicSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/credlink-api:1.0.0",
    originVerifySecret: pulumi.secret("s3cr3tOriginValue0123456789abcdef"),
    proofsBucketName: "credlink-proofs-test",
    proofsBucketArn: "arn:aws:s3:::credlink-proofs-test",
    proofUriDomain: "https://api.example.com/proofs",
    alarmTopicArn: TOPIC,
    ...overrides,
    // A measured per-task rate, so the capacity plan derives what a test does not set.
    scaling: { taskCapacityRps: 30, taskCapacitySource: "planning assumption: test", ...overrides.scaling },
});

const build =
    (overrides: Partial<ScalingServiceArgs> = {}) =>
    () => {
        new ScalingService("api", args(overrides));
    };

/** What EventBridge does with an input transformer and a string template (dot-notation JSONPath). */
function render(transformer: { inputPaths: Record<string, string>; inputTemplate: string }, event: unknown): string {
    const at = (path: string) =>
        path
            .slice(2)
            .split(/\.|\[(\d+)\]/)
            .filter((p) => p !== undefined && p !== "")
            .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], event);
    const filled = transformer.inputTemplate.replace(/<([\w.-]+)>/g, (_, name: string) => {
        const value = name in transformer.inputPaths ? at(transformer.inputPaths[name]) : undefined;
        switch (typeof value) {
            case "undefined":
                return "";
            case "string":
            case "number":
            case "boolean":
                return String(value);
            default:
                // The notifications' templates only place scalar fields of the event.
                throw new Error(`render: <${name}> is not a scalar: ${JSON.stringify(value)}`);
        }
    });
    return JSON.parse(filled) as string;
}

describe("ScalingService notifications", () => {
    let r: StackRun;
    let clusterArn: string;
    let serviceArn: string;
    let serviceName: string;
    beforeAll(async () => {
        r = await runProgram(build());
        clusterArn = r.get(T.cluster, "api").outputs.arn as string;
        serviceArn = r.get(T.service, "api").outputs.arn as string;
        serviceName = r.get(T.service, "api").outputs.name as string;
    });

    const pattern = (kind: string): unknown =>
        JSON.parse(inputsOf<aws.cloudwatch.EventRuleArgs>(r.get(T.rule, `api-${kind}`)).eventPattern!);
    const transformer = (kind: string) =>
        r.get(T.target, `api-${kind}`).inputs.inputTransformer as {
            inputPaths: Record<string, string>;
            inputTemplate: string;
        };

    it("creates one enabled rule per kind, named after the service, each sending to the alerts topic", () => {
        const component = r.get("credlink:compute:ScalingService", "api").urn;
        expect(
            r
                .ofType(T.rule)
                .map((x) => x.name)
                .sort(),
        ).toEqual(NOTIFICATION_KINDS.map((k) => `api-${k}`).sort());
        for (const kind of NOTIFICATION_KINDS) {
            const rule = r.get(T.rule, `api-${kind}`);
            expect(rule.parent, kind).toBe(component);
            expect(rule.inputs).toMatchObject({ name: `api-test-${kind}`, state: "ENABLED" });
            const target = r.get(T.target, `api-${kind}`);
            expect(target.parent, kind).toBe(component);
            expect(target.inputs).toMatchObject({ rule: `api-test-${kind}`, arn: TOPIC, targetId: "alerts-topic" });
            // SNS targets are authorised by the topic policy; a role would break encrypted topics.
            expect(target.inputs.roleArn, kind).toBeUndefined();
        }
    });

    it("watches Application Auto Scaling for this service reaching its ceiling", () => {
        expect(pattern("scaled-to-max")).toEqual({
            source: ["aws.application-autoscaling"],
            "detail-type": ["Application Auto Scaling Scaling Activity State Change"],
            detail: {
                serviceNamespace: ["ecs"],
                resourceId: [`service/${r.get(T.cluster, "api").outputs.name as string}/${serviceName}`],
                scaledToMax: [true],
            },
        });
    });

    it("sees each scale-out and scale-in as Application Auto Scaling's UpdateService call (CloudTrail)", () => {
        const clusterName = r.get(T.cluster, "api").outputs.name as string;
        expect(pattern("scaling-activity")).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["AWS API Call via CloudTrail"],
            detail: {
                eventSource: ["ecs.amazonaws.com"],
                eventName: ["UpdateService"],
                userIdentity: {
                    sessionContext: {
                        sessionIssuer: { userName: ["AWSServiceRoleForApplicationAutoScaling_ECSService"] },
                    },
                },
                requestParameters: {
                    service: [serviceName, { suffix: `/${clusterName}/${serviceName}` }],
                    desiredCount: [{ exists: true }],
                },
                errorCode: [{ exists: false }],
            },
        });
        expect(pattern("desired-count")).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["ECS Service Action"],
            resources: [serviceArn],
            detail: { eventName: ["SERVICE_DESIRED_COUNT_UPDATED"] },
        });
    });

    it("watches deployments of this service: failures and circuit-breaker rollbacks", () => {
        expect(pattern("deployment-failed")).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["ECS Deployment State Change"],
            resources: [serviceArn],
            detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
        });
        expect(pattern("deployment-rollback")).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["ECS Deployment State Change"],
            resources: [serviceArn],
            detail: {
                eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"],
                reason: [{ prefix: "ECS deployment circuit breaker: rolling back" }],
            },
        });
    });

    it("reports tasks stopped for errors and health-check failures, not scale-in, deployment or operator stops", () => {
        const p = pattern("task-failed");
        expect(p).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            detail: {
                clusterArn: [clusterArn],
                group: [`service:${serviceName}`],
                lastStatus: ["STOPPED"],
                $or: [
                    { stopCode: ["TaskFailedToStart", "EssentialContainerExited"] },
                    {
                        stoppedReason: [
                            { prefix: "Task failed ELB health checks" },
                            { prefix: "Task failed container health checks" },
                        ],
                    },
                ],
            },
        });
        const stopCodes = JSON.stringify(p);
        for (const normal of ["ServiceSchedulerInitiated", "UserInitiated", "Scaling activity initiated"])
            expect(stopCodes).not.toContain(normal);
        expect(pattern("service-problem")).toEqual({
            source: ["aws.ecs"],
            "detail-type": ["ECS Service Action"],
            resources: [serviceArn],
            detail: { eventType: ["WARN", "ERROR"] },
        });
    });

    it("sends quoted string templates whose every placeholder is a defined variable", () => {
        for (const kind of NOTIFICATION_KINDS) {
            const t = transformer(kind);
            // A plain-text message must itself be a JSON string (quotes required).
            expect(typeof JSON.parse(t.inputTemplate), kind).toBe("string");
            expect(t.inputTemplate.length, kind).toBeLessThanOrEqual(8192);
            const used = [...t.inputTemplate.matchAll(/<([\w.-]+)>/g)].map((m) => m[1]).sort();
            expect([...new Set(used)], kind).toEqual(Object.keys(t.inputPaths).sort());
            for (const [name, path] of Object.entries(t.inputPaths)) {
                expect(name, kind).not.toMatch(/^aws/i);
                // Dot notation, as the API requires.
                expect(path, kind).toMatch(/^\$(\.[\w-]+(\[\d+\])?)+$/);
            }
        }
    });

    it("renders one readable line per event (AWS's documented event shapes)", () => {
        const time = "2026-05-23T12:31:14Z";
        expect(
            render(transformer("scaled-to-max"), {
                time,
                detail: {
                    resourceId: "service/credlink/api",
                    oldDesiredCapacity: 18,
                    newDesiredCapacity: 20,
                    maxCapacity: 20,
                },
            }),
        ).toBe(
            "service/credlink/api: scaled OUT to its maximum of 20 tasks (18 -> 20) at 2026-05-23T12:31:14Z. " +
                "Further load cannot add tasks: raise scaling.maxTasks after a load test, or find the bottleneck.",
        );
        expect(
            render(transformer("scaling-activity"), {
                time,
                detail: { requestParameters: { service: "api-production", desiredCount: 6 } },
            }),
        ).toBe("api-production: Application Auto Scaling set the desired task count to 6 at 2026-05-23T12:31:14Z.");
        expect(
            render(transformer("deployment-rollback"), {
                time,
                resources: [serviceArn],
                detail: {
                    deploymentId: "ecs-svc/123",
                    reason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/122.",
                },
            }),
        ).toBe(
            `${serviceArn}: ROLLBACK started at 2026-05-23T12:31:14Z (deployment ecs-svc/123): ECS deployment ` +
                "circuit breaker: rolling back to deploymentId ecs-svc/122.",
        );
        expect(
            render(transformer("task-failed"), {
                time,
                detail: {
                    group: "service:api-production",
                    taskArn: "arn:aws:ecs:us-east-1:123456789012:task/credlink/0f8fad5bd9cb469fa16570867728950e",
                    stopCode: "EssentialContainerExited",
                    stoppedReason: "Essential container in task exited",
                    containers: [{ name: "api", exitCode: 137 }],
                },
            }),
        ).toBe(
            "service:api-production: task arn:aws:ecs:us-east-1:123456789012:task/credlink/" +
                "0f8fad5bd9cb469fa16570867728950e STOPPED at 2026-05-23T12:31:14Z (EssentialContainerExited, exit " +
                "code 137): Essential container in task exited",
        );
    });

    it("alarms on the alerts topic when EventBridge fails to deliver any of them", () => {
        const alarm = inputsOf<aws.cloudwatch.MetricAlarmArgs>(r.get(T.alarm, "api-notifications-failed"));
        expect(alarm).toMatchObject({
            name: "api-test-notifications-failed",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 1,
            treatMissingData: "notBreaching",
            alarmActions: [TOPIC],
            okActions: [TOPIC],
        });
        const queries = alarm.metricQueries!;
        expect(queries.slice(0, -1).map((q) => q.metric?.dimensions?.RuleName)).toEqual(
            NOTIFICATION_KINDS.map((k) => `api-test-${k}`),
        );
        for (const q of queries.slice(0, -1))
            expect(q.metric).toMatchObject({ namespace: "AWS/Events", metricName: "FailedInvocations", stat: "Sum" });
        expect(queries[queries.length - 1]).toEqual({
            id: "failed",
            label: "notifications EventBridge failed to deliver",
            expression: `SUM([${NOTIFICATION_KINDS.map((_, i) => `rule${i}`).join(", ")}])`,
            returnData: true,
        });
    });
});

describe("AlertsTopic with eventBridgeRules", () => {
    it(
        "lets this account's EventBridge rules in the topic's region publish and use the key, " + "nothing else",
        async () => {
            const r = await runProgram(
                () => {
                    new AlertsTopic("alerts", { eventBridgeRules: true });
                    new AlertsTopic("alerts-us-east-1", { region: "us-east-1" });
                },
                { config: { "aws:region": "eu-west-1" } },
            );
            const condition = {
                StringEquals: { "aws:SourceAccount": "123456789012" },
                ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/*" },
            };
            const topicArn = r.get(T.topic, "alerts").outputs.arn as string;
            const topicPolicy = policyOf(r.get(T.topicPolicy, "alerts-policy"));
            expect(topicPolicy.Statement).toContainEqual({
                Sid: "EventBridgeRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: condition,
            });
            const keyPolicy = policyOf(r.get(T.key, "alerts-key"));
            expect(keyPolicy.Statement).toContainEqual({
                Sid: "EventBridgeRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: condition,
            });
            // Without the option (the us-east-1 topic for CloudFront's alarms) EventBridge is not admitted.
            for (const doc of [
                r.get(T.topicPolicy, "alerts-us-east-1-policy").inputs.policy,
                r.get(T.key, "alerts-us-east-1-key").inputs.policy,
            ])
                expect(doc as string).not.toContain("events.amazonaws.com");
        },
    );
});

describe("ScalingService predictive scaling", () => {
    const policyInputs = (run: StackRun, name: string) => {
        const policy = run.ofType(T.policy).find((p) => p.name === name);
        return policy && inputsOf<aws.appautoscaling.PolicyArgs>(policy);
    };
    const predictive = (run: StackRun) => policyInputs(run, "api-predictive");

    it("is off by default", async () => {
        const run = await runProgram(build());
        expect(predictive(run)).toBeUndefined();
        expect(run.ofType(T.policy).map((p) => p.name)).toEqual(["api-cpu", "api-memory", "api-requests"]);
    });

    it.each([
        ["forecastOnly", "ForecastOnly"],
        ["forecastAndScale", "ForecastAndScale"],
    ] as const)(
        "%s: a PredictiveScaling policy on the ALB request count at the target-tracking request target",
        async (setting, mode) => {
            const run = await runProgram(
                build({ scaling: { predictive: setting, requestsPerTarget: 1200, predictiveBufferSeconds: 600 } }),
            );
            const p = predictive(run)!;
            const target = run.get("aws:appautoscaling/target:Target", "api").inputs;
            const lbSuffix = run.get(T.lb, "api").outputs.arnSuffix as string;
            const label = `${lbSuffix}/${run.get(T.tg, "api").outputs.arnSuffix as string}`;
            expect(p).toMatchObject({
                name: "api-test-predictive",
                policyType: "PredictiveScaling",
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: target.resourceId,
            });
            expect(p.targetTrackingScalingPolicyConfiguration).toBeUndefined();
            expect(p.predictiveScalingPolicyConfiguration).toEqual({
                mode,
                schedulingBufferTime: 600,
                maxCapacityBreachBehavior: "HonorMaxCapacity",
                metricSpecifications: [
                    {
                        targetValue: "1200",
                        predefinedMetricPairSpecification: {
                            predefinedMetricType: "ALBRequestCount",
                            resourceLabel: label,
                        },
                    },
                ],
            });
            // The same per-task target as the request tracking policy.
            const tracking = policyInputs(run, "api-requests")!.targetTrackingScalingPolicyConfiguration;
            expect(Number(p.predictiveScalingPolicyConfiguration?.metricSpecifications[0].targetValue)).toBe(
                tracking?.targetValue,
            );
            expect(tracking?.predefinedMetricSpecification?.resourceLabel).toBe(label);
            expect(run.ofType(T.policy).find((x) => x.name === "api-predictive")!.dependencies).toContain(
                run.get(T.rule_, "api-from-cloudfront").urn,
            );
        },
    );

    it("rejects an unknown mode and a buffer of an hour or more with one line", async () => {
        const err = (scaling: ScalingServiceArgs["scaling"]) =>
            runProgram(build({ scaling })).then(
                () => "no error",
                (e: Error) => e.message,
            );
        expect(await err({ predictive: "on" as never })).toBe(
            'ScalingService api: scaling.predictive = "on" must be one of off, forecastOnly, forecastAndScale',
        );
        expect(await err({ predictiveBufferSeconds: 3600 })).toBe(
            "ScalingService api: scaling.predictiveBufferSeconds = 3600 must be between 0 and 3599 s",
        );
    });
});
