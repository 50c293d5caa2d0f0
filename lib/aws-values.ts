/**
 * Values AWS itself defines, shared by the stack config and the components that
 * validate the same settings (one list each, no imports).
 */

// Declared in policies/aws/; re-exported while components/scaling-service/args.ts imports them from here.
export { CLOUDWATCH_LOG_RETENTION_DAYS } from "../policies/aws/cloudwatch";
export { FARGATE_CPU_UNITS } from "../policies/aws/ecs";

/** The region field of an ARN (empty for global services such as IAM). */
export const arnRegion = (arn: string): string | undefined => (/^arn:[^:]+:[^:]+:([^:]*):/.exec(arn) ?? [])[1];
