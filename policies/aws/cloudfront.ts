/**
 * CloudFront facts the stack, the policy pack and `npm run verify` share. No imports,
 * so the pack stays publishable on its own.
 */

/**
 * CloudFront's home region: its metrics (and so its alarms), its WAF web ACLs (scope
 * CLOUDFRONT), the ACM certificates it serves and its control-plane API are all in us-east-1.
 */
export const CLOUDFRONT_REGION = "us-east-1";

/** CloudFront metrics carry this `Region` dimension next to `DistributionId`. */
export const CLOUDFRONT_METRICS_REGION_DIMENSION = "Global";

/**
 * CloudFront's metric names (namespace `CLOUDWATCH_NAMESPACE.cloudFront`). 5xxErrorRate and CacheHitRate
 * are percentages; CacheHitRate exists only with the additional metrics turned on.
 */
export const CLOUDFRONT_METRIC = Object.freeze({
    requests: "Requests",
    errorRate5xx: "5xxErrorRate",
    cacheHitRate: "CacheHitRate",
} as const);

/** AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * IDs of the AWS-managed CloudFront policies this stack attaches. Wrong IDs
 * circulate in public code (CachingDisabled is often labelled CachingOptimized),
 * so they live here, once, each checked against AWS's own pages:
 *
 * - Cache policies:
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 * - Origin request policies:
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 *   (AllViewerExceptHostHeader also matches the constant in aws-cdk-lib's origin-request-policy.ts).
 *
 * The IDs are the same in every account and never change.
 */
export const MANAGED_CACHE_POLICY = Object.freeze({
    /** Min, default and max TTL 0; nothing in the cache key. For the API. */
    CachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
});

export const MANAGED_ORIGIN_REQUEST_POLICY = Object.freeze({
    /**
     * Every viewer header except Host, all cookies, all query strings. The ALB then
     * sees its own host name, which its certificate covers and its rules expect.
     */
    AllViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
});

/** The viewer TLS policy the stack sets with its own certificate: TLS 1.2 as the floor. */
export const MINIMUM_VIEWER_TLS = "TLSv1.2_2021";

/** Viewer TLS policies at least as strict as MINIMUM_VIEWER_TLS (CloudFront's newer policies). */
export const VIEWER_TLS_AT_LEAST_MINIMUM: readonly string[] = Object.freeze([
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
]);

/** HTTP versions the distribution offers viewers: HTTP/2 and HTTP/3 (QUIC). */
export const HTTP_VERSION = "http2and3";
