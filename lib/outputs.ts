/**
 * The stack outputs: what `pulumi stack output --json` prints and what
 * `npm run verify` reads. One schema for both sides, so a renamed output
 * breaks a test instead of a post-deploy check.
 */
import { z } from "zod";

export const StackOutputsSchema = z.object({
    /** Stack name the outputs came from (guards against verifying the wrong stack). */
    stack: z.string(),
    region: z.string(),
    /** CloudFront. */
    cdnDomainName: z.string(),
    cdnUrl: z.string(),
    distributionId: z.string(),
    staticBucketName: z.string(),
    proofsBucketName: z.string(),
    /** The API as users reach it (through CloudFront). */
    apiUrl: z.string(),
    /** ECS service and its ALB. */
    clusterName: z.string(),
    serviceName: z.string(),
    albDnsName: z.string(),
    /** Requests per second the service carries at its scaling target: maxTasks × requestsPerTarget / 60. */
    capacityAtTargetRps: z.number(),
    /** RDS. */
    dbInstanceIdentifier: z.string(),
    dbEndpoint: z.string(),
    /** Monitoring. */
    alertsTopicArn: z.string(),
    dashboardName: z.string(),
    dashboardUrl: z.string(),
    /** Every CloudWatch alarm the stack declares: name and the region it lives in. */
    alarms: z.array(z.object({ name: z.string(), region: z.string() })),
});

export type StackOutputs = z.infer<typeof StackOutputsSchema>;
