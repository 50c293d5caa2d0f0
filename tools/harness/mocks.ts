/**
 * Pulumi mocks that answer like AWS: resource IDs, ARNs, DNS names and ARN
 * suffixes in the formats the real provider returns, so code that slices an
 * ARN or builds a CloudWatch dimension from it is exercised for real.
 *
 * In preview mode every computed output (IDs, ARNs, endpoints) is unknown, as
 * in `pulumi preview` of a brand-new stack; only the inputs echo back.
 */
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** AWS's documented example account; never a real one. */
export const MOCK_ACCOUNT_ID = "123456789012";
/** The AWS-managed prefix list for CloudFront's origin-facing servers (same ID in every commercial region). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "pl-3b927c52";

/** The engine's sentinel for a value that is computed later (unknown during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const hex = (seed: string, n: number) => crypto.createHash("sha256").update(seed).digest("hex").slice(0, n);
const upper = (seed: string, n: number) => hex(seed, n).toUpperCase();
const uuid = (seed: string) => {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

type State = Record<string, unknown>;

interface Computed {
    id: string;
    state: State;
}

/** Pulumi auto-names physical resources as `<logical name>-<7 hex>`. */
function physicalName(args: pulumi.runtime.MockResourceArgs, key = "name"): string {
    const given = (args.inputs as State)[key];
    return typeof given === "string" && given.length > 0 ? given : `${args.name}-${hex(args.type + args.name, 7)}`;
}

function computed(args: pulumi.runtime.MockResourceArgs, region: string): Computed {
    const inputs = args.inputs as State;
    const r = (inputs.region as string | undefined) ?? region;
    const seed = `${args.type}::${args.name}`;
    const acct = MOCK_ACCOUNT_ID;
    const name = physicalName(args);
    const arn = (service: string, resource: string, reg = r) => `arn:aws:${service}:${reg}:${acct}:${resource}`;

    switch (args.type) {
        case "aws:lb/loadBalancer:LoadBalancer": {
            const suffix = `app/${name}/${hex(seed, 16)}`;
            return {
                id: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                state: {
                    name,
                    arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arnSuffix: suffix,
                    dnsName: `${name}-${hex(seed, 9).replace(/[a-f]/g, "1")}.${r}.elb.amazonaws.com`,
                    zoneId: "Z35SXDOTRQ7X7K",
                },
            };
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const suffix = `targetgroup/${name}/${hex(seed, 16)}`;
            return {
                id: arn("elasticloadbalancing", suffix),
                state: { name, arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix },
            };
        }
        case "aws:lb/listener:Listener":
        case "aws:lb/listenerRule:ListenerRule": {
            const a = arn("elasticloadbalancing", `listener/app/${name}/${hex(seed, 16)}/${hex(seed + "l", 16)}`);
            return { id: a, state: { arn: a } };
        }
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = physicalName(args, "bucket");
            return {
                id: bucket,
                state: {
                    bucket,
                    arn: `arn:aws:s3:::${bucket}`,
                    bucketDomainName: `${bucket}.s3.amazonaws.com`,
                    bucketRegionalDomainName: `${bucket}.s3.${r}.amazonaws.com`,
                    region: r,
                    hostedZoneId: "Z3AQBSTGFYJSTF",
                },
            };
        }
        case "aws:cloudfront/distribution:Distribution": {
            const id = `E${upper(seed, 13)}`;
            return {
                id,
                state: {
                    arn: `arn:aws:cloudfront::${acct}:distribution/${id}`,
                    domainName: `d${hex(seed, 13)}.cloudfront.net`,
                    hostedZoneId: "Z2FDTNDATAQYW2",
                    status: "Deployed",
                    etag: `E${upper(seed + "etag", 13)}`,
                },
            };
        }
        case "aws:cloudfront/function:Function": {
            const fn = physicalName(args, "name");
            return {
                id: fn,
                state: {
                    name: fn,
                    arn: `arn:aws:cloudfront::${acct}:function/${fn}`,
                    etag: `E${upper(seed + "etag", 13)}`,
                    liveStageEtag: `E${upper(seed + "live", 13)}`,
                    status: "UNPUBLISHED",
                },
            };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const rule = physicalName(args, "name");
            return { id: rule, state: { name: rule, arn: arn("events", `rule/${rule}`) } };
        }
        case "aws:cloudfront/originAccessControl:OriginAccessControl":
        case "aws:cloudfront/cachePolicy:CachePolicy":
        case "aws:cloudfront/originRequestPolicy:OriginRequestPolicy":
        case "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
            return {
                id: args.type.includes("originAccessControl") ? `E${upper(seed, 13)}` : uuid(seed),
                state: { etag: `E${upper(seed + "etag", 13)}` },
            };
        case "aws:rds/instance:Instance": {
            const identifier = physicalName(args, "identifier");
            const address = `${identifier}.c${hex(seed, 11)}.${r}.rds.amazonaws.com`;
            return {
                id: identifier,
                state: {
                    identifier,
                    arn: arn("rds", `db:${identifier}`),
                    address,
                    endpoint: `${address}:5432`,
                    port: 5432,
                    resourceId: `db-${upper(seed, 26)}`,
                    masterUserSecrets: [
                        {
                            kmsKeyId: arn("kms", `key/${uuid(seed + "k")}`),
                            secretArn: arn("secretsmanager", `secret:rds!db-${uuid(seed + "s")}-${hex(seed, 6)}`),
                            secretStatus: "active",
                        },
                    ],
                },
            };
        }
        case "aws:rds/proxy:Proxy":
            return {
                id: name,
                state: {
                    name,
                    arn: arn("rds", `db-proxy:prx-${hex(seed, 17)}`),
                    endpoint: `${name}.proxy-c${hex(seed, 11)}.${r}.rds.amazonaws.com`,
                },
            };
        case "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
            // Every proxy has exactly one target group, always named "default".
            return {
                id: typeof inputs.dbProxyName === "string" ? inputs.dbProxyName : name,
                state: { name: "default", arn: arn("rds", `target-group:prx-tg-${hex(seed, 17)}`) },
            };
        case "aws:ecs/cluster:Cluster":
            return { id: arn("ecs", `cluster/${name}`), state: { name, arn: arn("ecs", `cluster/${name}`) } };
        case "aws:ecs/service:Service": {
            // The long ARN format (service/<cluster>/<service>), the only one for new accounts. At preview the
            // cluster input is the engine's unknown (an object); the ARN is unknown then too (see awsMocks).
            const clusterArn = typeof inputs.cluster === "string" ? inputs.cluster : "default";
            const cluster = clusterArn.split("/").pop();
            return {
                id: arn("ecs", `service/${name}`),
                state: { name, arn: arn("ecs", `service/${cluster}/${name}`) },
            };
        }
        case "aws:ecs/taskDefinition:TaskDefinition": {
            const family = (inputs.family as string | undefined) ?? name;
            return {
                id: family,
                state: {
                    family,
                    arn: arn("ecs", `task-definition/${family}:1`),
                    revision: 1,
                    arnWithoutRevision: arn("ecs", `task-definition/${family}`),
                },
            };
        }
        case "aws:sns/topic:Topic":
            return { id: arn("sns", name), state: { name, arn: arn("sns", name) } };
        case "aws:sns/topicSubscription:TopicSubscription":
            return { id: arn("sns", `${name}:${uuid(seed)}`), state: { arn: arn("sns", `${name}:${uuid(seed)}`) } };
        case "aws:iam/role:Role":
            return {
                id: name,
                state: { name, arn: `arn:aws:iam::${acct}:role/${name}`, uniqueId: `AROA${upper(seed, 17)}` },
            };
        case "aws:iam/policy:Policy":
            return {
                id: `arn:aws:iam::${acct}:policy/${name}`,
                state: { name, arn: `arn:aws:iam::${acct}:policy/${name}` },
            };
        case "aws:kms/key:Key": {
            const keyId = uuid(seed);
            return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:kms/alias:Alias":
            return {
                id: (inputs.name as string | undefined) ?? `alias/${name}`,
                state: { arn: arn("kms", (inputs.name as string | undefined) ?? `alias/${name}`) },
            };
        case "aws:wafv2/webAcl:WebAcl": {
            const id = uuid(seed);
            return {
                id,
                state: { name, arn: `arn:aws:wafv2:us-east-1:${acct}:global/webacl/${name}/${id}`, capacity: 800 },
            };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: name, state: { name, arn: arn("logs", `log-group:${name}`) } };
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const alarmName = physicalName(args, "name");
            return { id: alarmName, state: { name: alarmName, arn: arn("cloudwatch", `alarm:${alarmName}`) } };
        }
        case "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
            const alarmName = physicalName(args, "alarmName");
            return { id: alarmName, state: { alarmName, arn: arn("cloudwatch", `alarm:${alarmName}`) } };
        }
        case "aws:cloudwatch/dashboard:Dashboard": {
            const dashboardName = physicalName(args, "dashboardName");
            return {
                id: dashboardName,
                state: { dashboardName, dashboardArn: `arn:aws:cloudwatch::${acct}:dashboard/${dashboardName}` },
            };
        }
        case "aws:acm/certificate:Certificate": {
            const a = arn("acm", `certificate/${uuid(seed)}`);
            const domain = inputs.domainName as string | undefined;
            return {
                id: a,
                state: {
                    arn: a,
                    domainValidationOptions: [
                        {
                            domainName: domain,
                            resourceRecordName: `_${hex(seed, 32)}.${domain}.`,
                            resourceRecordType: "CNAME",
                            resourceRecordValue: `_${hex(seed + "v", 32)}.acm-validations.aws.`,
                        },
                    ],
                },
            };
        }
        case "aws:route53/record:Record": {
            const fqdn = (typeof inputs.name === "string" ? inputs.name : name).replace(/\.$/, "");
            return { id: `${inputs.zoneId as string}_${fqdn}_${inputs.type as string}`, state: { fqdn } };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
            return {
                id: `sg-${hex(seed, 17)}`,
                state: { arn: arn("ec2", `security-group/sg-${hex(seed, 17)}`), name },
            };
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup":
            return {
                id: name,
                state: { name, arn: arn("rds", `${args.type.includes("subnet") ? "subgrp" : "pg"}:${name}`) },
            };
        case "aws:appautoscaling/target:Target":
            return {
                id: (inputs.resourceId as string | undefined) ?? name,
                state: { arn: arn("application-autoscaling", `scalable-target/${hex(seed, 32)}`) },
            };
        case "aws:appautoscaling/policy:Policy":
            return {
                id: name,
                state: {
                    name,
                    arn: arn("autoscaling", `scalingPolicy:${uuid(seed)}:resource/ecs/${name}`),
                    alarmArns: [],
                },
            };
        case "aws:secretsmanager/secret:Secret":
            return {
                id: arn("secretsmanager", `secret:${name}-${hex(seed, 6)}`),
                state: { name, arn: arn("secretsmanager", `secret:${name}-${hex(seed, 6)}`) },
            };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { id: "none", state: { result: `mock-${hex(seed, 40)}` } };
        case "awsx:ec2:Vpc": {
            const azs = (inputs.numberOfAvailabilityZones as number | undefined) ?? 2;
            const ids = (kind: string) =>
                Array.from({ length: azs }, (_, i) => `subnet-${hex(`${seed}${kind}${i}`, 17)}`);
            const vpcId = `vpc-${hex(seed, 17)}`;
            return {
                id: vpcId,
                state: {
                    vpcId,
                    publicSubnetIds: ids("public"),
                    privateSubnetIds: ids("private"),
                    isolatedSubnetIds: [],
                    vpc: { id: vpcId, cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16", arn: arn("ec2", `vpc/${vpcId}`) },
                },
            };
        }
        default: {
            // Everything else: an ARN-shaped id plus name/arn where the type has them.
            const service = args.type.split(":")[1]?.split("/")[0] ?? "unknown";
            return { id: `${name}`, state: { arn: arn(service, `${name}`) } };
        }
    }
}

/** The AWS SDK "invoke" functions the program calls, answered like AWS would. */
function call(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
    const inputs = args.inputs as State;
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: MOCK_ACCOUNT_ID,
                arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`,
                userId: "AIDAEXAMPLE",
                id: MOCK_ACCOUNT_ID,
            };
        case "aws:index/getRegion:getRegion":
            return {
                name: inputs.region ?? region,
                region: inputs.region ?? region,
                id: region,
                endpoint: `ec2.${region}.amazonaws.com`,
            };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                names: ["a", "b", "c"].map((z) => `${region}${z}`),
                zoneIds: ["az1", "az2", "az3"].map((z) => `${region.slice(0, 3)}${z}`),
                id: region,
            };
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            return {
                id: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
                name: inputs.name ?? "com.amazonaws.global.cloudfront.origin-facing",
                maxEntries: 55,
            };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return {
                json: JSON.stringify({ Version: "2012-10-17", Statement: inputs.statements ?? [] }),
                id: "policy",
            };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
        default:
            throw new Error(`test harness: no mock for invoke ${args.token}; add it to tools/harness/mocks.ts`);
    }
}

/**
 * The property each provider names a resource by when the program leaves it out. The
 * engine sends the provider's checked inputs to policy packs, so at preview the
 * auto-name is a known input, not an unknown output.
 */
const AUTONAMED: Readonly<Record<string, string>> = {
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/proxy:Proxy": "name",
    "aws:ecs/cluster:Cluster": "name",
    "aws:ecs/service:Service": "name",
    "aws:sns/topic:Topic": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:wafv2/webAcl:WebAcl": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarmName",
    "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:cloudfront/function:Function": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:secretsmanager/secret:Secret": "name",
};

/** The inputs after the provider's Check: the auto-named property filled in when the program left it out. */
export function checkedInputs(type: string, name: string, inputs: State): State {
    const key = AUTONAMED[type];
    if (key === undefined || (typeof inputs[key] === "string" && inputs[key] !== "")) return inputs;
    return {
        ...inputs,
        [key]: physicalName({ type, name, inputs, custom: true }, key),
    };
}

export function awsMocks(region: string, preview: boolean): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            const inputs = args.custom
                ? checkedInputs(args.type, args.name, args.inputs as State)
                : (args.inputs as State);
            const { id, state } = computed({ ...args, inputs }, region);
            if (!preview) return { id, state: { ...inputs, ...state } };
            // Preview of a new stack: (checked) inputs are known, everything else the provider computes is not.
            const unknownState = Object.fromEntries(
                Object.keys(state)
                    .filter((k) => !(k in inputs))
                    .map((k) => [k, UNKNOWN]),
            );
            return { id: undefined, state: { ...inputs, ...unknownState } };
        },
        call: (args) => call(args, region),
    };
}
