import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";

/** AWS managed rule groups, in evaluation order: cheap reputation check first. */
export const MANAGED_RULE_GROUPS = Object.freeze([
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
] as const);

/**
 * Rules of the common rule set that only count instead of block. SizeRestrictions_BODY
 * blocks every body over 8 KB, which would block all image uploads to /sign and /verify.
 */
export const COUNT_ONLY_COMMON_RULES = Object.freeze(["SizeRestrictions_BODY"] as const);

const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
});

/**
 * A WAFv2 web ACL for a CloudFront distribution: the AWS managed IP-reputation,
 * common (OWASP) and known-bad-inputs rule groups plus a per-IP rate limit.
 */
export function createWebAcl(name: string, rateLimitPer5Min: number, parent: pulumi.Resource): aws.wafv2.WebAcl {
    // Metric names are CloudWatch dimensions: include the stack so two stacks in one account stay apart.
    const metricPrefix = `${name}-${pulumi.getStack()}`.replace(/[^A-Za-z0-9_-]/g, "-");
    const managedRules: aws.types.input.wafv2.WebAclRule[] = MANAGED_RULE_GROUPS.map((group, priority) => ({
        name: group,
        priority,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: group,
                ruleActionOverrides:
                    group === "AWSManagedRulesCommonRuleSet"
                        ? COUNT_ONLY_COMMON_RULES.map((rule) => ({ name: rule, actionToUse: { count: {} } }))
                        : undefined,
            },
        },
        visibilityConfig: visibility(`${metricPrefix}-${group}`),
    }));
    const rateLimit: aws.types.input.wafv2.WebAclRule = {
        name: "RateLimitPerIp",
        priority: managedRules.length,
        action: { block: {} },
        statement: {
            rateBasedStatement: { aggregateKeyType: "IP", limit: rateLimitPer5Min, evaluationWindowSec: 300 },
        },
        visibilityConfig: visibility(`${metricPrefix}-RateLimitPerIp`),
    };
    return new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
            // WAF for CloudFront (scope CLOUDFRONT) only exists in us-east-1.
            region: CLOUDFRONT_REGION,
            scope: "CLOUDFRONT",
            description: "CredLink CDN: AWS managed rule groups and a per-IP rate limit",
            defaultAction: { allow: {} },
            rules: [...managedRules, rateLimit],
            visibilityConfig: visibility(`${metricPrefix}-webacl`),
        },
        { parent },
    );
}
