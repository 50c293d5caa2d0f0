/**
 * The service's security groups and their rules: CloudFront -> ALB -> tasks, nothing else in.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME } from "../../policies/aws/cloudfront";

const POSTGRES_PORT = 5432;

export interface NetworkSecurityInput {
    readonly vpcId: pulumi.Input<string>;
    /** Tasks may reach PostgreSQL only inside the VPC. */
    readonly vpcCidrBlock: pulumi.Input<string>;
    readonly containerPort: number;
    /** The ALB serves HTTPS on 443 when true, else HTTP on 80; CloudFront is admitted on that port only. */
    readonly https: boolean;
}

export interface NetworkSecurity {
    readonly albSecurityGroup: aws.ec2.SecurityGroup;
    readonly taskSecurityGroup: aws.ec2.SecurityGroup;
}

export function createNetworkSecurity(
    name: string,
    input: NetworkSecurityInput,
    parent: pulumi.Resource,
): NetworkSecurity {
    const { vpcId, containerPort, https } = input;
    const listenerPort = https ? 443 : 80;
    const albSg = new aws.ec2.SecurityGroup(
        `${name}-alb`,
        { vpcId, description: "CredLink API ALB: CloudFront origin-facing addresses only" },
        { parent },
    );
    const taskSg = new aws.ec2.SecurityGroup(
        `${name}-tasks`,
        { vpcId, description: "CredLink API tasks: the ALB only" },
        { parent },
    );
    const cloudfront = aws.ec2.getManagedPrefixListOutput(
        { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME },
        { parent },
    );
    // One rule only: the prefix list weighs ~55 rules against the 60-rule default quota of a group.
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-from-cloudfront`,
        {
            securityGroupId: albSg.id,
            ipProtocol: "tcp",
            fromPort: listenerPort,
            toPort: listenerPort,
            prefixListId: cloudfront.id,
            description: `CloudFront origin-facing, ${https ? "HTTPS" : "HTTP"}`,
        },
        { parent },
    );
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-alb-to-tasks`,
        {
            securityGroupId: albSg.id,
            ipProtocol: "tcp",
            fromPort: containerPort,
            toPort: containerPort,
            referencedSecurityGroupId: taskSg.id,
            description: "Requests and health checks to the tasks",
        },
        { parent },
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-tasks-from-alb`,
        {
            securityGroupId: taskSg.id,
            ipProtocol: "tcp",
            fromPort: containerPort,
            toPort: containerPort,
            referencedSecurityGroupId: albSg.id,
            description: "From the ALB only",
        },
        { parent },
    );
    // Tasks call AWS APIs (ECR, S3, CloudWatch Logs, Secrets Manager) over HTTPS through NAT.
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-tasks-https-out`,
        {
            securityGroupId: taskSg.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
            description: "HTTPS to AWS APIs",
        },
        { parent },
    );
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-tasks-postgres-out`,
        {
            securityGroupId: taskSg.id,
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            cidrIpv4: input.vpcCidrBlock,
            description: "PostgreSQL inside the VPC",
        },
        { parent },
    );
    return { albSecurityGroup: albSg, taskSecurityGroup: taskSg };
}
