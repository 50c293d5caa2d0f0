/**
 * Values AWS itself defines, shared by the stack config and the components that
 * validate the same settings (one list each, no imports).
 */

/** The retention periods CloudWatch Logs accepts, days. */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = Object.freeze([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);

// Declared in policies/aws/ecs.ts; re-exported while components/scaling-service/args.ts imports it from here.
export { FARGATE_CPU_UNITS } from "../policies/aws/ecs";

/** The region field of an ARN (empty for global services such as IAM). */
export const arnRegion = (arn: string): string | undefined => (/^arn:[^:]+:[^:]+:([^:]*):/.exec(arn) ?? [])[1];
