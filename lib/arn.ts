/**
 * The region field of an ARN: empty for global services such as IAM, undefined when the
 * string is not ARN-shaped.
 */
export const arnRegion = (arn: string): string | undefined => (/^arn:[^:]+:[^:]+:([^:]*):/.exec(arn) ?? [])[1];
