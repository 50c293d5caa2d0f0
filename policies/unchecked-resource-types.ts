/**
 * Resource types that carry a concern of this pack (a CDN, a database, a service that
 * scales, scaling itself) but that the other rules do not check: they would carry the
 * concern around every rule. Each is denied; a justified one is waived per resource
 * (policies/README.md, "Waivers"). Denied by default:
 *
 * - escape hatches that create arbitrary AWS resources out of the pack's sight: raw
 *   CloudFormation (stacks, stack sets and their instances), Cloud Control resources,
 *   dynamic providers, and command providers (which run the AWS CLI or anything else);
 * - aws-native types of the services the rules check (ECS, Application Auto Scaling,
 *   CloudFront, RDS, load balancers): the rules read @pulumi/aws's shapes;
 * - @pulumi/aws types with the same concern in another shape: CloudFront multi-tenant
 *   distributions and their tenants, Lightsail distributions, databases and container
 *   services, ECS Express gateway services and task sets (external deployments, which
 *   scale outside the service's scalable target).
 */
import { resourcePolicy } from "./rule";

/** What to use instead, by default pattern; shown in the finding. */
const INSTEAD: Readonly<Record<string, string>> = {
    "aws:cloudformation/*": "the @pulumi/aws resources the template declares",
    "aws:cloudcontrol/resource:Resource": "the @pulumi/aws resource of that type",
    "pulumi-nodejs:dynamic*": "the @pulumi/aws resources the provider would create",
    "command:local:Command": "the @pulumi/aws resources the command would create",
    "command:remote:Command": "the @pulumi/aws resources the command would create",
    "aws-native:ecs:*": "the ScalingService component (@pulumi/aws ECS resources)",
    "aws-native:applicationautoscaling:*": "the ScalingService component's scalable target and policies",
    "aws-native:cloudfront:*": "the CdnDistribution component (@pulumi/aws CloudFront resources)",
    "aws-native:rds:*": "the MonitoredDatabase component (@pulumi/aws RDS resources)",
    "aws-native:elasticloadbalancingv2:LoadBalancer": "the ScalingService component's load balancer",
    "aws:cloudfront/multitenantDistribution:MultitenantDistribution": "an aws.cloudfront.Distribution",
    "aws:cloudfront/distributionTenant:DistributionTenant": "an aws.cloudfront.Distribution",
    "aws:lightsail/distribution:Distribution": "the CdnDistribution component",
    "aws:lightsail/database:Database": "the MonitoredDatabase component",
    "aws:lightsail/containerService:ContainerService": "the ScalingService component",
    "aws:ecs/expressGatewayService:ExpressGatewayService": "the ScalingService component",
    "aws:ecs/taskSet:TaskSet": "the service's own deployment (ECS deployment controller)",
};

export const DEFAULT_DENIED_TYPES: readonly string[] = Object.freeze(Object.keys(INSTEAD));

/** A type pattern (`*` matches any characters) as a regular expression. */
function patternRegExp(pattern: string): RegExp {
    const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${escaped.join(".*")}$`);
}

const compiled = new Map<string, RegExp>();
const matcher = (pattern: string) => {
    let re = compiled.get(pattern);
    if (!re) {
        re = patternRegExp(pattern);
        compiled.set(pattern, re);
    }
    return re;
};

export const uncheckedResourceTypes = resourcePolicy<{ deniedTypes: string[] }>({
    id: "unchecked-resource-types",
    description:
        "No resource of a type that carries a concern of this pack (CDN, database, scaling service) in a " +
        "shape its rules do not check: raw CloudFormation, Cloud Control, dynamic and command providers, " +
        "aws-native types of the checked services, and other @pulumi/aws types of the same kind.",
    severity: "high",
    remediationSteps:
        "Declare the resource with the @pulumi/aws type the rules check (through the stack's components), or " +
        "waive this one resource with a reason and an expiry date (policies/README.md, Waivers).",
    types: "all",
    config: {
        deniedTypes: {
            type: "array",
            description: "Pulumi type tokens to deny; `*` matches any characters.",
            items: { type: "string", minLength: 1 },
            uniqueItems: true,
            default: [...DEFAULT_DENIED_TYPES],
        },
    },
    check(r, config, report) {
        const pattern = config.deniedTypes.find((p) => matcher(p).test(r.type));
        if (pattern === undefined) return;
        report(r, {
            property: "type",
            found: `${r.type} (denied by ${JSON.stringify(pattern)})`,
            allowed: "a resource type the pack's rules check",
            fix: `use ${INSTEAD[pattern] ?? "the @pulumi/aws type the rules check"}, or waive this resource`,
        });
    },
});
