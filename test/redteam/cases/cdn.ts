/**
 * Red-team cases: CloudFront cache TTLs.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

const CDN = "components/cdn/index.ts";

/** The program pairs /proofs/* with the static cache policy and /static/* with the proofs one. */
const SWAP_PAIRING = {
    file: CDN,
    find: `                    s3Behaviour(ORIGIN_ID.proofs, args.proofs, proofsCache, proofsUriFunction),
                    s3Behaviour(ORIGIN_ID.static, args.static, staticCache),`,
    replace: `                    s3Behaviour(ORIGIN_ID.proofs, args.proofs, staticCache, proofsUriFunction),
                    s3Behaviour(ORIGIN_ID.static, args.static, proofsCache),`,
};

/** The stack file's TTLs swapped between static and proofs (each value lands in the other's band). */
const SWAPPED_TTLS = {
    "credlink:cdn.staticMinTtl": 3600,
    "credlink:cdn.staticDefaultTtl": 86400,
    "credlink:cdn.staticMaxTtl": 604800,
    "credlink:cdn.proofsMinTtl": 86400,
    "credlink:cdn.proofsDefaultTtl": 604800,
    "credlink:cdn.proofsMaxTtl": 31536000,
};

/** An extra ordered behaviour in front of the others (CloudFront takes the first match). */
const extraBehaviour = (behaviour: string) => ({
    file: CDN,
    find: "                orderedCacheBehaviors: [\n",
    replace: `                orderedCacheBehaviors: [\n${behaviour}\n`,
});

/** A distribution-level resource added at module scope of index.ts. */
const moduleScope = (code: string) => ({
    file: "index.ts",
    find: "type Outputs =",
    replace: `${code}\n\ntype Outputs =`,
});

export const CASES: readonly RedTeamCase[] = [
    { name: "the production stack as committed", mustFail: [] },
    {
        name: "a tighter static band in the stack file (1 day .. 30 days)",
        stackFile: { "credlink:cdn.staticMaxTtl": 2592000 },
        mustFail: [],
    },

    // A stack-file change that crosses a band, whichever way the cache policies are paired
    {
        name: "the stack file swaps the static and proofs TTLs (each behaviour lands outside its band)",
        stackFile: SWAPPED_TTLS,
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "the stack file gives proofs a two-week max TTL",
        stackFile: { "credlink:cdn.proofsMaxTtl": 1209600 },
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "the program pairs each path with the other's cache policy (stack file unchanged)",
        program: [SWAP_PAIRING],
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "compliant: the program swaps the pairing and the stack file swaps the TTLs back into each band",
        program: [SWAP_PAIRING],
        stackFile: SWAPPED_TTLS,
        mustFail: [],
    },
    {
        name: "the program swaps the pairing and the stack file stretches the static max TTL to 2 years",
        program: [SWAP_PAIRING],
        stackFile: { ...SWAPPED_TTLS, "credlink:cdn.proofsMaxTtl": 63072000 },
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "the stack file moves static assets to /assets/* (out of every band)",
        stackFile: { "credlink:cdn.staticPathPattern": "/assets/*" },
        mustFail: ["cdn-ttl-bands"],
    },

    // False positives that must pass
    {
        name: "compliant: a never-cached live feed under /static/live/* (CachingDisabled, no band of its own)",
        program: [
            extraBehaviour(`                    {
                        pathPattern: "/static/live/*",
                        targetOriginId: ORIGIN_ID.static,
                        viewerProtocolPolicy: "redirect-to-https",
                        allowedMethods: [...READ_METHODS],
                        cachedMethods: [...CACHED_METHODS],
                        cachePolicyId: MANAGED_CACHE_POLICY.CachingDisabled,
                        responseHeadersPolicyId: securityHeaders.id,
                        compress: true,
                    },`),
        ],
        mustFail: [],
    },
    {
        name: "compliant: /static/js/* on the static cache policy takes the /static/* band",
        program: [
            extraBehaviour(
                "                    {\n" +
                    "                        ...s3Behaviour(ORIGIN_ID.static, args.static, staticCache),\n" +
                    '                        pathPattern: "/static/js/*",\n' +
                    "                    },",
            ),
        ],
        mustFail: [],
    },
    {
        name: "a cached /static/js/* with its own two-year cache policy",
        program: [
            extraBehaviour(`                    {
                        ...s3Behaviour(ORIGIN_ID.static, args.static, staticCache),
                        pathPattern: "/static/js/*",
                        cachePolicyId: s3CachePolicy("js", { ...args.static, maxTtl: 63072000 }).id,
                    },`),
        ],
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "compliant: the API behind an origin group failing over between two ALB origins",
        program: [
            {
                file: CDN,
                find: "                defaultCacheBehavior: {\n                    targetOriginId: ORIGIN_ID.api,",
                replace:
                    "                originGroups: [\n" +
                    "                    {\n" +
                    '                        originId: "api-failover",\n' +
                    "                        failoverCriteria: { statusCodes: [500, 502, 503, 504] },\n" +
                    '                        members: [{ originId: ORIGIN_ID.api }, { originId: "api-standby" }],\n' +
                    "                    },\n" +
                    "                ],\n" +
                    "                defaultCacheBehavior: {\n" +
                    '                    targetOriginId: "api-failover",',
            },
            {
                file: CDN,
                find: "                    {\n                        originId: ORIGIN_ID.static,",
                replace:
                    "                    {\n" +
                    '                        originId: "api-standby",\n' +
                    "                        domainName: args.apiOrigin.domainName,\n" +
                    "                        customOriginConfig: {\n" +
                    "                            httpPort: 80,\n" +
                    "                            httpsPort: 443,\n" +
                    "                            originProtocolPolicy: args.apiOrigin.protocol,\n" +
                    '                            originSslProtocols: ["TLSv1.2"],\n' +
                    "                        },\n" +
                    "                    },\n" +
                    "                    {\n" +
                    "                        originId: ORIGIN_ID.static,",
            },
        ],
        mustFail: [],
    },

    // A value picked through an Output from a decoy
    {
        name: "the API's cache policy picked from pulumi.all([noCache, shortCache]) (the decoy never cached)",
        program: [
            {
                file: CDN,
                find: '        const proofsCache = s3CachePolicy("proofs", args.proofs);',
                replace:
                    '        const proofsCache = s3CachePolicy("proofs", args.proofs);\n' +
                    '        const apiNoCache = s3CachePolicy("api-none", {\n' +
                    "            ...args.proofs, minTtl: 0, defaultTtl: 0, maxTtl: 0,\n" +
                    "        });\n" +
                    '        const apiShort = s3CachePolicy("api-short", {\n' +
                    "            ...args.proofs, minTtl: 0, defaultTtl: 60, maxTtl: 300,\n" +
                    "        });",
            },
            {
                file: CDN,
                find: "cachePolicyId: MANAGED_CACHE_POLICY.CachingDisabled,",
                replace: "cachePolicyId: pulumi.all([apiNoCache.id, apiShort.id]).apply(([, short]) => short),",
            },
        ],
        mustFail: ["cdn-api-not-cached"],
    },

    // Empty values must not switch a rule off
    {
        name: 'static assets with cachePolicyId "" and two-year TTLs, the static policy still used by /static/img/*',
        program: [
            extraBehaviour(`                    {
                        ...s3Behaviour(ORIGIN_ID.static, args.static, staticCache),
                        pathPattern: "/static/img/*",
                        cachePolicyId: staticCache.id,
                    },`),
            {
                file: CDN,
                find: "            cachePolicyId: cachePolicy.id,",
                replace:
                    '            cachePolicyId: originId === ORIGIN_ID.static ? "" : cachePolicy.id,\n' +
                    "            minTtl: 86400,\n" +
                    "            defaultTtl: 604800,\n" +
                    "            maxTtl: 63072000,\n" +
                    '            forwardedValues: { queryString: false, cookies: { forward: "none" } },',
            },
        ],
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "the ordered cache behaviours emptied (everything goes to the API)",
        program: [
            {
                file: CDN,
                find: `                orderedCacheBehaviors: [
                    s3Behaviour(ORIGIN_ID.proofs, args.proofs, proofsCache, proofsUriFunction),
                    s3Behaviour(ORIGIN_ID.static, args.static, staticCache),
                ],`,
                replace: "                orderedCacheBehaviors: [],",
            },
        ],
        mustFail: ["cdn-ttl-bands"],
    },

    // Other distribution types
    {
        name: "a multi-tenant distribution declared at module scope",
        program: [
            moduleScope(`new aws.cloudfront.MultitenantDistribution("tenants", {
    comment: "white-label tenants",
    enabled: true,
    origins: [
        {
            originId: "api",
            domainName: "origin.example.com",
            customOriginConfig: {
                httpPort: 80,
                httpsPort: 443,
                originProtocolPolicy: "https-only",
                originSslProtocols: ["TLSv1.2"],
            },
        },
    ],
    defaultCacheBehavior: {
        targetOriginId: "api",
        viewerProtocolPolicy: "allow-all",
        allowedMethods: { items: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    tenantConfig: {},
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});`),
        ],
        mustFail: ["unchecked-resource-types"],
    },
    {
        name: "a Lightsail distribution for the static site",
        program: [
            moduleScope(`new aws.lightsail.Distribution("static-site", {
    name: "credlink-static",
    bundleId: "small_1_0",
    origin: { name: "credlink-static-bucket", regionName: "us-east-1" },
    defaultCacheBehavior: { behavior: "cache" },
    cacheBehaviorSettings: { maximumTtl: 63072000, defaultTtl: 63072000 },
});`),
        ],
        mustFail: ["unchecked-resource-types"],
    },
];
