/**
 * Live probes (--probe): /health through the CDN, the ALB asked directly, and
 * a static object fetched twice to see CloudFront cache it.
 */
import { ORIGIN_VERIFY_HEADER } from "../../../lib/origin";
import { describeHttpError, joinUrl, type HttpGet, type HttpResult } from "../http";
import type { CheckContext } from "./context";

const AREA = "Probe";
export const HEALTH_SAMPLES = 5;
export const DIRECT_PROBE_TIMEOUT_MS = 5_000;

export interface ProbeOptions {
    readonly http: HttpGet;
    readonly timeoutMs: number;
    /** Path of a static object under the CDN, e.g. /static/verify.txt. */
    readonly staticPath: string;
}

type Attempt = { ok: true; res: HttpResult } | { ok: false; error: string };

async function attempt(http: HttpGet, url: string, timeoutMs: number, tlsServerName?: string): Promise<Attempt> {
    try {
        return { ok: true, res: await http(url, { timeoutMs, tlsServerName }) };
    } catch (e) {
        return { ok: false, error: describeHttpError(e, timeoutMs) };
    }
}

export async function runProbes(ctx: CheckContext, opts: ProbeOptions): Promise<void> {
    const cdnServes = await probeHealthThroughCdn(ctx, opts);
    await probeAlbDirect(ctx, opts, cdnServes);
    await probeStaticCache(ctx, opts);
}

/** Resolves true when every sample answered 200. */
async function probeHealthThroughCdn(ctx: CheckContext, opts: ProbeOptions): Promise<boolean> {
    const url = joinUrl(ctx.outputs.apiUrl, "/health");
    const name = `GET ${url} through CloudFront`;
    const samples: number[] = [];
    for (let i = 0; i < HEALTH_SAMPLES; i++) {
        const a = await attempt(opts.http, url, opts.timeoutMs);
        if (!a.ok || a.res.status !== 200) {
            ctx.rec.expect(AREA, name, false, a.ok ? `HTTP ${a.res.status} on request ${i + 1}` : a.error, "HTTP 200");
            return false;
        }
        samples.push(a.res.ms);
    }
    const sorted = [...samples].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    const found = `HTTP 200 ×${HEALTH_SAMPLES}, median ${median} ms, max ${sorted[sorted.length - 1]} ms`;
    const budget = ctx.expected.healthLatencyBudgetMs;
    if (median <= budget) ctx.rec.pass(AREA, name, found, `HTTP 200, median ≤ ${budget} ms`);
    else
        ctx.rec.add({
            area: AREA,
            name,
            status: "warn",
            found,
            expected: `median ≤ ${budget} ms (SLO p95)`,
            note: `${HEALTH_SAMPLES} samples are not a p95: run the k6 load test for the SLO verdict`,
        });
    return true;
}

/**
 * "Directly" means without CloudFront, so without its secret origin header. The
 * stack closes that path twice: the ALB's security group admits only
 * CloudFront's origin-facing addresses (from elsewhere the connection gets no
 * answer), and the listener answers 403 to requests without the header. Either
 * refusal passes; any 2xx means the API (and its rate limits) can be reached
 * around CloudFront's WAF. No answer only counts as a refusal while the
 * CloudFront probe shows the ALB is up.
 */
async function probeAlbDirect(ctx: CheckContext, opts: ProbeOptions, cdnServes: boolean): Promise<void> {
    const { expected, outputs } = ctx;
    const scheme = expected.albHttps ? "https" : "http";
    const url = `${scheme}://${outputs.albDnsName}/health`;
    const name = `GET ${url} directly is refused`;
    const want = `no connection, or HTTP 403 (no ${ORIGIN_VERIFY_HEADER} header)`;
    // A dropped connection is the expected outcome: do not wait the full request timeout for it.
    const timeoutMs = Math.min(opts.timeoutMs, DIRECT_PROBE_TIMEOUT_MS);
    const a = await attempt(opts.http, url, timeoutMs, expected.albHttps ? expected.apiOriginHost : undefined);
    if (!a.ok) {
        if (/ENOTFOUND|EAI_AGAIN/.test(a.error)) {
            ctx.rec.expect(
                AREA,
                name,
                false,
                a.error,
                want,
                "the ALB's DNS name does not resolve: are the outputs current?",
            );
        } else if (
            /no answer within|ETIMEDOUT|ECONNREFUSED|ECONNRESET|UND_ERR_CONNECT_TIMEOUT/.test(a.error) &&
            cdnServes
        ) {
            ctx.rec.pass(AREA, name, `${a.error}: closed to non-CloudFront addresses`, want);
        } else {
            ctx.rec.add({
                area: AREA,
                name,
                status: "warn",
                found: a.error,
                expected: want,
                note: cdnServes
                    ? "unexpected transport error"
                    : "the ALB gives no answer, and the CloudFront probe failed too: the ALB may be down",
            });
        }
        return;
    }
    const found = `HTTP ${a.res.status} in ${a.res.ms} ms`;
    if (a.res.status === 403) ctx.rec.pass(AREA, name, `${found}: refused by the listener`, want);
    else if (a.res.status >= 200 && a.res.status < 300)
        ctx.rec.expect(
            AREA,
            name,
            false,
            found,
            want,
            "the API answers without CloudFront: its WAF and cache can be bypassed",
        );
    else
        ctx.rec.expect(
            AREA,
            name,
            false,
            `${found}${a.res.headers.location ? ` → ${a.res.headers.location}` : ""}`,
            want,
        );
}

async function probeStaticCache(ctx: CheckContext, opts: ProbeOptions): Promise<void> {
    const url = joinUrl(ctx.outputs.cdnUrl, opts.staticPath);
    const name = `GET ${url} twice is cached`;
    const want = "HTTP 200, X-Cache Miss then Hit";
    const first = await attempt(opts.http, url, opts.timeoutMs);
    if (!first.ok || first.res.status !== 200) {
        const key = opts.staticPath.replace(/^\/+/, "");
        ctx.rec.expect(
            AREA,
            name,
            false,
            first.ok ? `HTTP ${first.res.status} (X-Cache ${xCache(first.res)})` : first.error,
            want,
            `upload the object (aws s3 cp verify.txt s3://${ctx.outputs.staticBucketName}/${key}) ` +
                `or pass --static-path`,
        );
        return;
    }
    const second = await attempt(opts.http, url, opts.timeoutMs);
    if (!second.ok) {
        ctx.rec.expect(AREA, name, false, `second request: ${second.error}`, want);
        return;
    }
    const [x1, x2] = [xCache(first.res), xCache(second.res)];
    const found = `${x1} then ${x2} (${first.res.ms} ms, ${second.res.ms} ms)`;
    const hit = /^(Refresh)?Hit\b/i.test(x2) && second.res.status === 200;
    if (!hit)
        ctx.rec.expect(
            AREA,
            name,
            false,
            found,
            want,
            "the behaviour does not cache it: check its cache policy and the object's Cache-Control",
        );
    else if (/^Miss\b/i.test(x1)) ctx.rec.pass(AREA, name, found, want);
    else ctx.rec.pass(AREA, name, `${found}; already cached at this edge`, want);
}

function xCache(res: HttpResult): string {
    return (res.headers["x-cache"] ?? "no X-Cache header").replace(/ from cloudfront$/i, "");
}
