/**
 * Network's settings, declared once and import-free of the AWS SDK, so the stack config
 * (lib/config.ts) and the tools that read a stack file do not load @pulumi/awsx for them.
 */
import { group, matching, oneOf, setting, type ValuesOfGroup, wholeNumber } from "../../lib/settings";

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
