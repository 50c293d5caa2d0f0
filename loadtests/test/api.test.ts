import { describe, expect, it } from "vitest";
import {
    cdnCacheResult,
    CHECKS,
    FORM_FIELDS,
    header,
    jsonBody,
    originOf,
    proofIdFromUri,
    proofUriOnOrigins,
    requestHeaders,
    sharedCacheLifetimeSeconds,
    verifiedValid,
    type ResponseLike,
} from "../lib/api.ts";

const ID = "0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b";
const res = (status: number, headers: Record<string, string>, body: ResponseLike["body"]): ResponseLike => ({
    status,
    headers,
    body,
});
/** Names of the checks that pass. */
const passing = (checks: (typeof CHECKS)[keyof typeof CHECKS], r: ResponseLike) =>
    Object.entries(checks)
        .filter(([, fn]) => fn(r))
        .map(([name]) => name);

describe("request helpers", () => {
    it("uses the API's multipart field names", () => {
        expect(FORM_FIELDS).toEqual({ image: "image", creator: "creator" });
    });

    it("sends X-API-Key only when a key is set", () => {
        expect(requestHeaders(undefined)).toEqual({});
        expect(requestHeaders("k1")).toEqual({ "X-API-Key": "k1" });
    });

    it("reads the proof id from X-Proof-Uri and builds the CDN path", () => {
        expect(proofIdFromUri(`https://proofs.credlink.com/${ID}`)).toBe(ID);
        expect(proofIdFromUri(`https://proofs.credlink.com/${ID.toUpperCase()}/`)).toBe(ID);
        expect(proofIdFromUri("https://proofs.credlink.com/not-a-uuid")).toBeUndefined();
        expect(proofIdFromUri(undefined)).toBeUndefined();
    });

    it("follows a proof URI only on the origins under test", () => {
        const stack = "https://api.staging.credlink.example.com";
        const cdn = "https://d111111abcdef8.cloudfront.net";
        expect(originOf(`${stack}/proofs/${ID}`)).toBe(stack);
        expect(originOf("HTTP://127.0.0.1:3000/x")).toBe("http://127.0.0.1:3000");
        expect(originOf("proofs.credlink.com/x")).toBeUndefined();
        expect(proofUriOnOrigins(`${stack}/proofs/${ID}`, [stack, cdn])).toBe(true);
        expect(proofUriOnOrigins(`${cdn}/proofs/${ID}`, [stack, `${cdn}/`])).toBe(true);
        // The API's default PROOF_URI_DOMAIN is a host the stack does not serve.
        expect(proofUriOnOrigins(`https://proofs.credlink.com/${ID}`, [stack, cdn])).toBe(false);
        // Same host, another port or scheme, is another origin.
        expect(proofUriOnOrigins(`http://api.staging.credlink.example.com/proofs/${ID}`, [stack])).toBe(false);
        expect(proofUriOnOrigins(`${stack}.evil.example/proofs/${ID}`, [stack])).toBe(false);
    });

    it("finds headers whatever their case", () => {
        expect(header({ headers: { "X-Proof-Uri": "a" } }, "x-proof-uri")).toBe("a");
        expect(header({ headers: { "x-proof-uri": "b" } }, "X-Proof-Uri")).toBe("b");
        expect(header({ headers: {} }, "X-Proof-Uri")).toBeUndefined();
    });

    it("never throws on bodies that are not JSON", () => {
        expect(jsonBody({ body: "<html>" })).toBeUndefined();
        expect(jsonBody({ body: null })).toBeUndefined();
        expect(jsonBody({ body: new ArrayBuffer(2) })).toBeUndefined();
        expect(jsonBody({ body: '{"a":1}' })).toEqual({ a: 1 });
    });
});

describe("checks", () => {
    it("health wants 200 and status ok", () => {
        expect(passing(CHECKS.health, res(200, {}, '{"status":"ok","uptime":1}'))).toEqual([
            "health: status 200",
            "health: status ok",
        ]);
        expect(passing(CHECKS.health, res(200, {}, '{"status":"degraded"}'))).toEqual(["health: status 200"]);
        expect(passing(CHECKS.health, res(429, {}, "Too many health check requests"))).toEqual([]);
    });

    it("sign wants the image back and a proof URI", () => {
        const signed = res(
            200,
            { "Content-Type": "image/png", "X-Proof-Uri": `https://proofs.credlink.com/${ID}` },
            new Uint8Array([1, 2, 3]).buffer,
        );
        expect(passing(CHECKS.sign, signed)).toEqual([
            "sign: status 200",
            "sign: returns an image",
            "sign: X-Proof-Uri names a proof",
        ]);
        // What the original load test got back: a 400 JSON error for its JSON body.
        const jsonError = res(
            400,
            { "Content-Type": "application/json" },
            '{"error":"No image file provided","statusCode":400}',
        );
        expect(passing(CHECKS.sign, jsonError)).toEqual([]);
        expect(passing(CHECKS.sign, res(200, { "Content-Type": "image/png" }, new ArrayBuffer(0)))).toEqual([
            "sign: status 200",
        ]);
    });

    it("verify wants JSON with a boolean valid and a confidence 0..100", () => {
        const ok = res(200, {}, JSON.stringify({ valid: false, confidence: 20, details: {} }));
        expect(passing(CHECKS.verify, ok)).toEqual(["verify: status 200", "verify: valid and confidence"]);
        expect(passing(CHECKS.verify, res(200, {}, JSON.stringify({ valid: "yes", confidence: 20 })))).toEqual([
            "verify: status 200",
        ]);
        expect(passing(CHECKS.verify, res(200, {}, JSON.stringify({ valid: true, confidence: 120 })))).toEqual([
            "verify: status 200",
        ]);
        expect(verifiedValid(res(200, {}, JSON.stringify({ valid: true, confidence: 100 })))).toBe(true);
        expect(verifiedValid(ok)).toBe(false);
    });

    it("proofs want the proof JSON, cacheable", () => {
        const proof = res(
            200,
            { "Cache-Control": "public, max-age=31536000, immutable" },
            JSON.stringify({ proofId: ID }),
        );
        expect(passing(CHECKS.proofs, proof)).toEqual([
            "proofs: status 200",
            "proofs: proof JSON",
            "proofs: cacheable",
        ]);
        const uncached = res(200, { "Cache-Control": "no-store" }, JSON.stringify({ proofId: ID }));
        expect(passing(CHECKS.proofs, uncached)).toEqual(["proofs: status 200", "proofs: proof JSON"]);
        // CloudFront in front of a bucket that blocks listing answers a missing key with 403 XML.
        expect(
            passing(
                CHECKS.proofs,
                res(403, { "Content-Type": "application/xml" }, "<Error><Code>AccessDenied</Code></Error>"),
            ),
        ).toEqual([]);
    });
});

describe("cache headers", () => {
    it.each([
        ["public, max-age=31536000, immutable", 31536000],
        ["max-age=60, s-maxage=3600", 3600],
        ["public, max-age=0", 0],
        ["private, max-age=600", 0],
        ["no-cache", 0],
        ["max-age=abc", 0],
    ])("%j gives a shared-cache lifetime of %i s", (value, seconds) => {
        expect(sharedCacheLifetimeSeconds(value)).toBe(seconds);
    });

    it("reads CloudFront's X-Cache", () => {
        expect(cdnCacheResult({ headers: { "X-Cache": "Hit from cloudfront" } })).toBe("hit");
        expect(cdnCacheResult({ headers: { "x-cache": "RefreshHit from cloudfront" } })).toBe("hit");
        expect(cdnCacheResult({ headers: { "X-Cache": "Miss from cloudfront" } })).toBe("miss");
        expect(cdnCacheResult({ headers: {} })).toBeUndefined();
    });
});
