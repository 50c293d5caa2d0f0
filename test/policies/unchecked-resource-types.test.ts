/**
 * unchecked-resource-types, through the pack's own process: every escape hatch and every type that
 * carries a concern in a shape the rules do not check is denied, a waiver exempts one resource, and
 * the denied patterns come from the policy config.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { DEFAULT_DENIED_TYPES } from "../../policies/unchecked-resource-types";
import {
    advisory,
    analyze,
    compliantStack,
    expectCompliant,
    isPairingNote,
    mandatory,
    openPack,
    resource,
    TEST_CONFIG,
} from "./fixtures";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

/** One resource of each kind the rule denies by default, with the pattern that denies it. */
const DENIED: ReadonlyArray<[string, string]> = [
    ["aws:cloudformation/stack:Stack", "aws:cloudformation/*"],
    ["aws:cloudformation/stackSet:StackSet", "aws:cloudformation/*"],
    ["aws:cloudformation/stackSetInstance:StackSetInstance", "aws:cloudformation/*"],
    ["aws:cloudformation/stackInstances:StackInstances", "aws:cloudformation/*"],
    ["aws:cloudcontrol/resource:Resource", "aws:cloudcontrol/resource:Resource"],
    ["pulumi-nodejs:dynamic:Resource", "pulumi-nodejs:dynamic*"],
    ["pulumi-nodejs:dynamic/cdn:Invalidator", "pulumi-nodejs:dynamic*"],
    ["command:local:Command", "command:local:Command"],
    ["command:remote:Command", "command:remote:Command"],
    ["aws-native:ecs:Service", "aws-native:ecs:*"],
    ["aws-native:applicationautoscaling:ScalableTarget", "aws-native:applicationautoscaling:*"],
    ["aws-native:cloudfront:Distribution", "aws-native:cloudfront:*"],
    ["aws-native:rds:DbCluster", "aws-native:rds:*"],
    ["aws-native:elasticloadbalancingv2:LoadBalancer", "aws-native:elasticloadbalancingv2:LoadBalancer"],
    [
        "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
        "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
    ],
    ["aws:cloudfront/distributionTenant:DistributionTenant", "aws:cloudfront/distributionTenant:DistributionTenant"],
    ["aws:lightsail/distribution:Distribution", "aws:lightsail/distribution:Distribution"],
    ["aws:lightsail/database:Database", "aws:lightsail/database:Database"],
    ["aws:lightsail/containerService:ContainerService", "aws:lightsail/containerService:ContainerService"],
    ["aws:ecs/expressGatewayService:ExpressGatewayService", "aws:ecs/expressGatewayService:ExpressGatewayService"],
    ["aws:ecs/taskSet:TaskSet", "aws:ecs/taskSet:TaskSet"],
];

it("denies every default pattern, each shown with the pattern that denies it", async () => {
    expect(new Set(DENIED.map(([, p]) => p))).toEqual(new Set(DEFAULT_DENIED_TYPES));
    const extra = DENIED.map(([type], i) => resource(type, `escape-${i}`, {}));
    const ds = await analyze(pack, [...compliantStack(), ...extra]);
    // Other rules may also fail an escape (alarm-coverage watches multi-tenant distributions);
    // this rule must deny every one of them on its own.
    const denied = mandatory(ds).filter((d) => d.policyName === "unchecked-resource-types");
    expect(denied.map((d) => [d.policyName, d.message.split("\n")[1].split("; allowed")[0]])).toEqual(
        DENIED.map(([type, pattern], i) => [
            "unchecked-resource-types",
            `${type} "escape-${i}": type = ${type} (denied by ${JSON.stringify(pattern)})`,
        ]),
    );
});

it("leaves the types the rules check alone (and near misses such as a CloudFront cache policy)", async () => {
    expectCompliant(
        await analyze(pack, [
            ...compliantStack(),
            resource("aws:cloudfront/continuousDeploymentPolicy:ContinuousDeploymentPolicy", "blue-green", {}),
            resource("aws:cloudwatch/logGroup:LogGroup", "logs", {}),
            resource("aws-native:s3:Bucket", "native-bucket", {}),
        ]),
    );
});

it("waives one resource, with a reason and an expiry", async () => {
    const waived = await openPack({
        ...TEST_CONFIG,
        waivers: {
            properties: {
                waivers: [
                    {
                        rule: "unchecked-resource-types",
                        name: "invalidate-cdn",
                        type: "command:local:Command",
                        reason: "CDN invalidation after deploy; touches no checked resource (PLAT-88)",
                        expires: "2999-01-01",
                    },
                ],
            },
        },
    });
    try {
        const ds = await analyze(waived, [
            ...compliantStack(),
            resource("command:local:Command", "invalidate-cdn", { create: "aws cloudfront create-invalidation" }),
            resource("command:local:Command", "resize-service", { create: "aws ecs update-service" }),
        ]);
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toEqual([
            expect.stringContaining('command:local:Command "resize-service": type = command:local:Command'),
        ]);
        expect(
            advisory(ds)
                .filter((d) => !isPairingNote(d))
                .map((d) => d.message.split("\n")[1]),
        ).toEqual([expect.stringMatching(/^WAIVED until 2999-01-01 \(CDN invalidation.*"invalidate-cdn": type = /)]);
    } finally {
        await waived.close();
    }
});

it("takes the denied patterns from the policy config", async () => {
    const custom = await openPack({
        ...TEST_CONFIG,
        "unchecked-resource-types": { properties: { deniedTypes: ["aws:apprunner/*"] } },
    });
    try {
        const ds = await analyze(custom, [
            ...compliantStack(),
            resource("aws:apprunner/service:Service", "side-api", {}),
            resource("aws:cloudformation/stack:Stack", "legacy", {}),
        ]);
        expect(mandatory(ds).map((d) => d.message.split("\n")[1])).toEqual([
            'aws:apprunner/service:Service "side-api": type = aws:apprunner/service:Service (denied by ' +
                '"aws:apprunner/*"); allowed: a resource type the pack\'s rules check. Fix: use the @pulumi/aws ' +
                "type the rules check, or waive this resource",
        ]);
    } finally {
        await custom.close();
    }
});
