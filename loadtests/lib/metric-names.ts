/** Custom k6 metrics the scripts emit and the reports read. */
export const CUSTOM_METRICS = Object.freeze({
    /** Rate: share of responses that were HTTP 429 (the API's per-IP limiters), tagged by endpoint. */
    rateLimited: "rate_limited",
    /** Rate: share of proof GETs CloudFront answered from cache (only counted when X-Cache is present). */
    cdnCacheHit: "cdn_cache_hit",
    /** Rate: share of POST /verify answers with `valid: true` for the freshly signed image. */
    verifyValid: "verify_valid",
});
