/**
 * Alarm action rules through the pack's gRPC protocol: alarm-actions, alarm-notifies,
 * alarm-topic-subscribed and alarm-not-silenced.
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import type { InputsOf } from "../resources";
import {
    advisory,
    analyze,
    changed,
    compliantStack,
    expectCompliant,
    expectViolations,
    failedPolicies,
    isPairingNote,
    type FixtureResource,
    mandatory,
    openPack,
    resource,
    T,
    TEST_CONFIG,
    UNKNOWN,
    urnOf,
    withOutputs,
    without,
} from "./fixtures";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

type AlarmInputs = InputsOf<aws.cloudwatch.MetricAlarmArgs>;
type Links = { propertyDependencies: Record<string, string[]> };
const alarm = (name: string, fn: (a: AlarmInputs, links: Links) => void, stack = compliantStack()) =>
    changed<AlarmInputs>(stack, T.alarm, name, fn);
const ALARM = (name: string) => `${T.alarm} "${name}"`;
const only = async (stack: readonly FixtureResource[], policy: string) =>
    (await analyze(pack, stack)).filter((d) => d.policyName === policy);
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts-test";
const FOREIGN_ARN = "arn:aws:sns:us-east-1:123456789012:legacy-alerts";

describe("alarm-actions", () => {
    it("rejects an alarm with actions disabled and one with no ALARM action", async () => {
        let stack = alarm("api-cpu-high", (a) => (a.actionsEnabled = false));
        stack = alarm(
            "database-CPUUtilization",
            (a, links) => {
                a.alarmActions = [];
                delete links.propertyDependencies.alarmActions;
            },
            stack,
        );
        const ds = await analyze(pack, stack);
        // Neither alarm can cover its resource any more.
        expect(failedPolicies(ds)).toEqual(["alarm-actions", "alarm-coverage"]);
        expectViolations(
            ds.filter((d) => d.policyName === "alarm-actions"),
            "alarm-actions",
            [
                {
                    resource: ALARM("api-cpu-high"),
                    property: "actionsEnabled",
                    found: "false",
                    allowed: "true (or not set)",
                },
                {
                    resource: ALARM("database-CPUUtilization"),
                    property: "alarmActions",
                    found: "[]",
                    allowed: "at least one action",
                },
            ],
        );
    });

    it('does not count an empty action ("") as one', async () => {
        const stack = alarm("database-CPUUtilization", (a, links) => {
            a.alarmActions = [""];
            delete links.propertyDependencies.alarmActions;
        });
        expectViolations(await only(stack, "alarm-actions"), "alarm-actions", [
            {
                resource: ALARM("database-CPUUtilization"),
                property: "alarmActions",
                found: '[""]',
                allowed: "at least one action",
            },
        ]);
    });

    it("rejects a composite alarm whose action list is computed (length unknown at preview)", async () => {
        const stack = changed(compliantStack(), T.composite, "service-degraded", (a) => (a.alarmActions = UNKNOWN));
        expectViolations(await analyze(pack, stack), "alarm-actions", [
            {
                resource: `${T.composite} "service-degraded"`,
                property: "alarmActions",
                found: "a list computed at preview (its length is unknown)",
                allowed: "at least one action",
            },
        ]);
    });
});

describe("alarm-notifies", () => {
    it("rejects an action to a topic the stack does not manage (waivable), and one from no topic", async () => {
        let stack = alarm("api-request-rate", (a, links) => {
            a.alarmActions = [FOREIGN_ARN];
            delete links.propertyDependencies.alarmActions;
        });
        // An output of something that is not a topic (here a Lambda function).
        stack = alarm(
            "database-WriteLatency",
            (_a, links) => (links.propertyDependencies.alarmActions = [urnOf("aws:lambda/function:Function", "pager")]),
            stack,
        );
        expectViolations(await only(stack, "alarm-notifies"), "alarm-notifies", [
            {
                resource: ALARM("api-request-rate"),
                property: "alarmActions[0]",
                found: `"${FOREIGN_ARN}" (an SNS topic this stack does not manage`,
                allowed: "an SNS topic of this stack in us-east-1, or a scaling policy",
            },
            {
                resource: ALARM("database-WriteLatency"),
                property: "alarmActions[0]",
                found: "unknown at preview (computed from another resource) (it comes from no SNS topic of this stack)",
                allowed: "an SNS topic of this stack in us-east-1",
            },
        ]);
        await pack.configure({
            ...TEST_CONFIG,
            waivers: {
                properties: {
                    waivers: [
                        {
                            rule: "alarm-notifies",
                            name: "api-request-rate",
                            type: T.alarm,
                            reason: "the platform team's shared pager topic, PLAT-7",
                            expires: "2999-01-01",
                        },
                    ],
                },
            },
        });
        try {
            const waived = (await only(stack, "alarm-notifies")).filter((d) => d.message.includes("api-request-rate"));
            expect(waived.map((d) => d.enforcementLevel)).toEqual(["advisory"]);
        } finally {
            await pack.configure(TEST_CONFIG);
        }
    });

    it("matches a literal ARN to a topic of the stack: its known ARN, or its literal name and region", async () => {
        const named = changed(compliantStack(), T.topic, "alerts", (t) => (t.name = "alerts-test"));
        const literal = (stack: FixtureResource[]) =>
            alarm(
                "api-request-rate",
                (a, links) => {
                    a.alarmActions = [TOPIC_ARN];
                    delete links.propertyDependencies.alarmActions;
                },
                stack,
            );
        expectCompliant(await analyze(pack, literal(named)));
        expectCompliant(
            await analyze(pack, literal(withOutputs(compliantStack(), T.topic, "alerts", { arn: TOPIC_ARN }))),
        );
        // Update preview: the ARN is known and names another topic.
        const other = withOutputs(compliantStack(), T.topic, "alerts", {
            arn: "arn:aws:sns:us-east-1:123456789012:alerts-other",
        });
        expect(failedPolicies(await analyze(pack, literal(other)))).toEqual(["alarm-notifies"]);
    });

    it("rejects a topic in another region than the alarm (CloudWatch notifies only its own region)", async () => {
        const stack = changed(compliantStack(), T.topic, "alerts", (t) => (t.region = "eu-west-1"));
        const ds = await only(stack, "alarm-notifies");
        expect(ds.length).toBe(stack.filter((r) => r.type === T.alarm || r.type === T.composite).length);
        expect(ds[0].message).toContain(
            'alarmActions[0] = unknown at preview (computed from another resource) (topic "alerts" is in ' +
                '"eu-west-1", the alarm in "us-east-1")',
        );
    });

    it("exempts alarms whose actions all drive scaling, and rejects an alarm with an unknown region", async () => {
        const scaling = [
            ...compliantStack(),
            resource(T.alarm, "scale-out-on-queue", {
                metricName: "ApproximateNumberOfMessagesVisible",
                namespace: "AWS/SQS",
                statistic: "Maximum",
                threshold: 100,
                comparisonOperator: "GreaterThanThreshold",
                period: 60,
                evaluationPeriods: 1,
                // A step-scaling policy of an Auto Scaling group outside this stack.
                alarmActions: [
                    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:" +
                        "00000000-0000-4000-8000-000000000000:autoScalingGroupName/workers:policyName/scale-out",
                ],
            }),
        ];
        expectCompliant(await analyze(pack, scaling));
        const unknownRegion = alarm("api-request-rate", (a) => (a.region = UNKNOWN));
        expectViolations(await only(unknownRegion, "alarm-notifies"), "alarm-notifies", [
            {
                resource: ALARM("api-request-rate"),
                property: "region",
                found: "unknown at preview",
                allowed: "a literal region",
            },
        ]);
    });
});

describe("alarm-topic-subscribed", () => {
    const TOPIC = `${T.topic} "alerts"`;

    it("rejects a topic that alarms notify but nobody subscribes to", async () => {
        const stack = without(compliantStack(), SUBSCRIPTION, "alerts-email-0");
        const alarms = stack.filter((r) => r.type === T.alarm || r.type === T.composite).length;
        expectViolations(await analyze(pack, stack), "alarm-topic-subscribed", [
            {
                resource: TOPIC,
                property: "subscriptions",
                found: `none (${alarms} alarms notify this topic)`,
                allowed: "at least one aws:sns/topicSubscription to this topic with an endpoint",
                fix: "credlink:alerts.emails",
            },
        ]);
    });

    it("does not count a subscription with an empty endpoint or one to another topic", async () => {
        const empty = changed(compliantStack(), SUBSCRIPTION, "alerts-email-0", (s) => (s.endpoint = ""));
        expect(failedPolicies(await analyze(pack, empty))).toEqual(["alarm-topic-subscribed"]);
        const elsewhere = changed(compliantStack(), SUBSCRIPTION, "alerts-email-0", (s, links) => {
            s.topic = "arn:aws:sns:us-east-1:123456789012:other-topic";
            delete links.propertyDependencies.topic;
        });
        expect(failedPolicies(await analyze(pack, elsewhere))).toEqual(["alarm-topic-subscribed"]);
    });

    it("update preview: matches the subscription's known topic ARN exactly", async () => {
        const known = (subscribed: string) =>
            changed(
                withOutputs(compliantStack(), T.topic, "alerts", { arn: TOPIC_ARN }),
                SUBSCRIPTION,
                "alerts-email-0",
                (s) => (s.topic = subscribed),
            );
        expectCompliant(await analyze(pack, known(TOPIC_ARN)));
        expect(failedPolicies(await analyze(pack, known(FOREIGN_ARN)))).toEqual(["alarm-topic-subscribed"]);
    });
});

describe("alarm-not-silenced", () => {
    it("rejects alarm mute rules and composite alarms with an actions suppressor", async () => {
        const stack = [
            ...changed(compliantStack(), T.composite, "service-degraded", (a) => {
                a.actionsSuppressor = { alarm: UNKNOWN, extensionPeriod: 60, waitPeriod: 60 };
            }),
            resource("aws:cloudwatch/alarmMuteRule:AlarmMuteRule", "deploys", {
                rule: { schedule: { expression: "cron(0 2 * * *)", duration: "PT4H" } },
            }),
        ];
        expectViolations(await analyze(pack, stack), "alarm-not-silenced", [
            {
                resource: `${T.composite} "service-degraded"`,
                property: "actionsSuppressor",
                found: '{"alarm":"04da6b54-80e4-46f7-96ec-b56ff0331ba9","extensionPeriod":60,"waitPeriod":60}',
                allowed: "not set",
            },
            {
                resource: 'aws:cloudwatch/alarmMuteRule:AlarmMuteRule "deploys"',
                property: "rule",
                found: '{"schedule":{"duration":"PT4H","expression":"cron(0 2 * * *)"}}',
                allowed: "no alarm mute rules (they silence alarms)",
            },
        ]);
    });

    it("takes a waiver for a planned silence", async () => {
        const stack = [
            ...compliantStack(),
            resource("aws:cloudwatch/alarmMuteRule:AlarmMuteRule", "db-upgrade", {
                rule: { schedule: { expression: "at(2026-06-01T02:00:00)", duration: "PT2H" } },
            }),
        ];
        await pack.configure({
            ...TEST_CONFIG,
            waivers: {
                properties: {
                    waivers: [
                        {
                            rule: "alarm-not-silenced",
                            name: "db-upgrade",
                            type: "aws:cloudwatch/alarmMuteRule:AlarmMuteRule",
                            reason: "major version upgrade window, CHG-42",
                            expires: "2999-01-01",
                        },
                    ],
                },
            },
        });
        try {
            const ds = await analyze(pack, stack);
            expect(mandatory(ds)).toEqual([]);
            expect(
                advisory(ds)
                    .filter((d) => !isPairingNote(d))
                    .map((d) => d.policyName),
            ).toEqual(["alarm-not-silenced"]);
        } finally {
            await pack.configure(TEST_CONFIG);
        }
    });
});
