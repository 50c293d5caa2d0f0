import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { denyInsecureTransport, PrivateBucket, PrivateBucketArgs } from "../components/private-bucket";
import { runProgram, StackRun, UNKNOWN } from "../tools/harness/run";
import { outputsOf, inputsOf, policyOf } from "./resources";

const T = {
    component: "credlink:storage:PrivateBucket",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000099";

async function build(args: PrivateBucketArgs | undefined, preview = false): Promise<StackRun> {
    return runProgram(
        () => {
            const b = new PrivateBucket("proofs", args);
            return {
                bucketName: b.bucketName,
                bucketArn: b.bucketArn,
                bucketRegionalDomainName: b.bucketRegionalDomainName,
                bucketDomainName: b.bucketDomainName,
            };
        },
        { config: { "aws:region": "eu-west-1" }, preview },
    );
}

async function errorOf(args: PrivateBucketArgs): Promise<string> {
    try {
        await build(args);
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected PrivateBucket to reject its arguments");
}

describe.each([{ preview: false }, { preview: true }])("PrivateBucket (preview: $preview)", ({ preview }) => {
    it("blocks all public access, encrypts with SSE-S3, disables ACLs and writes no policy by default", async () => {
        const run = await build(undefined, preview);
        const bucket = run.get(T.bucket, "proofs");
        expect(bucket.parent).toBe(run.get(T.component, "proofs").urn);
        expect([bucket.protect, bucket.retainOnDelete, bucket.inputs.forceDestroy]).toEqual([false, false, false]);
        expect(run.get(T.publicAccess, "proofs-public-access").inputs).toMatchObject({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(run.get(T.encryption, "proofs-encryption").inputs.rules).toEqual([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        expect(run.get(T.ownership, "proofs-ownership").inputs.rule).toEqual({
            objectOwnership: "BucketOwnerEnforced",
        });
        expect(run.ofType(T.versioning)).toHaveLength(0);
        expect(run.ofType(T.policy)).toHaveLength(0);
        expect(run.get(T.lifecycle, "proofs-lifecycle").inputs.rules).toEqual([
            {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: {},
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        // Every setting targets this bucket.
        for (const type of [T.publicAccess, T.encryption, T.ownership, T.lifecycle]) {
            const r = run.ofType(type)[0];
            expect(r.propertyDependencies.bucket).toEqual([bucket.urn]);
            if (!preview) expect(r.inputs.bucket).toBe(bucket.outputs.bucket);
        }
    });

    it("turns on versioning, KMS, lifecycle expiry and protection when asked", async () => {
        const run = await build(
            {
                versioning: true,
                kmsKeyArn: KEY,
                lifecycle: {
                    expireAfterDays: 365,
                    noncurrentVersionExpireAfterDays: 30,
                    abortIncompleteMultipartUploadDays: 2,
                },
                protect: true,
            },
            preview,
        );
        const bucket = run.get(T.bucket, "proofs");
        expect([bucket.protect, bucket.retainOnDelete]).toEqual([true, true]);
        expect(run.get(T.versioning, "proofs-versioning").inputs.versioningConfiguration).toEqual({
            status: "Enabled",
        });
        expect(run.get(T.encryption, "proofs-encryption").inputs.rules).toEqual([
            {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
                bucketKeyEnabled: true,
            },
        ]);
        const rules =
            inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(run.get(T.lifecycle, "proofs-lifecycle")).rules ?? [];
        expect(rules.map((r) => r.id)).toEqual([
            "abort-incomplete-multipart-uploads",
            "expire-objects",
            "expire-noncurrent-versions",
        ]);
        expect(rules[0].abortIncompleteMultipartUpload).toEqual({ daysAfterInitiation: 2 });
        expect(rules[1].expiration).toEqual({ days: 365 });
        expect(rules[2].noncurrentVersionExpiration).toEqual({ noncurrentDays: 30 });
        for (const r of rules) expect(r.status).toBe("Enabled");
    });

    it("enables ACLs only when asked, e.g. for CloudFront's legacy access logs", async () => {
        const run = await build({ objectOwnership: "BucketOwnerPreferred", forceDestroy: true }, preview);
        expect(run.get(T.ownership, "proofs-ownership").inputs.rule).toEqual({
            objectOwnership: "BucketOwnerPreferred",
        });
        expect(run.get(T.bucket, "proofs").inputs.forceDestroy).toBe(true);
    });

    it("writes the policy it is given, built from its own ARN, after the public access block", async () => {
        const run = await build(
            {
                policy: (arn) =>
                    pulumi.jsonStringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] }),
            },
            preview,
        );
        const policy = run.get(T.policy, "proofs-policy");
        expect(policy.dependencies).toContain(run.get(T.publicAccess, "proofs-public-access").urn);
        expect(policy.propertyDependencies.policy).toContain(run.get(T.bucket, "proofs").urn);
        if (preview) {
            expect(policy.inputs.policy).toBe(UNKNOWN);
        } else {
            const arn = outputsOf<aws.s3.BucketState>(run.get(T.bucket, "proofs")).arn;
            expect(policyOf(policy).Statement).toEqual([
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
        }
    });

    it("exports the names CloudFront and IAM need", async () => {
        const run = await build(undefined, preview);
        const bucket = outputsOf<aws.s3.BucketState>(run.get(T.bucket, "proofs"));
        if (preview) {
            // As in `pulumi preview` of a new stack: the provider's Check has auto-named the bucket,
            // but nothing S3 computes exists yet.
            expect(run.outputs.bucketName).toMatch(/^proofs-[0-9a-f]{7}$/);
            for (const key of ["bucketArn", "bucketRegionalDomainName", "bucketDomainName"])
                expect(run.outputs[key]).toBe(UNKNOWN);
            return;
        }
        expect(run.outputs).toEqual({
            bucketName: bucket.bucket,
            bucketArn: `arn:aws:s3:::${bucket.bucket}`,
            bucketRegionalDomainName: `${bucket.bucket}.s3.eu-west-1.amazonaws.com`,
            bucketDomainName: `${bucket.bucket}.s3.amazonaws.com`,
        });
        expect(bucket.bucket).toMatch(/^proofs-[0-9a-f]{7}$/);
    });
});

describe("PrivateBucket argument errors", () => {
    it.each<[string, PrivateBucketArgs, string]>([
        [
            "an unknown ownership",
            { objectOwnership: "Public" as never },
            'PrivateBucket proofs: objectOwnership = "Public" must be one of BucketOwnerEnforced, ' +
                "BucketOwnerPreferred, ObjectWriter",
        ],
        [
            "a zero-day expiry",
            { lifecycle: { expireAfterDays: 0 } },
            "PrivateBucket proofs: lifecycle.expireAfterDays = 0 must be a whole number of days between 1 and 36500",
        ],
        [
            "a fractional expiry",
            { lifecycle: { abortIncompleteMultipartUploadDays: 1.5 } },
            "PrivateBucket proofs: lifecycle.abortIncompleteMultipartUploadDays = 1.5 must be a " +
                "whole number of days between 1 and 36500",
        ],
        [
            "noncurrent-version expiry without versioning",
            { lifecycle: { noncurrentVersionExpireAfterDays: 30 } },
            "PrivateBucket proofs: lifecycle.noncurrentVersionExpireAfterDays = 30 needs versioning = true",
        ],
    ])("rejects %s with one exact line", async (_what, args, line) => {
        expect(await errorOf(args)).toBe(line);
    });
});
