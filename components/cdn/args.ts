/**
 * CdnDistribution's arguments: the wiring the stack hands in (the API origin, the
 * proofs bucket, the alarm topic) plus the settings of ./settings.ts, validated
 * with the same schemas and defaults the stack config uses. How close the values
 * sit to the SLO is the policy pack's business, not this file's.
 */
import * as pulumi from "@pulumi/pulumi";
import { arnRegion } from "../../lib/arn";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";
import { argName, group, type GroupInput, resolve } from "../../lib/settings";
import { ALARM_SETTINGS } from "../scaling-service/settings";
import { CDN_SETTINGS, type CdnSettings } from "./settings";

export type { CachedBehaviourSettings, CdnSettings, PriceClass } from "./settings";
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

/**
 * The cache, WAF, logging and alarm settings (static, proofs, priceClass, wafEnabled,
 * wafRateLimitPer5Min, loggingEnabled, s3AccessLoggingEnabled, logRetentionDays, cacheHitRatePercent)
 * are described, with their defaults and limits, in CDN_SETTINGS (./settings.ts).
 */
export interface CdnDistributionArgs extends GroupInput<typeof CDN_SETTINGS> {
    /** The API (the ALB): the default behaviour, never cached, all methods. */
    readonly apiOrigin: ApiOriginArgs;
    /** Secret value CloudFront sends to the API origin in the ORIGIN_VERIFY_HEADER header (lib/origin.ts). */
    readonly originVerifySecret: pulumi.Input<string>;
    /**
     * Bucket served under `proofs.pathPattern`; the component writes its bucket policy and, with
     * `s3AccessLoggingEnabled`, its server access logging (into the log bucket, prefix `s3/proofs/`).
     */
    readonly proofsBucket: ProofsBucketRef;
    /**
     * Host names the distribution answers to. Need `certificateArn` or `hostedZoneId`.
     * Default: none (the cloudfront.net name only).
     */
    readonly aliases?: readonly string[];
    /** ACM certificate for `aliases`, in us-east-1. Default: none. */
    readonly certificateArn?: pulumi.Input<string>;
    /**
     * Route 53 zone holding `aliases`: the component adds A/AAAA alias records to the
     * distribution and, without `certificateArn`, creates and DNS-validates a us-east-1
     * certificate. Default: none.
     */
    readonly hostedZoneId?: pulumi.Input<string>;
    /** Protect the static and log buckets (Pulumi protect + retainOnDelete). Default: true. */
    readonly protectData?: boolean;
    /** SNS topic IN us-east-1 notified on ALARM and OK. Default: none (alarms without actions). */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** 5xx error-rate alarm threshold, percent of requests (alarms.errorRatePercent). Default: the SLO's. */
    readonly errorRatePercent?: number;
}

const PROTOCOLS: readonly OriginProtocol[] = ["https-only", "http-only"];
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
/** The stack's alarm threshold the CDN shares with the service's alarms. */
const CDN_ALARM_SETTINGS = group({ errorRatePercent: ALARM_SETTINGS.settings.errorRatePercent });

export interface ResolvedCdnArgs extends Omit<CdnDistributionArgs, keyof CdnSettings>, CdnSettings {
    readonly aliases: readonly string[];
    readonly protectData: boolean;
    readonly errorRatePercent: number;
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
    return typeof arn === "string"
        ? checkCertificateRegion(component, arn)
        : pulumi.output(arn).apply((a) => checkCertificateRegion(component, a));
}

/** Fill in defaults and validate; throws one line naming the argument, its value and what is allowed. */
export function resolveCdnArgs(component: string, args: CdnDistributionArgs): ResolvedCdnArgs {
    const fail = (line: string): never => {
        throw new Error(`${component}: ${line}`);
    };
    const settings = resolve(CDN_SETTINGS, args, { at: argName() });
    const alarm = resolve(CDN_ALARM_SETTINGS, args, { at: argName() });
    const problem = [...settings.problems, ...alarm.problems][0];
    if (problem !== undefined) fail(problem);

    if (!PROTOCOLS.includes(args.apiOrigin?.protocol))
        fail(`apiOrigin.protocol = ${show(args.apiOrigin?.protocol)} must be one of ${PROTOCOLS.join(", ")}`);

    const aliases = [...(args.aliases ?? [])];
    for (const alias of aliases) {
        if (typeof alias !== "string" || !HOST_NAME.test(alias))
            fail(`aliases contains ${show(alias)}, which is not a lower-case host name such as api.example.com`);
    }
    if (new Set(aliases).size !== aliases.length) fail(`aliases = ${show(aliases)} must not repeat a host name`);
    if (typeof args.certificateArn === "string") {
        if (!ACM_ARN.test(args.certificateArn))
            fail(
                `certificateArn = ${show(args.certificateArn)} must be an ACM certificate ARN ` +
                    `(arn:aws:acm:us-east-1:<account>:certificate/<id>)`,
            );
        checkCertificateRegion(component, args.certificateArn);
    }
    const hasCertificateSource = args.certificateArn !== undefined || args.hostedZoneId !== undefined;
    if (aliases.length > 0 && !hasCertificateSource) {
        fail(
            `aliases = ${show(aliases)} need certificateArn or hostedZoneId: CloudFront answers an ` +
                `alias only with a certificate that covers it`,
        );
    }
    if (aliases.length === 0 && args.certificateArn !== undefined)
        fail("certificateArn is set but aliases is empty: set the host names the certificate covers");
    if (aliases.length === 0 && args.hostedZoneId !== undefined)
        fail("hostedZoneId is set but aliases is empty: set the host names to create in that zone");

    return { ...args, ...settings.values, ...alarm.values, aliases, protectData: args.protectData ?? true };
}
