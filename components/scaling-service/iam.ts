/**
 * Least-privilege roles for the service: the execution role (ECS agent: pull the
 * image, write logs, read the declared secrets) and the task role (the app: read
 * and write `proofs/*` in the proofs bucket, nothing else).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseSecretRef, type SecretRef, secretRefProblem } from "./secret-refs";

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/;

/** Repository ARN of an ECR image reference, or undefined for other registries. */
export function ecrRepositoryArn(image: string, partition: string): string | undefined {
    const m = ECR_IMAGE.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/**
 * What the execution role needs to hand the container its secrets (AWS ECS Developer Guide, "Required
 * IAM permissions for Amazon ECS secrets"): `secretsmanager:GetSecretValue` on exactly the referenced
 * secrets (their ARNs without the json-key suffix) and `ssm:GetParameters` on exactly the referenced
 * parameters; plus `kms:Decrypt` for secrets under a customer-managed key, which can only be scoped
 * by what is decrypted: through that service, for those secrets' encryption context (Secrets Manager
 * sets `SecretARN`, Parameter Store `PARAMETER_ARN`). The key itself is unknown here, so the resource
 * is any key; with the AWS-managed keys (aws/secretsmanager, aws/ssm) the statement is not needed
 * and grants nothing more. A customer-managed key's policy must still delegate to IAM.
 */
export function secretStatements(refs: readonly SecretRef[]): Record<string, unknown>[] {
    const unique = (xs: string[]) => [...new Set(xs)].sort();
    const of = (service: SecretRef["service"]) => refs.filter((r) => r.service === service);
    const statements: Record<string, unknown>[] = [];
    const decrypt = (sid: string, service: SecretRef["service"], contextKey: string) => {
        const own = of(service);
        if (own.length === 0) return;
        statements.push({
            Sid: sid,
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: unique(own.map((r) => `arn:${r.partition}:kms:*:*:key/*`)),
            Condition: {
                StringEquals: {
                    "kms:ViaService": unique(own.map((r) => `${service}.${r.region}.amazonaws.com`)),
                    [`kms:EncryptionContext:${contextKey}`]: unique(own.map((r) => r.arn)),
                },
            },
        });
    };
    if (of("secretsmanager").length > 0) {
        statements.push({
            Sid: "ReadSecrets",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: unique(of("secretsmanager").map((r) => r.arn)),
        });
        decrypt("DecryptSecrets", "secretsmanager", "SecretARN");
    }
    if (of("ssm").length > 0) {
        statements.push({
            Sid: "ReadParameters",
            Effect: "Allow",
            Action: "ssm:GetParameters",
            Resource: unique(of("ssm").map((r) => r.arn)),
        });
        decrypt("DecryptParameters", "ssm", "PARAMETER_ARN");
    }
    return statements;
}

function assumedByEcsTasks(accountId: pulumi.Input<string>) {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                // Confused-deputy guard: only tasks of this account may assume the role.
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    });
}

/** The references, parsed; throws one line naming the first variable whose reference is unusable. */
export function checkSecretRefs(name: string, names: readonly string[], valueFroms: readonly string[]): SecretRef[] {
    return valueFroms.map((valueFrom, i) => {
        const ref = parseSecretRef(valueFrom);
        if (ref === undefined) {
            throw new Error(
                `ScalingService ${name}: secrets.${names[i]} = ${JSON.stringify(valueFrom)} ` +
                    secretRefProblem(valueFrom),
            );
        }
        return ref;
    });
}

export interface ExecutionRoleArgs {
    readonly image: pulumi.Input<string>;
    readonly logGroupArn: pulumi.Input<string>;
    /** Container secrets: variable name and `valueFrom`. */
    readonly secrets: readonly (readonly [string, pulumi.Input<string>])[];
    readonly accountId: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
}

export interface RoleWithPolicy {
    readonly role: aws.iam.Role;
    /** The inline policy; tasks must not start before it is attached. */
    readonly policy: aws.iam.RolePolicy;
}

export function createExecutionRole(prefix: string, a: ExecutionRoleArgs, parent: pulumi.Resource): RoleWithPolicy {
    const role = new aws.iam.Role(
        `${prefix}-execution`,
        {
            description: "ECS agent for the CredLink API: pull image, write logs, read the container's secrets",
            assumeRolePolicy: assumedByEcsTasks(a.accountId),
        },
        { parent },
    );
    const names = a.secrets.map(([name]) => name);
    const policy = pulumi
        .all([a.image, a.partition, a.logGroupArn, pulumi.all(a.secrets.map(([, valueFrom]) => valueFrom))])
        .apply(([image, partition, logGroupArn, valueFroms]) => {
            const statements: Record<string, unknown>[] = [];
            const repository = ecrRepositoryArn(image, partition);
            if (repository) {
                // GetAuthorizationToken has no resource-level permissions.
                statements.push({
                    Sid: "EcrLogin",
                    Effect: "Allow",
                    Action: "ecr:GetAuthorizationToken",
                    Resource: "*",
                });
                statements.push({
                    Sid: "EcrPull",
                    Effect: "Allow",
                    Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                    Resource: repository,
                });
            }
            statements.push({
                Sid: "WriteLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${logGroupArn}:*`,
            });
            // Plain values were checked with the settings; this also covers values known only now.
            statements.push(...secretStatements(checkSecretRefs(prefix, names, valueFroms)));
            return JSON.stringify({ Version: "2012-10-17", Statement: statements });
        });
    return { role, policy: new aws.iam.RolePolicy(`${prefix}-execution`, { role: role.name, policy }, { parent }) };
}

export interface TaskRoleArgs {
    readonly proofsBucketArn: pulumi.Input<string>;
    readonly proofsKmsKeyArn?: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
}

export function createTaskRole(prefix: string, a: TaskRoleArgs, parent: pulumi.Resource): RoleWithPolicy {
    const role = new aws.iam.Role(
        `${prefix}-task`,
        {
            description: "CredLink API task: proofs/* in the proofs bucket",
            assumeRolePolicy: assumedByEcsTasks(a.accountId),
        },
        { parent },
    );
    const policy = pulumi.all([a.proofsBucketArn, a.proofsKmsKeyArn, a.region]).apply(([bucketArn, keyArn, region]) => {
        const statements: Record<string, unknown>[] = [
            // PutObjectTagging: the app tags each proof (type=proof) in the same PutObject call.
            {
                Sid: "ProofObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
                Resource: `${bucketArn}/proofs/*`,
            },
            // Lookup by image hash lists proofs/; listing anything else is denied by the prefix condition.
            {
                Sid: "ListProofs",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: bucketArn,
                Condition: { StringLike: { "s3:prefix": ["proofs/", "proofs/*"] } },
            },
        ];
        if (keyArn) {
            statements.push({
                Sid: "ProofsKey",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
            });
        }
        return JSON.stringify({ Version: "2012-10-17", Statement: statements });
    });
    return { role, policy: new aws.iam.RolePolicy(`${prefix}-task`, { role: role.name, policy }, { parent }) };
}
