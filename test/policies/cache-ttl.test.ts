/**
 * Cache-TTL rules, through the pack running in its own process over gRPC:
 * one compliant stack, then one mutation per violating case.
 */
import type * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { TTL } from "../../policies/slo";
import { inputsOf, type InputsOf } from "../resources";
import {
    analyze,
    CACHING_DISABLED,
    changed,
    compliantStack,
    expectCompliant,
    expectViolations,
    isPairingNote,
    mandatory,
    openPack,
    resource,
    T,
    UNKNOWN,
    urnOf,
} from "./fixtures";

const DIST = `${T.distribution} "cdn"`;
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

/** The fixture's distribution: it always has ordered cache behaviours. */
type Distribution = InputsOf<aws.cloudfront.DistributionArgs> &
    Required<Pick<InputsOf<aws.cloudfront.DistributionArgs>, "orderedCacheBehaviors">>;

const distChange = (fn: (d: Distribution) => void) =>
    changed<Distribution>(compliantStack(), T.distribution, "cdn", (d) => fn(d));

describe("compliant CDN", () => {
    it(
        "reports nothing for the compliant stack (new cache policies with unknown IDs matched " +
            "through property dependencies)",
        async () => {
            expectCompliant(await analyze(pack, compliantStack()));
        },
    );

    it("accepts an API behaviour that sets TTLs 0/0/0 itself instead of CachingDisabled", async () => {
        const stack = distChange((d) => {
            delete d.defaultCacheBehavior.cachePolicyId;
            Object.assign(d.defaultCacheBehavior, {
                minTtl: 0,
                defaultTtl: 0,
                maxTtl: 0,
                forwardedValues: { queryString: true, cookies: { forward: "all" } },
            });
        });
        expectCompliant(await analyze(pack, stack));
    });
});

describe("cdn-api-not-cached", () => {
    it("rejects an API behaviour with cache TTL fields above 0", async () => {
        const stack = distChange((d) => {
            delete d.defaultCacheBehavior.cachePolicyId;
            Object.assign(d.defaultCacheBehavior, {
                minTtl: 0,
                defaultTtl: 3600,
                maxTtl: 86_400,
                forwardedValues: { queryString: true, cookies: { forward: "all" } },
            });
        });
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property: "defaultCacheBehavior minTtl/defaultTtl/maxTtl (from its TTL fields)",
                found: "minTtl 0 s, defaultTtl 3600 s (1 hour), maxTtl 86400 s (1 day)",
                allowed: "minTtl 0 s, defaultTtl 0 s, maxTtl 0 s (never cached)",
                fix: CACHING_DISABLED,
            },
        ]);
    });

    it("rejects an API behaviour whose TTLs come from a cache policy outside the stack (not verifiable)", async () => {
        const stack = distChange((d) => {
            d.defaultCacheBehavior.cachePolicyId = CACHING_OPTIMIZED;
        });
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property: "defaultCacheBehavior.cachePolicyId",
                found: `"${CACHING_OPTIMIZED}", neither CachingDisabled nor a cache policy created in this stack`,
                allowed: "TTLs the pack can read",
            },
        ]);
    });

    it(
        "follows the property dependency to a caching policy created in the same stack (ID unknown " + "at preview)",
        async () => {
            const stack = [
                ...distChange((d) => {
                    d.defaultCacheBehavior.cachePolicyId = UNKNOWN;
                }).map((r) =>
                    r.type === T.distribution
                        ? resource(r.type, r.name, r.inputs, {
                              propertyDependencies: {
                                  ...r.propertyDependencies,
                                  defaultCacheBehavior: [urnOf(T.cachePolicy, "api-cache")],
                              },
                          })
                        : r,
                ),
                resource(T.cachePolicy, "api-cache", { minTtl: 0, defaultTtl: 60, maxTtl: 300 }),
            ];
            expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
                {
                    resource: DIST,
                    property: 'defaultCacheBehavior cache policy (ID unknown at preview: "api-cache")',
                    found:
                        '"api-cache" has minTtl/defaultTtl/maxTtl minTtl 0 s, defaultTtl 60 s (1 ' +
                        "minute), maxTtl 300 s (5 minutes)",
                    allowed: "minTtl 0 s, defaultTtl 0 s, maxTtl 0 s (never cached)",
                },
            ]);
        },
    );

    it("holds an ordered behaviour that targets the ALB origin to the API rule", async () => {
        const stack = distChange((d) => {
            d.orderedCacheBehaviors.push({
                ...d.orderedCacheBehaviors[1],
                pathPattern: "/sign",
                targetOriginId: "api",
            });
        });
        // /sign can only have been given one of the two stack cache policies, and neither is 0/0/0.
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property:
                    "orderedCacheBehaviors[2] (/sign) cache policy (ID unknown at preview: one of " +
                    '"cdn-proofs-cache" or "cdn-static-cache")',
                found: '"cdn-proofs-cache" has minTtl/defaultTtl/maxTtl minTtl 3600 s (1 hour)',
                allowed: "minTtl 0 s, defaultTtl 0 s, maxTtl 0 s (never cached)",
            },
        ]);
    });
});

describe("cdn-ttl-bands", () => {
    it(
        "rejects a static cache policy whose max TTL exceeds one year (matched at preview through " +
            "property dependencies)",
        async () => {
            const stack = changed(compliantStack(), T.cachePolicy, "cdn-static-cache", (p) => {
                p.maxTtl = 2 * TTL.static.maxTtl;
            });
            expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
                {
                    resource: DIST,
                    property:
                        "orderedCacheBehaviors[1] (/static/*) cache policy (ID unknown at preview: one " +
                        'of "cdn-proofs-cache" or "cdn-static-cache")',
                    found:
                        '"cdn-proofs-cache" has minTtl 3600 s (1 hour); "cdn-static-cache" has ' +
                        "maxTtl 63072000 s (2 years)",
                    allowed: "86400 s (1 day) .. 31536000 s (1 year) for /static/*",
                },
            ]);
        },
    );

    it("rejects proofs TTLs set on the behaviour beyond one week", async () => {
        const stack = changed<Distribution>(compliantStack(), T.distribution, "cdn", (d, links) => {
            const b = d.orderedCacheBehaviors[0];
            delete b.cachePolicyId;
            Object.assign(b, {
                minTtl: 3600,
                defaultTtl: 1_209_600,
                maxTtl: 1_209_600,
                forwardedValues: { queryString: false, cookies: { forward: "none" } },
            });
            // The proofs cache policy no longer flows into the behaviours.
            links.propertyDependencies.orderedCacheBehaviors = [urnOf(T.cachePolicy, "cdn-static-cache")];
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[0] (/proofs/*) defaultTtl, maxTtl (from its TTL fields)",
                found: "1209600 s (2 weeks), 1209600 s (2 weeks)",
                allowed: "3600 s (1 hour) .. 604800 s (1 week) for /proofs/*",
            },
        ]);
    });

    it(
        "rejects a cached S3 path renamed out of every band (a 2-year TTL under /assets/* must not " + "slip through)",
        async () => {
            const stack = distChange((d) => {
                d.orderedCacheBehaviors[1].pathPattern = "/assets/*";
            });
            expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
                {
                    resource: DIST,
                    property: "orderedCacheBehaviors",
                    found: 'no behaviour for "/static/*"',
                    allowed: "a behaviour for every configured path: /static/*, /proofs/*",
                },
                {
                    resource: DIST,
                    property: "orderedCacheBehaviors[1] (/assets/*) cache policy (ID unknown at preview",
                    found: '"cdn-proofs-cache" has TTLs minTtl 3600 s (1 hour)',
                    allowed: "never cached (0/0/0), or a band for every cached path (configured: /static/*, /proofs/*",
                },
            ]);
        },
    );

    it("maps known cache policy IDs exactly (after an update): a swapped policy is caught", async () => {
        const ids = { "cdn-static-cache": "static-policy-id", "cdn-proofs-cache": "proofs-policy-id" };
        const stack = compliantStack().map((r) => {
            if (r.type === T.cachePolicy)
                return { ...r, outputs: { ...r.outputs, id: ids[r.name as keyof typeof ids] } };
            if (r.type !== T.distribution) return r;
            const d = structuredClone(r.inputs) as Distribution;
            d.orderedCacheBehaviors[0].cachePolicyId = ids["cdn-static-cache"]; // /proofs/* given the static policy
            d.orderedCacheBehaviors[1].cachePolicyId = ids["cdn-proofs-cache"];
            return resource(r.type, r.name, d, { propertyDependencies: r.propertyDependencies });
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: 'orderedCacheBehaviors[0] (/proofs/*) maxTtl (from cache policy "cdn-static-cache")',
                found: "31536000 s (1 year)",
                allowed: "3600 s (1 hour) .. 604800 s (1 week)",
            },
            {
                resource: DIST,
                property: 'orderedCacheBehaviors[1] (/static/*) minTtl (from cache policy "cdn-proofs-cache")',
                found: "3600 s (1 hour)",
                allowed: "86400 s (1 day) .. 31536000 s (1 year)",
            },
        ]);
    });
});

describe("cdn-ttl-order", () => {
    it("rejects a cache policy whose minimum TTL exceeds its default", async () => {
        const stack = changed(compliantStack(), T.cachePolicy, "cdn-proofs-cache", (p) => {
            p.minTtl = 7200;
            p.defaultTtl = 3600;
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-order", [
            {
                resource: `${T.cachePolicy} "cdn-proofs-cache"`,
                property: "minTtl/defaultTtl/maxTtl",
                found: "minTtl 7200 s (2 hours), defaultTtl 3600 s (1 hour), maxTtl 604800 s (1 week)",
                allowed: "minTtl <= defaultTtl <= maxTtl",
            },
        ]);
    });
});

describe("cdn-compression", () => {
    it("rejects a behaviour with compression off and one that leaves it unset", async () => {
        const stack = distChange((d) => {
            d.orderedCacheBehaviors[1].compress = false;
            delete d.defaultCacheBehavior.compress;
        });
        expectViolations(await analyze(pack, stack), "cdn-compression", [
            {
                resource: DIST,
                property: "defaultCacheBehavior.compress",
                found: "not set (CloudFront's default: false)",
                allowed: "true",
            },
            {
                resource: DIST,
                property: "orderedCacheBehaviors[1] (/static/*).compress",
                found: "false",
                allowed: "true",
            },
        ]);
    });
});

describe("cdn-viewer-https", () => {
    it("rejects a behaviour that lets viewers use plain HTTP", async () => {
        const stack = distChange((d) => {
            d.defaultCacheBehavior.viewerProtocolPolicy = "allow-all";
        });
        expectViolations(await analyze(pack, stack), "cdn-viewer-https", [
            {
                resource: DIST,
                property: "defaultCacheBehavior.viewerProtocolPolicy",
                found: '"allow-all"',
                allowed: "redirect-to-https or https-only",
            },
        ]);
    });

    it(
        "rejects behaviours the pack cannot see at preview (a computed list) as mandatory rather " +
            "than skipping them",
        async () => {
            // Plain inputs: an UNKNOWN where the list belongs.
            const stack = changed(compliantStack(), T.distribution, "cdn", (d) => {
                d.orderedCacheBehaviors = UNKNOWN;
            });
            const ds = await analyze(pack, stack);
            expectViolations(ds, "cdn-viewer-https", [
                {
                    resource: DIST,
                    property: "orderedCacheBehaviors",
                    found: "unknown at preview (computed from another resource)",
                    allowed: "a literal value",
                },
            ]);
            expect(ds.filter((d) => d.message.includes("can't run policy"))).toEqual([]);
        },
    );
});

describe("cdn-minimum-tls", () => {
    it("rejects an outdated minimum protocol version", async () => {
        const stack = distChange((d) => {
            d.viewerCertificate.minimumProtocolVersion = "TLSv1.1_2016";
        });
        expectViolations(await analyze(pack, stack), "cdn-minimum-tls", [
            {
                resource: DIST,
                property: "viewerCertificate.minimumProtocolVersion",
                found: '"TLSv1.1_2016"',
                allowed: "TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025",
            },
        ]);
    });

    it("rejects the default *.cloudfront.net certificate", async () => {
        const stack = distChange((d) => {
            d.viewerCertificate = { cloudfrontDefaultCertificate: true };
        });
        expectViolations(await analyze(pack, stack), "cdn-minimum-tls", [
            {
                resource: DIST,
                property: "viewerCertificate.acmCertificateArn",
                found: "not set (the distribution serves the *.cloudfront.net certificate",
                allowed: "an ACM certificate with minimumProtocolVersion TLSv1.2_2021",
            },
        ]);
    });
});

it("uses the managed CachingDisabled ID in the compliant fixture", () => {
    const distribution = compliantStack().find((r) => r.type === T.distribution)!;
    expect(inputsOf<aws.cloudfront.DistributionArgs>(distribution).defaultCacheBehavior.cachePolicyId).toBe(
        CACHING_DISABLED,
    );
});

describe("origin groups, sub-paths and empty values (issue 14)", () => {
    /** The API behind an origin group: failover between two ALB custom origins. */
    const failoverApi = (d: Distribution) => {
        const api = d.origins[0];
        d.origins.push({ ...api, originId: "api-standby", domainName: "standby.api.test.example.com" });
        d.originGroups = [
            {
                originId: "api-group",
                failoverCriteria: { statusCodes: [500, 502, 503, 504] },
                members: [{ originId: "api" }, { originId: "api-standby" }],
            },
        ];
        d.defaultCacheBehavior.targetOriginId = "api-group";
    };
    const legacyTtls = (minTtl: number, defaultTtl: number, maxTtl: number) => ({
        minTtl,
        defaultTtl,
        maxTtl,
        forwardedValues: { queryString: false, cookies: { forward: "none" } },
    });
    const subPath = (pathPattern: string, ttl: Record<string, unknown>) => (d: Distribution) => {
        const b = { ...d.orderedCacheBehaviors[1], pathPattern };
        delete b.cachePolicyId;
        // Sub-paths go first: CloudFront takes the first behaviour whose pattern matches.
        d.orderedCacheBehaviors.unshift({ ...b, ...ttl });
    };

    it("recognises an API default behaviour behind an origin group of ALB origins (never cached: passes)", async () => {
        expectCompliant(await analyze(pack, distChange(failoverApi)));
    });

    it("holds that origin group to the API rule (a cached failover pair fails)", async () => {
        const stack = distChange((d) => {
            failoverApi(d);
            delete d.defaultCacheBehavior.cachePolicyId;
            Object.assign(d.defaultCacheBehavior, legacyTtls(0, 60, 60));
        });
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property: "defaultCacheBehavior minTtl/defaultTtl/maxTtl (from its TTL fields)",
                found: "minTtl 0 s, defaultTtl 60 s (1 minute), maxTtl 60 s (1 minute)",
                allowed: "minTtl 0 s, defaultTtl 0 s, maxTtl 0 s (never cached)",
            },
        ]);
    });

    it("holds a behaviour whose origin is a VPC origin (an internal ALB) to the API rule", async () => {
        const stack = distChange((d) => {
            d.origins.push({
                originId: "internal-api",
                domainName: "internal.example.com",
                vpcOriginConfig: { vpcOriginId: "vo_1" },
            });
            d.orderedCacheBehaviors.unshift({
                ...d.orderedCacheBehaviors[1],
                pathPattern: "/v2/*",
                targetOriginId: "internal-api",
                cachePolicyId: undefined,
                ...legacyTtls(0, 300, 300),
            });
        });
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[0] (/v2/*) minTtl/defaultTtl/maxTtl (from its TTL fields)",
                found: "minTtl 0 s, defaultTtl 300 s (5 minutes), maxTtl 300 s (5 minutes)",
                allowed: "minTtl 0 s, defaultTtl 0 s, maxTtl 0 s (never cached)",
            },
        ]);
    });

    it.each([
        ["CachingDisabled", { cachePolicyId: CACHING_DISABLED }],
        ["TTL fields 0/0/0", legacyTtls(0, 0, 0)],
    ])("passes a never-cached sub-path under a cached path without a band (/static/live/*, %s)", async (_l, ttl) => {
        expectCompliant(await analyze(pack, distChange(subPath("/static/live/*", ttl))));
    });

    it("gives a cached sub-path the band of the longest configured pattern that covers it", async () => {
        expectCompliant(await analyze(pack, distChange(subPath("/static/js/*", legacyTtls(86_400, 604_800, 604_800)))));
        const tooLong = distChange(subPath("/static/js/*", legacyTtls(86_400, 604_800, 2 * 31_536_000)));
        expectViolations(await analyze(pack, tooLong), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[0] (/static/js/*) maxTtl (from its TTL fields)",
                found: "63072000 s (2 years)",
                allowed: "86400 s (1 day) .. 31536000 s (1 year) for /static/js/* (the band of /static/*)",
            },
        ]);
    });

    it("still rejects a cached path that no configured pattern covers (/stat* is not under /static/*)", async () => {
        const stack = distChange(subPath("/stat*", legacyTtls(60, 60, 60)));
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[0] (/stat*) TTLs (from its TTL fields)",
                found:
                    "minTtl 60 s (1 minute), defaultTtl 60 s (1 minute), maxTtl 60 s (1 minute) " +
                    '(cached, and "/stat*" has no TTL band)',
                allowed: "never cached (0/0/0), or a band for every cached path",
            },
        ]);
    });

    it('does not let an empty cachePolicyId ("") hide the behaviour\'s own TTL fields', async () => {
        // /static/img/* still references the static cache policy, so it stays among the dependencies.
        const stack = distChange((d) => {
            d.orderedCacheBehaviors.unshift({ ...d.orderedCacheBehaviors[1], pathPattern: "/static/img/*" });
            Object.assign(d.orderedCacheBehaviors[2], { cachePolicyId: "" }, legacyTtls(0, 0, 2 * 31_536_000));
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[2] (/static/*) minTtl, defaultTtl, maxTtl (from its TTL fields)",
                found: "0 s, 0 s, 63072000 s (2 years)",
                allowed: "86400 s (1 day) .. 31536000 s (1 year) for /static/*",
            },
        ]);
    });

    it("does not let an empty orderedCacheBehaviors list switch the bands off", async () => {
        const stack = distChange((d) => {
            d.orderedCacheBehaviors = [];
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors",
                found: 'no behaviour for "/static/*"',
                allowed: "a behaviour for every configured path",
            },
            {
                resource: DIST,
                property: "orderedCacheBehaviors",
                found: 'no behaviour for "/proofs/*"',
                allowed: "a behaviour for every configured path",
            },
        ]);
    });

    it("matches a known ID only to its own cache policy, never to one the dependencies offer", async () => {
        // An update where /static/* names a cache policy managed elsewhere, while the list still depends on
        // the stack's two policies: pairing it with the compliant one would pass it unseen.
        const stack = compliantStack().map((r) => {
            if (r.type === T.cachePolicy) return { ...r, outputs: { ...r.outputs, id: `${r.name}-id` } };
            if (r.type !== T.distribution) return r;
            const d = structuredClone(r.inputs) as Distribution;
            d.orderedCacheBehaviors[0].cachePolicyId = "cdn-proofs-cache-id";
            d.orderedCacheBehaviors[1].cachePolicyId = "0c1fa9ab-aaaa-4bbb-8ccc-000000000001";
            return resource(r.type, r.name, d, { propertyDependencies: r.propertyDependencies });
        });
        expectViolations(await analyze(pack, stack), "cdn-ttl-bands", [
            {
                resource: DIST,
                property: "orderedCacheBehaviors[1] (/static/*).cachePolicyId",
                found: '"0c1fa9ab-aaaa-4bbb-8ccc-000000000001", neither CachingDisabled nor a cache policy created',
                allowed: "TTLs the pack can read",
            },
        ]);
    });

    it("notes an ambiguous pairing at preview (advisory) and says nothing once the IDs are known", async () => {
        const preview = await analyze(pack, compliantStack());
        expect(preview.filter(isPairingNote).map((d) => d.message.split("\n")[1])).toEqual([
            `${DIST}: orderedCacheBehaviors cache policies (IDs unknown at preview) = orderedCacheBehaviors[0] ` +
                `(/proofs/*) and orderedCacheBehaviors[1] (/static/*) can each be paired with "cdn-proofs-cache" ` +
                `or "cdn-static-cache"; one pairing complies, others do not; allowed: the exact pairing, decided ` +
                "by `pulumi up` (and the offline preview's update mode), which know the cache policy IDs and " +
                "check the exact pairing. Fix: none at preview; a violation there names the behaviour and its " +
                "cache policy",
        ]);
        const known = compliantStack().map((r) => {
            if (r.type === T.cachePolicy) return { ...r, outputs: { ...r.outputs, id: `${r.name}-id` } };
            if (r.type !== T.distribution) return r;
            const d = structuredClone(r.inputs) as Distribution;
            d.orderedCacheBehaviors[0].cachePolicyId = "cdn-proofs-cache-id";
            d.orderedCacheBehaviors[1].cachePolicyId = "cdn-static-cache-id";
            return resource(r.type, r.name, d, { propertyDependencies: r.propertyDependencies });
        });
        expect(await analyze(pack, known)).toEqual([]);
    });

    it("checks a staging distribution (continuous deployment) like any other distribution", async () => {
        const staging = compliantStack()
            .filter((r) => r.type === T.distribution)
            .map((r) => {
                const d = structuredClone(r.inputs) as Distribution & { staging?: boolean };
                d.staging = true;
                d.aliases = undefined;
                delete d.orderedCacheBehaviors[1].cachePolicyId;
                Object.assign(d.orderedCacheBehaviors[1], legacyTtls(0, 60, 60));
                return resource(r.type, "cdn-staging", d, {
                    propertyDependencies: {
                        ...r.propertyDependencies,
                        orderedCacheBehaviors: [urnOf(T.cachePolicy, "cdn-proofs-cache")],
                    },
                });
            });
        const ds = await analyze(pack, [...compliantStack(), ...staging]);
        expect(
            mandatory(ds)
                .filter((d) => d.policyName === "cdn-ttl-bands")
                .map((d) => d.message.split("\n")[1]),
        ).toEqual([expect.stringContaining(`${T.distribution} "cdn-staging": orderedCacheBehaviors[1] (/static/*)`)]);
    });
});

describe("a cache policy ID picked through an Output from a decoy", () => {
    it("rejects a cachePolicyId built from two cache policies (pulumi.all([noCache, cached]))", async () => {
        // At preview the ID is unknown and both policies are dependencies: pairing the behaviour with the
        // compliant one would pass what `pulumi up` then creates with the cached one.
        const stack = [
            ...distChange((d) => {
                d.defaultCacheBehavior.cachePolicyId = UNKNOWN;
            }).map((r) =>
                r.type === T.distribution
                    ? resource(r.type, r.name, r.inputs, {
                          propertyDependencies: {
                              ...r.propertyDependencies,
                              defaultCacheBehavior: [
                                  urnOf(T.cachePolicy, "api-no-cache"),
                                  urnOf(T.cachePolicy, "api-cache"),
                              ],
                          },
                      })
                    : r,
            ),
            resource(T.cachePolicy, "api-no-cache", { minTtl: 0, defaultTtl: 0, maxTtl: 0 }),
            resource(T.cachePolicy, "api-cache", { minTtl: 0, defaultTtl: 60, maxTtl: 300 }),
        ];
        expectViolations(await analyze(pack, stack), "cdn-api-not-cached", [
            {
                resource: DIST,
                property: "defaultCacheBehavior cache policies",
                found: '2 flow into it ("api-no-cache", "api-cache") for 1 behaviour that reference one',
                allowed: "each cachePolicyId taken from exactly one cache policy of this stack",
            },
        ]);
    });
});
