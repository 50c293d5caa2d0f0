import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { type GroupInput, resolveOrThrow } from "../../lib/settings";
import { NETWORK_SETTINGS } from "./settings";

export { NETWORK_SETTINGS, type NetworkSettings } from "./settings";

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
