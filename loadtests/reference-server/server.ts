/**
 * Local reference implementation of the CredLink API contract the load tests use,
 * on Node's `http` module alone. Same routes, multipart field names, status codes,
 * error bodies, headers and rate limiters as the Express API (apps/api):
 *
 *   GET  /health              200 {status:"ok", uptime, timestamp, environment, checks}
 *   POST /sign                multipart `image` (+ `creator`|`issuer`) -> 200 signed image,
 *                             Content-Type of the upload, X-Proof-Uri, X-Manifest-Hash, X-Processing-Time
 *   GET  /sign/stats          200 {service:"sign", totalProofs, storageType, timestamp}
 *   POST /verify              multipart `image` -> 200 {valid, confidence, timestamp, processingTime, details}
 *   GET  /proofs/<uuid>       the proof document as the stack serves it: X-Proof-Uri is
 *                             `<PROOF_URI_DOMAIN>/<uuid>`, by default `<this origin>/proofs/<uuid>`, and a
 *                             CloudFront Function maps it to the S3 key proofs/<uuid>.json (cacheable);
 *                             `/proofs/<uuid>.json` is served the same way
 *
 * Errors: 400 {error:"No image file provided"} / "Upload error: ...", 401 without a valid
 * X-API-Key when ENABLE_API_KEY_AUTH=true, 413 "File too large. Maximum size: <n>MB",
 * 429 with RateLimit-* and Retry-After headers. Signing is real: an Ed25519 signature over
 * the SHA-256 of the uploaded image, checked again by /verify. Signing and verifying also hold
 * a modelled CPU for REFERENCE_SIGN_CPU_MS / REFERENCE_VERIFY_CPU_MS (cpu.ts), so the server has
 * a capacity that TEST=capacity can find.
 */
import {
    createHash,
    generateKeyPairSync,
    randomUUID,
    sign as signBytes,
    verify as verifyBytes,
    type KeyObject,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FIXED_LIMITS, SERVER_DEFAULTS, type ReferenceServerConfig } from "./config.ts";
import { CpuModel } from "./cpu.ts";
import { detectFormat, embedProof, extractProof } from "./image.ts";
import { FixedWindowLimiter, type LimitDecision } from "./rate-limit.ts";

export interface ProofRecord {
    readonly proofId: string;
    readonly proofUri: string;
    readonly imageHash: string;
    readonly manifest: {
        readonly claim_generator: string;
        readonly creator: string;
        readonly format: string;
        readonly timestamp: string;
    };
    readonly signature: string;
    readonly signatureAlgorithm: "Ed25519";
    readonly timestamp: string;
    readonly expiresAt: string;
}

export interface ReferenceServer {
    readonly server: Server;
    /** Verifies the `signature` of every proof this server issues. */
    readonly publicKey: KeyObject;
    /** Starts listening (port 0: any free port) and resolves with the base URL. */
    listen(port?: number, host?: string): Promise<string>;
    close(): Promise<void>;
}

/** Cache-Control the API's CloudProofStorage sets on every proofs/<uuid>.json object. */
export const PROOF_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** `/proofs/<uuid>` (the proof URI) and `/proofs/<uuid>.json` (the S3 key's own path). */
const PROOF_PATH = /^\/proofs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.json)?$/;
const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Multipart overhead allowed on top of MAX_FILE_SIZE_MB before the body counts as too large. */
const MULTIPART_SLACK_BYTES = 64 * 1024;

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
        ...headers,
    });
    res.end(text);
}

/** Body of an AppError in the API's error handler. */
function sendError(res: ServerResponse, error: HttpError): void {
    sendJson(res, error.status, { error: error.message, statusCode: error.status });
}

/** express-rate-limit sends its `message` string as HTML. */
function sendTooMany(res: ServerResponse, message: string): void {
    res.writeHead(429, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(message) });
    res.end(message);
}

function applyLimit(res: ServerResponse, decision: LimitDecision, message: string): boolean {
    for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
    if (!decision.allowed) sendTooMany(res, message);
    return decision.allowed;
}

/** Reads the body, keeping at most `limit` bytes; the rest is drained so the client sees the 413. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) tooLarge = true;
            else chunks.push(chunk);
        });
        req.on("end", () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
        req.on("error", reject);
    });
}

/** Header-safe file name for Content-Disposition. */
function safeFilename(name: string): string {
    return name.replace(/[^\x20-\x7e]|["\\]/g, "_") || "image";
}

export function createReferenceServer(
    config: ReferenceServerConfig = SERVER_DEFAULTS,
    options: { now?: () => number } = {},
): ReferenceServer {
    const now = options.now ?? Date.now;
    const startedAt = now();
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const proofs = new Map<string, ProofRecord>();
    const maxFileBytes = config.maxFileSizeMb * 1024 * 1024;
    const cpu = new CpuModel(config.cpus);
    let listenUrl = "http://127.0.0.1";

    /** PROOF_URI_DOMAIN, or this server's own `/proofs` on the origin the client used. */
    function proofUriDomain(req: IncomingMessage): string {
        if (config.proofUriDomain !== undefined) return config.proofUriDomain;
        const host = req.headers.host;
        const origin = host !== undefined && /^[\w.:[\]-]+$/.test(host) ? `http://${host}` : listenUrl;
        return `${origin}/proofs`;
    }

    const limiters = {
        global: new FixedWindowLimiter(config.rateLimitMax, config.rateLimitWindowMs, now),
        api: new FixedWindowLimiter(
            Math.floor(config.rateLimitMax * FIXED_LIMITS.verifyShareOfGlobal),
            config.rateLimitWindowMs,
            now,
        ),
        signing: new FixedWindowLimiter(config.signRateLimitMax, config.rateLimitWindowMs, now),
        signRouter: new FixedWindowLimiter(config.signRateLimitMax, FIXED_LIMITS.signRouterWindowMs, now),
        health: new FixedWindowLimiter(FIXED_LIMITS.healthPerMinute, 60_000, now),
    };

    function authorize(req: IncomingMessage, res: ServerResponse): boolean {
        if (config.apiKeys.length === 0) return true;
        const bearer = req.headers.authorization?.startsWith("Bearer ")
            ? req.headers.authorization.slice(7)
            : undefined;
        const key = bearer ?? (typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : undefined);
        if (key === undefined) {
            sendJson(res, 401, {
                error: "Unauthorized",
                message: "API key required. Provide via Authorization: Bearer <key> or X-API-Key header",
            });
            return false;
        }
        if (!config.apiKeys.includes(key)) {
            sendJson(res, 401, { error: "Unauthorized", message: "Invalid API key" });
            return false;
        }
        return true;
    }

    /** The single `image` file of a multipart upload, as multer's upload.single('image') accepts it. */
    async function readImage(
        req: IncomingMessage,
    ): Promise<{ bytes: Buffer; type: string; name: string; fields: FormData }> {
        const { body, tooLarge } = await readBody(req, maxFileBytes + MULTIPART_SLACK_BYTES);
        const tooLargeError = new HttpError(413, `File too large. Maximum size: ${config.maxFileSizeMb}MB`);
        if (tooLarge) throw tooLargeError;
        const contentType = req.headers["content-type"] ?? "";
        if (!/^multipart\/form-data/i.test(contentType)) throw new HttpError(400, "No image file provided");
        let form: FormData;
        try {
            form = await new Response(body, { headers: { "content-type": contentType } }).formData();
        } catch {
            throw new HttpError(400, "Upload error: Malformed multipart body");
        }
        for (const [field, value] of form.entries()) {
            if (typeof value !== "string" && field !== "image")
                throw new HttpError(400, "Upload error: Unexpected field");
        }
        const files = form.getAll("image").filter((v) => typeof v !== "string");
        if (files.length === 0) throw new HttpError(400, "No image file provided");
        if (files.length > 1) throw new HttpError(400, "Upload error: Unexpected field");
        const file = files[0];
        if (!file.type.startsWith("image/")) throw new HttpError(400, "Upload error: Only image files are allowed");
        if (file.size > maxFileBytes) throw tooLargeError;
        return { bytes: Buffer.from(await file.arrayBuffer()), type: file.type, name: file.name, fields: form };
    }

    function storeProof(record: ProofRecord): void {
        if (proofs.size >= FIXED_LIMITS.maxStoredProofs) proofs.delete(proofs.keys().next().value as string);
        proofs.set(record.proofId, record);
    }

    async function handleSign(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const started = now();
        const upload = await readImage(req);
        const format = detectFormat(upload.bytes);
        if (format === undefined)
            throw new HttpError(400, "Upload error: unsupported image format (JPEG and PNG are supported)");
        const creatorField = upload.fields.get("creator") ?? upload.fields.get("issuer");
        const creator = typeof creatorField === "string" && creatorField !== "" ? creatorField : "CredLink";
        const proofId = randomUUID();
        const proofUri = `${proofUriDomain(req)}/${proofId}`;
        const digest = createHash("sha256").update(upload.bytes).digest();
        const imageHash = digest.toString("hex");
        const signedAt = now();
        const timestamp = new Date(signedAt).toISOString();
        storeProof({
            proofId,
            proofUri,
            imageHash,
            manifest: { claim_generator: "credlink-reference-server", creator, format, timestamp },
            signature: signBytes(null, digest, privateKey).toString("base64"),
            signatureAlgorithm: "Ed25519",
            timestamp,
            expiresAt: new Date(signedAt + YEAR_MS).toISOString(),
        });
        const signed = embedProof(upload.bytes, proofUri);
        await cpu.run(config.signCpuMs);
        res.writeHead(200, {
            "Content-Type": upload.type,
            "Content-Length": signed.length,
            "Content-Disposition": `attachment; filename="signed-${safeFilename(upload.name)}"`,
            "X-Proof-Uri": proofUri,
            "X-Manifest-Hash": imageHash,
            "X-Processing-Time": `${now() - started}ms`,
        });
        res.end(signed);
    }

    async function handleVerify(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const started = now();
        const upload = await readImage(req);
        const embedded = extractProof(upload.bytes);
        const proofId = embedded?.proofUri.split("/").pop();
        const proof = proofId === undefined ? undefined : proofs.get(proofId);
        const digest = embedded === undefined ? undefined : createHash("sha256").update(embedded.original).digest();
        const signatureValid =
            proof !== undefined &&
            digest !== undefined &&
            verifyBytes(null, digest, publicKey, Buffer.from(proof.signature, "base64"));
        // This server's own key is the trust anchor, so a valid signature implies a valid certificate.
        const certificateValid = signatureValid;
        const proofMatches = proof !== undefined && digest !== undefined && proof.imageHash === digest.toString("hex");
        await cpu.run(config.verifyCpuMs);
        // Points as in the API's calculateConfidence().
        const confidence =
            (embedded ? 20 : 0) +
            (signatureValid ? 30 : 0) +
            (certificateValid ? 25 : 0) +
            (embedded ? 10 : 0) +
            (proof ? 10 : 0) +
            (proofMatches ? 5 : 0);
        sendJson(res, 200, {
            valid: embedded !== undefined && signatureValid && certificateValid && proofMatches,
            confidence,
            timestamp: now(),
            processingTime: now() - started,
            details: {
                signature: signatureValid,
                certificate: certificateValid,
                proofUri: embedded?.proofUri ?? null,
                proofFound: proof !== undefined,
                proofMatches,
                manifestTimestamp: proof?.manifest.timestamp ?? new Date(now()).toISOString(),
            },
        });
    }

    function handleHealth(res: ServerResponse): void {
        const memory = process.memoryUsage();
        const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
        sendJson(res, 200, {
            status: "ok",
            uptime: (now() - startedAt) / 1000,
            timestamp: new Date(now()).toISOString(),
            environment: config.environment,
            checks: {
                service: "ok",
                memory: { used: mb(memory.heapUsed), total: mb(memory.heapTotal), external: mb(memory.external) },
                database: "unknown",
                scheduler: "ok",
                storage: "ok",
            },
        });
    }

    /** What CloudFront returns from the proofs bucket: the stored JSON, cacheable, with an ETag. */
    function handleProof(req: IncomingMessage, res: ServerResponse, path: string): void {
        const match = PROOF_PATH.exec(path);
        const proof = match ? proofs.get(match[1]) : undefined;
        if ((req.method !== "GET" && req.method !== "HEAD") || proof === undefined) {
            sendJson(res, 404, { error: "Proof not found" }, { "Cache-Control": "no-store" });
            return;
        }
        const body = JSON.stringify(proof);
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        const headers = { "Cache-Control": PROOF_CACHE_CONTROL, ETag: etag };
        if (req.headers["if-none-match"] === etag) {
            res.writeHead(304, headers);
            res.end();
            return;
        }
        res.writeHead(200, {
            ...headers,
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(body),
        });
        res.end(req.method === "HEAD" ? undefined : body);
    }

    async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const path = new URL(req.url ?? "/", "http://reference.invalid").pathname;
        // Proofs come from S3 through the CDN, not from the API: none of its limiters apply.
        if (path.startsWith("/proofs/")) return handleProof(req, res, path);

        const ip = req.socket.remoteAddress ?? "unknown";
        const apiKey = typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : undefined;
        const client = apiKey === undefined ? ip : `${ip}:${apiKey}`;
        // The API's global limiter skips its own monitoring: /health from 127.0.0.1.
        if (!(path === "/health" && ip === "127.0.0.1")) {
            if (
                !applyLimit(res, limiters.global.hit(client), "Too many requests from this IP, please try again later.")
            )
                return;
        }

        if (req.method === "GET" && path === "/health") {
            if (!applyLimit(res, limiters.health.hit(client), "Too many health check requests")) return;
            // Cheap, but it waits its turn on a busy CPU like every other request.
            await cpu.run(0);
            handleHealth(res);
            return;
        }
        if (path === "/sign" && req.method === "POST") {
            const signingMessage =
                "Signing rate limit exceeded. C2PA signing is resource intensive - please try again later.";
            if (!applyLimit(res, limiters.signing.hit(client), signingMessage) || !authorize(req, res)) return;
            if (
                !applyLimit(
                    res,
                    limiters.signRouter.hit(ip),
                    "Too many signing requests from this IP, please try again later",
                )
            )
                return;
            return handleSign(req, res);
        }
        if (path === "/sign/stats" && req.method === "GET") {
            const signingMessage =
                "Signing rate limit exceeded. C2PA signing is resource intensive - please try again later.";
            if (!applyLimit(res, limiters.signing.hit(client), signingMessage) || !authorize(req, res)) return;
            sendJson(res, 200, { service: "sign", totalProofs: proofs.size, storageType: "memory", timestamp: now() });
            return;
        }
        if (path === "/verify" && req.method === "POST") {
            if (
                !applyLimit(res, limiters.api.hit(client), "API rate limit exceeded, please try again later.") ||
                !authorize(req, res)
            )
                return;
            return handleVerify(req, res);
        }
        sendJson(res, 404, { error: "Not found", statusCode: 404 });
    }

    const server = createServer((req, res) => {
        route(req, res).catch((error: unknown) => {
            if (res.headersSent) {
                res.destroy();
                return;
            }
            // Anything that is not an AppError-like HttpError is a bug here: 500, like the API.
            sendError(res, error instanceof HttpError ? error : new HttpError(500, "Internal server error"));
        });
    });

    return {
        server,
        publicKey,
        listen(port = 0, host = "127.0.0.1") {
            return new Promise((resolve, reject) => {
                server.once("error", reject);
                server.listen(port, host, () => {
                    server.off("error", reject);
                    const address = server.address() as AddressInfo;
                    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
                    listenUrl = `http://${shownHost}:${address.port}`;
                    resolve(listenUrl);
                });
            });
        },
        close() {
            return new Promise((resolve, reject) => {
                server.close((error) => (error ? reject(error) : resolve()));
                server.closeAllConnections();
            });
        },
    };
}
