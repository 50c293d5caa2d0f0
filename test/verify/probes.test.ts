/**
 * Live probes with a fake HTTP client (no network), and the real HTTP client
 * against a loopback server for redirects and timeouts.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StackConfig } from "../../lib/config";
import type { Clients } from "../../tools/verify/aws";
import { runProbes, DIRECT_PROBE_TIMEOUT_MS, HEALTH_SAMPLES } from "../../tools/verify/checks/probes";
import { defaultStaticPath, expectedFrom } from "../../tools/verify/expected";
import { describeHttpError, httpGet, type HttpGetOptions, type HttpResult } from "../../tools/verify/http";
import { readStackConfig } from "../../tools/verify/stack-config";
import { Recorder, type CheckResult } from "../../tools/verify/types";
import { outputsFor, production, PROJECT_DIR } from "./fixtures";
import { SLO } from "../../policies/slo";

type Answer = Partial<HttpResult> | Error;
const res = (status: number, ms = 40, headers: Record<string, string> = {}): Answer => ({ status, ms, headers });
const timeout = () => Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });

/** Answers each URL from its queue (the last answer repeats) and records every request. */
function fakeHttp(answers: Record<string, Answer[]>) {
    const requests: { url: string; options: HttpGetOptions }[] = [];
    // Failures reject, as a real client's do.
    const get = (url: string, options: HttpGetOptions): Promise<HttpResult> => {
        requests.push({ url, options });
        const queue = answers[url];
        if (!queue) return Promise.reject(new Error(`unexpected request ${url}`));
        const a = queue.length > 1 ? queue.shift()! : queue[0];
        if (a instanceof Error) return Promise.reject(a);
        return Promise.resolve({ status: 200, ms: 10, headers: {}, ...a });
    };
    return { get, requests };
}

async function probe(
    config: StackConfig,
    answers: (o: ReturnType<typeof outputsFor>) => Record<string, Answer[]>,
    staticPath?: string,
    timeoutMs = 10_000,
) {
    const outputs = outputsFor(config);
    const fake = fakeHttp(answers(outputs));
    const rec = new Recorder(() => undefined);
    const expected = expectedFrom(config);
    await runProbes(
        { outputs, expected, clients: {} as Clients, rec, resolveHost: () => Promise.resolve([]) },
        { http: fake.get, timeoutMs, staticPath: staticPath ?? defaultStaticPath(config.cdn.static.pathPattern) },
    );
    return { results: rec.results, requests: fake.requests, outputs };
}

const pick = (results: readonly CheckResult[]) => results.map((r) => [r.status, r.found]);

describe("probes against production", () => {
    const cfg = production();
    const urls = (o: ReturnType<typeof outputsFor>) => ({
        health: `${o.apiUrl}/health`,
        direct: `https://${o.albDnsName}/health`,
        static: `${o.cdnUrl}/static/verify.txt`,
    });

    it("healthy CDN, ALB refusing direct requests, static object cached: all pass", async () => {
        const { results, requests, outputs } = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200, 80), res(200, 60), res(200, 70), res(200, 90), res(200, 65)],
            [urls(o).direct]: [res(403, 12)],
            [urls(o).static]: [
                res(200, 50, { "x-cache": "Miss from cloudfront" }),
                res(200, 8, { "x-cache": "Hit from cloudfront" }),
            ],
        }));
        expect(results).toEqual([
            {
                area: "Probe",
                name: `GET ${outputs.apiUrl}/health through CloudFront`,
                status: "pass",
                found: `HTTP 200 ×${HEALTH_SAMPLES}, median 70 ms, max 90 ms`,
                expected: `HTTP 200, median ≤ ${SLO.latencyP95Ms} ms`,
            },
            {
                area: "Probe",
                name: `GET https://${outputs.albDnsName}/health directly is refused`,
                status: "pass",
                found: "HTTP 403 in 12 ms: refused by the listener",
                expected: "no connection, or HTTP 403 (no X-Origin-Verify header)",
            },
            {
                area: "Probe",
                name: `GET ${outputs.cdnUrl}/static/verify.txt twice is cached`,
                status: "pass",
                found: "Miss then Hit (50 ms, 8 ms)",
                expected: "HTTP 200, X-Cache Miss then Hit",
            },
        ]);
        // The ALB's certificate covers domain.originName: reach it under that name, with a short timeout.
        expect(requests.find((r) => r.url === urls(outputs).direct)?.options).toEqual({
            timeoutMs: DIRECT_PROBE_TIMEOUT_MS,
            tlsServerName: cfg.domain.originName,
        });
        expect(requests.filter((r) => r.url === urls(outputs).health)).toHaveLength(HEALTH_SAMPLES);
    });

    it(
        "no answer from the ALB passes while CloudFront reaches it (security group admits only " + "CloudFront)",
        async () => {
            const { results } = await probe(cfg, (o) => ({
                [urls(o).health]: [res(200)],
                [urls(o).direct]: [timeout()],
                [urls(o).static]: [res(200, 5, { "x-cache": "Hit from cloudfront" })],
            }));
            expect(pick(results)).toEqual([
                ["pass", `HTTP 200 ×${HEALTH_SAMPLES}, median 40 ms, max 40 ms`],
                ["pass", `no answer within ${DIRECT_PROBE_TIMEOUT_MS} ms: closed to non-CloudFront addresses`],
                ["pass", "Hit then Hit (5 ms, 5 ms); already cached at this edge"],
            ]);
        },
    );

    it("an ALB that serves direct requests fails: CloudFront and its WAF can be bypassed", async () => {
        const { results } = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200)],
            [urls(o).direct]: [res(200, 9)],
            [urls(o).static]: [res(200, 5, { "x-cache": "Hit from cloudfront" })],
        }));
        expect(results[1]).toMatchObject({
            status: "fail",
            found: "HTTP 200 in 9 ms",
            note: "the API answers without CloudFront: its WAF and cache can be bypassed",
        });
    });

    it("a failing CDN health check fails, and a silent ALB is then only a warning", async () => {
        const { results } = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200), res(502)],
            [urls(o).direct]: [timeout()],
            [urls(o).static]: [res(200, 5, { "x-cache": "Hit from cloudfront" })],
        }));
        expect(pick(results.slice(0, 2))).toEqual([
            ["fail", "HTTP 502 on request 2"],
            ["warn", `no answer within ${DIRECT_PROBE_TIMEOUT_MS} ms`],
        ]);
    });

    it("a slow /health warns (a few samples are not a p95) without failing", async () => {
        const slow = SLO.latencyP95Ms + 100;
        const { results } = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200, slow)],
            [urls(o).direct]: [res(403)],
            [urls(o).static]: [res(200, 5, { "x-cache": "Hit from cloudfront" })],
        }));
        expect(results[0]).toMatchObject({
            status: "warn",
            found: `HTTP 200 ×${HEALTH_SAMPLES}, median ${slow} ms, max ${slow} ms`,
            expected: `median ≤ ${SLO.latencyP95Ms} ms (SLO p95)`,
        });
    });

    it("a missing static object fails with how to upload it; a second Miss fails as not cached", async () => {
        const missing = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200)],
            [urls(o).direct]: [res(403)],
            [urls(o).static]: [res(403, 30, { "x-cache": "Error from cloudfront" })],
        }));
        expect(missing.results[2]).toMatchObject({
            status: "fail",
            found: "HTTP 403 (X-Cache Error)",
            note:
                `upload the object (aws s3 cp verify.txt ` +
                `s3://${missing.outputs.staticBucketName}/static/verify.txt) or pass --static-path`,
        });
        const uncached = await probe(cfg, (o) => ({
            [urls(o).health]: [res(200)],
            [urls(o).direct]: [res(403)],
            [urls(o).static]: [res(200, 30, { "x-cache": "Miss from cloudfront" })],
        }));
        expect(uncached.results[2]).toMatchObject({
            status: "fail",
            found: "Miss then Miss (30 ms, 30 ms)",
            note: "the behaviour does not cache it: check its cache policy and the object's Cache-Control",
        });
    });

    it("--static-path picks the object", async () => {
        const { results, requests } = await probe(
            cfg,
            (o) => ({
                [urls(o).health]: [res(200)],
                [urls(o).direct]: [res(403)],
                [`${o.cdnUrl}/static/app.css`]: [
                    res(200, 20, { "x-cache": "Miss from cloudfront" }),
                    res(200, 2, { "x-cache": "RefreshHit from cloudfront" }),
                ],
            }),
            "/static/app.css",
        );
        expect(results[2]).toMatchObject({ status: "pass", found: "Miss then RefreshHit (20 ms, 2 ms)" });
        expect(requests.filter((r) => r.url.endsWith("/static/app.css"))).toHaveLength(2);
    });
});

describe("probes against dev (no certificates)", () => {
    it("asks the ALB over plain HTTP without a TLS server name", async () => {
        const dev = readStackConfig("dev", PROJECT_DIR).config;
        const { requests, results, outputs } = await probe(dev, (o) => ({
            [`${o.apiUrl}/health`]: [res(200)],
            [`http://${o.albDnsName}/health`]: [res(403)],
            [`${o.cdnUrl}/static/verify.txt`]: [
                res(200, 5, { "x-cache": "Miss from cloudfront" }),
                res(200, 5, { "x-cache": "Hit from cloudfront" }),
            ],
        }));
        expect(requests.find((r) => r.url === `http://${outputs.albDnsName}/health`)?.options).toEqual({
            timeoutMs: DIRECT_PROBE_TIMEOUT_MS,
            tlsServerName: undefined,
        });
        expect(results.map((r) => r.status)).toEqual(["pass", "pass", "pass"]);
    });
});

describe("defaultStaticPath", () => {
    it.each([
        ["/static/*", "/static/verify.txt"],
        ["/assets/v1/*", "/assets/v1/verify.txt"],
        ["/static/*.css", "/static/verify.txt"],
    ])("%s → %s", (pattern, path) => expect(defaultStaticPath(pattern)).toBe(path));
});

describe("the real HTTP client on a loopback server", () => {
    const BODY_DELAY_MS = 200;
    let server: http.Server;
    let base: string;
    beforeAll(async () => {
        server = http.createServer((req, res) => {
            if (req.url === "/hang") return; // never answers
            if (req.url === "/slow-body") {
                // Headers at once, the body later: the elapsed time must cover the whole body.
                res.writeHead(200, { "x-cache": "Hit from cloudfront" }).write("partial ");
                setTimeout(() => res.end("rest"), BODY_DELAY_MS);
                return;
            }
            if (req.url === "/redirect") res.writeHead(301, { location: "https://example.com/" }).end();
            else res.writeHead(200, { "x-cache": "Hit from cloudfront", "content-type": "text/plain" }).end("ok");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
        server.closeAllConnections();
        server.close();
    });

    it("returns status, lower-case headers and the time until the whole body arrived", async () => {
        const started = performance.now();
        const r = await httpGet(`${base}/slow-body`, { timeoutMs: 2_000 });
        const elapsed = performance.now() - started;
        expect(r.status).toBe(200);
        expect(r.headers["x-cache"]).toBe("Hit from cloudfront");
        // Not the time to the headers; a few ms of slack for timer and rounding granularity.
        expect(r.ms).toBeGreaterThanOrEqual(BODY_DELAY_MS - 5);
        expect(r.ms).toBeLessThanOrEqual(Math.ceil(elapsed));
    });

    it("reports a redirect instead of following it", async () => {
        const r = await httpGet(`${base}/redirect`, { timeoutMs: 2_000 });
        expect([r.status, r.headers.location]).toEqual([301, "https://example.com/"]);
    });

    it("gives up after the timeout with one line", async () => {
        const started = Date.now();
        const error = await httpGet(`${base}/hang`, { timeoutMs: 300 }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(describeHttpError(error, 300)).toBe("no answer within 300 ms");
    });

    it("describes a refused connection by its cause", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));
        const error = await httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(describeHttpError(error, 2_000)).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    });
});
