/**
 * CdnDistribution's arguments, their defaults and the checks that run at
 * construction. The checks cover what CloudFront and ACM accept; how close the
 * values sit to the SLO is the policy pack's business, not this file's.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TtlSettings } from "../../lib/config";
import { SLO, TTL } from "../../policies/slo";
import { arnRegion } from "../../lib/arn";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";

export type { TtlSettings };
export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
export type OriginProtocol = "https-only" | "http-only";

export interface ApiOriginArgs {
    /**
     * Host name CloudFront connects to, e.g. the ALB's DNS name or a record pointing at it.
     * With `https-only`, CloudFront checks the ALB's certificate against this name, so it
     * must be a name that certificate covers (the ALB's own *.elb.amazonaws.com name never is).
     */
    readonly domainName: pulumi.Input<string>;
    /**
     * `https-only`: TLS 1.2 from CloudFront to the ALB (needs an ALB HTTPS listener).
     * `http-only`: plain HTTP on port 80, for stacks whose ALB has no certificate (dev).
     */
    readonly protocol: OriginProtocol;
}

/** The bucket CredLink writes `proofs/<uuid>.json` to (created outside, shared with the service). */
export interface ProofsBucketRef {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly bucketRegionalDomainName: pulumi.Input<string>;
}

export interface CdnWafArgs {
    /** Create a WAFv2 web ACL and attach it. */
    readonly enabled: boolean;
    /** Requests per client IP per 5 minutes before the rate rule blocks it (10..2,000,000,000). Default: 2000. */
    readonly rateLimitPer5Min?: number;
}

export interface CdnLoggingArgs {
    /** Write CloudFront standard access logs to a log bucket the component creates. */
    readonly enabled: boolean;
    /** Days to keep log files. Default: 90. */
    readonly retentionDays?: number;
}

export interface CdnDistributionArgs {
    /** The API (the ALB): the default behaviour, never cached, all methods. */
    readonly apiOrigin: ApiOriginArgs;
    /** Secret value CloudFront sends to the API origin in the ORIGIN_VERIFY_HEADER header (lib/origin.ts). */
    readonly originVerifySecret: pulumi.Input<string>;
    /** Bucket served under `proofs.pathPattern`; the component writes its bucket policy. */
    readonly proofsBucket: ProofsBucketRef;
    /** Static-assets behaviour. Default: `/static/*` with the SLO module's static TTL band. */
    readonly static?: TtlSettings;
    /** Proofs behaviour. Default: `/proofs/*` with the SLO module's proofs TTL band. */
    readonly proofs?: TtlSettings;
    /** Edge locations to serve from. Default: PriceClass_100 (North America and Europe). */
    readonly priceClass?: PriceClass;
    /** Host names the distribution answers to. Need `certificateArn` or `hostedZoneId`. Default: none (the cloudfront.net name only). */
    readonly aliases?: readonly string[];
    /** ACM certificate for `aliases`, in us-east-1. Default: none. */
    readonly certificateArn?: pulumi.Input<string>;
    /**
     * Route 53 zone holding `aliases`: the component adds A/AAAA alias records to the
     * distribution and, without `certificateArn`, creates and DNS-validates a us-east-1
     * certificate. Default: none.
     */
    readonly hostedZoneId?: pulumi.Input<string>;
    /** WAFv2 web ACL. Default: enabled, 2000 requests per IP per 5 minutes. */
    readonly waf?: CdnWafArgs;
    /** Access logging. Default: enabled, 90 days. */
    readonly logging?: CdnLoggingArgs;
    /** Protect the static and log buckets (Pulumi protect + retainOnDelete). Default: true. */
    readonly protectData?: boolean;
    /** SNS topic IN us-east-1 notified on ALARM and OK. Default: none (alarms without actions). */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** 5xx error-rate alarm threshold, percent of requests. Default: the SLO error rate. */
    readonly errorRatePercent?: number;
    /** Cache-hit-rate alarm threshold, percent. Default: SLO.cdnCacheHitRatePercent. */
    readonly cacheHitRatePercent?: number;
}

/** CloudFront's largest TTL: 100 years in seconds. */
export const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;
export const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];
const PROTOCOLS: readonly OriginProtocol[] = ["https-only", "http-only"];
/** A CloudFront path pattern that starts with / and a path segment (/static/*, not /* or static/*). */
export const PATH_PATTERN = /^\/[^/*\s][^\s]*$/;
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;

export const DEFAULT_STATIC: TtlSettings = Object.freeze({ pathPattern: "/static/*", ...TTL.static });
export const DEFAULT_PROOFS: TtlSettings = Object.freeze({ pathPattern: "/proofs/*", ...TTL.proofs });
const DEFAULT_RATE_LIMIT = 2000;
const DEFAULT_LOG_RETENTION_DAYS = 90;

export interface ResolvedCdnArgs extends CdnDistributionArgs {
    readonly static: TtlSettings;
    readonly proofs: TtlSettings;
    readonly priceClass: PriceClass;
    readonly aliases: readonly string[];
    readonly waf: Required<CdnWafArgs>;
    readonly logging: Required<CdnLoggingArgs>;
    readonly protectData: boolean;
    readonly errorRatePercent: number;
    readonly cacheHitRatePercent: number;
}

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** The ARN when it is in us-east-1; throws one line otherwise. */
export function checkCertificateRegion(component: string, arn: string): string {
    const region = arnRegion(arn);
    if (region !== CLOUDFRONT_REGION) {
        throw new Error(
            `${component}: certificateArn = ${show(arn)} must be in ${CLOUDFRONT_REGION}, not ${region}: ` +
                `CloudFront only uses ACM certificates from ${CLOUDFRONT_REGION}`,
        );
    }
    return arn;
}

/** The certificate ARN, checked now when it is a plain string and once known when it is an Output. */
export function certificateInUsEast1(component: string, arn: pulumi.Input<string>): pulumi.Input<string> {
    return typeof arn === "string" ? checkCertificateRegion(component, arn) : pulumi.output(arn).apply((a) => checkCertificateRegion(component, a));
}

/** Fill in defaults and validate; throws one line naming the argument, its value and what is allowed. */
export function resolveCdnArgs(component: string, args: CdnDistributionArgs): ResolvedCdnArgs {
    const fail = (line: string): never => {
        throw new Error(`${component}: ${line}`);
    };
    const number = (arg: string, value: number, min: number, max: number, unit = "") => {
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) fail(`${arg} = ${show(value)} must be between ${min} and ${max}${unit}`);
    };
    const wholeNumber = (arg: string, value: number, min: number, max: number, unit = "") => {
        if (!Number.isInteger(value) || value < min || value > max) fail(`${arg} = ${show(value)} must be a whole number between ${min} and ${max}${unit}`);
    };

    if (!PROTOCOLS.includes(args.apiOrigin?.protocol)) fail(`apiOrigin.protocol = ${show(args.apiOrigin?.protocol)} must be one of ${PROTOCOLS.join(", ")}`);

    const behaviour = (key: "static" | "proofs", ttl: TtlSettings): TtlSettings => {
        if (typeof ttl.pathPattern !== "string" || !PATH_PATTERN.test(ttl.pathPattern) || ttl.pathPattern.length > 255) {
            fail(`${key}.pathPattern = ${show(ttl.pathPattern)} must start with / and a path segment, e.g. /${key}/*`);
        }
        for (const field of ["minTtl", "defaultTtl", "maxTtl"] as const) wholeNumber(`${key}.${field}`, ttl[field], 0, MAX_TTL_SECONDS, " seconds");
        if (ttl.minTtl > ttl.defaultTtl) fail(`${key}.minTtl = ${ttl.minTtl} must be between 0 and ${key}.defaultTtl (${ttl.defaultTtl})`);
        if (ttl.defaultTtl > ttl.maxTtl) fail(`${key}.defaultTtl = ${ttl.defaultTtl} must be between ${key}.minTtl (${ttl.minTtl}) and ${key}.maxTtl (${ttl.maxTtl})`);
        return Object.freeze({ pathPattern: ttl.pathPattern, minTtl: ttl.minTtl, defaultTtl: ttl.defaultTtl, maxTtl: ttl.maxTtl });
    };
    const staticBehaviour = behaviour("static", args.static ?? DEFAULT_STATIC);
    const proofsBehaviour = behaviour("proofs", args.proofs ?? DEFAULT_PROOFS);
    if (staticBehaviour.pathPattern === proofsBehaviour.pathPattern) {
        fail(`proofs.pathPattern = ${show(proofsBehaviour.pathPattern)} must differ from static.pathPattern`);
    }

    const priceClass = args.priceClass ?? "PriceClass_100";
    if (!PRICE_CLASSES.includes(priceClass)) fail(`priceClass = ${show(priceClass)} must be one of ${PRICE_CLASSES.join(", ")}`);

    const aliases = [...(args.aliases ?? [])];
    for (const alias of aliases) {
        if (typeof alias !== "string" || !HOST_NAME.test(alias)) fail(`aliases contains ${show(alias)}, which is not a lower-case host name such as api.example.com`);
    }
    if (new Set(aliases).size !== aliases.length) fail(`aliases = ${show(aliases)} must not repeat a host name`);
    if (typeof args.certificateArn === "string") {
        if (!ACM_ARN.test(args.certificateArn)) fail(`certificateArn = ${show(args.certificateArn)} must be an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)`);
        checkCertificateRegion(component, args.certificateArn);
    }
    const hasCertificateSource = args.certificateArn !== undefined || args.hostedZoneId !== undefined;
    if (aliases.length > 0 && !hasCertificateSource) {
        fail(`aliases = ${show(aliases)} need certificateArn or hostedZoneId: CloudFront answers an alias only with a certificate that covers it`);
    }
    if (aliases.length === 0 && args.certificateArn !== undefined) fail("certificateArn is set but aliases is empty: set the host names the certificate covers");
    if (aliases.length === 0 && args.hostedZoneId !== undefined) fail("hostedZoneId is set but aliases is empty: set the host names to create in that zone");

    const waf = { enabled: args.waf?.enabled ?? true, rateLimitPer5Min: args.waf?.rateLimitPer5Min ?? DEFAULT_RATE_LIMIT };
    wholeNumber("waf.rateLimitPer5Min", waf.rateLimitPer5Min, 10, 2_000_000_000, " requests");
    const logging = { enabled: args.logging?.enabled ?? true, retentionDays: args.logging?.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS };
    wholeNumber("logging.retentionDays", logging.retentionDays, 1, 36500, " days");

    const errorRatePercent = args.errorRatePercent ?? SLO.errorRate * 100;
    number("errorRatePercent", errorRatePercent, 0, 100, " %");
    const cacheHitRatePercent = args.cacheHitRatePercent ?? SLO.cdnCacheHitRatePercent;
    number("cacheHitRatePercent", cacheHitRatePercent, 0, 100, " %");

    return {
        ...args,
        static: staticBehaviour,
        proofs: proofsBehaviour,
        priceClass,
        aliases,
        waf,
        logging,
        protectData: args.protectData ?? true,
        errorRatePercent,
        cacheHitRatePercent,
    };
}
