/**
 * Container secret references, as ECS takes them in a container definition's `secrets[].valueFrom`
 * (AWS ECS Developer Guide, "Pass sensitive data to an Amazon ECS container"):
 *
 * - a Secrets Manager secret's full ARN, optionally followed by `:<json-key>:<version-stage>:<version-id>`
 *   (each part may be empty, all three colons are required), e.g. `arn:...:secret:db-AbCdEf:password::`;
 * - an SSM Parameter Store parameter's ARN.
 *
 * Full ARNs only: IAM grants the execution role exactly these resources, and a partial Secrets
 * Manager ARN (without the 6-character suffix) would not match the secret's real ARN.
 */

const PARTITION = "aws(?:-cn|-us-gov|-iso[a-z]?)?";
const REGION = "[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d";
/** Secret names: letters, digits and /_+=.@- (`!` appears in AWS-managed names such as RDS's `rds!db-...`). */
const SECRET_NAME = "[A-Za-z0-9/_+=.@!-]+";
const SECRETS_MANAGER = new RegExp(
    `^(arn:(${PARTITION}):secretsmanager:(${REGION}):(\\d{12}):secret:${SECRET_NAME}-[A-Za-z0-9]{6})` +
        `(?::([^:]*):([^:]*):([^:]*))?$`,
);
const PARTIAL_SECRETS_MANAGER = new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:\\d{12}:secret:${SECRET_NAME}$`);
const SSM_PARAMETER = new RegExp(`^arn:(${PARTITION}):ssm:(${REGION}):(\\d{12}):parameter/[A-Za-z0-9_.\\-/]{1,2048}$`);

export type SecretRef =
    | {
          readonly service: "secretsmanager";
          /** The secret's ARN, without the json-key/version suffix: what IAM grants. */
          readonly arn: string;
          readonly partition: string;
          readonly region: string;
          readonly jsonKey?: string;
      }
    | { readonly service: "ssm"; readonly arn: string; readonly partition: string; readonly region: string };

/** The referenced secret or parameter, or undefined when `valueFrom` is not a full ARN of either. */
export function parseSecretRef(valueFrom: string): SecretRef | undefined {
    const sm = SECRETS_MANAGER.exec(valueFrom);
    if (sm) {
        return {
            service: "secretsmanager",
            arn: sm[1],
            partition: sm[2],
            region: sm[3],
            ...(sm[5] ? { jsonKey: sm[5] } : {}),
        };
    }
    const ssm = SSM_PARAMETER.exec(valueFrom);
    if (ssm) return { service: "ssm", arn: valueFrom, partition: ssm[1], region: ssm[2] };
    return undefined;
}

/** Why `valueFrom` cannot be used, in words that follow `<setting>.<NAME> = "<value>"`; undefined when it can. */
export function secretRefProblem(valueFrom: string): string | undefined {
    if (parseSecretRef(valueFrom)) return undefined;
    if (PARTIAL_SECRETS_MANAGER.test(valueFrom)) {
        return (
            "is a partial Secrets Manager ARN: use the full ARN, with the 6-character suffix Secrets " +
            "Manager appends (aws secretsmanager describe-secret --secret-id <name> --query ARN)"
        );
    }
    return (
        "must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:" +
        "secret:<name>-<6 characters>, optionally followed by :<json-key>:<version-stage>:<version-id>) " +
        "or of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>)"
    );
}
