import * as fs from "node:fs";
import type * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { CdnDistribution, CdnDistributionArgs, PROOFS_URI_FUNCTION_FILE } from "../components/cdn";
import { checkTopicRegion } from "../components/cdn/alarms";
import { checkCertificateRegion } from "../components/cdn/args";
import { TTL } from "../policies/slo";
import { runProgram, StackRun, UNKNOWN } from "../tools/harness/run";
import { inputsOf, outputsOf, policyOf } from "./resources";

const T = {
    distribution: "aws:cloudfront/distribution:Distribution",
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    headers: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    subscription: "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    certificate: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    fn: "aws:cloudfront/function:Function",
    logging: "aws:s3/bucketLogging:BucketLogging",
};
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const US_EAST_1_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const EU_CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:credlink-alerts";
const SECRET = "origin-verify-secret-0123456789";
const PROOFS = {
    bucketName: "credlink-proofs",
    bucketArn: "arn:aws:s3:::credlink-proofs",
    bucketRegionalDomainName: "credlink-proofs.s3.eu-west-1.amazonaws.com",
};

const baseArgs = (extra: Partial<CdnDistributionArgs> = {}): CdnDistributionArgs => ({
    apiOrigin: { domainName: "origin.api.example.com", protocol: "https-only" },
    originVerifySecret: SECRET,
    proofsBucket: PROOFS,
    alarmTopicArn: TOPIC,
    ...extra,
});

interface Built {
    run: StackRun;
    /** Physical IDs of the custom resources by logical name ("" in preview). */
    ids: Record<string, string>;
}

/** Build the component in a stack whose own region is eu-west-1, so every us-east-1 placement is deliberate. */
async function build(args: CdnDistributionArgs, preview = false): Promise<Built> {
    const run = await runProgram(
        () => {
            const cdn = new CdnDistribution("cdn", args);
            return {
                distributionId: cdn.distributionId,
                distributionArn: cdn.distributionArn,
                url: cdn.url,
                proofsBaseUrl: cdn.proofsBaseUrl,
                staticBucketName: cdn.staticBucketName,
                logBucketName: cdn.logBucketName,
                webAclArn: cdn.webAclArn,
                alarmNames: cdn.alarmNames,
                alarms: cdn.alarms,
                alarmRegion: cdn.alarmRegion,
            };
        },
        { config: { "aws:region": "eu-west-1" }, preview },
    );
    return { run, ids: Object.fromEntries(run.resources.filter((r) => r.custom).map((r) => [r.name, r.id])) };
}

async function errorOf(args: CdnDistributionArgs, preview = false): Promise<string> {
    try {
        await build(args, preview);
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected the component to reject its arguments");
}

const distributionOf = (run: StackRun) => inputsOf<aws.cloudfront.DistributionArgs>(run.get(T.distribution, "cdn"));
const behaviour = (run: StackRun, pathPattern: string) => {
    const found = distributionOf(run).orderedCacheBehaviors?.find((b) => b.pathPattern === pathPattern);
    if (!found) throw new Error(`no behaviour for ${pathPattern}`);
    return found;
};
const origin = (run: StackRun, id: string) => {
    const found = distributionOf(run).origins.find((o) => o.originId === id);
    if (!found) throw new Error(`no origin ${id}`);
    return found;
};
const cachePolicyOf = (run: StackRun, name: string) =>
    inputsOf<aws.cloudfront.CachePolicyArgs>(run.get(T.cachePolicy, name));
const bucketOf = (run: StackRun, name: string) => outputsOf<aws.s3.BucketState>(run.get(T.bucket, name));
const unwrapSecret = (v: unknown) =>
    v && typeof v === "object" && SECRET_SIG_KEY in v
        ? { secret: true, value: "value" in v ? v.value : undefined }
        : { secret: false, value: v };

describe.each([{ preview: false }, { preview: true }])(
    "CdnDistribution behaviours (preview: $preview)",
    ({ preview }) => {
        it(
            "sends the default behaviour to the API uncached, with every method and all viewer " + "values except Host",
            async () => {
                const { run } = await build(baseArgs(), preview);
                const d = distributionOf(run).defaultCacheBehavior;
                expect(d.targetOriginId).toBe("api");
                expect(d.allowedMethods).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
                expect(d.cachedMethods).toEqual(["GET", "HEAD"]);
                // AWS's own IDs (CachingDisabled, AllViewerExceptHostHeader): a wrong shared constant fails here.
                expect(d.cachePolicyId).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
                expect(d.originRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
                expect(d.viewerProtocolPolicy).toBe("redirect-to-https");
                expect(d.compress).toBe(true);
                expect(d.forwardedValues).toBeUndefined();
            },
        );

        it(
            "serves /static/* and /proofs/* from their buckets with read-only methods, compression " +
                "and no origin request policy",
            async () => {
                const { run } = await build(baseArgs(), preview);
                const behaviours = distributionOf(run).orderedCacheBehaviors ?? [];
                expect(behaviours.map((b) => [b.pathPattern, b.targetOriginId])).toEqual([
                    ["/proofs/*", "proofs"],
                    ["/static/*", "static"],
                ]);
                for (const b of behaviours) {
                    expect(b.allowedMethods).toEqual(["GET", "HEAD", "OPTIONS"]);
                    expect(b.cachedMethods).toEqual(["GET", "HEAD"]);
                    expect(b.viewerProtocolPolicy).toBe("redirect-to-https");
                    expect(b.compress).toBe(true);
                    expect(b.originRequestPolicyId).toBeUndefined();
                    expect(b.forwardedValues).toBeUndefined();
                    expect(b.minTtl ?? 0).toBe(0);
                }
            },
        );

        it(
            "gives each S3 behaviour its own cache policy with the SLO module's TTL band, gzip and " +
                "brotli, and an empty cache key",
            async () => {
                const { run } = await build(baseArgs(), preview);
                // The SLO module's bands: 1 d / 1 w / 1 y and 1 h / 1 d / 1 w.
                const expected = {
                    "cdn-static-cache": { minTtl: 86400, defaultTtl: 604800, maxTtl: 31536000 },
                    "cdn-proofs-cache": { minTtl: 3600, defaultTtl: 86400, maxTtl: 604800 },
                };
                expect(
                    run
                        .ofType(T.cachePolicy)
                        .map((p) => p.name)
                        .sort(),
                ).toEqual(Object.keys(expected).sort());
                for (const [name, band] of Object.entries(expected)) {
                    const p = cachePolicyOf(run, name);
                    expect({ minTtl: p.minTtl, defaultTtl: p.defaultTtl, maxTtl: p.maxTtl }).toEqual(band);
                    expect(p.parametersInCacheKeyAndForwardedToOrigin).toEqual({
                        cookiesConfig: { cookieBehavior: "none" },
                        headersConfig: { headerBehavior: "none" },
                        queryStringsConfig: { queryStringBehavior: "none" },
                        enableAcceptEncodingGzip: true,
                        enableAcceptEncodingBrotli: true,
                    });
                }
            },
        );

        it(
            "maps proof URIs onto their objects with a viewer-request function on the proofs " + "behaviour only",
            async () => {
                const { run } = await build(baseArgs(), preview);
                const fn = run.get(T.fn, "cdn-proofs-uri");
                expect(fn.parent).toBe(run.get("credlink:cdn:CdnDistribution", "cdn").urn);
                expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
                // The code CloudFront runs is the file test/proofs-uri-function.test.ts runs.
                expect(fn.inputs.code).toBe(fs.readFileSync(PROOFS_URI_FUNCTION_FILE, "utf8"));
                expect((fn.inputs.comment as string).length).toBeLessThanOrEqual(128);
                const functionArn = preview ? UNKNOWN : (fn.outputs.arn as string);
                if (!preview)
                    expect(functionArn).toMatch(/^arn:aws:cloudfront::123456789012:function\/cdn-proofs-uri-/);
                expect(behaviour(run, "/proofs/*").functionAssociations).toEqual([
                    { eventType: "viewer-request", functionArn },
                ]);
                expect(behaviour(run, "/static/*").functionAssociations).toBeUndefined();
                expect(distributionOf(run).defaultCacheBehavior.functionAssociations).toBeUndefined();
            },
        );

        it("takes path patterns and TTLs from its arguments", async () => {
            const { run } = await build(
                baseArgs({
                    static: { pathPattern: "/assets/*", minTtl: 60, defaultTtl: 120, maxTtl: 240 },
                    proofs: { pathPattern: "/p/*", minTtl: 0, defaultTtl: 10, maxTtl: 20 },
                }),
                preview,
            );
            expect(behaviour(run, "/assets/*").targetOriginId).toBe("static");
            expect(behaviour(run, "/p/*").targetOriginId).toBe("proofs");
            expect(run.get(T.cachePolicy, "cdn-static-cache").inputs).toMatchObject({
                minTtl: 60,
                defaultTtl: 120,
                maxTtl: 240,
            });
            expect(run.get(T.cachePolicy, "cdn-proofs-cache").inputs).toMatchObject({
                minTtl: 0,
                defaultTtl: 10,
                maxTtl: 20,
            });
        });

        it(
            "turns compression caching off only for a policy that never caches (CloudFront rejects " + "it there)",
            async () => {
                const { run } = await build(
                    baseArgs({ proofs: { pathPattern: "/proofs/*", minTtl: 0, defaultTtl: 0, maxTtl: 0 } }),
                    preview,
                );
                const p = cachePolicyOf(run, "cdn-proofs-cache");
                expect(p.parametersInCacheKeyAndForwardedToOrigin.enableAcceptEncodingGzip).toBe(false);
                expect(p.parametersInCacheKeyAndForwardedToOrigin.enableAcceptEncodingBrotli).toBe(false);
                expect(
                    cachePolicyOf(run, "cdn-static-cache").parametersInCacheKeyAndForwardedToOrigin
                        .enableAcceptEncodingGzip,
                ).toBe(true);
            },
        );

        it(
            "attaches a response-headers policy with HSTS and the usual security headers to every " + "behaviour",
            async () => {
                const { run } = await build(baseArgs(), preview);
                const h = inputsOf<aws.cloudfront.ResponseHeadersPolicyArgs>(
                    run.get(T.headers, "cdn-security-headers"),
                );
                expect(h.securityHeadersConfig).toEqual({
                    strictTransportSecurity: {
                        accessControlMaxAgeSec: 63072000,
                        includeSubdomains: true,
                        preload: false,
                        override: true,
                    },
                    contentTypeOptions: { override: true },
                    frameOptions: { frameOption: "DENY", override: true },
                    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
                    xssProtection: { protection: false, override: true },
                });
                const d = distributionOf(run);
                const ids = [d.defaultCacheBehavior, ...(d.orderedCacheBehaviors ?? [])].map(
                    (b) => b.responseHeadersPolicyId,
                );
                expect(ids).toHaveLength(3);
                expect(new Set(ids).size).toBe(1);
                expect(ids[0]).toBeDefined();
            },
        );

        it("connects to the API over HTTPS with TLS 1.2 and adds the origin-verify header as a secret", async () => {
            const { run } = await build(baseArgs(), preview);
            const api = origin(run, "api");
            expect(api.domainName).toBe("origin.api.example.com");
            expect(api.customOriginConfig).toEqual({
                httpPort: 80,
                httpsPort: 443,
                originProtocolPolicy: "https-only",
                originSslProtocols: ["TLSv1.2"],
            });
            expect(api.customHeaders).toHaveLength(1);
            // The name the ALB listener rule requires (test/scaling-service.test.ts checks the same literal).
            expect(api.customHeaders?.[0].name).toBe("X-Origin-Verify");
            expect(unwrapSecret(api.customHeaders?.[0].value)).toEqual({ secret: true, value: SECRET });
        });

        it("talks plain HTTP to an ALB without a certificate when asked to", async () => {
            const { run } = await build(
                baseArgs({ apiOrigin: { domainName: "alb-123.eu-west-1.elb.amazonaws.com", protocol: "http-only" } }),
                preview,
            );
            expect(origin(run, "api").customOriginConfig?.originProtocolPolicy).toBe("http-only");
            expect(origin(run, "api").domainName).toBe("alb-123.eu-west-1.elb.amazonaws.com");
        });

        it("reaches both buckets through one sigv4 Origin Access Control, never an OAI", async () => {
            const { run } = await build(baseArgs(), preview);
            expect(run.ofType(T.oac)).toHaveLength(1);
            expect(run.get(T.oac, "cdn-s3-oac").inputs).toMatchObject({
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            });
            expect(run.ofType("aws:cloudfront/originAccessIdentity:OriginAccessIdentity")).toHaveLength(0);
            expect(origin(run, "proofs").domainName).toBe(PROOFS.bucketRegionalDomainName);
            for (const id of ["static", "proofs"]) {
                expect(origin(run, id).originAccessControlId).toBeDefined();
                expect(origin(run, id).s3OriginConfig).toBeUndefined();
                expect(origin(run, id).customOriginConfig).toBeUndefined();
            }
            expect(origin(run, "static").originAccessControlId).toBe(origin(run, "proofs").originAccessControlId);
        });

        it("serves HTTP/2 and HTTP/3 over IPv4 and IPv6 from the configured price class", async () => {
            const { run } = await build(baseArgs({ priceClass: "PriceClass_All" }), preview);
            const d = distributionOf(run);
            expect(d.httpVersion).toBe("http2and3");
            expect(d.isIpv6Enabled).toBe(true);
            expect(d.enabled).toBe(true);
            expect(d.priceClass).toBe("PriceClass_All");
            expect(distributionOf((await build(baseArgs(), preview)).run).priceClass).toBe("PriceClass_100");
        });
    },
);

describe.each([{ preview: false }, { preview: true }])("CdnDistribution TLS (preview: $preview)", ({ preview }) => {
    it("uses a given us-east-1 certificate with SNI and TLSv1.2_2021 for the aliases", async () => {
        const { run } = await build(
            baseArgs({ aliases: ["api.example.com"], certificateArn: US_EAST_1_CERT }),
            preview,
        );
        const d = distributionOf(run);
        expect(d.aliases).toEqual(["api.example.com"]);
        expect(d.viewerCertificate).toEqual({
            acmCertificateArn: US_EAST_1_CERT,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
        });
        expect(run.ofType(T.certificate)).toHaveLength(0);
        expect(run.ofType(T.record)).toHaveLength(0);
    });

    it("falls back to the default cloudfront.net certificate without aliases", async () => {
        const { run } = await build(baseArgs(), preview);
        const d = distributionOf(run);
        expect(d.viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
        expect(d.aliases).toBeUndefined();
    });

    it(
        "creates and DNS-validates a certificate in us-east-1 when given a hosted zone, and points " +
            "alias records at the distribution",
        async () => {
            const { run } = await build(
                baseArgs({ aliases: ["cdn.example.com"], hostedZoneId: "Z0123456789ABCDEFGHIJ" }),
                preview,
            );
            const cert = run.get(T.certificate, "cdn-certificate").inputs;
            expect(cert).toMatchObject({
                region: "us-east-1",
                domainName: "cdn.example.com",
                subjectAlternativeNames: [],
                validationMethod: "DNS",
            });
            const validation = run.get(T.validation, "cdn-certificate-validation");
            expect(validation.inputs.region).toBe("us-east-1");
            const validationRecord = inputsOf<aws.route53.RecordArgs>(
                run.get(T.record, "cdn-certificate-validation-0"),
            );
            expect(validationRecord.zoneId).toBe("Z0123456789ABCDEFGHIJ");
            for (const type of ["a", "aaaa"]) {
                const alias = inputsOf<aws.route53.RecordArgs>(run.get(T.record, `cdn-alias-0-${type}`));
                expect(alias).toMatchObject({
                    zoneId: "Z0123456789ABCDEFGHIJ",
                    name: "cdn.example.com",
                    type: type.toUpperCase(),
                });
                expect(alias.aliases?.[0].evaluateTargetHealth).toBe(false);
            }
            const d = distributionOf(run);
            expect(d.viewerCertificate.sslSupportMethod).toBe("sni-only");
            expect(d.viewerCertificate.minimumProtocolVersion).toBe("TLSv1.2_2021");
            // The distribution waits for the validated certificate, not the pending one.
            expect(run.get(T.distribution, "cdn").propertyDependencies.viewerCertificate).toContain(validation.urn);
            if (!preview) {
                expect(d.viewerCertificate.acmCertificateArn).toMatch(
                    /^arn:aws:acm:us-east-1:123456789012:certificate\//,
                );
                expect(validationRecord.type).toBe("CNAME");
                expect(validation.inputs.validationRecordFqdns).toEqual([validationRecord.name.replace(/\.$/, "")]);
            }
        },
    );
});

describe("CdnDistribution wiring (normal mode)", () => {
    it("points each behaviour at its own cache policy and every behaviour at the security headers policy", async () => {
        const { run, ids } = await build(baseArgs());
        expect(behaviour(run, "/static/*").cachePolicyId).toBe(ids["cdn-static-cache"]);
        expect(behaviour(run, "/proofs/*").cachePolicyId).toBe(ids["cdn-proofs-cache"]);
        expect(ids["cdn-static-cache"]).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
        expect(ids["cdn-static-cache"]).not.toBe(ids["cdn-proofs-cache"]);
        expect(ids["cdn-s3-oac"]).toMatch(/^E[0-9A-F]{13}$/);
        expect(distributionOf(run).defaultCacheBehavior.responseHeadersPolicyId).toBe(ids["cdn-security-headers"]);
        expect(origin(run, "static").originAccessControlId).toBe(ids["cdn-s3-oac"]);
        const staticBucket = bucketOf(run, "cdn-static");
        expect(origin(run, "static").domainName).toBe(staticBucket.bucketRegionalDomainName);
        expect(staticBucket.bucketRegionalDomainName).toMatch(/\.s3\.eu-west-1\.amazonaws\.com$/);
    });

    it("exports the distribution, buckets and URL", async () => {
        const { run } = await build(baseArgs());
        const d = outputsOf<aws.cloudfront.DistributionState>(run.get(T.distribution, "cdn"));
        expect(run.outputs.distributionArn).toBe(d.arn);
        expect(run.outputs.distributionArn).toMatch(/^arn:aws:cloudfront::123456789012:distribution\/E[0-9A-F]{13}$/);
        expect(run.outputs.url).toBe(`https://${d.domainName}`);
        expect(run.outputs.staticBucketName).toBe(bucketOf(run, "cdn-static").bucket);
        expect(run.outputs.logBucketName).toBe(bucketOf(run, "cdn-logs").bucket);
        const withAlias = await build(baseArgs({ aliases: ["api.example.com"], certificateArn: US_EAST_1_CERT }));
        expect(withAlias.run.outputs.url).toBe("https://api.example.com");
    });

    it("gives the base of proof URIs: the public host and the proofs path", async () => {
        const { run } = await build(baseArgs());
        const d = outputsOf<aws.cloudfront.DistributionState>(run.get(T.distribution, "cdn"));
        expect(run.outputs.proofsBaseUrl).toBe(`https://${d.domainName}/proofs`);
        const aliased = baseArgs({ aliases: ["api.example.com"], certificateArn: US_EAST_1_CERT });
        // With an alias it is known before anything exists, in preview too.
        expect((await build(aliased, true)).run.outputs.proofsBaseUrl).toBe("https://api.example.com/proofs");
        const custom = await build({ ...aliased, proofs: { pathPattern: "/p/*", ...TTL.proofs } });
        expect(custom.run.outputs.proofsBaseUrl).toBe("https://api.example.com/p");
    });
});

describe.each([{ preview: false }, { preview: true }])(
    "CdnDistribution logging and buckets (preview: $preview)",
    ({ preview }) => {
        it(
            "logs to a bucket CloudFront's log delivery can write to, created before the " +
                "distribution, with lifecycle expiry",
            async () => {
                const { run } = await build(baseArgs({ loggingEnabled: true, logRetentionDays: 30 }), preview);
                const d = distributionOf(run);
                expect(d.loggingConfig?.prefix).toBe("cloudfront/");
                expect(d.loggingConfig?.includeCookies).toBe(false);
                if (!preview) expect(d.loggingConfig?.bucket).toBe(bucketOf(run, "cdn-logs").bucketDomainName);
                expect(run.get(T.ownership, "cdn-logs-ownership").inputs.rule).toEqual({
                    objectOwnership: "BucketOwnerPreferred",
                });
                expect(run.get(T.distribution, "cdn").dependencies).toContain(
                    run.get(T.ownership, "cdn-logs-ownership").urn,
                );
                const rules = inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(
                    run.get(T.lifecycle, "cdn-logs-lifecycle"),
                ).rules;
                expect(rules?.find((r) => r.id === "expire-objects")?.expiration).toEqual({ days: 30 });
                // Static assets keep ACLs disabled: only the log bucket needs them.
                expect(run.get(T.ownership, "cdn-static-ownership").inputs.rule).toEqual({
                    objectOwnership: "BucketOwnerEnforced",
                });
            },
        );

        it("creates no log bucket and no logging config when both kinds of access logs are off", async () => {
            const { run } = await build(baseArgs({ loggingEnabled: false, s3AccessLoggingEnabled: false }), preview);
            expect(distributionOf(run).loggingConfig).toBeUndefined();
            expect(run.ofType(T.bucket).map((b) => b.name)).toEqual(["cdn-static"]);
            expect(run.ofType(T.logging)).toEqual([]);
            if (!preview) expect(run.outputs.logBucketName).toBeUndefined();
        });

        it("keeps the log bucket for S3 access logs when CloudFront logging is off", async () => {
            const { run } = await build(baseArgs({ loggingEnabled: false }), preview);
            expect(distributionOf(run).loggingConfig).toBeUndefined();
            expect(run.ofType(T.bucket).map((b) => b.name)).toEqual(["cdn-static", "cdn-logs"]);
            expect(
                run
                    .ofType(T.logging)
                    .map((l) => l.name)
                    .sort(),
            ).toEqual(["cdn-proofs-access-logs", "cdn-static-access-logs"]);
            // Still ACL-capable: S3 refuses to disable ACLs once CloudFront's grant is on the bucket.
            expect(run.get(T.ownership, "cdn-logs-ownership").inputs.rule).toEqual({
                objectOwnership: "BucketOwnerPreferred",
            });
        });

        it(
            "logs S3 server access of both origin buckets under their own prefixes, after the policies " +
                "that admit the delivery",
            async () => {
                const { run } = await build(baseArgs(), preview);
                const logBucketPolicy = run.get(T.bucketPolicy, "cdn-logs-policy").urn;
                const cases = [
                    { name: "cdn-static-access-logs", prefix: "s3/static/", policy: "cdn-static-policy" },
                    { name: "cdn-proofs-access-logs", prefix: "s3/proofs/", policy: "cdn-proofs-policy" },
                ];
                for (const c of cases) {
                    const logging = run.get(T.logging, c.name);
                    expect(logging.parent).toBe(run.get("credlink:cdn:CdnDistribution", "cdn").urn);
                    expect(logging.inputs).toMatchObject({
                        targetPrefix: c.prefix,
                        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
                    });
                    expect(logging.inputs.targetGrants).toBeUndefined();
                    expect(logging.dependencies, c.name).toEqual(
                        expect.arrayContaining([logBucketPolicy, run.get(T.bucketPolicy, c.policy).urn]),
                    );
                    if (!preview) expect(logging.inputs.targetBucket).toBe(bucketOf(run, "cdn-logs").bucket);
                }
                expect(run.get(T.logging, "cdn-proofs-access-logs").inputs.bucket).toBe(PROOFS.bucketName);
                if (!preview)
                    expect(run.get(T.logging, "cdn-static-access-logs").inputs.bucket).toBe(
                        bucketOf(run, "cdn-static").bucket,
                    );
            },
        );

        it("protects the data buckets unless protectData is false", async () => {
            const on = await build(baseArgs(), preview);
            for (const name of ["cdn-static", "cdn-logs"]) {
                const b = on.run.get(T.bucket, name);
                expect([b.protect, b.retainOnDelete, b.inputs.forceDestroy]).toEqual([true, true, false]);
            }
            const off = await build(baseArgs({ protectData: false }), preview);
            for (const name of ["cdn-static", "cdn-logs"]) {
                const b = off.run.get(T.bucket, name);
                expect([b.protect, b.retainOnDelete, b.inputs.forceDestroy]).toEqual([false, false, true]);
            }
        });

        it("writes each OAC bucket policy after the distribution it names", async () => {
            const { run } = await build(baseArgs(), preview);
            const distributionUrn = run.get(T.distribution, "cdn").urn;
            for (const name of ["cdn-static-policy", "cdn-proofs-policy"]) {
                expect(run.get(T.bucketPolicy, name).propertyDependencies.policy).toContain(distributionUrn);
            }
            expect(run.get(T.bucketPolicy, "cdn-proofs-policy").inputs.bucket).toBe(PROOFS.bucketName);
            if (preview) expect(run.get(T.bucketPolicy, "cdn-proofs-policy").inputs.policy).toBe(UNKNOWN);
        });
    },
);

describe("CdnDistribution OAC bucket policies (normal mode)", () => {
    it("lets only this distribution read, only under each behaviour's path, and denies non-TLS access", async () => {
        const { run } = await build(baseArgs({ static: { pathPattern: "/assets/*", ...TTL.static } }));
        const distributionArn = outputsOf<aws.cloudfront.DistributionState>(run.get(T.distribution, "cdn")).arn;
        const staticArn = bucketOf(run, "cdn-static").arn;
        const cases = [
            { policy: "cdn-static-policy", bucketArn: staticArn, objects: `${staticArn}/assets/*` },
            { policy: "cdn-proofs-policy", bucketArn: PROOFS.bucketArn, objects: `${PROOFS.bucketArn}/proofs/*` },
        ];
        for (const c of cases) {
            const doc = policyOf(run.get(T.bucketPolicy, c.policy));
            expect(doc.Statement).toHaveLength(2);
            const allow = doc.Statement.find((s) => s.Effect === "Allow");
            expect(allow?.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
            expect(allow?.Action).toBe("s3:GetObject");
            expect(allow?.Resource).toBe(c.objects);
            expect(allow?.Condition).toEqual({ StringEquals: { "aws:SourceArn": distributionArn } });
            const deny = doc.Statement.find((s) => s.Effect === "Deny");
            expect(deny).toMatchObject({
                Principal: "*",
                Action: "s3:*",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
            expect(deny?.Resource).toEqual([c.bucketArn, `${c.bucketArn}/*`]);
        }
        expect(run.get(T.bucketPolicy, "cdn-static-policy").inputs.bucket).toBe(bucketOf(run, "cdn-static").bucket);
    });

    it(
        "lets S3 log delivery write each source's logs under its own prefix only, on behalf of that " +
            "bucket in this account; no reader; TLS only",
        async () => {
            const { run } = await build(baseArgs());
            const logArn = bucketOf(run, "cdn-logs").arn!;
            const staticArn = bucketOf(run, "cdn-static").arn!;
            const delivery = (sid: string, prefix: string, source: string) => ({
                Sid: sid,
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${logArn}/${prefix}*`,
                Condition: {
                    ArnLike: { "aws:SourceArn": source },
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                },
            });
            expect(policyOf(run.get(T.bucketPolicy, "cdn-logs-policy")).Statement).toEqual([
                delivery("StaticBucketAccessLogs", "s3/static/", staticArn),
                delivery("ProofsBucketAccessLogs", "s3/proofs/", PROOFS.bucketArn),
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [logArn, `${logArn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
        },
    );

    it("gives the log bucket a TLS-only policy and no writer but CloudFront's ACL without S3 access logs", async () => {
        const { run } = await build(baseArgs({ s3AccessLoggingEnabled: false }));
        const doc = policyOf(run.get(T.bucketPolicy, "cdn-logs-policy"));
        expect(doc.Statement).toHaveLength(1);
        expect(doc.Statement[0]).toMatchObject({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        expect(run.ofType(T.logging)).toEqual([]);
        expect(distributionOf(run).loggingConfig?.prefix).toBe("cloudfront/");
    });
});

describe.each([{ preview: false }, { preview: true }])("CdnDistribution WAF (preview: $preview)", ({ preview }) => {
    it("creates a CLOUDFRONT web ACL in us-east-1 with managed rule groups and a rate rule when enabled", async () => {
        const { run } = await build(baseArgs({ wafEnabled: true, wafRateLimitPer5Min: 1500 }), preview);
        const acl = inputsOf<aws.wafv2.WebAclArgs>(run.get(T.webAcl, "cdn-waf"));
        const rules = acl.rules ?? [];
        expect(acl.scope).toBe("CLOUDFRONT");
        expect(acl.region).toBe("us-east-1");
        expect(acl.defaultAction).toEqual({ allow: {} });
        expect(acl.visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
        const groups = rules.flatMap((r) => r.statement.managedRuleGroupStatement ?? []);
        expect(groups.map((g) => `${g.vendorName}/${g.name}`)).toEqual([
            "AWS/AWSManagedRulesAmazonIpReputationList",
            "AWS/AWSManagedRulesCommonRuleSet",
            "AWS/AWSManagedRulesKnownBadInputsRuleSet",
        ]);
        // Image uploads are larger than the common rule set's 8 KB body limit.
        expect(groups[1].ruleActionOverrides).toEqual([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
        const rate = rules.find((r) => r.statement.rateBasedStatement);
        expect(rate?.action).toEqual({ block: {} });
        expect(rate?.statement.rateBasedStatement).toEqual({
            aggregateKeyType: "IP",
            limit: 1500,
            evaluationWindowSec: 300,
        });
        expect(rules.map((r) => r.priority)).toEqual([0, 1, 2, 3]);
        for (const r of rules)
            expect(r.visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
        expect(new Set(rules.map((r) => r.visibilityConfig.metricName)).size).toBe(4);
        expect(run.get(T.distribution, "cdn").propertyDependencies.webAclId).toContain(
            run.get(T.webAcl, "cdn-waf").urn,
        );
        if (!preview) {
            expect(distributionOf(run).webAclId).toBe(run.get(T.webAcl, "cdn-waf").outputs.arn);
            expect(run.outputs.webAclArn).toBe(run.get(T.webAcl, "cdn-waf").outputs.arn);
        }
    });

    it("creates no web ACL when disabled", async () => {
        const { run } = await build(baseArgs({ wafEnabled: false }), preview);
        expect(run.ofType(T.webAcl)).toHaveLength(0);
        expect(distributionOf(run).webAclId).toBeUndefined();
        if (!preview) expect(run.outputs.webAclArn).toBeUndefined();
    });
});

describe.each([{ preview: false }, { preview: true }])("CdnDistribution alarms (preview: $preview)", ({ preview }) => {
    it("alarms in us-east-1 on 5xx rate above the SLO and cache-hit rate below it, notifying the topic", async () => {
        const { run } = await build(baseArgs(), preview);
        const alarms = run.ofType(T.alarm);
        expect(alarms.map((a) => a.name)).toEqual(["cdn-5xx-error-rate", "cdn-cache-hit-rate"]);
        for (const a of alarms) {
            const i = inputsOf<aws.cloudwatch.MetricAlarmArgs>(a);
            expect(i.region).toBe("us-east-1");
            expect(i.namespace).toBe("AWS/CloudFront");
            expect(i.statistic).toBe("Average");
            expect(i.dimensions?.Region).toBe("Global");
            expect(i.alarmActions).toEqual([TOPIC]);
            expect(i.okActions).toEqual([TOPIC]);
            expect(i.treatMissingData).toBe("notBreaching");
            expect(a.propertyDependencies.dimensions).toContain(run.get(T.distribution, "cdn").urn);
        }
        const errors = inputsOf<aws.cloudwatch.MetricAlarmArgs>(run.get(T.alarm, "cdn-5xx-error-rate"));
        // The SLO's 5 % error rate and 80 % cache-hit rate.
        expect(errors).toMatchObject({
            metricName: "5xxErrorRate",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
        });
        const hits = run.get(T.alarm, "cdn-cache-hit-rate").inputs;
        expect(hits).toMatchObject({
            metricName: "CacheHitRate",
            comparisonOperator: "LessThanThreshold",
            threshold: 80,
        });
        if (!preview) {
            expect(errors.dimensions?.DistributionId).toBe(run.get(T.distribution, "cdn").id);
            expect(run.outputs.distributionId).toBe(run.get(T.distribution, "cdn").id);
            expect(run.outputs.alarmNames).toEqual(alarms.map((a) => a.outputs.name));
            expect(run.outputs.alarms).toEqual(alarms.map((a) => ({ name: a.outputs.name, region: "us-east-1" })));
        }
        expect(run.outputs.alarmRegion).toBe("us-east-1");
    });

    it("turns on the additional metrics that CacheHitRate needs before alarming on it", async () => {
        const { run } = await build(baseArgs(), preview);
        const subscription = run.get(T.subscription, "cdn-additional-metrics");
        expect(subscription.inputs.monitoringSubscription).toEqual({
            realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" },
        });
        expect(subscription.propertyDependencies.distributionId).toContain(run.get(T.distribution, "cdn").urn);
        expect(run.get(T.alarm, "cdn-cache-hit-rate").dependencies).toContain(subscription.urn);
        if (!preview) expect(subscription.inputs.distributionId).toBe(run.outputs.distributionId);
    });

    it("uses the given thresholds and no actions without a topic", async () => {
        const { run } = await build(
            baseArgs({ alarmTopicArn: undefined, errorRatePercent: 2, cacheHitRatePercent: 90 }),
            preview,
        );
        expect(run.get(T.alarm, "cdn-5xx-error-rate").inputs.threshold).toBe(2);
        expect(run.get(T.alarm, "cdn-cache-hit-rate").inputs.threshold).toBe(90);
        for (const a of run.ofType(T.alarm)) expect([a.inputs.alarmActions, a.inputs.okActions]).toEqual([[], []]);
    });
});

describe("CdnDistribution argument errors", () => {
    const cases: Array<[string, Partial<CdnDistributionArgs>, string]> = [
        [
            "TTL min above default",
            { static: { pathPattern: "/static/*", minTtl: 700000, defaultTtl: 604800, maxTtl: 31536000 } },
            "CdnDistribution cdn: static.minTtl = 700000 must be <= static.defaultTtl (604800)",
        ],
        [
            "TTL default above max",
            { proofs: { pathPattern: "/proofs/*", minTtl: 3600, defaultTtl: 900000, maxTtl: 604800 } },
            "CdnDistribution cdn: proofs.defaultTtl = 900000 must be <= proofs.maxTtl (604800)",
        ],
        [
            "negative TTL",
            { proofs: { pathPattern: "/proofs/*", minTtl: -1, defaultTtl: 10, maxTtl: 20 } },
            "CdnDistribution cdn: proofs.minTtl = -1 must be between 0 and 3153600000 s",
        ],
        [
            "path pattern without a leading segment",
            { static: { pathPattern: "/*", ...TTL.static } },
            'CdnDistribution cdn: static.pathPattern = "/*" must start with / and a path segment, e.g. /static/*',
        ],
        [
            "path pattern without a leading slash",
            { proofs: { pathPattern: "proofs/*", ...TTL.proofs } },
            'CdnDistribution cdn: proofs.pathPattern = "proofs/*" must start with / and a path segment, e.g. /proofs/*',
        ],
        [
            "a proofs path pattern that cannot carry <path>/<uuid> proof URIs",
            { proofs: { pathPattern: "/p/*.json", ...TTL.proofs } },
            'CdnDistribution cdn: proofs.pathPattern = "/p/*.json" must end in /*: proof URIs are <path>/<uuid>, ' +
                "e.g. /proofs/*",
        ],
        [
            "the same path for both buckets",
            { static: { pathPattern: "/files/*", ...TTL.static }, proofs: { pathPattern: "/files/*", ...TTL.proofs } },
            'CdnDistribution cdn: proofs.pathPattern = "/files/*" must differ from static.pathPattern',
        ],
        [
            "a certificate outside us-east-1",
            { aliases: ["api.example.com"], certificateArn: EU_CERT },
            `CdnDistribution cdn: certificateArn = "${EU_CERT}" must be in us-east-1, not ` +
                `eu-west-1: CloudFront only uses ACM certificates from us-east-1`,
        ],
        [
            "a certificate ARN that is not ACM",
            { aliases: ["api.example.com"], certificateArn: "arn:aws:iam::123456789012:server-certificate/x" },
            'CdnDistribution cdn: certificateArn = "arn:aws:iam::123456789012:server-certificate/x" ' +
                "must be an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)",
        ],
        [
            "aliases without a certificate",
            { aliases: ["api.example.com"] },
            'CdnDistribution cdn: aliases = ["api.example.com"] need certificateArn or ' +
                "hostedZoneId: CloudFront answers an alias only with a certificate that covers it",
        ],
        [
            "a certificate without aliases",
            { certificateArn: US_EAST_1_CERT },
            "CdnDistribution cdn: certificateArn is set but aliases is empty: set the host names " +
                "the certificate covers",
        ],
        [
            "an upper-case alias",
            { aliases: ["API.example.com"], certificateArn: US_EAST_1_CERT },
            'CdnDistribution cdn: aliases contains "API.example.com", which is not a lower-case ' +
                "host name such as api.example.com",
        ],
        [
            "a WAF rate limit below 10",
            { wafEnabled: true, wafRateLimitPer5Min: 5 },
            "CdnDistribution cdn: wafRateLimitPer5Min = 5 must be between 10 and 2000000000",
        ],
        [
            "a log retention of 0 days",
            { loggingEnabled: true, logRetentionDays: 0 },
            "CdnDistribution cdn: logRetentionDays = 0 must be between 1 and 3650 days",
        ],
        [
            "an error rate above 100 %",
            { errorRatePercent: 150 },
            "CdnDistribution cdn: errorRatePercent = 150 must be between 1 and 100 %",
        ],
        [
            "a cache-hit rate below 0 %",
            { cacheHitRatePercent: -1 },
            "CdnDistribution cdn: cacheHitRatePercent = -1 must be between 0 and 100 %",
        ],
        [
            "an unknown price class",
            { priceClass: "PriceClass_1" as never },
            'CdnDistribution cdn: priceClass = "PriceClass_1" must be one of PriceClass_100, ' +
                "PriceClass_200, PriceClass_All",
        ],
        [
            "an unknown origin protocol",
            { apiOrigin: { domainName: "o.example.com", protocol: "match-viewer" as never } },
            'CdnDistribution cdn: apiOrigin.protocol = "match-viewer" must be one of https-only, http-only',
        ],
        [
            "a short origin-verify secret",
            { originVerifySecret: "short" },
            "CdnDistribution cdn: originVerifySecret has 5 characters and must have at least 16 " +
                "(pass a generated secret)",
        ],
        [
            "an alarm topic outside us-east-1",
            { alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:credlink-alerts" },
            "CdnDistribution cdn: alarmTopicArn = " +
                '"arn:aws:sns:eu-west-1:123456789012:credlink-alerts" must be an SNS topic in us-east-1, ' +
                "not eu-west-1: CloudFront alarms live in us-east-1 and CloudWatch only notifies topics " +
                "in the alarm's region",
        ],
    ];

    it.each(cases)("rejects %s with one exact line", async (_what, extra, line) => {
        const message = await errorOf(baseArgs(extra));
        expect(message).toBe(line);
        expect(message).not.toContain("\n");
    });

    // An Output is checked by the same function once its value is known; a throwing apply fails
    // `pulumi up` ("error serializing property ..."), which the mock engine cannot report.
    it("applies the same region checks to values that are only known during the update", () => {
        expect(() => checkCertificateRegion("CdnDistribution cdn", EU_CERT)).toThrow(
            `CdnDistribution cdn: certificateArn = "${EU_CERT}" must be in us-east-1, not ` +
                `eu-west-1: CloudFront only uses ACM certificates from us-east-1`,
        );
        expect(checkCertificateRegion("CdnDistribution cdn", US_EAST_1_CERT)).toBe(US_EAST_1_CERT);
        const euTopic = "arn:aws:sns:eu-west-1:123456789012:credlink-alerts";
        expect(() => checkTopicRegion("CdnDistribution cdn", euTopic)).toThrow(
            `CdnDistribution cdn: alarmTopicArn = "${euTopic}" must be an SNS topic in us-east-1, not eu-west-1`,
        );
        expect(checkTopicRegion("CdnDistribution cdn", TOPIC)).toBe(TOPIC);
    });

    it("accepts TTLs and rates outside the SLO bands: the policy pack, not the component, enforces those", async () => {
        const { run } = await build(
            baseArgs({
                static: { pathPattern: "/static/*", minTtl: 0, defaultTtl: 63072000, maxTtl: 63072000 },
                errorRatePercent: 50,
            }),
        );
        expect(run.get(T.cachePolicy, "cdn-static-cache").inputs).toMatchObject({
            minTtl: 0,
            defaultTtl: 63072000,
            maxTtl: 63072000,
        });
        expect(run.get(T.alarm, "cdn-5xx-error-rate").inputs.threshold).toBe(50);
    });
});
