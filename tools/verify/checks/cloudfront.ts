/**
 * CloudFront: the distribution is deployed and its behaviours, cache policy
 * TTLs, compression, HTTP version, TLS, logging and WAF match the config.
 */
import {
    GetCachePolicyCommand,
    GetDistributionCommand,
    type CacheBehavior,
    type DefaultCacheBehavior,
    type Distribution,
    type Origin,
} from "@aws-sdk/client-cloudfront";
import type { CachedBehaviourSettings } from "../../../components/cdn/settings";
import { ORIGIN_VERIFY_HEADER } from "../../../lib/origin";
import { HTTP_VERSION, MINIMUM_VIEWER_TLS } from "../../../policies/aws/cloudfront";
import { call, describeError } from "../aws";
import { MANAGED_CACHE_POLICY } from "../../../policies/aws/cloudfront";
import { viewerTlsAcceptable } from "../expected";
import type { CheckContext } from "./context";
import { yesNo } from "./context";

const AREA = "CloudFront";

interface Ttls {
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
}

const showTtls = (t: Ttls) =>
    `min ${t.minTtl ?? "unset"} / default ${t.defaultTtl ?? "unset"} / max ${t.maxTtl ?? "unset"} s`;

export async function checkCloudFront(ctx: CheckContext): Promise<void> {
    const { outputs, expected, clients, rec } = ctx;
    let dist: Distribution | undefined;
    try {
        dist = (
            await call(clients.timeoutMs, (o) =>
                clients.cloudfront.send(new GetDistributionCommand({ Id: outputs.distributionId }), o),
            )
        ).Distribution;
    } catch (e) {
        rec.expect(AREA, "distribution exists", false, describeError(e), `distribution ${outputs.distributionId}`);
        return;
    }
    const config = dist?.DistributionConfig;
    if (!dist || !config) {
        rec.expect(AREA, "distribution exists", false, "an empty answer", `distribution ${outputs.distributionId}`);
        return;
    }

    if (dist.Status === "Deployed") rec.pass(AREA, `distribution ${outputs.distributionId} deployed`, "Deployed");
    else
        rec.add({
            area: AREA,
            name: `distribution ${outputs.distributionId} deployed`,
            status: "warn",
            found: dist.Status ?? "unknown",
            expected: "Deployed",
            note: "a change is still propagating to the edges; run verify again in a few minutes",
        });
    rec.expect(AREA, "distribution enabled", config.Enabled === true, yesNo(config.Enabled), "on");

    const origins = config.Origins?.Items ?? [];
    const originById = new Map(origins.map((o) => [o.Id, o]));
    const apiOrigin = origins.find((o) =>
        (o.CustomHeaders?.Items ?? []).some((h) => h.HeaderName?.toLowerCase() === ORIGIN_VERIFY_HEADER.toLowerCase()),
    );
    await checkApiOrigin(ctx, apiOrigin, origins);

    const def = config.DefaultCacheBehavior;
    const defOrigin = def?.TargetOriginId !== undefined ? originById.get(def.TargetOriginId) : undefined;
    rec.expect(
        AREA,
        "default behaviour → API origin, never cached",
        def !== undefined &&
            apiOrigin !== undefined &&
            def.TargetOriginId === apiOrigin.Id &&
            def.CachePolicyId === MANAGED_CACHE_POLICY.CachingDisabled,
        def
            ? `→ ${defOrigin?.DomainName ?? def.TargetOriginId}, cache policy ` +
                  `${def.CachePolicyId ?? "none (legacy TTLs)"}`
            : "no default behaviour",
        `→ ${apiOrigin?.DomainName ?? "the API origin"}, managed CachingDisabled ` +
            `${MANAGED_CACHE_POLICY.CachingDisabled}`,
    );

    const behaviours = config.CacheBehaviors?.Items ?? [];
    const policyTtls = new Map<string, Ttls | Error>();
    for (const [label, band, bucket] of [
        ["static", expected.cdn.static, outputs.staticBucketName],
        ["proofs", expected.cdn.proofs, outputs.proofsBucketName],
    ] as const) {
        await checkBehaviour(
            ctx,
            label,
            band,
            bucket,
            behaviours.find((b) => b.PathPattern === band.pathPattern),
            originById,
            policyTtls,
        );
    }

    const uncompressed = [def, ...behaviours]
        .filter((b): b is DefaultCacheBehavior | CacheBehavior => b !== undefined && b.Compress !== true)
        .map(behaviourName);
    rec.expect(
        AREA,
        "compression on every behaviour",
        def !== undefined && uncompressed.length === 0,
        uncompressed.length === 0 ? "on" : `off on ${uncompressed.join(", ")}`,
        "on",
    );
    rec.expect(AREA, "HTTP version", config.HttpVersion === HTTP_VERSION, config.HttpVersion ?? "unset", HTTP_VERSION);

    const cert = config.ViewerCertificate;
    if (expected.cdn.certificate) {
        const arnOk =
            expected.cdn.certificateArn === undefined || cert?.ACMCertificateArn === expected.cdn.certificateArn;
        rec.expect(
            AREA,
            "viewer TLS",
            cert?.CloudFrontDefaultCertificate !== true && arnOk && viewerTlsAcceptable(cert?.MinimumProtocolVersion),
            cert?.CloudFrontDefaultCertificate
                ? "the default *.cloudfront.net certificate"
                : `${cert?.ACMCertificateArn ?? "no ACM certificate"}, ` +
                      `${cert?.MinimumProtocolVersion ?? "no minimum protocol"}`,
            `${expected.cdn.certificateArn ?? "the stack's ACM certificate"}, ${MINIMUM_VIEWER_TLS} or newer`,
        );
        const aliases = config.Aliases?.Items ?? [];
        rec.expect(
            AREA,
            "alternate domain name",
            expected.cdn.alias !== undefined && aliases.includes(expected.cdn.alias),
            aliases.join(", ") || "none",
            expected.cdn.alias ?? "domain.name",
        );
    } else {
        rec.expect(
            AREA,
            "viewer TLS",
            cert?.CloudFrontDefaultCertificate === true,
            cert?.CloudFrontDefaultCertificate
                ? "default *.cloudfront.net certificate"
                : `${cert?.ACMCertificateArn ?? "no certificate"}`,
            "the default *.cloudfront.net certificate (no domain configured)",
        );
    }
    rec.expect(
        AREA,
        "price class",
        config.PriceClass === expected.cdn.priceClass,
        config.PriceClass ?? "unset",
        expected.cdn.priceClass,
    );
    rec.expect(
        AREA,
        "access logging",
        (config.Logging?.Enabled === true) === expected.cdn.loggingEnabled,
        config.Logging?.Enabled ? `on → ${config.Logging.Bucket}` : "off",
        yesNo(expected.cdn.loggingEnabled),
    );
    const webAcl = config.WebACLId ?? "";
    rec.expect(
        AREA,
        "WAF web ACL",
        (webAcl !== "") === expected.cdn.wafEnabled,
        webAcl !== "" ? webAcl : "none",
        expected.cdn.wafEnabled ? "a WAFv2 web ACL attached" : "none",
    );
}

async function checkBehaviour(
    ctx: CheckContext,
    label: string,
    band: CachedBehaviourSettings,
    bucket: string,
    behaviour: CacheBehavior | undefined,
    originById: ReadonlyMap<string | undefined, Origin>,
    policyTtls: Map<string, Ttls | Error>,
): Promise<void> {
    const { rec, clients } = ctx;
    const name = `${band.pathPattern} behaviour`;
    if (!behaviour) {
        rec.expect(
            AREA,
            `${name} → ${label} bucket`,
            false,
            "no such behaviour",
            `a ${band.pathPattern} behaviour → ${bucket}`,
        );
        return;
    }
    const origin = originById.get(behaviour.TargetOriginId);
    rec.expect(
        AREA,
        `${name} → ${label} bucket`,
        origin?.DomainName?.toLowerCase().startsWith(`${bucket.toLowerCase()}.s3.`) === true,
        origin?.DomainName ?? `unknown origin ${behaviour.TargetOriginId}`,
        `${bucket}.s3.<region>.amazonaws.com`,
    );

    let found: Ttls | Error;
    let via: string;
    if (behaviour.CachePolicyId) {
        via = `cache policy ${behaviour.CachePolicyId}`;
        if (!policyTtls.has(behaviour.CachePolicyId)) {
            try {
                const out = await call(clients.timeoutMs, (o) =>
                    clients.cloudfront.send(new GetCachePolicyCommand({ Id: behaviour.CachePolicyId }), o),
                );
                const c = out.CachePolicy?.CachePolicyConfig;
                policyTtls.set(behaviour.CachePolicyId, {
                    minTtl: c?.MinTTL,
                    defaultTtl: c?.DefaultTTL,
                    maxTtl: c?.MaxTTL,
                });
            } catch (e) {
                policyTtls.set(behaviour.CachePolicyId, new Error(describeError(e)));
            }
        }
        found = policyTtls.get(behaviour.CachePolicyId) as Ttls | Error;
    } else {
        // Legacy behaviour settings (no cache policy): the TTLs sit on the behaviour itself.
        via = "legacy behaviour TTLs";
        found = { minTtl: behaviour.MinTTL, defaultTtl: behaviour.DefaultTTL, maxTtl: behaviour.MaxTTL };
    }
    if (found instanceof Error) {
        rec.expect(AREA, `${name} TTLs`, false, `${via}: ${found.message}`, showTtls(band));
        return;
    }
    const ok = found.minTtl === band.minTtl && found.defaultTtl === band.defaultTtl && found.maxTtl === band.maxTtl;
    rec.expect(AREA, `${name} TTLs`, ok, `${showTtls(found)} (${via})`, showTtls(band));
}

/**
 * The API origin is the origin that sends the origin-verify header. It is the
 * ALB's DNS name, or domain.originName when the ALB has a certificate; that
 * name must then resolve to the ALB (an alias record the stack creates, or a
 * CNAME someone maintains by hand), which is checked through DNS.
 */
async function checkApiOrigin(
    ctx: CheckContext,
    apiOrigin: Origin | undefined,
    origins: readonly Origin[],
): Promise<void> {
    const alb = ctx.outputs.albDnsName;
    const host = ctx.expected.apiOriginHost ?? alb;
    const name = "API origin is the ALB and sends the origin-verify header";
    const resolving = host === alb ? "" : ` (resolving to ${alb})`;
    const expected = `an origin → ${host}${resolving} with ${ORIGIN_VERIFY_HEADER}`;
    if (!apiOrigin?.DomainName) {
        ctx.rec.expect(
            AREA,
            name,
            false,
            `no origin sends ${ORIGIN_VERIFY_HEADER} (origins: ` +
                `${origins.map((o) => o.DomainName).join(", ") || "none"})`,
            expected,
        );
        return;
    }
    const found = `origin ${apiOrigin.Id} → ${apiOrigin.DomainName} with ${ORIGIN_VERIFY_HEADER}`;
    if (!sameHost(apiOrigin.DomainName, host) || sameHost(host, alb)) {
        ctx.rec.expect(AREA, name, sameHost(apiOrigin.DomainName, host), found, expected);
        return;
    }
    let shared: boolean;
    try {
        const [a, b] = await Promise.all([ctx.resolveHost(host), ctx.resolveHost(alb)]);
        shared = a.some((ip) => b.includes(ip));
    } catch (e) {
        ctx.rec.add({
            area: AREA,
            name,
            status: "warn",
            found,
            expected,
            note: `could not resolve ${host} and ${alb} to compare them: ${(e as Error).message.split("\n")[0]}`,
        });
        return;
    }
    ctx.rec.expect(
        AREA,
        name,
        shared,
        shared ? `${found}, which resolves to the ALB` : `${found}, which does not resolve to the ALB's addresses`,
        expected,
        shared ? undefined : `point ${host} at ${alb} (alias or CNAME)`,
    );
}

function behaviourName(b: DefaultCacheBehavior | CacheBehavior): string {
    return "PathPattern" in b && b.PathPattern ? b.PathPattern : "default";
}

function sameHost(a: string | undefined, b: string): boolean {
    return a !== undefined && a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");
}
