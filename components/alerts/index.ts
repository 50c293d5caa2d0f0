import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type GroupInput, resolveOrThrow } from "../../lib/settings";
import { ALERTS_SETTINGS } from "./settings";

export { ALERTS_SETTINGS, type AlertsSettings } from "./settings";

/** Services that notify the topic: CloudWatch alarms and RDS event subscriptions. */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"];

/** ALERTS_SETTINGS (emails, httpsEndpoint: pass it as a secret) describes the settings and their defaults. */
export interface AlertsTopicArgs extends GroupInput<typeof ALERTS_SETTINGS> {
    /**
     * Region to create the topic in. Default: the provider's region. CloudWatch only notifies
     * topics in the alarm's own region, so us-east-1 alarms (CloudFront) need a topic there.
     */
    readonly region?: string;
    /**
     * Let EventBridge rules of this account, in the topic's region, publish (ScalingService's
     * scaling and deployment notifications). Default: false.
     */
    readonly eventBridgeRules?: boolean;
}

/**
 * The SNS topic every alarm (and RDS event subscription) notifies, encrypted with a
 * customer-managed KMS key. The AWS-managed `alias/aws/sns` key cannot be used: its key
 * policy does not let CloudWatch or RDS encrypt messages, so notifications would be dropped.
 */
export class AlertsTopic extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly topicName: pulumi.Output<string>;
    public readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:monitoring:AlertsTopic", name, {}, opts);
        const settings = resolveOrThrow(`AlertsTopic ${name}`, ALERTS_SETTINGS, args);

        const region = args.region;
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        // EventBridge's confused-deputy guard: aws:SourceArn is the rule's ARN (AWS EventBridge User Guide,
        // "Cross-service confused deputy prevention"); any rule of this account in the topic's region.
        const topicRegion = aws.getRegionOutput(region === undefined ? {} : { region }, { parent: this });
        const eventRules = pulumi
            .all([partition.partition, topicRegion.region, account.accountId])
            .apply(([p, r, a]) => `arn:${p}:events:${r}:${a}:rule/*`);
        const fromEventRules = {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: { "aws:SourceArn": eventRules },
        };
        // The services that publish to the topic, each with its confused-deputy guard: one list for
        // the topic policy and the key policy, which must name the same publishers.
        const publishers = (action: string | string[], resource: pulumi.Input<string>) => [
            {
                Sid: "AlarmsAndRdsEventsPublish",
                Effect: "Allow",
                Principal: { Service: PUBLISHERS },
                Action: action,
                Resource: resource,
                Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
            },
            ...(args.eventBridgeRules
                ? [
                      {
                          Sid: "EventBridgeRulesPublish",
                          Effect: "Allow",
                          Principal: { Service: "events.amazonaws.com" },
                          Action: action,
                          Resource: resource,
                          Condition: fromEventRules,
                      },
                  ]
                : []),
        ];
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                region,
                description: "Encrypts the CredLink alerts topic",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountAdministers",
                            Effect: "Allow",
                            Principal: {
                                AWS: pulumi.interpolate`arn:${partition.partition}:iam::${account.accountId}:root`,
                            },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        // An encrypted topic needs its publishers to use the key too (AWS EventBridge User
                        // Guide, troubleshooting "rule ran but SNS topic not invoked").
                        ...publishers(["kms:Decrypt", "kms:GenerateDataKey*"], "*"),
                    ],
                }),
            },
            { parent: this },
        );
        new aws.kms.Alias(
            `${name}-key-alias`,
            { region, name: `alias/${name}-${pulumi.getStack()}`, targetKeyId: key.keyId },
            { parent: this },
        );

        const topic = new aws.sns.Topic(`${name}`, { region, kmsMasterKeyId: key.arn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-policy`,
            {
                region,
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        ...publishers("sns:Publish", topic.arn),
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            { parent: this },
        );

        settings.emails.forEach((endpoint, i) => {
            new aws.sns.TopicSubscription(
                `${name}-email-${i}`,
                { region, topic: topic.arn, protocol: "email", endpoint },
                { parent: this },
            );
        });
        if (settings.httpsEndpoint !== undefined) {
            new aws.sns.TopicSubscription(
                `${name}-https`,
                {
                    region,
                    topic: topic.arn,
                    protocol: "https",
                    endpoint: settings.httpsEndpoint,
                    endpointAutoConfirms: false,
                },
                { parent: this },
            );
        }

        this.topicArn = topic.arn;
        this.topicName = topic.name;
        this.keyArn = key.arn;
        this.registerOutputs({ topicArn: this.topicArn, topicName: this.topicName, keyArn: this.keyArn });
    }
}
