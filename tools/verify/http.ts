/**
 * The HTTP GET the probes use: global fetch with AbortSignal.timeout, except
 * where the request needs its own TLS server name (SNI), which fetch cannot set.
 */
import { lookup } from "node:dns/promises";
import * as https from "node:https";
import { performance } from "node:perf_hooks";

export interface HttpResult {
    readonly status: number;
    /** Lower-case header names. */
    readonly headers: Readonly<Record<string, string>>;
    /** Until the whole body arrived, milliseconds. */
    readonly ms: number;
}

export interface HttpGetOptions {
    readonly timeoutMs: number;
    /**
     * Connect to the URL's host but present this name for TLS (SNI, certificate
     * check and Host header): how the ALB is reached under the name its certificate covers.
     */
    readonly tlsServerName?: string;
}

export type HttpGet = (url: string, options: HttpGetOptions) => Promise<HttpResult>;

const USER_AGENT = "credlink-verify";

export const httpGet: HttpGet = (url, options) =>
    options.tlsServerName
        ? getWithServerName(url, options.tlsServerName, options.timeoutMs)
        : getWithFetch(url, options.timeoutMs);

async function getWithFetch(url: string, timeoutMs: number): Promise<HttpResult> {
    const start = performance.now();
    const signal = AbortSignal.timeout(timeoutMs);
    // redirect: manual, so a redirect is reported as what it is rather than followed.
    const res = await fetch(url, { redirect: "manual", signal, headers: { "user-agent": USER_AGENT } });
    await res.arrayBuffer();
    return { status: res.status, headers: Object.fromEntries(res.headers), ms: Math.round(performance.now() - start) };
}

function getWithServerName(url: string, serverName: string, timeoutMs: number): Promise<HttpResult> {
    const u = new URL(url);
    const start = performance.now();
    return new Promise((resolve, reject) => {
        const req = https.request(
            {
                host: u.hostname,
                port: u.port || 443,
                path: `${u.pathname}${u.search}`,
                method: "GET",
                servername: serverName,
                headers: { host: serverName, "user-agent": USER_AGENT },
                signal: AbortSignal.timeout(timeoutMs),
            },
            (res) => {
                res.resume();
                res.on("end", () => {
                    const headers: Record<string, string> = {};
                    for (const [k, v] of Object.entries(res.headers))
                        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
                    resolve({ status: res.statusCode ?? 0, headers, ms: Math.round(performance.now() - start) });
                });
                res.on("error", reject);
            },
        );
        req.on("error", reject);
        req.end();
    });
}

/** One line for a failed request: timeouts, DNS and TLS errors by their cause. */
export function describeHttpError(e: unknown, timeoutMs: number): string {
    const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
    if (err?.name === "TimeoutError" || err?.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = err?.cause ?? err;
    const message = cause?.message ?? err?.message ?? String(e);
    const line = cause?.code && !message.includes(cause.code) ? `${cause.code}: ${message}` : message;
    return line.split("\n")[0];
}

export function joinUrl(base: string, path: string): string {
    return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** Every address `host` resolves to, within `timeoutMs`. */
export async function lookupHost(host: string, timeoutMs: number): Promise<readonly string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
            () => reject(new Error(`DNS lookup of ${host} took longer than ${timeoutMs} ms`)),
            timeoutMs,
        );
    });
    try {
        return (await Promise.race([lookup(host, { all: true }), timeout])).map((a) => a.address);
    } finally {
        clearTimeout(timer);
    }
}
