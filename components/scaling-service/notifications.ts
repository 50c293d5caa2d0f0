/**
 * Scaling and deployment notifications: EventBridge rules on the default bus that send one
 * readable line per event to the alerts topic (an input transformer with a quoted string
 * template), plus an alarm for the case where EventBridge cannot deliver them.
 *
 * What AWS emits (AWS EventBridge Events Reference; AWS ECS Developer Guide, "Amazon ECS events"):
 * - Application Auto Scaling sends only "scaled to max" activity events, not every scale-out/in.
 * - Each scale-out/in is Application Auto Scaling calling ecs:UpdateService with a desiredCount
 *   through its service-linked role: CloudTrail records it, and EventBridge sees it as
 *   "AWS API Call via CloudTrail" when the account has a trail logging management events.
 * - ECS's own SERVICE_DESIRED_COUNT_UPDATED covers desired-count changes the ECS scheduler computes
 *   itself; AWS documents it as not sent for changes made through the API, and reports say
 *   Application Auto Scaling's changes do not raise it (aws/containers-roadmap#1895). Kept, because
 *   when it does fire the count changed without an operator.
 * - Deployment failures: SERVICE_DEPLOYMENT_FAILED (sent with the circuit breaker, which the service
 *   enables). A rollback has no event of its own: it is SERVICE_DEPLOYMENT_IN_PROGRESS whose reason
 *   starts "ECS deployment circuit breaker: rolling back".
 * - Tasks stopped for errors: stop codes TaskFailedToStart (image, secrets, ENI) and
 *   EssentialContainerExited (crash, OOM), plus tasks the scheduler stopped because they failed the
 *   ALB or container health check. Scale-in and deployment stops (ServiceSchedulerInitiated,
 *   "Scaling activity initiated by ...") and operator stops (UserInitiated) are normal and left out.
 * - WARN/ERROR service actions (SERVICE_TASK_START_IMPAIRED, SERVICE_TASK_PLACEMENT_FAILURE, ...).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Rule name suffixes, in creation order; the physical name is `<prefix>-<suffix>`. */
export const NOTIFICATION_KINDS = [
    "scaled-to-max",
    "scaling-activity",
    "desired-count",
    "deployment-failed",
    "deployment-rollback",
    "task-failed",
    "service-problem",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The service-linked role Application Auto Scaling uses for ECS services. */
export const ECS_AUTOSCALING_ROLE = "AWSServiceRoleForApplicationAutoScaling_ECSService";
/** EventBridge's metric namespace (AWS/Events FailedInvocations, by RuleName). */
const EVENTS_NAMESPACE = "AWS/Events";

export interface NotificationTargets {
    readonly clusterArn: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    readonly serviceName: pulumi.Input<string>;
    readonly serviceArn: pulumi.Input<string>;
    /** `service/<cluster>/<service>`: Application Auto Scaling's resource ID. */
    readonly scalableTargetResourceId: pulumi.Input<string>;
}

export interface NotificationRule {
    readonly description: string;
    readonly pattern: Record<string, unknown>;
    /** Input transformer variables: name -> JSONPath into the event. */
    readonly inputPaths: Record<string, string>;
    /** The line the topic receives, with <variable> placeholders (not yet JSON-quoted). */
    readonly message: string;
}

const ecs = (detailType: string, detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    source: ["aws.ecs"],
    "detail-type": [detailType],
    ...extra,
    detail,
});

/** Every rule's pattern, variables and message: plain data, so tests read exactly what AWS gets. */
export function notificationRules(t: NotificationTargets): Record<NotificationKind, NotificationRule> {
    const onService = { resources: [t.serviceArn] };
    return {
        "scaled-to-max": {
            description: "Application Auto Scaling scaled the service to its maximum task count",
            pattern: {
                source: ["aws.application-autoscaling"],
                "detail-type": ["Application Auto Scaling Scaling Activity State Change"],
                detail: { serviceNamespace: ["ecs"], resourceId: [t.scalableTargetResourceId], scaledToMax: [true] },
            },
            inputPaths: {
                resource: "$.detail.resourceId",
                from: "$.detail.oldDesiredCapacity",
                to: "$.detail.newDesiredCapacity",
                max: "$.detail.maxCapacity",
                time: "$.time",
            },
            message:
                "<resource>: scaled OUT to its maximum of <max> tasks (<from> -> <to>) at <time>. Further load " +
                "cannot add tasks: raise scaling.maxTasks after a load test, or find the bottleneck.",
        },
        "scaling-activity": {
            description: "Application Auto Scaling changed the desired task count (needs a CloudTrail trail)",
            pattern: ecs("AWS API Call via CloudTrail", {
                eventSource: ["ecs.amazonaws.com"],
                eventName: ["UpdateService"],
                userIdentity: { sessionContext: { sessionIssuer: { userName: [ECS_AUTOSCALING_ROLE] } } },
                requestParameters: {
                    // Application Auto Scaling may name the service or give its ARN.
                    service: [t.serviceName, { suffix: pulumi.interpolate`/${t.clusterName}/${t.serviceName}` }],
                    desiredCount: [{ exists: true }],
                },
                errorCode: [{ exists: false }],
            }),
            inputPaths: {
                service: "$.detail.requestParameters.service",
                count: "$.detail.requestParameters.desiredCount",
                time: "$.time",
            },
            message: "<service>: Application Auto Scaling set the desired task count to <count> at <time>.",
        },
        "desired-count": {
            description: "ECS changed the service's computed desired task count",
            pattern: ecs("ECS Service Action", { eventName: ["SERVICE_DESIRED_COUNT_UPDATED"] }, onService),
            inputPaths: { service: "$.resources[0]", time: "$.time" },
            message: "<service>: ECS updated the desired task count at <time> (see the service's events).",
        },
        "deployment-failed": {
            description: "A deployment of the service failed (circuit breaker)",
            pattern: ecs("ECS Deployment State Change", { eventName: ["SERVICE_DEPLOYMENT_FAILED"] }, onService),
            inputPaths: {
                service: "$.resources[0]",
                deployment: "$.detail.deploymentId",
                reason: "$.detail.reason",
                time: "$.time",
            },
            message: "<service>: deployment <deployment> FAILED at <time>: <reason>",
        },
        "deployment-rollback": {
            description: "The deployment circuit breaker is rolling the service back",
            pattern: ecs(
                "ECS Deployment State Change",
                {
                    eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"],
                    reason: [{ prefix: "ECS deployment circuit breaker: rolling back" }],
                },
                onService,
            ),
            inputPaths: {
                service: "$.resources[0]",
                deployment: "$.detail.deploymentId",
                reason: "$.detail.reason",
                time: "$.time",
            },
            message: "<service>: ROLLBACK started at <time> (deployment <deployment>): <reason>",
        },
        "task-failed": {
            description: "A task of the service stopped for an error (not a scale-in, deployment or operator stop)",
            pattern: ecs("ECS Task State Change", {
                clusterArn: [t.clusterArn],
                group: [pulumi.interpolate`service:${t.serviceName}`],
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
            }),
            inputPaths: {
                group: "$.detail.group",
                task: "$.detail.taskArn",
                code: "$.detail.stopCode",
                reason: "$.detail.stoppedReason",
                exit: "$.detail.containers[0].exitCode",
                time: "$.time",
            },
            message: "<group>: task <task> STOPPED at <time> (<code>, exit code <exit>): <reason>",
        },
        "service-problem": {
            description: "ECS reports a warning or error for the service (tasks cannot start or be placed)",
            pattern: ecs("ECS Service Action", { eventType: ["WARN", "ERROR"] }, onService),
            inputPaths: {
                service: "$.resources[0]",
                type: "$.detail.eventType",
                event: "$.detail.eventName",
                reason: "$.detail.reason",
                time: "$.time",
            },
            message: "<service>: ECS <type> <event> at <time>. <reason>",
        },
    };
}

/** An input transformer's template for a plain-text message: a JSON string, quotes required. */
export const stringTemplate = (message: string): string => JSON.stringify(message);

export interface NotificationsInput extends NotificationTargets {
    /** Prefix of the rules' and the alarm's physical names; unique per account and region. */
    readonly physicalName: string;
    /** The alerts topic; its policy (and key policy) must let this account's EventBridge rules publish. */
    readonly topicArn: pulumi.Input<string>;
}

export interface Notifications {
    readonly rules: Record<NotificationKind, aws.cloudwatch.EventRule>;
    /** Fires when EventBridge could not deliver a notification (e.g. the topic policy refuses it). */
    readonly deliveryAlarm: aws.cloudwatch.MetricAlarm;
}

export function createNotifications(name: string, input: NotificationsInput, parent: pulumi.Resource): Notifications {
    const specs = notificationRules(input);
    const rules = {} as Record<NotificationKind, aws.cloudwatch.EventRule>;
    for (const kind of NOTIFICATION_KINDS) {
        const spec = specs[kind];
        const rule = new aws.cloudwatch.EventRule(
            `${name}-${kind}`,
            {
                name: `${input.physicalName}-${kind}`,
                description: spec.description,
                eventPattern: pulumi.jsonStringify(spec.pattern),
                state: "ENABLED",
            },
            { parent },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-${kind}`,
            {
                rule: rule.name,
                targetId: "alerts-topic",
                arn: input.topicArn,
                // No roleArn: SNS targets are authorised by the topic's resource policy.
                inputTransformer: { inputPaths: spec.inputPaths, inputTemplate: stringTemplate(spec.message) },
            },
            { parent },
        );
        rules[kind] = rule;
    }

    const ids = NOTIFICATION_KINDS.map((_, i) => `rule${i}`);
    const deliveryAlarm = new aws.cloudwatch.MetricAlarm(
        `${name}-notifications-failed`,
        {
            name: `${input.physicalName}-notifications-failed`,
            alarmDescription:
                "EventBridge could not deliver a scaling or deployment notification to the alerts topic: check the " +
                "topic's and its key's policies (they must admit events.amazonaws.com)",
            metricQueries: [
                ...NOTIFICATION_KINDS.map((kind, i) => ({
                    id: ids[i],
                    metric: {
                        namespace: EVENTS_NAMESPACE,
                        metricName: "FailedInvocations",
                        dimensions: { RuleName: rules[kind].name },
                        stat: "Sum",
                        period: 300,
                    },
                })),
                {
                    id: "failed",
                    label: "notifications EventBridge failed to deliver",
                    expression: `SUM([${ids.join(", ")}])`,
                    returnData: true,
                },
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 1,
            // FailedInvocations only exists once a delivery failed: no data is no failure.
            treatMissingData: "notBreaching",
            actionsEnabled: true,
            alarmActions: [input.topicArn],
            okActions: [input.topicArn],
        },
        { parent },
    );
    return { rules, deliveryAlarm };
}
