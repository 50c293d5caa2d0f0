/**
 * Settings of the reference server, read from the same environment variables
 * (names, defaults and ranges) as the real CredLink API, so what you configure
 * for a local run is what you would configure on the ECS task. The REFERENCE_*
 * variables are the reference server's own: the CPU cost it models (cpu.ts).
 */

export interface ReferenceServerConfig {
    /**
     * PROOF_URI_DOMAIN: prefix of X-Proof-Uri. Unset: `<this server's origin>/proofs`, as the stack
     * sets it (`https://<public host>/proofs`); the API's own default, https://proofs.credlink.com,
     * is a host the stack does not serve.
     */
    readonly proofUriDomain: string | undefined;
    /** MAX_FILE_SIZE_MB: upload limit -> 413 above it (default 50). */
    readonly maxFileSizeMb: number;
    /** RATE_LIMIT_WINDOW_MS: window of the global, verify and signing limiters (default 60000). */
    readonly rateLimitWindowMs: number;
    /** RATE_LIMIT_MAX: requests per window per client on every route; /verify gets 80 % (default 100). */
    readonly rateLimitMax: number;
    /** SIGN_RATE_LIMIT_MAX: POST /sign per client per window and per minute (default 100). */
    readonly signRateLimitMax: number;
    /** ENABLE_API_KEY_AUTH=true + API_KEYS=key:client:Name,...: keys /sign and /verify accept. Empty: auth off. */
    readonly apiKeys: readonly string[];
    /** NODE_ENV, echoed by /health (default development). */
    readonly environment: string;
    /** REFERENCE_SIGN_CPU_MS: CPU milliseconds one POST /sign holds (default 20: 50 signatures/s per CPU). */
    readonly signCpuMs: number;
    /** REFERENCE_VERIFY_CPU_MS: CPU milliseconds one POST /verify holds (default 10). */
    readonly verifyCpuMs: number;
    /** REFERENCE_CPUS: CPUs of the modelled task (default 1: Node runs requests on one event loop). */
    readonly cpus: number;
}

export const SERVER_DEFAULTS: ReferenceServerConfig = Object.freeze({
    proofUriDomain: undefined,
    maxFileSizeMb: 50,
    rateLimitWindowMs: 60_000,
    rateLimitMax: 100,
    signRateLimitMax: 100,
    apiKeys: [],
    environment: "development",
    signCpuMs: 20,
    verifyCpuMs: 10,
    cpus: 1,
});

/** Not configurable in the real API either. */
export const FIXED_LIMITS = Object.freeze({
    healthPerMinute: 1000,
    signRouterWindowMs: 60_000,
    verifyShareOfGlobal: 0.8,
    /** Oldest proofs are forgotten beyond this, so a long local soak cannot exhaust memory. */
    maxStoredProofs: 100_000,
});

export class ServerConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ServerConfigError";
    }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new ServerConfigError(`${name}=${raw} is invalid: expected a whole number between ${min} and ${max}`);
    }
    return n;
}

export function parseServerConfig(env: NodeJS.ProcessEnv): ReferenceServerConfig {
    const domain = env.PROOF_URI_DOMAIN?.trim().replace(/\/+$/, "") || undefined;
    if (domain !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(domain)) {
        throw new ServerConfigError(
            `PROOF_URI_DOMAIN=${env.PROOF_URI_DOMAIN} is invalid: expected an http(s) URL such as ` +
                `https://proofs.credlink.com`,
        );
    }
    let apiKeys: string[] = [];
    if (env.ENABLE_API_KEY_AUTH === "true") {
        // Same format as the API: key:clientId:Name, comma separated; incomplete entries are ignored.
        apiKeys = (env.API_KEYS ?? "")
            .split(",")
            .map((entry) => entry.split(":").map((part) => part.trim()))
            .filter((parts) => parts.length >= 3 && parts.every((p) => p !== ""))
            .map(([key]) => key);
        if (apiKeys.length === 0) {
            throw new ServerConfigError(
                "ENABLE_API_KEY_AUTH=true needs API_KEYS=key:clientId:Name[,...] with at least one complete entry",
            );
        }
    }
    return {
        proofUriDomain: domain,
        maxFileSizeMb: integer(env, "MAX_FILE_SIZE_MB", SERVER_DEFAULTS.maxFileSizeMb, 1, 500),
        rateLimitWindowMs: integer(env, "RATE_LIMIT_WINDOW_MS", SERVER_DEFAULTS.rateLimitWindowMs, 1000, 3_600_000),
        rateLimitMax: integer(env, "RATE_LIMIT_MAX", SERVER_DEFAULTS.rateLimitMax, 1, 10_000),
        signRateLimitMax: integer(env, "SIGN_RATE_LIMIT_MAX", SERVER_DEFAULTS.signRateLimitMax, 1, 10_000_000),
        apiKeys,
        environment: env.NODE_ENV?.trim() || SERVER_DEFAULTS.environment,
        signCpuMs: integer(env, "REFERENCE_SIGN_CPU_MS", SERVER_DEFAULTS.signCpuMs, 0, 10_000),
        verifyCpuMs: integer(env, "REFERENCE_VERIFY_CPU_MS", SERVER_DEFAULTS.verifyCpuMs, 0, 10_000),
        cpus: integer(env, "REFERENCE_CPUS", SERVER_DEFAULTS.cpus, 1, 64),
    };
}
