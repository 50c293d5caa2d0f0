import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** VPC CIDR block. Default: 10.0.0.0/16. */
    readonly cidrBlock?: string;
    /** Availability zones, each with a public and a private subnet: 2 or 3. Default: 2. */
    readonly availabilityZones?: number;
    /** `single` NAT gateway (cheap) or `onePerAz` (an AZ outage cannot cut egress). Default: single. */
    readonly natGateways?: "single" | "onePerAz";
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
        const azs = args.availabilityZones ?? 2;
        if (!Number.isInteger(azs) || azs < 2 || azs > 3) {
            throw new Error(`Network ${name}: availabilityZones = ${azs} must be 2 or 3`);
        }
        this.cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: this.cidrBlock,
                numberOfAvailabilityZones: azs,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: (args.natGateways ?? "single") === "onePerAz" ? "OnePerAz" : "Single" },
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
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds, cidrBlock: this.cidrBlock });
    }
}
