import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AlertsTopic } from "../components/alerts";
import { runProgram } from "../tools/harness/run";
import { policyOf } from "./resources";

describe("AlertsTopic", () => {
    it(
        "encrypts the topic with a rotating customer-managed key that CloudWatch alarms and RDS " + "events may use",
        async () => {
            const r = await runProgram(() => {
                new AlertsTopic("alerts", { emails: ["oncall@example.com", "sre@example.com"] });
            });
            const key = r.get("aws:kms/key:Key", "alerts-key");
            expect(key.inputs.enableKeyRotation).toBe(true);
            const keyPolicy = policyOf(key);
            expect(keyPolicy.Statement).toContainEqual(
                expect.objectContaining({
                    Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                }),
            );
            expect(r.get("aws:sns/topic:Topic", "alerts").inputs.kmsMasterKeyId).toBe(key.outputs.arn);

            const topicPolicy = policyOf(r.get("aws:sns/topicPolicy:TopicPolicy", "alerts-policy"));
            expect(topicPolicy.Statement[0]).toEqual({
                Sid: "AlarmsAndRdsEventsPublish",
                Effect: "Allow",
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
                Action: "sns:Publish",
                Resource: r.get("aws:sns/topic:Topic", "alerts").outputs.arn,
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            });
            expect(topicPolicy.Statement[1]).toMatchObject({
                Effect: "Deny",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });

            const subs = r.ofType("aws:sns/topicSubscription:TopicSubscription");
            expect(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([
                ["email", "oncall@example.com"],
                ["email", "sre@example.com"],
            ]);
        },
    );

    it("subscribes an HTTPS endpoint and keeps its URL secret", async () => {
        const r = await runProgram(() => {
            new AlertsTopic("alerts", { httpsEndpoint: pulumi.secret("https://hooks.example.com/T000/secret") });
        });
        const sub = r.get("aws:sns/topicSubscription:TopicSubscription", "alerts-https");
        expect(sub.inputs.protocol).toBe("https");
        expect(sub.inputs.endpoint).toMatchObject({
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        });
    });

    it("rejects an address that is not an e-mail", async () => {
        await expect(runProgram(() => new AlertsTopic("alerts", { emails: ["oncall"] }))).rejects.toThrow(
            'AlertsTopic alerts: emails = ["oncall"] contains "oncall", which is not an e-mail address',
        );
    });
});
