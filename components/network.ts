import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import {
    group,
    type GroupInput,
    matching,
    oneOf,
    resolveOrThrow,
    setting,
    type ValuesOfGroup,
    wholeNumber,
} from "../lib/settings";

/** The network's settings (`credlink:network.*` in the stack), declared once. */
export const NETWORK_SETTINGS = group({
    cidrBlock: setting(
        "string",
        "VPC CIDR block, /16../18: each AZ takes a /20 private and a /22 public subnet.",
        matching(
            /^(\d{1,3}\.){3}\d{1,3}\/(1[6-8])$/,
            "must be an IPv4 CIDR with a /16../18 prefix (each AZ takes a /20 private and a /22 public subnet)",
        ),
        { default: "10.0.0.0/16" },
    ),
    availabilityZones: setting(
        "integer",
        "Number of availability zones, each with a public and a private subnet.",
        wholeNumber(2, 3),
        { default: 2 },
    ),
    natGateways: setting(
        "string",
        "NAT gateways: `single` (cheap) or `onePerAz` (an AZ outage cannot cut egress).",
        oneOf(["single", "onePerAz"] as const),
        { default: "single" },
    ),
});
export type NetworkSettings = ValuesOfGroup<typeof NETWORK_SETTINGS>;

/** NETWORK_SETTINGS (cidrBlock, availabilityZones, natGateways) describes the settings and their defaults. */
export interface NetworkArgs extends GroupInput<typeof NETWORK_SETTINGS> {
    /** Tags for the VPC's own children (remote components are not reached by the stack transformation). */
    readonly tags?: Record<string, string>;
}

/**
 * The VPC: public subnets for the ALB and NAT gateways, private subnets for tasks
 * and the database. Built on awsx.ec2.Vpc, the ecosystem's standard; nothing we
 * test or enforce lives inside it.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly cidrBlock: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:network:Network", name, {}, opts);
        const s = resolveOrThrow(`Network ${name}`, NETWORK_SETTINGS, args);
        this.cidrBlock = s.cidrBlock;
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: this.cidrBlock,
                numberOfAvailabilityZones: s.availabilityZones,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: s.natGateways === "onePerAz" ? "OnePerAz" : "Single" },
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Public", cidrMask: 22 },
                    { type: "Private", cidrMask: 20 },
                ],
                tags: args.tags,
            },
            { parent: this },
        );
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            cidrBlock: this.cidrBlock,
        });
    }
}
