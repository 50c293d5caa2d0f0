import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export type ObjectOwnership = "BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter";

export interface PrivateBucketLifecycle {
    /** Delete current objects this many days after they are written. Default: never. */
    readonly expireAfterDays?: number;
    /** Delete superseded versions this many days after they become noncurrent (versioned buckets). Default: never. */
    readonly noncurrentVersionExpireAfterDays?: number;
    /** Abort multipart uploads left incomplete this many days. Default: 7. */
    readonly abortIncompleteMultipartUploadDays?: number;
}

export interface PrivateBucketArgs {
    /** Keep every version of every object (protects against overwrites and deletes). Default: false. */
    readonly versioning?: boolean;
    /**
     * SSE-KMS with this customer-managed key instead of SSE-S3. Default: SSE-S3 (AES256).
     * A KMS key's policy must then also let every reader decrypt (e.g. CloudFront for an OAC origin).
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * S3 Object Ownership. Default: BucketOwnerEnforced (ACLs disabled). CloudFront's standard
     * (legacy) access logging writes with ACLs, so its log bucket needs BucketOwnerPreferred.
     */
    readonly objectOwnership?: ObjectOwnership;
    /** Lifecycle rules. Default: only the abort-incomplete-multipart-upload rule. */
    readonly lifecycle?: PrivateBucketLifecycle;
    /** Pulumi `protect` + `retainOnDelete` on the bucket: `pulumi destroy` cannot delete its data. Default: false. */
    readonly protect?: boolean;
    /** Let `pulumi destroy` delete a bucket that still holds objects (only for throwaway stacks). Default: false. */
    readonly forceDestroy?: boolean;
    /**
     * The bucket policy, built from the bucket's ARN. Default: none. S3 allows one policy per
     * bucket, so leave this unset when another component (e.g. the CDN) writes the policy.
     */
    readonly policy?: (bucketArn: pulumi.Output<string>) => pulumi.Input<string>;
}

const OWNERSHIP: readonly ObjectOwnership[] = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"];

function checkDays(component: string, arg: string, value: number | undefined): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < 1 || value > 36500) {
        throw new Error(`${component}: ${arg} = ${value} must be a whole number of days between 1 and 36500`);
    }
}

/** A policy statement that refuses every request to the bucket that does not use TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export interface ServerAccessLogSource {
    /** Statement ID in the log bucket's policy. */
    readonly sid: string;
    /** The bucket whose server access logs are delivered. */
    readonly bucketArn: pulumi.Input<string>;
    /** Its target prefix in the log bucket, e.g. `s3/proofs/`. */
    readonly prefix: string;
    readonly logBucketArn: pulumi.Input<string>;
    /** The account of both buckets: S3 only delivers server access logs within one account. */
    readonly accountId: pulumi.Input<string>;
}

/**
 * The log bucket's policy statement that lets S3's log delivery write one source bucket's server
 * access logs, only under that source's prefix (AWS S3 User Guide, "Permissions for log delivery":
 * `logging.s3.amazonaws.com`, `s3:PutObject`, `aws:SourceArn` + `aws:SourceAccount`). It works whatever
 * the log bucket's Object Ownership, and it is the only way with BucketOwnerEnforced.
 */
export function serverAccessLogDelivery(s: ServerAccessLogSource): Record<string, unknown> {
    return {
        Sid: s.sid,
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: pulumi.interpolate`${s.logBucketArn}/${s.prefix}*`,
        Condition: {
            ArnLike: { "aws:SourceArn": s.bucketArn },
            StringEquals: { "aws:SourceAccount": s.accountId },
        },
    };
}

/**
 * A private S3 bucket: all four public-access blocks, default encryption, object
 * ownership controls, optional versioning and lifecycle. It writes no bucket
 * policy unless `policy` asks for one.
 */
export class PrivateBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** `<bucket>.s3.<region>.amazonaws.com`: the origin domain for CloudFront. */
    public readonly bucketRegionalDomainName: pulumi.Output<string>;
    /** `<bucket>.s3.amazonaws.com`: the form CloudFront access logging expects. */
    public readonly bucketDomainName: pulumi.Output<string>;

    constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:storage:PrivateBucket", name, {}, opts);
        const component = `PrivateBucket ${name}`;
        const ownership = args.objectOwnership ?? "BucketOwnerEnforced";
        if (!OWNERSHIP.includes(ownership)) {
            throw new Error(
                `${component}: objectOwnership = ${JSON.stringify(ownership)} must be one of ${OWNERSHIP.join(", ")}`,
            );
        }
        const lifecycle = args.lifecycle ?? {};
        checkDays(component, "lifecycle.expireAfterDays", lifecycle.expireAfterDays);
        checkDays(component, "lifecycle.noncurrentVersionExpireAfterDays", lifecycle.noncurrentVersionExpireAfterDays);
        checkDays(
            component,
            "lifecycle.abortIncompleteMultipartUploadDays",
            lifecycle.abortIncompleteMultipartUploadDays,
        );
        if (lifecycle.noncurrentVersionExpireAfterDays !== undefined && !args.versioning) {
            throw new Error(
                `${component}: lifecycle.noncurrentVersionExpireAfterDays = ` +
                    `${lifecycle.noncurrentVersionExpireAfterDays} needs versioning = true`,
            );
        }

        const protect = args.protect ?? false;
        const bucket = new aws.s3.Bucket(
            name,
            { forceDestroy: args.forceDestroy ?? false },
            { parent: this, protect, retainOnDelete: protect },
        );
        const child = { parent: this };

        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            child,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    args.kmsKeyArn === undefined
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                        : {
                              applyServerSideEncryptionByDefault: {
                                  sseAlgorithm: "aws:kms",
                                  kmsMasterKeyId: args.kmsKeyArn,
                              },
                              bucketKeyEnabled: true,
                          },
                ],
            },
            child,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: ownership } },
            child,
        );
        if (args.versioning) {
            new aws.s3.BucketVersioning(
                `${name}-versioning`,
                { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
                child,
            );
        }

        const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
            {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: {},
                abortIncompleteMultipartUpload: {
                    daysAfterInitiation: lifecycle.abortIncompleteMultipartUploadDays ?? 7,
                },
            },
        ];
        if (lifecycle.expireAfterDays !== undefined) {
            rules.push({
                id: "expire-objects",
                status: "Enabled",
                filter: {},
                expiration: { days: lifecycle.expireAfterDays },
            });
        }
        if (lifecycle.noncurrentVersionExpireAfterDays !== undefined) {
            rules.push({
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: lifecycle.noncurrentVersionExpireAfterDays },
            });
        }
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules }, child);

        if (args.policy !== undefined) {
            // After the public access block, so S3 judges the policy with the blocks in place.
            new aws.s3.BucketPolicy(
                `${name}-policy`,
                { bucket: bucket.id, policy: args.policy(bucket.arn) },
                { parent: this, dependsOn: [publicAccess] },
            );
        }

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.bucketRegionalDomainName = bucket.bucketRegionalDomainName;
        this.bucketDomainName = bucket.bucketDomainName;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketRegionalDomainName: this.bucketRegionalDomainName,
            bucketDomainName: this.bucketDomainName,
        });
    }
}
