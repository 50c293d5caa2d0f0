/**
 * Cache-TTL rules for CloudFront: the API is never cached, static assets and
 * proofs stay within their TTL bands, TTLs are ordered, every behaviour
 * compresses and serves HTTPS with a modern minimum TLS.
 *
 * TTLs live either on the behaviour (legacy fields) or in a cache policy. A
 * cache policy created in the same stack has an unknown ID at preview, so the
 * two TTL-band rules are stack rules that follow the distribution's property
 * dependencies to the cache policy and read its literal TTL inputs.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    type Finding,
    literalRequired,
    type Report,
    type Res,
    type StackView,
    resourcePolicy,
    stackPolicy,
} from "./rule";
import { TTL } from "./slo";
import {
    type BehaviorProps,
    type CachePolicyProps,
    type DistributionProps,
    type OriginGroupProps,
    type OriginProps,
    TYPES,
    type ViewerCertificateProps,
} from "./types";
import { MANAGED_CACHE_POLICY, VIEWER_TLS_AT_LEAST_MINIMUM } from "./aws/cloudfront";
import {
    type Read,
    readArray,
    readBoolean,
    readNumber,
    readObject,
    readSetString,
    readString,
    show,
    valueOr,
} from "./values";

/** The TTLs of the AWS-managed "CachingDisabled" cache policy. */
const CACHING_DISABLED_TTLS: Ttls = { minTtl: 0, defaultTtl: 0, maxTtl: 0 };

/** What CloudFront applies when a TTL field is not set (on a behaviour or a cache policy). */
const CLOUDFRONT_DEFAULT_TTLS: Ttls = { minTtl: 0, defaultTtl: 86_400, maxTtl: 31_536_000 };

interface Ttls {
    readonly minTtl: number;
    readonly defaultTtl: number;
    readonly maxTtl: number;
}
const TTL_KEYS = ["minTtl", "defaultTtl", "maxTtl"] as const;

/** A failed TTL requirement, before the rule adds its fix. */
type TtlProblem = Omit<Finding, "fix">;
type TtlCheck = (t: Ttls) => TtlProblem | undefined;

export function duration(seconds: number): string {
    const units: Array<[number, string]> = [
        [31_536_000, "year"],
        [604_800, "week"],
        [86_400, "day"],
        [3_600, "hour"],
        [60, "minute"],
    ];
    for (const [size, name] of units) {
        if (seconds >= size && seconds % size === 0) {
            const n = seconds / size;
            return `${seconds} s (${n} ${name}${n === 1 ? "" : "s"})`;
        }
    }
    return `${seconds} s`;
}

const showTtls = (t: Ttls) => TTL_KEYS.map((k) => `${k} ${duration(t[k])}`).join(", ");

/** One behaviour of a distribution, with where it sits in the inputs. */
interface Behaviour {
    /** `defaultCacheBehavior` or `orderedCacheBehaviors[i] (/static/*)`. */
    readonly label: string;
    /** The top-level input property it belongs to (the unit of property dependencies). */
    readonly property: "defaultCacheBehavior" | "orderedCacheBehaviors";
    /** The literal path pattern (`default` for the default behaviour); undefined when unknown at preview. */
    readonly pattern: string | undefined;
    readonly props: BehaviorProps;
}

const mustBeLiteral = (property: string, found: Read<unknown>): Finding =>
    literalRequired(
        property,
        found,
        "build this value from literals (IDs and ARNs inside it may stay outputs) so `pulumi preview` can verify it",
    );

/** The behaviours, plus findings for parts that are unknown at preview (reported by cdn-viewer-https). */
function behavioursOf(d: DistributionProps): { behaviours: Behaviour[]; unknowns: Finding[] } {
    const behaviours: Behaviour[] = [];
    const unknowns: Finding[] = [];
    const def = readObject(d.defaultCacheBehavior);
    if (def.state === "known")
        behaviours.push({
            label: "defaultCacheBehavior",
            property: "defaultCacheBehavior",
            pattern: "default",
            props: def.value as BehaviorProps,
        });
    else if (def.state === "unknown") unknowns.push(mustBeLiteral("defaultCacheBehavior", def));
    const ordered = readArray(d.orderedCacheBehaviors);
    if (ordered.state === "unknown") unknowns.push(mustBeLiteral("orderedCacheBehaviors", ordered));
    if (ordered.state === "known") {
        ordered.value.forEach((raw, i) => {
            const b = readObject(raw);
            if (b.state !== "known") {
                unknowns.push(mustBeLiteral(`orderedCacheBehaviors[${i}]`, b));
                return;
            }
            const props = b.value as BehaviorProps;
            const pattern = readString(props.pathPattern);
            if (pattern.state === "unknown")
                unknowns.push(mustBeLiteral(`orderedCacheBehaviors[${i}].pathPattern`, pattern));
            const p = pattern.state === "known" ? pattern.value : undefined;
            behaviours.push({
                label: `orderedCacheBehaviors[${i}] (${p ?? "path pattern unknown"})`,
                property: "orderedCacheBehaviors",
                pattern: p,
                props,
            });
        });
    }
    return { behaviours, unknowns };
}

/**
 * IDs of the origins that reach the API: custom origins (the ALB), VPC origins, and origin
 * groups with any such member (a failover pair of ALBs is the API too). `complete` is false
 * when an origin or group ID, or a group's members, are unknown at preview.
 */
export function apiOriginIds(d: DistributionProps): { ids: Set<string>; complete: boolean } {
    const ids = new Set<string>();
    let complete = true;
    const origins = readArray(d.origins);
    if (origins.state === "unknown") complete = false;
    for (const raw of origins.state === "known" ? origins.value : []) {
        const o = readObject(raw);
        if (o.state !== "known") {
            complete = false;
            continue;
        }
        const origin = o.value as OriginProps;
        const id = readString(origin.originId);
        if (id.state !== "known") complete = false;
        else if (
            readObject(origin.customOriginConfig).state !== "absent" ||
            readObject(origin.vpcOriginConfig).state !== "absent"
        )
            ids.add(id.value);
    }
    const groups = readArray(d.originGroups);
    if (groups.state === "unknown") complete = false;
    for (const raw of groups.state === "known" ? groups.value : []) {
        const g = readObject(raw);
        const id = g.state === "known" ? readString((g.value as OriginGroupProps).originId) : g;
        const members = g.state === "known" ? readArray((g.value as OriginGroupProps).members) : g;
        if (id.state !== "known" || members.state === "unknown") {
            complete = false;
            continue;
        }
        for (const m of members.state === "known" ? members.value : []) {
            const member = readObject(m);
            const memberId = member.state === "known" ? readString(member.value.originId) : member;
            if (memberId.state !== "known") complete = false;
            else if (ids.has(memberId.value)) ids.add(id.value);
        }
    }
    return { ids, complete };
}

/** TTLs from literal fields, with CloudFront's defaults for unset ones; undefined plus the unknown keys otherwise. */
function ttlsOf(p: { readonly minTtl: unknown; readonly defaultTtl: unknown; readonly maxTtl: unknown }): {
    ttls?: Ttls;
    unknown: string[];
} {
    const unknown = TTL_KEYS.filter((k) => readNumber(p[k]).state === "unknown");
    if (unknown.length) return { unknown };
    const v = (k: keyof Ttls) => valueOr(readNumber(p[k]), CLOUDFRONT_DEFAULT_TTLS[k]) as number;
    return { ttls: { minTtl: v("minTtl"), defaultTtl: v("defaultTtl"), maxTtl: v("maxTtl") }, unknown };
}

/** Where a behaviour's TTLs come from, as far as the stack tells at preview. */
type TtlSource =
    | { readonly kind: "ttls"; readonly ttls: Ttls; readonly from: string }
    | { readonly kind: "candidates"; readonly policies: readonly Candidate[] }
    | { readonly kind: "unverifiable"; readonly found: string };

interface Candidate {
    readonly resource: PolicyResource;
    readonly ttls?: Ttls;
}

function ttlSource(stack: StackView, dist: PolicyResource, b: Behaviour): TtlSource {
    // An empty cachePolicyId is no cache policy: the behaviour's own TTL fields apply.
    const id = readSetString(b.props.cachePolicyId);
    if (id.state === "absent") {
        const t = ttlsOf(b.props);
        return t.ttls
            ? { kind: "ttls", ttls: t.ttls, from: "its TTL fields" }
            : { kind: "unverifiable", found: `${t.unknown.join(", ")} unknown at preview` };
    }
    if (id.state === "known") {
        if (id.value === MANAGED_CACHE_POLICY.CachingDisabled)
            return { kind: "ttls", ttls: CACHING_DISABLED_TTLS, from: "managed policy CachingDisabled" };
        // A known ID (an update, or a literal) names exactly one cache policy: match it to the policies' own
        // IDs, never to whichever policy the dependencies offer.
        const exact = stack.ofType(TYPES.cachePolicy).find((c) => stack.props<CachePolicyProps>(c).id === id.value);
        if (!exact)
            return {
                kind: "unverifiable",
                found: `${show(id)}, neither CachingDisabled nor a cache policy created in this stack`,
            };
        const t = ttlsOf(stack.props<CachePolicyProps>(exact));
        return t.ttls
            ? { kind: "ttls", ttls: t.ttls, from: `cache policy "${exact.name}"` }
            : {
                  kind: "unverifiable",
                  found: `cache policy "${exact.name}" with ${t.unknown.join(", ")} unknown at preview`,
              };
    }
    const candidates = [...new Set(stack.referencedBy(dist, b.property).filter((r) => r.type === TYPES.cachePolicy))];
    if (candidates.length === 0) {
        return {
            kind: "unverifiable",
            found: `${show(id)}, neither CachingDisabled nor a cache policy created in this stack`,
        };
    }
    return {
        kind: "candidates",
        policies: candidates.map((resource) => ({
            resource,
            ttls: ttlsOf(stack.props<CachePolicyProps>(resource)).ttls,
        })),
    };
}

/**
 * Whether every behaviour can be given one of the cache policies that satisfy
 * it, such that each cache policy the distribution references is used (when
 * there are at least as many behaviours as policies: each policy in the
 * property dependencies is referenced by some behaviour).
 */
function assignable(options: ReadonlyArray<readonly PolicyResource[]>, policies: readonly PolicyResource[]): boolean {
    if (options.some((o) => o.length === 0)) return false;
    const mustCover = policies.length <= options.length ? policies : [];
    const used = new Map<PolicyResource, number>();
    const search = (i: number): boolean => {
        const uncovered = mustCover.filter((p) => !used.get(p)).length;
        if (uncovered > options.length - i) return false;
        if (i === options.length) return true;
        for (const p of options[i]) {
            used.set(p, (used.get(p) ?? 0) + 1);
            if (search(i + 1)) return true;
            used.set(p, (used.get(p) ?? 1) - 1);
        }
        return false;
    };
    return search(0);
}

/** What a rule requires of one behaviour's TTLs, and how to fix it. */
interface Requirement {
    readonly check: TtlCheck;
    readonly fix: string;
}

/** Where the exact pairing of behaviours and cache policies is decided when preview cannot tell. */
const EXACT_PAIRING =
    "`pulumi up` (and the offline preview's update mode), which know the cache policy IDs and check the " +
    "exact pairing";

/**
 * Applies a TTL requirement to every behaviour it selects. When a behaviour's
 * cache policy ID is unknown at preview, the candidates are the stack's cache
 * policies in the distribution's property dependencies for that property; the
 * requirement holds if the behaviours can be matched to compliant candidates,
 * and an advisory note says that the exact pairing is decided with the IDs known.
 */
function checkTtls(
    stack: StackView,
    report: Report,
    select: (dist: Res<DistributionProps>) => (b: Behaviour) => Requirement | undefined,
): void {
    for (const dist of stack.ofType(TYPES.distribution)) {
        const d = stack.res<DistributionProps>(dist);
        const requirementFor = select(d);
        const pools = new Map<string, Array<{ b: Behaviour; req: Requirement; policies: readonly Candidate[] }>>();
        for (const b of behavioursOf(d.props).behaviours) {
            const req = requirementFor(b);
            if (!req) continue;
            const source = ttlSource(stack, dist, b);
            if (source.kind === "unverifiable") {
                report(d, {
                    property: `${b.label}.cachePolicyId`,
                    found: source.found,
                    allowed:
                        "TTLs the pack can read: the managed CachingDisabled policy, a cache policy " +
                        "created in this stack, or the behaviour's own TTL fields",
                    fix: req.fix,
                });
            } else if (source.kind === "ttls") {
                const problem = req.check(source.ttls);
                if (problem)
                    report(d, {
                        ...problem,
                        property: `${b.label} ${problem.property} (from ${source.from})`,
                        fix: req.fix,
                    });
            } else {
                const pool = pools.get(b.property) ?? [];
                pool.push({ b, req, policies: source.policies });
                pools.set(b.property, pool);
            }
        }
        for (const [property, pool] of pools) {
            // One cache policy per behaviour that references one: more cache policies flowing into the property
            // than behaviours that can reference them means a value picked from several (pulumi.all([a, b])).
            const all = [...new Set(pool.flatMap((e) => e.policies.map((p) => p.resource)))];
            const ids = new Set(all.map((c) => stack.props<CachePolicyProps>(c).id));
            const referencing = behavioursOf(d.props).behaviours.filter((b) => {
                if (b.property !== property) return false;
                const id = readSetString(b.props.cachePolicyId);
                return id.state === "unknown" || (id.state === "known" && ids.has(id.value));
            });
            if (all.length > referencing.length) {
                report(d, {
                    property: `${property} cache policies`,
                    found:
                        `${all.length} flow into it (${all.map((c) => `"${c.name}"`).join(", ")}) for ` +
                        `${referencing.length} behaviour${referencing.length === 1 ? "" : "s"} that reference one`,
                    allowed: "each cachePolicyId taken from exactly one cache policy of this stack",
                    fix:
                        "take each cachePolicyId from one cache policy's id output, without combining other " +
                        "cache policies' outputs into it",
                });
                continue;
            }
            const compliant = pool.map((e) =>
                e.policies.filter((p) => p.ttls && !e.req.check(p.ttls)).map((p) => p.resource),
            );
            if (assignable(compliant, all)) {
                const ambiguous = pool.filter((e, i) => compliant[i].length < e.policies.length);
                if (ambiguous.length > 0)
                    report(
                        d,
                        {
                            property: `${property} cache policies (IDs unknown at preview)`,
                            found:
                                `${ambiguous.map((e) => e.b.label).join(" and ")} can each be paired with ` +
                                `${all.map((p) => `"${p.name}"`).join(" or ")}; one pairing complies, others do not`,
                            allowed: `the exact pairing, decided by ${EXACT_PAIRING}`,
                            fix: "none at preview; a violation there names the behaviour and its cache policy",
                        },
                        { advisory: true },
                    );
                continue;
            }
            // Blame the behaviours no candidate satisfies; if each has one, the pool as a whole cannot be matched.
            const blamed = compliant.some((c) => c.length === 0)
                ? pool.filter((_, i) => compliant[i].length === 0)
                : pool;
            blamed.forEach((e) => {
                const i = pool.indexOf(e);
                const names = e.policies.map((p) => `"${p.resource.name}"`).join(" or ");
                const problems = e.policies.map((p) => (p.ttls ? e.req.check(p.ttls) : undefined));
                const found =
                    compliant[i].length > 0
                        ? "a compliant cache policy that another behaviour needs too"
                        : e.policies
                              .map(
                                  (p, j) =>
                                      `"${p.resource.name}" has ` +
                                      (!p.ttls
                                          ? "TTLs unknown at preview"
                                          : problems[j]
                                            ? `${problems[j].property} ${problems[j].found}`
                                            : showTtls(p.ttls)),
                              )
                              .join("; ");
                report(d, {
                    property:
                        `${e.b.label} cache policy (ID unknown at preview: ` +
                        `${e.policies.length === 1 ? names : `one of ${names}`})`,
                    found,
                    allowed: problems.find((p) => p !== undefined)?.allowed ?? "TTLs the pack can read at preview",
                    fix: e.req.fix,
                });
            });
        }
    }
}

const neverCached = (t: Ttls) => TTL_KEYS.every((k) => t[k] === 0);

export const apiNotCached = stackPolicy<Record<string, never>>({
    id: "cdn-api-not-cached",
    description:
        "CloudFront behaviours that reach the API (a custom or VPC origin such as the ALB, or an origin " +
        "group with one) must never cache: TTLs 0/0/0 or the managed CachingDisabled policy.",
    severity: "critical",
    remediationSteps:
        "Attach the AWS-managed CachingDisabled cache policy (4135ea2d-6df8-44a3-9df3-4b5a84be39ad) " +
        "to every behaviour whose target origin is the ALB, and forward what the API needs with an " +
        "origin request policy.",
    check(stack, _config, report) {
        checkTtls(stack, report, (d) => {
            const origins = apiOriginIds(d.props);
            if (!origins.complete) {
                report(d, {
                    property: "origins[].originId / originGroups",
                    found: "unknown at preview",
                    allowed:
                        "literal origin IDs and group members, so the pack can tell which behaviours reach the API",
                    fix: "give every origin and origin group a literal originId and literal members",
                });
            }
            return (b) => {
                const target = readString(b.props.targetOriginId);
                // A behaviour whose target is unknown may reach the API: hold it to the API's rule.
                if (target.state === "known" && !origins.ids.has(target.value)) return undefined;
                return {
                    check: (t) =>
                        TTL_KEYS.every((k) => t[k] === TTL.api[k])
                            ? undefined
                            : {
                                  property: "minTtl/defaultTtl/maxTtl",
                                  found: showTtls(t),
                                  allowed: `${showTtls(TTL.api)} (never cached)`,
                              },
                    fix:
                        `attach the managed CachingDisabled cache policy ` +
                        `(${MANAGED_CACHE_POLICY.CachingDisabled}) to this behaviour`,
                };
            };
        });
    },
});

interface PathBand {
    readonly pathPattern: string;
    readonly minTtl: number;
    readonly maxTtl: number;
}

/** The text of a path pattern before its first wildcard. */
const literalPrefix = (pattern: string) => pattern.split(/[*?]/)[0];

/**
 * Whether every path `inner` matches, `outer` matches too: equal patterns, or `outer` is a
 * literal prefix followed by one `*` (CloudFront's `*` matches any characters, `/` included)
 * that the text of `inner` before its first wildcard starts with.
 */
export function covers(outer: string, inner: string): boolean {
    if (outer === inner) return true;
    if (!outer.endsWith("*")) return false;
    const prefix = outer.slice(0, -1);
    return !/[*?]/.test(prefix) && literalPrefix(inner).startsWith(prefix);
}

export const ttlBands = stackPolicy<{ paths: PathBand[]; requireEveryPath: boolean }>({
    id: "cdn-ttl-bands",
    description:
        "CloudFront TTLs for static assets and proofs stay within their SLO bands (min, default and " +
        "max TTL each inside the band); a cached sub-path takes the band of the longest configured " +
        "pattern that covers it, and a never-cached one (0/0/0) needs none.",
    severity: "medium",
    remediationSteps:
        "Set the behaviour's cache policy TTLs (credlink:cdn.staticMinTtl/DefaultTtl/MaxTtl, " +
        "cdn.proofsMinTtl/DefaultTtl/MaxTtl) inside the band; the bands come from TTL in " +
        "policies/slo.ts.",
    config: {
        paths: {
            type: "array",
            description: "Path patterns and the band each TTL of their behaviour must lie in, seconds.",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["pathPattern", "minTtl", "maxTtl"],
                properties: {
                    pathPattern: { type: "string", minLength: 1 },
                    minTtl: { type: "integer", minimum: 0 },
                    maxTtl: { type: "integer", minimum: 0 },
                },
            },
            default: [
                { pathPattern: "/static/*", minTtl: TTL.static.minTtl, maxTtl: TTL.static.maxTtl },
                { pathPattern: "/proofs/*", minTtl: TTL.proofs.minTtl, maxTtl: TTL.proofs.maxTtl },
            ],
        },
        requireEveryPath: {
            type: "boolean",
            description:
                "Every distribution has a behaviour for each configured path pattern (else that path falls " +
                "through to another behaviour, whose TTLs no band holds).",
            default: true,
        },
    },
    check(stack, config, report) {
        const configured = config.paths.map((p) => p.pathPattern).join(", ");
        /** The band of a pattern: its own, else the longest configured pattern that covers it. */
        const bandOf = (pattern: string): { band: PathBand; inherited: boolean } | undefined => {
            const own = config.paths.find((p) => p.pathPattern === pattern);
            if (own) return { band: own, inherited: false };
            const outer = config.paths
                .filter((p) => covers(p.pathPattern, pattern))
                .sort((a, b) => b.pathPattern.length - a.pathPattern.length)[0];
            return outer ? { band: outer, inherited: true } : undefined;
        };
        if (config.requireEveryPath) {
            for (const dist of stack.ofType(TYPES.distribution)) {
                const d = stack.res<DistributionProps>(dist);
                const { behaviours } = behavioursOf(d.props);
                // Unknown patterns (and behaviour lists) are cdn-viewer-https's to report.
                if (behaviours.some((b) => b.pattern === undefined)) continue;
                if (readArray(d.props.orderedCacheBehaviors).state === "unknown") continue;
                for (const p of config.paths) {
                    if (behaviours.some((b) => b.pattern === p.pathPattern)) continue;
                    report(d, {
                        property: "orderedCacheBehaviors",
                        found: `no behaviour for ${JSON.stringify(p.pathPattern)} (it falls through to another one)`,
                        allowed: `a behaviour for every configured path: ${configured}`,
                        fix:
                            `add a cache behaviour for ${p.pathPattern} with TTLs inside its band, or remove ` +
                            `the path from cdn-ttl-bands.paths for this environment`,
                    });
                }
            }
        }
        checkTtls(stack, report, (d) => {
            const origins = apiOriginIds(d.props);
            return (b) => {
                if (b.pattern === undefined) return undefined; // cdn-viewer-https reports an unknown pattern
                const found = b.pattern === "default" ? undefined : bandOf(b.pattern);
                if (found && !found.inherited) return checkBand(b.pattern, found.band);
                // Without a band of its own, a behaviour that reaches the API is cdn-api-not-cached's; one whose
                // target or origins are unknown is held to that rule too.
                const target = readString(b.props.targetOriginId);
                if (target.state !== "known" || !origins.complete || origins.ids.has(target.value)) return undefined;
                // A behaviour that never caches needs no band; a cached one takes its covering band, and one
                // with none would escape the rule by renaming its pattern.
                if (found) {
                    const inner = checkBand(b.pattern, found.band);
                    return {
                        check: (t) => (neverCached(t) ? undefined : inner.check(t)),
                        fix:
                            `set the TTLs of ${b.pattern} inside the band of ${found.band.pathPattern}, never cache ` +
                            `it (CachingDisabled), or give it a band of its own in cdn-ttl-bands.paths`,
                    };
                }
                return {
                    check: (t) =>
                        neverCached(t)
                            ? undefined
                            : {
                                  property: "TTLs",
                                  found: `${showTtls(t)} (cached, and ${JSON.stringify(b.pattern)} has no TTL band)`,
                                  allowed:
                                      `never cached (0/0/0), or a band for every cached path (configured: ` +
                                      `${configured}, and the paths they cover)`,
                              },
                    fix:
                        `add ${JSON.stringify(b.pattern)} with its band to cdn-ttl-bands.paths in the policy ` +
                        `config, use a configured path pattern, or never cache it (CachingDisabled)`,
                };
            };
        });

        function checkBand(pattern: string, band: PathBand): Requirement {
            return {
                check: (t) => {
                    const outside = TTL_KEYS.filter((k) => t[k] < band.minTtl || t[k] > band.maxTtl);
                    if (outside.length === 0) return undefined;
                    return {
                        property: outside.join(", "),
                        found: outside.map((k) => duration(t[k])).join(", "),
                        allowed:
                            `${duration(band.minTtl)} .. ${duration(band.maxTtl)} for ${pattern}` +
                            (band.pathPattern === pattern ? "" : ` (the band of ${band.pathPattern})`),
                    };
                },
                fix:
                    `set the TTLs of the cache policy for ${pattern} between the band's limits ` +
                    `(config cdn-ttl-bands.paths)`,
            };
        }
    },
});

function behaviourChecks(d: Res<DistributionProps>, report: Report, each: (b: Behaviour) => Finding | undefined): void {
    for (const b of behavioursOf(d.props).behaviours) {
        const f = each(b);
        if (f) report(d, f);
    }
}

export const ttlOrder = resourcePolicy<Record<string, never>>({
    id: "cdn-ttl-order",
    description:
        "CloudFront TTLs are ordered: minTtl <= defaultTtl <= maxTtl, on cache policies and on " +
        "behaviours that set TTLs themselves.",
    severity: "medium",
    remediationSteps: "Order the three TTLs (cache policy or behaviour): minTtl <= defaultTtl <= maxTtl.",
    types: [TYPES.cachePolicy, TYPES.distribution],
    check(r, _config, report) {
        const ordered = (
            t: { minTtl: unknown; defaultTtl: unknown; maxTtl: unknown },
            where: string,
        ): Finding | undefined => {
            const { ttls, unknown } = ttlsOf(t);
            if (!ttls) return { ...mustBeLiteral(`${where}${unknown.join(", ")}`, { state: "unknown" }) };
            if (ttls.minTtl <= ttls.defaultTtl && ttls.defaultTtl <= ttls.maxTtl) return undefined;
            return {
                property: `${where}minTtl/defaultTtl/maxTtl`,
                found: showTtls(ttls),
                allowed:
                    "minTtl <= defaultTtl <= maxTtl (unset fields take CloudFront's defaults 0, 86400 and 31536000 s)",
                fix: "set the three TTLs in ascending order",
            };
        };
        if (r.type === TYPES.cachePolicy) {
            const f = ordered(r.props as CachePolicyProps, "");
            if (f) report(r, f);
            return;
        }
        behaviourChecks(r as Res<DistributionProps>, report, (b) =>
            readSetString(b.props.cachePolicyId).state === "absent" ? ordered(b.props, `${b.label}.`) : undefined,
        );
    },
});

export const compression = resourcePolicy<Record<string, never>>({
    id: "cdn-compression",
    description: "Every CloudFront behaviour compresses responses (compress = true).",
    severity: "low",
    remediationSteps: "Set `compress: true` on the default and every ordered cache behaviour.",
    types: [TYPES.distribution],
    check(r, _config, report) {
        behaviourChecks(r as Res<DistributionProps>, report, (b) => {
            const c = readBoolean(b.props.compress);
            if (c.state === "known" && c.value) return undefined;
            return {
                property: `${b.label}.compress`,
                found: show(c, "not set (CloudFront's default: false)"),
                allowed: "true",
                fix: "set compress: true on this behaviour",
            };
        });
    },
});

export const viewerHttps = resourcePolicy<{ allowedViewerProtocolPolicies: string[] }>({
    id: "cdn-viewer-https",
    description:
        "Every CloudFront behaviour serves viewers over HTTPS (redirect-to-https or https-only), " +
        "and its behaviours are literal so preview can check them.",
    severity: "high",
    remediationSteps:
        'Set `viewerProtocolPolicy: "redirect-to-https"` on the default and every ordered cache behaviour.',
    types: [TYPES.distribution],
    config: {
        allowedViewerProtocolPolicies: {
            type: "array",
            items: { type: "string", enum: ["redirect-to-https", "https-only", "allow-all"] },
            minItems: 1,
            default: ["redirect-to-https", "https-only"],
        },
    },
    check(r, config, report) {
        const d = r as Res<DistributionProps>;
        for (const f of behavioursOf(d.props).unknowns) report(d, f);
        behaviourChecks(d, report, (b) => {
            const v = readString(b.props.viewerProtocolPolicy);
            if (v.state === "known" && config.allowedViewerProtocolPolicies.includes(v.value)) return undefined;
            return {
                property: `${b.label}.viewerProtocolPolicy`,
                found: show(v),
                allowed: config.allowedViewerProtocolPolicies.join(" or "),
                fix: "set viewerProtocolPolicy to redirect-to-https",
            };
        });
    },
});

export const minimumTls = resourcePolicy<{ allowedMinimumProtocolVersions: string[] }>({
    id: "cdn-minimum-tls",
    description:
        "CloudFront serves viewers with an ACM certificate and a modern minimum TLS version (TLSv1.2_2021 or newer).",
    severity: "high",
    remediationSteps:
        "Configure credlink:domain.name and credlink:domain.cdnCertificateArn (us-east-1) so the " +
        "distribution uses the ACM certificate with sslSupportMethod sni-only and " +
        "minimumProtocolVersion TLSv1.2_2021; the default *.cloudfront.net certificate always allows " +
        "TLSv1.",
    types: [TYPES.distribution],
    config: {
        allowedMinimumProtocolVersions: {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            default: [...VIEWER_TLS_AT_LEAST_MINIMUM],
        },
    },
    check(r, config, report) {
        const d = r as Res<DistributionProps>;
        const allowed = config.allowedMinimumProtocolVersions.join(", ");
        const vc = readObject(d.props.viewerCertificate);
        if (vc.state !== "known") {
            report(d, {
                property: "viewerCertificate",
                found: show(vc),
                allowed: `an ACM certificate with minimumProtocolVersion ${allowed}`,
                fix:
                    "set viewerCertificate with acmCertificateArn, sslSupportMethod sni-only and " +
                    "minimumProtocolVersion TLSv1.2_2021",
            });
            return;
        }
        const cert = vc.value as ViewerCertificateProps;
        const usesDefault = readBoolean(cert.cloudfrontDefaultCertificate);
        const ownCertificate =
            readString(cert.acmCertificateArn).state !== "absent" ||
            readString(cert.iamCertificateId).state !== "absent";
        if (
            usesDefault.state === "unknown" ||
            (usesDefault.state === "known" && usesDefault.value) ||
            !ownCertificate
        ) {
            report(d, {
                property: ownCertificate
                    ? "viewerCertificate.cloudfrontDefaultCertificate"
                    : "viewerCertificate.acmCertificateArn",
                found: ownCertificate
                    ? `${show(usesDefault)} (the *.cloudfront.net certificate, which CloudFront pins to TLSv1)`
                    : "not set (the distribution serves the *.cloudfront.net certificate, which " +
                      "CloudFront pins to TLSv1)",
                allowed: `an ACM certificate with minimumProtocolVersion ${allowed}`,
                fix:
                    "configure credlink:domain.name and credlink:domain.cdnCertificateArn so the " +
                    "distribution serves its own certificate",
            });
            return;
        }
        const v = readString(cert.minimumProtocolVersion);
        if (v.state === "known" && config.allowedMinimumProtocolVersions.includes(v.value)) return;
        report(d, {
            property: "viewerCertificate.minimumProtocolVersion",
            found: show(v, "not set (CloudFront's default: TLSv1)"),
            allowed: allowed,
            fix: "set minimumProtocolVersion to TLSv1.2_2021",
        });
    },
});

export const cacheTtlPolicies = [apiNotCached, ttlBands, ttlOrder, compression, viewerHttps, minimumTls];
