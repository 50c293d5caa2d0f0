/**
 * CloudFront adds this header, with a generated secret value, to every request
 * it sends to the ALB; the ALB listener forwards only requests that carry it,
 * so nobody can reach the API around the CDN (and its WAF).
 */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";
