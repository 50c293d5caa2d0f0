/**
 * Only components/scaling-service/args.ts still imports these from here (it is being reworked
 * separately); they are declared in policies/aws/. Delete this file once that import moves.
 */
export { CLOUDWATCH_LOG_RETENTION_DAYS } from "../policies/aws/cloudwatch";
export { FARGATE_CPU_UNITS } from "../policies/aws/ecs";
