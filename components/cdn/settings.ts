/**
 * The CDN's settings, declared once: the stack reads them as `credlink:cdn.*` and
 * `credlink:domain.*`, the CdnDistribution validates its args with the same
 * schemas. Limits are what CloudFront and ACM accept; how close the TTLs sit to
 * the SLO bands is the policy pack's business.
 */
import { arnRegion } from "../../lib/arn";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";
import { DNS_NAME, flag, group, matching, oneOf, setting, type ValuesOfGroup, wholeNumber } from "../../lib/settings";
import { SLO, TTL, type TtlBand } from "../../policies/slo";

/** CloudFront's largest TTL: 100 years in seconds. */
export const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];
/** A CloudFront path pattern that starts with / and a path segment (/static/*, not /* or static/*). */
export const PATH_PATTERN = /^\/[^/*\s][^\s]{0,253}$/;

const ttl = wholeNumber(0, MAX_TTL_SECONDS, " s");

/** One cached behaviour: its path pattern and TTLs, ordered min <= default <= max. */
function cachedBehaviour(label: string, example: string, band: TtlBand) {
    return group(
        {
            pathPattern: setting(
                "string",
                `CloudFront path pattern for ${label}.`,
                matching(PATH_PATTERN, `must start with / and a path segment, e.g. ${example}`),
                {
                    default: example,
                },
            ),
            minTtl: setting("integer", `${label[0].toUpperCase()}${label.slice(1)}: minimum TTL, seconds.`, ttl, {
                default: band.minTtl,
            }),
            defaultTtl: setting("integer", `${label[0].toUpperCase()}${label.slice(1)}: default TTL, seconds.`, ttl, {
                default: band.defaultTtl,
            }),
            maxTtl: setting("integer", `${label[0].toUpperCase()}${label.slice(1)}: maximum TTL, seconds.`, ttl, {
                default: band.maxTtl,
            }),
        },
        {
            rules: [
                (v, at) =>
                    v.minTtl === undefined || v.defaultTtl === undefined || v.minTtl <= v.defaultTtl
                        ? undefined
                        : `${at("minTtl")} = ${v.minTtl} must be <= ${at("defaultTtl")} (${v.defaultTtl})`,
                (v, at) =>
                    v.defaultTtl === undefined || v.maxTtl === undefined || v.defaultTtl <= v.maxTtl
                        ? undefined
                        : `${at("defaultTtl")} = ${v.defaultTtl} must be <= ${at("maxTtl")} (${v.maxTtl})`,
            ],
        },
    );
}

export const CDN_SETTINGS = group(
    {
        priceClass: setting("string", "CloudFront price class.", oneOf(PRICE_CLASSES), { default: "PriceClass_100" }),
        wafEnabled: setting(
            "boolean",
            "Attach a WAFv2 web ACL (managed rule groups + rate limit) to the distribution.",
            flag,
            { default: true },
        ),
        wafRateLimitPer5Min: setting(
            "integer",
            "WAF rate-based rule: requests per client IP per 5 minutes before blocking.",
            wholeNumber(10, 2_000_000_000),
            { default: 2000 },
        ),
        loggingEnabled: setting(
            "boolean",
            "Write CloudFront standard access logs to the log bucket (prefix cloudfront/).",
            flag,
            { default: true },
        ),
        s3AccessLoggingEnabled: setting(
            "boolean",
            "Write S3 server access logs of the static and proofs buckets to the log bucket (prefixes " +
                "s3/static/ and s3/proofs/).",
            flag,
            { default: true },
        ),
        logRetentionDays: setting(
            "integer",
            "Days to keep access logs (CloudFront and S3) in the log bucket.",
            wholeNumber(1, 3650, " days"),
            { default: 90 },
        ),
        cacheHitRatePercent: setting(
            "integer",
            "Alarm when CloudFront's CacheHitRate stays below this, percent.",
            wholeNumber(0, 100, " %"),
            { default: SLO.cdnCacheHitRatePercent },
        ),
    },
    {
        groups: {
            static: cachedBehaviour("static assets", "/static/*", TTL.static),
            proofs: cachedBehaviour("proof documents (S3 keys proofs/<uuid>.json)", "/proofs/*", TTL.proofs),
        },
        rules: [
            // The API's proof URIs are <base>/<uuid>; the proofs function maps them onto <uuid>.json objects.
            (v, at) =>
                v.proofs?.pathPattern === undefined || v.proofs.pathPattern.endsWith("/*")
                    ? undefined
                    : `${at("proofs", "pathPattern")} = ${JSON.stringify(v.proofs.pathPattern)} must end in /*: ` +
                      `proof URIs are <path>/<uuid>, e.g. /proofs/*`,
            (v, at) =>
                v.static?.pathPattern === undefined || v.static.pathPattern !== v.proofs?.pathPattern
                    ? undefined
                    : `${at("proofs", "pathPattern")} = ${JSON.stringify(v.proofs.pathPattern)} ` +
                      `must differ from ${at("static", "pathPattern")}`,
        ],
    },
);

const acmArn = matching(
    /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
    "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)",
);

/**
 * How the stack is reached: its public name, certificates and the origin's name.
 * All optional (dev uses the default names).
 */
export const DOMAIN_SETTINGS = group(
    {
        name: setting(
            "string",
            "Public host name served by CloudFront, e.g. api.example.com. Optional.",
            matching(DNS_NAME, "must be a lower-case DNS name such as api.example.com"),
        ),
        hostedZoneId: setting(
            "string",
            "Route 53 hosted zone for domain.name; when set without a certificate, one is created " +
                "and DNS-validated in us-east-1.",
            matching(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ"),
        ),
        cdnCertificateArn: setting(
            "string",
            "ACM certificate for domain.name, in us-east-1 (CloudFront only uses us-east-1 certificates).",
            acmArn,
        ),
        originName: setting(
            "string",
            "DNS name CloudFront uses to reach the ALB over HTTPS; must be covered by " +
                "domain.albCertificateArn (CloudFront checks the origin's certificate against it). With " +
                "domain.hostedZoneId the stack creates the alias record; otherwise point a CNAME at the " +
                "albDnsName output.",
            matching(DNS_NAME, "must be a lower-case DNS name such as origin.api.example.com"),
        ),
        albCertificateArn: setting(
            "string",
            "ACM certificate in the stack's region for the ALB's HTTPS listener. Without it the ALB " +
                "listens on HTTP only (dev).",
            acmArn,
        ),
    },
    {
        rules: [
            (v, at) => {
                if (v.cdnCertificateArn === undefined) return undefined;
                const region = arnRegion(v.cdnCertificateArn);
                return region === CLOUDFRONT_REGION
                    ? undefined
                    : `${at("cdnCertificateArn")} = ${JSON.stringify(v.cdnCertificateArn)} must be ` +
                          `in ${CLOUDFRONT_REGION}, not ${region}: CloudFront only uses ACM certificates ` +
                          `from ${CLOUDFRONT_REGION}`;
            },
            (v, at) =>
                v.cdnCertificateArn === undefined || v.name !== undefined
                    ? undefined
                    : `${at("cdnCertificateArn")} is set but ${at("name")} is not: set the host ` +
                      `name the certificate covers`,
            (v, at) =>
                v.originName === undefined || v.originName !== v.name
                    ? undefined
                    : `${at("originName")} = ${JSON.stringify(v.originName)} must differ from ` +
                      `${at("name")}: that name points at CloudFront, so CloudFront would call ` +
                      `itself`,
            (v, at) =>
                v.hostedZoneId === undefined || v.name !== undefined
                    ? undefined
                    : `${at("hostedZoneId")} is set but ${at("name")} is not: set the host name to create in that zone`,
            (v, at, ctx) => {
                if (v.albCertificateArn === undefined || ctx.region === undefined) return undefined;
                const region = arnRegion(v.albCertificateArn);
                return region === ctx.region
                    ? undefined
                    : `${at("albCertificateArn")} = ${JSON.stringify(v.albCertificateArn)} must be ` +
                          `in the stack's region ${ctx.region}, not ${region}`;
            },
            (v, at) =>
                v.albCertificateArn === undefined || v.originName !== undefined
                    ? undefined
                    : `${at("albCertificateArn")} is set but ${at("originName")} is not: CloudFront ` +
                      `reaches an HTTPS origin by a name its certificate covers, e.g. ` +
                      `origin.${v.name ?? "api.example.com"}`,
        ],
    },
);

export type CdnSettings = ValuesOfGroup<typeof CDN_SETTINGS>;
export type CachedBehaviourSettings = CdnSettings["static"];
export type DomainSettings = ValuesOfGroup<typeof DOMAIN_SETTINGS>;
