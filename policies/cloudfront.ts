/**
 * CloudFront facts the stack, the policy pack and `npm run verify` share. No imports,
 * like slo.ts, so the pack stays publishable on its own.
 *
 * IDs of the AWS-managed CloudFront policies this stack attaches. Wrong IDs
 * circulate in public code (CachingDisabled is often labelled CachingOptimized),
 * so they live here, once, each checked against AWS's own pages:
 *
 * - Cache policies: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 * - Origin request policies: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
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
export const VIEWER_TLS_AT_LEAST_MINIMUM: readonly string[] = Object.freeze(["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]);

/** HTTP versions the distribution offers viewers: HTTP/2 and HTTP/3 (QUIC). */
export const HTTP_VERSION = "http2and3";
