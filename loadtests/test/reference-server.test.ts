/**
 * The reference server's contract: what the k6 scripts rely on, checked over real
 * HTTP on 127.0.0.1 (ephemeral ports, a bounded number of requests).
 */
import { createHash, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE, sampleScanlines } from "../fixtures/generate-sample.ts";
import { CHECKS, FIXTURE, FORM_FIELDS, proofIdFromUri, type ResponseLike } from "../lib/api.ts";
import {
    parseServerConfig,
    SERVER_DEFAULTS,
    ServerConfigError,
    type ReferenceServerConfig,
} from "../reference-server/config.ts";
import { detectFormat, embedProof, extractProof } from "../reference-server/image.ts";
import { FixedWindowLimiter } from "../reference-server/rate-limit.ts";
import {
    createReferenceServer,
    PROOF_CACHE_CONTROL,
    type ProofRecord,
    type ReferenceServer,
} from "../reference-server/server.ts";

const PNG = readFileSync(new URL("../fixtures/sample.png", import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A structurally valid baseline JPEG: SOI, APP0 (JFIF), SOS with one byte of scan data, EOI. */
const JPEG = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x3f, 0xff, 0xd9,
]);

function form(
    file: Buffer,
    type: string,
    fields: Record<string, string> = {},
    field: string = FORM_FIELDS.image,
    name = "sample.png",
): FormData {
    const f = new FormData();
    f.append(field, new Blob([file], { type }), name);
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return f;
}

/** The JSON body of a fetch response, as the shape a test reads (unknown unless it reads fields). */
const json = <T = unknown>(res: Response): Promise<T> => res.json() as Promise<T>;

/** A fetch response as the k6 checks see one. */
async function asResponseLike(res: Response, binary = false): Promise<ResponseLike> {
    const body = binary ? await res.arrayBuffer() : await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
}

async function start(
    config: Partial<ReferenceServerConfig> = {},
    now?: () => number,
): Promise<{ ref: ReferenceServer; url: string }> {
    const ref = createReferenceServer({ ...SERVER_DEFAULTS, ...config }, { now });
    return { ref, url: await ref.listen(0, "127.0.0.1") };
}

describe("reference server: the contract the k6 scripts use", () => {
    let ref: ReferenceServer;
    let url: string;
    beforeAll(async () => ({ ref, url } = await start()));
    afterAll(() => ref.close());

    it("GET /health answers 200 JSON status ok, as the health check expects", async () => {
        const res = await fetch(`${url}/health`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        const body = await json<{ checks: { memory: object } }>(res);
        expect(body).toMatchObject({
            status: "ok",
            environment: "development",
            checks: { service: "ok", database: "unknown", storage: "ok" },
        });
        expect(Object.keys(body.checks.memory)).toEqual(["used", "total", "external"]);
    });

    it("POST /sign returns the signed image, its proof URI and hash; the proof is signed with Ed25519", async () => {
        const res = await fetch(`${url}/sign`, {
            method: "POST",
            body: form(PNG, FIXTURE.contentType, { [FORM_FIELDS.creator]: "Ada" }),
        });
        const like = await asResponseLike(res.clone(), true);
        expect(Object.values(CHECKS.sign).map((check) => check(like))).toEqual([true, true, true]);
        expect(res.headers.get("content-type")).toBe("image/png");
        expect(res.headers.get("content-disposition")).toBe('attachment; filename="signed-sample.png"');
        expect(res.headers.get("x-processing-time")).toMatch(/^\d+ms$/);
        // PROOF_URI_DOMAIN unset: <this origin>/proofs, as the stack sets it, so the URI resolves here.
        const proofUri = res.headers.get("x-proof-uri") ?? "";
        expect(proofUri).toMatch(new RegExp(`^${url}/proofs/[0-9a-f-]{36}$`));
        const hash = createHash("sha256").update(PNG).digest("hex");
        expect(res.headers.get("x-manifest-hash")).toBe(hash);

        const signed = Buffer.from(await res.arrayBuffer());
        expect(detectFormat(signed)).toBe("png");
        expect(extractProof(signed)).toEqual({ proofUri, original: PNG });

        const id = proofIdFromUri(proofUri) as string;
        const proofRes = await fetch(proofUri);
        const proofLike = await asResponseLike(proofRes.clone());
        expect(Object.values(CHECKS.proofs).map((check) => check(proofLike))).toEqual([true, true, true]);
        expect(proofRes.headers.get("cache-control")).toBe(PROOF_CACHE_CONTROL);
        const etag = proofRes.headers.get("etag") ?? "";
        const proof = await json<ProofRecord>(proofRes);
        expect(proof).toMatchObject({
            proofId: id,
            proofUri,
            imageHash: hash,
            signatureAlgorithm: "Ed25519",
            manifest: { creator: "Ada", format: "png" },
        });
        expect(verify(null, Buffer.from(hash, "hex"), ref.publicKey, Buffer.from(proof.signature, "base64"))).toBe(
            true,
        );
        expect(new Date(proof.expiresAt).getTime() - new Date(proof.timestamp).getTime()).toBe(365 * 24 * 3600 * 1000);

        const revalidated = await fetch(proofUri, { headers: { "If-None-Match": etag } });
        expect(revalidated.status).toBe(304);
        // The S3 key's own path (`.json`, which the CloudFront Function leaves alone) serves the same document.
        const byKey = await fetch(`${url}/proofs/${id}.json`);
        expect([byKey.status, byKey.headers.get("etag"), await json(byKey)]).toEqual([200, etag, proof]);

        // verify: the signed image is valid with full confidence, as the API scores it.
        const verified = await fetch(`${url}/verify`, { method: "POST", body: form(signed, "image/png") });
        const result = await json<{ timestamp: unknown; processingTime: unknown }>(verified);
        expect(result).toMatchObject({
            valid: true,
            confidence: 100,
            details: { signature: true, certificate: true, proofUri, proofFound: true, proofMatches: true },
        });
        expect(typeof result.timestamp).toBe("number");
        expect(typeof result.processingTime).toBe("number");

        // A changed pixel breaks the hash: not valid, manifest + proof URI + proof found only.
        const tampered = Buffer.from(signed);
        const idat = tampered.indexOf("IDAT") + 4;
        tampered[idat + 10] ^= 0xff;
        const tamperedResult = await json(
            await fetch(`${url}/verify`, { method: "POST", body: form(tampered, "image/png") }),
        );
        expect(tamperedResult).toMatchObject({
            valid: false,
            confidence: 40,
            details: { signature: false, proofFound: true, proofMatches: false },
        });
    });

    it("POST /verify of an unsigned image is a 200 with valid false and no proof", async () => {
        const res = await fetch(`${url}/verify`, { method: "POST", body: form(PNG, "image/png") });
        const like = await asResponseLike(res);
        expect(Object.values(CHECKS.verify).map((check) => check(like))).toEqual([true, true]);
        expect(JSON.parse(like.body as string)).toMatchObject({
            valid: false,
            confidence: 0,
            details: { proofUri: null, proofFound: false },
        });
    });

    it("signs and verifies JPEGs with a comment segment after SOI", async () => {
        const res = await fetch(`${url}/sign`, {
            method: "POST",
            body: form(JPEG, "image/jpeg", {}, "image", "a.jpg"),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("image/jpeg");
        const signed = Buffer.from(await res.arrayBuffer());
        expect(signed.subarray(0, 4)).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xfe]));
        expect(extractProof(signed)?.original).toEqual(JPEG);
        const result = await json(
            await fetch(`${url}/verify`, { method: "POST", body: form(signed, "image/jpeg", {}, "image", "a.jpg") }),
        );
        expect(result).toMatchObject({ valid: true, confidence: 100 });
    });

    it.each([
        [
            "a JSON body, as the original load test sent",
            () => ({ body: JSON.stringify({ document: "x" }), headers: { "Content-Type": "application/json" } }),
            400,
            "No image file provided",
        ],
        [
            "multipart without the image field",
            () => ({
                body: (() => {
                    const f = new FormData();
                    f.append("creator", "x");
                    return f;
                })(),
            }),
            400,
            "No image file provided",
        ],
        [
            "a file in another field",
            () => ({ body: form(PNG, "image/png", {}, "file") }),
            400,
            "Upload error: Unexpected field",
        ],
        [
            "a file that is not an image",
            () => ({ body: form(Buffer.from("hello"), "text/plain") }),
            400,
            "Upload error: Only image files are allowed",
        ],
        [
            "an image type it cannot embed into",
            () => ({ body: form(Buffer.from("GIF89a...."), "image/gif") }),
            400,
            "Upload error: unsupported image format (JPEG and PNG are supported)",
        ],
    ])("POST /sign with %s -> %i %j", async (_label, request, status, message) => {
        const res = await fetch(`${url}/sign`, { method: "POST", ...request() });
        expect(res.status).toBe(status);
        expect(await json(res)).toEqual({ error: message, statusCode: status });
    });

    it("answers unknown routes and proofs with 404", async () => {
        expect((await fetch(`${url}/sign`)).status).toBe(404);
        expect((await fetch(`${url}/api/v1/sign`, { method: "POST" })).status).toBe(404);
        const missing = await fetch(`${url}/proofs/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b.json`);
        expect(missing.status).toBe(404);
        expect(missing.headers.get("cache-control")).toBe("no-store");
        expect((await fetch(`${url}/proofs/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b`)).status).toBe(404);
        expect((await fetch(`${url}/proofs/not-a-uuid.json`)).status).toBe(404);
        expect((await fetch(`${url}/proofs/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b.jsonx`)).status).toBe(404);
    });

    it("counts issued proofs on /sign/stats", async () => {
        const stats = await json<{ totalProofs: number }>(await fetch(`${url}/sign/stats`));
        expect(stats).toMatchObject({ service: "sign", storageType: "memory" });
        expect(stats.totalProofs).toBeGreaterThanOrEqual(2);
    });
});

describe("reference server: limits and auth", () => {
    it("rejects uploads over MAX_FILE_SIZE_MB with 413", async () => {
        const { ref, url } = await start({ maxFileSizeMb: 1 });
        try {
            const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 100 * 1024)]);
            const res = await fetch(`${url}/sign`, { method: "POST", body: form(big, "image/png") });
            expect(res.status).toBe(413);
            expect(await json(res)).toEqual({ error: "File too large. Maximum size: 1MB", statusCode: 413 });
        } finally {
            await ref.close();
        }
    });

    it("limits POST /sign per client per minute (SIGN_RATE_LIMIT_MAX) with 429 and RateLimit headers", async () => {
        let clock = 1_000_000;
        const { ref, url } = await start({ signRateLimitMax: 2 }, () => clock);
        try {
            const sign = () => fetch(`${url}/sign`, { method: "POST", body: form(PNG, "image/png") });
            expect((await sign()).status).toBe(200);
            const second = await sign();
            expect(second.status).toBe(200);
            expect(second.headers.get("ratelimit-remaining")).toBe("0");
            const limited = await sign();
            expect(limited.status).toBe(429);
            expect(limited.headers.get("ratelimit-limit")).toBe("2");
            expect(limited.headers.get("retry-after")).toBe("60");
            expect(await limited.text()).toBe(
                "Signing rate limit exceeded. C2PA signing is resource intensive - please try again later.",
            );
            // The API's other limiters are untouched: health still answers.
            expect((await fetch(`${url}/health`)).status).toBe(200);
            clock += 60_000;
            expect((await sign()).status).toBe(200);
        } finally {
            await ref.close();
        }
    });

    it("limits every route by RATE_LIMIT_MAX and /verify by 80 % of it, but not /health from 127.0.0.1", async () => {
        const { ref, url } = await start({ rateLimitMax: 3 });
        try {
            const verifyOnce = () => fetch(`${url}/verify`, { method: "POST", body: form(PNG, "image/png") });
            expect((await verifyOnce()).status).toBe(200);
            expect((await verifyOnce()).status).toBe(200);
            const limited = await verifyOnce();
            expect(limited.status).toBe(429);
            expect(await limited.text()).toBe("API rate limit exceeded, please try again later.");
            // Fourth request of the window: over the global limit of 3, whatever the route.
            const global = await fetch(`${url}/sign/stats`);
            expect(global.status).toBe(429);
            expect(await global.text()).toBe("Too many requests from this IP, please try again later.");
            for (let i = 0; i < 5; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
        } finally {
            await ref.close();
        }
    });

    it("requires a valid X-API-Key on /sign and /verify when auth is enabled", async () => {
        const { ref, url } = await start(
            parseServerConfig({ ENABLE_API_KEY_AUTH: "true", API_KEYS: "k-load:loadtest:Load Test" }),
        );
        try {
            const missing = await fetch(`${url}/verify`, { method: "POST", body: form(PNG, "image/png") });
            expect(missing.status).toBe(401);
            expect(await json(missing)).toEqual({
                error: "Unauthorized",
                message: "API key required. Provide via Authorization: Bearer <key> or X-API-Key header",
            });
            const wrong = await fetch(`${url}/sign`, {
                method: "POST",
                body: form(PNG, "image/png"),
                headers: { "X-API-Key": "nope" },
            });
            expect(await json(wrong)).toEqual({ error: "Unauthorized", message: "Invalid API key" });
            const ok = await fetch(`${url}/sign`, {
                method: "POST",
                body: form(PNG, "image/png"),
                headers: { "X-API-Key": "k-load" },
            });
            expect(ok.status).toBe(200);
            expect((await fetch(`${url}/health`)).status).toBe(200);
        } finally {
            await ref.close();
        }
    });
});

describe("reference server configuration", () => {
    it("uses the API's variable names and defaults", () => {
        expect(parseServerConfig({})).toEqual(SERVER_DEFAULTS);
        expect(
            parseServerConfig({
                RATE_LIMIT_MAX: "10000",
                RATE_LIMIT_WINDOW_MS: "1000",
                SIGN_RATE_LIMIT_MAX: "100000",
                MAX_FILE_SIZE_MB: "5",
                NODE_ENV: "test",
                PROOF_URI_DOMAIN: "https://p.example/",
            }),
        ).toEqual({
            ...SERVER_DEFAULTS,
            rateLimitMax: 10_000,
            rateLimitWindowMs: 1000,
            signRateLimitMax: 100_000,
            maxFileSizeMb: 5,
            environment: "test",
            proofUriDomain: "https://p.example",
        });
    });

    it.each([
        [{ RATE_LIMIT_MAX: "20000" }, "RATE_LIMIT_MAX=20000 is invalid: expected a whole number between 1 and 10000"],
        [
            { RATE_LIMIT_WINDOW_MS: "500" },
            "RATE_LIMIT_WINDOW_MS=500 is invalid: expected a whole number between 1000 and 3600000",
        ],
        [{ MAX_FILE_SIZE_MB: "big" }, "MAX_FILE_SIZE_MB=big is invalid: expected a whole number between 1 and 500"],
        [
            { PROOF_URI_DOMAIN: "proofs" },
            "PROOF_URI_DOMAIN=proofs is invalid: expected an http(s) URL such as https://proofs.credlink.com",
        ],
        [
            { ENABLE_API_KEY_AUTH: "true", API_KEYS: "justakey" },
            "ENABLE_API_KEY_AUTH=true needs API_KEYS=key:clientId:Name[,...] with at least one complete entry",
        ],
    ])("refuses %j in one line", (env, message) => {
        expect(() => parseServerConfig(env)).toThrow(new ServerConfigError(message));
    });

    it("counts fixed windows per client", () => {
        let t = 0;
        const limiter = new FixedWindowLimiter(1, 1000, () => t);
        expect(limiter.hit("a").allowed).toBe(true);
        expect(limiter.hit("b").allowed).toBe(true);
        const blocked = limiter.hit("a");
        expect(blocked).toEqual({
            allowed: false,
            headers: {
                "RateLimit-Policy": "1;w=1",
                "RateLimit-Limit": "1",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": "1",
                "Retry-After": "1",
            },
        });
        t = 1000;
        expect(limiter.hit("a").allowed).toBe(true);
    });
});

describe("images", () => {
    it("the committed fixture is the generator's valid 16x16 RGB PNG", () => {
        expect(detectFormat(PNG)).toBe("png");
        expect(PNG.readUInt32BE(16)).toBe(SAMPLE.width);
        expect(PNG.readUInt32BE(20)).toBe(SAMPLE.height);
        // Every chunk's CRC holds, and IDAT inflates to exactly the generator's scanlines.
        let at = 8;
        const idat: Buffer[] = [];
        while (at < PNG.length) {
            const length = PNG.readUInt32BE(at);
            const type = PNG.subarray(at + 4, at + 8).toString("latin1");
            const data = PNG.subarray(at + 8, at + 8 + length);
            const crc = PNG.readUInt32BE(at + 8 + length);
            expect(crc).toBe(crcOf(PNG.subarray(at + 4, at + 8 + length)));
            if (type === "IDAT") idat.push(data);
            at += 12 + length;
        }
        expect(inflateSync(Buffer.concat(idat))).toEqual(sampleScanlines());
        expect(PNG.length).toBeLessThan(1024);
    });

    it("embedding keeps the rest of the file byte-for-byte", () => {
        for (const image of [PNG, JPEG]) {
            const signed = embedProof(image, "https://proofs.credlink.com/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b");
            expect(signed.length).toBeGreaterThan(image.length);
            expect(extractProof(signed)).toEqual({
                proofUri: "https://proofs.credlink.com/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b",
                original: image,
            });
            expect(extractProof(image)).toBeUndefined();
        }
        expect(() => embedProof(Buffer.from("GIF89a"), "x")).toThrow("unsupported image format");
    });
});

function crcOf(bytes: Buffer): number {
    let crc = 0xffffffff;
    for (const byte of bytes) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
}

it("issues proof ids that are UUIDs", async () => {
    const { ref, url } = await start();
    try {
        const res = await fetch(`${url}/sign`, { method: "POST", body: form(PNG, "image/png") });
        expect(proofIdFromUri(res.headers.get("x-proof-uri") ?? undefined)).toMatch(UUID);
    } finally {
        await ref.close();
    }
});
