/**
 * Least-privilege roles for the service: the execution role (ECS agent: pull the
 * image, write logs, read the declared secrets) and the task role (the app: read
 * and write `proofs/*` in the proofs bucket, nothing else).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/;

/** Repository ARN of an ECR image reference, or undefined for other registries. */
export function ecrRepositoryArn(image: string, partition: string): string | undefined {
    const m = ECR_IMAGE.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/** ECS `valueFrom` may select a JSON key (`<secret arn>:<key>:<stage>:<version>`); IAM wants the secret ARN. */
export function secretArnOf(valueFrom: string): string {
    return valueFrom.split(":").slice(0, 7).join(":");
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

export interface ExecutionRoleArgs {
    readonly image: pulumi.Input<string>;
    readonly logGroupArn: pulumi.Input<string>;
    readonly secretValueFroms: pulumi.Input<string>[];
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
            description: "ECS agent for the CredLink API: pull image, write logs",
            assumeRolePolicy: assumedByEcsTasks(a.accountId),
        },
        { parent },
    );
    const policy = pulumi
        .all([a.image, a.partition, a.logGroupArn, pulumi.all(a.secretValueFroms)])
        .apply(([image, partition, logGroupArn, secrets]) => {
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
            if (secrets.length > 0) {
                statements.push({
                    Sid: "ReadSecrets",
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: [...new Set(secrets.map(secretArnOf))].sort(),
                });
            }
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
