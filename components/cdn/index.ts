import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../lib/origin";
import { denyInsecureTransport, PrivateBucket, serverAccessLogDelivery } from "../private-bucket";
import { createCdnAlarms, topicInAlarmRegion } from "./alarms";
import { type CachedBehaviourSettings, type CdnDistributionArgs, certificateInUsEast1, resolveCdnArgs } from "./args";
import { createValidatedCertificate } from "./certificate";
import {
    CLOUDFRONT_REGION,
    HTTP_VERSION,
    MANAGED_CACHE_POLICY,
    MANAGED_ORIGIN_REQUEST_POLICY,
    MINIMUM_VIEWER_TLS,
} from "../../policies/aws/cloudfront";
import { createWebAcl } from "./waf";

export type {
    ApiOriginArgs,
    CachedBehaviourSettings,
    CdnDistributionArgs,
    CdnSettings,
    PriceClass,
    ProofsBucketRef,
} from "./args";
export { CDN_SETTINGS, DOMAIN_SETTINGS } from "./settings";

/** Origin IDs inside the distribution. */
export const ORIGIN_ID = Object.freeze({ api: "api", static: "static", proofs: "proofs" });
export const ALL_METHODS = Object.freeze(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
export const READ_METHODS = Object.freeze(["GET", "HEAD", "OPTIONS"]);
export const CACHED_METHODS = Object.freeze(["GET", "HEAD"]);
export { MINIMUM_VIEWER_TLS };
/** HSTS max-age: two years, the value HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600;
/** Where each kind of access log lands in the log bucket; distinct prefixes keep them apart. */
export const LOG_PREFIX = Object.freeze({
    cloudFront: "cloudfront/",
    staticBucket: "s3/static/",
    proofsBucket: "s3/proofs/",
});
/**
 * The proofs behaviour's viewer-request function: runtime-2.0 JavaScript in its own file, so it
 * can be run and tested as CloudFront runs it (test/proofs-uri-function.test.ts).
 */
export const PROOFS_URI_FUNCTION_FILE = path.join(__dirname, "proofs-uri.js");
/** CloudFront Functions' size quota (10 KB); `aws.cloudfront.Function` itself accepts up to 40 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;

/**
 * CloudFront in front of CredLink: the API (ALB) as the default behaviour, never
 * cached; static assets and proof documents from private S3 buckets through
 * Origin Access Control, cached by their TTL bands; HTTPS only, HTTP/2 and 3,
 * IPv6, edge compression of cached content (the API's responses are not cached, so
 * CloudFront cannot compress them: the app or ALB must), security headers, optional
 * WAF, access logs and alarms.
 */
export class CdnDistribution extends pulumi.ComponentResource {
    public readonly distributionId: pulumi.Output<string>;
    public readonly distributionArn: pulumi.Output<string>;
    /** The dxxxx.cloudfront.net name. */
    public readonly domainName: pulumi.Output<string>;
    /** Route 53 zone ID for alias records to the distribution. */
    public readonly hostedZoneId: pulumi.Output<string>;
    /** `https://` + the first alias, or the cloudfront.net name without aliases. */
    public readonly url: pulumi.Output<string>;
    /**
     * `<url><proofs path>` (e.g. `https://api.example.com/proofs`): the base of the proof URIs the API
     * hands out (its PROOF_URI_DOMAIN). Known at construction with aliases; else once the distribution exists.
     */
    public readonly proofsBaseUrl: pulumi.Output<string>;
    public readonly staticBucketName: pulumi.Output<string>;
    /** The access-log bucket, when CloudFront or S3 access logging is on. */
    public readonly logBucketName: pulumi.Output<string | undefined>;
    public readonly webAclArn: pulumi.Output<string | undefined>;
    public readonly alarmNames: pulumi.Output<string[]>;
    /** Region of every alarm and of the alarm topic they notify. */
    public readonly alarmRegion: string = CLOUDFRONT_REGION;
    /** Alarm names with their region, in the shape of the stack's `alarms` output. */
    public readonly alarms: pulumi.Output<{ name: string; region: string }[]>;

    constructor(name: string, rawArgs: CdnDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:cdn:CdnDistribution", name, {}, opts);
        const component = `CdnDistribution ${name}`;
        const args = resolveCdnArgs(component, rawArgs);
        if (typeof args.originVerifySecret === "string" && args.originVerifySecret.length < 16) {
            throw new Error(
                `${component}: originVerifySecret has ${args.originVerifySecret.length} characters ` +
                    `and must have at least 16 (pass a generated secret)`,
            );
        }
        const alarmTopicArn =
            args.alarmTopicArn === undefined ? undefined : topicInAlarmRegion(component, args.alarmTopicArn);
        const child = { parent: this };
        const account = aws.getCallerIdentityOutput({}, child);

        // Buckets the CDN owns. Data buckets are protected unless the stack says otherwise.
        const staticBucket = new PrivateBucket(
            `${name}-static`,
            {
                versioning: true,
                lifecycle: { noncurrentVersionExpireAfterDays: 30 },
                protect: args.protectData,
                forceDestroy: !args.protectData,
            },
            child,
        );
        // One log bucket for CloudFront's standard logs and the S3 server access logs of the static and
        // proofs buckets, each under its own prefix (LOG_PREFIX). It exists whenever either is on.
        const s3Sources = args.s3AccessLoggingEnabled
            ? [
                  { sid: "StaticBucketAccessLogs", bucketArn: staticBucket.bucketArn, prefix: LOG_PREFIX.staticBucket },
                  {
                      sid: "ProofsBucketAccessLogs",
                      bucketArn: args.proofsBucket.bucketArn,
                      prefix: LOG_PREFIX.proofsBucket,
                  },
              ]
            : [];
        const logBucket =
            args.loggingEnabled || args.s3AccessLoggingEnabled
                ? new PrivateBucket(
                      `${name}-logs`,
                      {
                          // Standard (legacy) CloudFront logging delivers with ACLs: CloudFront grants its
                          // awslogsdelivery account FULL_CONTROL on the bucket ACL, which BucketOwnerEnforced would
                          // reject. Kept even without CloudFront logging: S3 refuses to disable ACLs while that
                          // grant is on the bucket, so switching back and forth would fail.
                          objectOwnership: "BucketOwnerPreferred",
                          // SSE-S3: S3 server access logging cannot deliver to an SSE-KMS bucket.
                          lifecycle: { expireAfterDays: args.logRetentionDays },
                          protect: args.protectData,
                          forceDestroy: !args.protectData,
                          policy: (arn) =>
                              pulumi.jsonStringify({
                                  Version: "2012-10-17",
                                  Statement: [
                                      ...s3Sources.map((source) =>
                                          serverAccessLogDelivery({
                                              ...source,
                                              logBucketArn: arn,
                                              accountId: account.accountId,
                                          }),
                                      ),
                                      denyInsecureTransport(arn),
                                  ],
                              }),
                      },
                      child,
                  )
                : undefined;

        const oac = new aws.cloudfront.OriginAccessControl(
            `${name}-s3-oac`,
            {
                description: "CloudFront signs every request to the CredLink S3 origins",
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            child,
        );

        const s3CachePolicy = (key: string, ttl: CachedBehaviourSettings) => {
            // CloudFront rejects compression settings on a policy that never caches.
            const compressible = ttl.maxTtl > 0;
            return new aws.cloudfront.CachePolicy(
                `${name}-${key}-cache`,
                {
                    comment: `CredLink ${key}: TTL ${ttl.minTtl}..${ttl.defaultTtl}..${ttl.maxTtl} s`,
                    minTtl: ttl.minTtl,
                    defaultTtl: ttl.defaultTtl,
                    maxTtl: ttl.maxTtl,
                    parametersInCacheKeyAndForwardedToOrigin: {
                        cookiesConfig: { cookieBehavior: "none" },
                        headersConfig: { headerBehavior: "none" },
                        queryStringsConfig: { queryStringBehavior: "none" },
                        enableAcceptEncodingGzip: compressible,
                        enableAcceptEncodingBrotli: compressible,
                    },
                },
                child,
            );
        };
        const staticCache = s3CachePolicy("static", args.static);
        const proofsCache = s3CachePolicy("proofs", args.proofs);

        const securityHeaders = new aws.cloudfront.ResponseHeadersPolicy(
            `${name}-security-headers`,
            {
                comment: "CredLink: HSTS and browser hardening headers",
                securityHeadersConfig: {
                    strictTransportSecurity: {
                        accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
                        includeSubdomains: true,
                        preload: false,
                        override: true,
                    },
                    contentTypeOptions: { override: true },
                    frameOptions: { frameOption: "DENY", override: true },
                    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
                    // "X-XSS-Protection: 0": the legacy XSS auditor is itself an attack surface.
                    xssProtection: { protection: false, override: true },
                },
            },
            child,
        );

        const webAcl = args.wafEnabled ? createWebAcl(name, args.wafRateLimitPer5Min, this) : undefined;

        let certificateArn: pulumi.Input<string> | undefined;
        if (args.certificateArn !== undefined) certificateArn = certificateInUsEast1(component, args.certificateArn);
        else if (args.hostedZoneId !== undefined)
            certificateArn = createValidatedCertificate(name, args.aliases, args.hostedZoneId, this);

        // Proof URIs are <proofs path>/<uuid>; the objects are <proofs path>/<uuid>.json.
        const proofsUriFunction = new aws.cloudfront.Function(
            `${name}-proofs-uri`,
            {
                runtime: "cloudfront-js-2.0",
                comment: "CredLink: /proofs/<uuid> is the S3 object proofs/<uuid>.json; other proof paths 404",
                code: readFunctionCode(component, PROOFS_URI_FUNCTION_FILE),
                publish: true,
            },
            child,
        );

        const s3Behaviour = (
            originId: string,
            ttl: CachedBehaviourSettings,
            cachePolicy: aws.cloudfront.CachePolicy,
            viewerRequestFunction?: aws.cloudfront.Function,
        ) => ({
            pathPattern: ttl.pathPattern,
            targetOriginId: originId,
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: [...READ_METHODS],
            cachedMethods: [...CACHED_METHODS],
            cachePolicyId: cachePolicy.id,
            // No origin request policy: S3 needs nothing from the viewer beyond the cache key.
            responseHeadersPolicyId: securityHeaders.id,
            compress: true,
            functionAssociations:
                viewerRequestFunction === undefined
                    ? undefined
                    : [{ eventType: "viewer-request", functionArn: viewerRequestFunction.arn }],
        });

        const distribution = new aws.cloudfront.Distribution(
            name,
            {
                enabled: true,
                comment: `CredLink ${pulumi.getStack()}: API, static assets and proofs`,
                aliases: args.aliases.length > 0 ? [...args.aliases] : undefined,
                priceClass: args.priceClass,
                httpVersion: HTTP_VERSION,
                isIpv6Enabled: true,
                webAclId: webAcl?.arn,
                origins: [
                    {
                        originId: ORIGIN_ID.api,
                        domainName: args.apiOrigin.domainName,
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: args.apiOrigin.protocol,
                            originSslProtocols: ["TLSv1.2"],
                        },
                        customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: pulumi.secret(args.originVerifySecret) }],
                    },
                    {
                        originId: ORIGIN_ID.static,
                        domainName: staticBucket.bucketRegionalDomainName,
                        originAccessControlId: oac.id,
                    },
                    {
                        originId: ORIGIN_ID.proofs,
                        domainName: args.proofsBucket.bucketRegionalDomainName,
                        originAccessControlId: oac.id,
                    },
                ],
                defaultCacheBehavior: {
                    targetOriginId: ORIGIN_ID.api,
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: [...ALL_METHODS],
                    cachedMethods: [...CACHED_METHODS],
                    cachePolicyId: MANAGED_CACHE_POLICY.CachingDisabled,
                    originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY.AllViewerExceptHostHeader,
                    responseHeadersPolicyId: securityHeaders.id,
                    compress: true,
                },
                orderedCacheBehaviors: [
                    s3Behaviour(ORIGIN_ID.proofs, args.proofs, proofsCache, proofsUriFunction),
                    s3Behaviour(ORIGIN_ID.static, args.static, staticCache),
                ],
                viewerCertificate:
                    certificateArn === undefined
                        ? // The default *.cloudfront.net certificate; CloudFront fixes its viewer TLS policy.
                          { cloudfrontDefaultCertificate: true }
                        : {
                              acmCertificateArn: certificateArn,
                              sslSupportMethod: "sni-only",
                              minimumProtocolVersion: MINIMUM_VIEWER_TLS,
                          },
                restrictions: { geoRestriction: { restrictionType: "none" } },
                loggingConfig:
                    logBucket === undefined || !args.loggingEnabled
                        ? undefined
                        : { bucket: logBucket.bucketDomainName, prefix: LOG_PREFIX.cloudFront, includeCookies: false },
            },
            // The log bucket's ownership controls must exist before CloudFront checks its ACL.
            { parent: this, dependsOn: logBucket === undefined ? [] : [logBucket] },
        );

        // OAC bucket policies: only this distribution may read, only under its path pattern.
        const oacPolicy = (bucketArn: pulumi.Input<string>, ttl: CachedBehaviourSettings) =>
            pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "CloudFrontReadsThroughOac",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        // CloudFront forwards the full path, so /static/* reads keys static/*.
                        Resource: pulumi.interpolate`${bucketArn}/${ttl.pathPattern.slice(1)}`,
                        Condition: { StringEquals: { "aws:SourceArn": distribution.arn } },
                    },
                    denyInsecureTransport(bucketArn),
                ],
            });
        const staticPolicy = new aws.s3.BucketPolicy(
            `${name}-static-policy`,
            { bucket: staticBucket.bucketName, policy: oacPolicy(staticBucket.bucketArn, args.static) },
            { parent: this, dependsOn: [staticBucket] },
        );
        // After the bucket's public-access block when we were given the bucket component (S3 rejects concurrent edits).
        const proofsBucketResource = pulumi.Resource.isInstance(args.proofsBucket) ? [args.proofsBucket] : [];
        const proofsPolicy = new aws.s3.BucketPolicy(
            `${name}-proofs-policy`,
            { bucket: args.proofsBucket.bucketName, policy: oacPolicy(args.proofsBucket.bucketArn, args.proofs) },
            { ...child, dependsOn: proofsBucketResource },
        );

        // S3 server access logs of both origins. After the log bucket's policy (which admits the delivery)
        // and after each bucket's own policy, so S3 never sees two configuration edits of one bucket at once.
        if (logBucket !== undefined && args.s3AccessLoggingEnabled) {
            const accessLogs = (key: string, bucket: pulumi.Input<string>, prefix: string, after: pulumi.Resource[]) =>
                new aws.s3.BucketLogging(
                    `${name}-${key}-access-logs`,
                    {
                        bucket,
                        targetBucket: logBucket.bucketName,
                        targetPrefix: prefix,
                        // <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/...: Athena can partition on it.
                        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
                    },
                    { parent: this, dependsOn: [logBucket, ...after] },
                );
            accessLogs("static", staticBucket.bucketName, LOG_PREFIX.staticBucket, [staticPolicy]);
            accessLogs("proofs", args.proofsBucket.bucketName, LOG_PREFIX.proofsBucket, [
                proofsPolicy,
                ...proofsBucketResource,
            ]);
        }

        if (args.hostedZoneId !== undefined) {
            args.aliases.forEach((alias, i) => {
                for (const type of ["A", "AAAA"]) {
                    new aws.route53.Record(
                        `${name}-alias-${i}-${type.toLowerCase()}`,
                        {
                            zoneId: args.hostedZoneId!,
                            name: alias,
                            type,
                            aliases: [
                                {
                                    name: distribution.domainName,
                                    zoneId: distribution.hostedZoneId,
                                    evaluateTargetHealth: false,
                                },
                            ],
                        },
                        child,
                    );
                }
            });
        }

        const alarms = createCdnAlarms(
            name,
            {
                distributionId: distribution.id,
                alarmTopicArn,
                errorRatePercent: args.errorRatePercent,
                cacheHitRatePercent: args.cacheHitRatePercent,
            },
            this,
        );

        this.distributionId = distribution.id;
        this.distributionArn = distribution.arn;
        this.domainName = distribution.domainName;
        this.hostedZoneId = distribution.hostedZoneId;
        this.url =
            args.aliases.length > 0
                ? pulumi.output(`https://${args.aliases[0]}`)
                : pulumi.interpolate`https://${distribution.domainName}`;
        this.proofsBaseUrl = pulumi.interpolate`${this.url}${proofsPathPrefix(args.proofs.pathPattern)}`;
        this.staticBucketName = staticBucket.bucketName;
        this.logBucketName = logBucket === undefined ? pulumi.output(undefined) : logBucket.bucketName;
        this.webAclArn = webAcl === undefined ? pulumi.output(undefined) : webAcl.arn;
        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.alarms = this.alarmNames.apply((names) => names.map((n) => ({ name: n, region: CLOUDFRONT_REGION })));
        this.registerOutputs({
            distributionId: this.distributionId,
            distributionArn: this.distributionArn,
            domainName: this.domainName,
            hostedZoneId: this.hostedZoneId,
            url: this.url,
            proofsBaseUrl: this.proofsBaseUrl,
            staticBucketName: this.staticBucketName,
            logBucketName: this.logBucketName,
            webAclArn: this.webAclArn,
            alarmNames: this.alarmNames,
            alarms: this.alarms,
        });
    }
}

/** `/proofs/*` -> `/proofs`: the path proof URIs start with (the settings require the trailing `/*`). */
export const proofsPathPrefix = (pathPattern: string): string => pathPattern.replace(/\/\*$/, "");

function readFunctionCode(component: string, file: string): string {
    const code = fs.readFileSync(file, "utf8");
    const bytes = Buffer.byteLength(code, "utf8");
    if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
        throw new Error(
            `${component}: ${path.basename(file)} has ${bytes} bytes; CloudFront Functions take at most ` +
                `${CLOUDFRONT_FUNCTION_MAX_BYTES}`,
        );
    }
    return code;
}
