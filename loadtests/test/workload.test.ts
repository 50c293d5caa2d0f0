/**
 * The k6 adapter (k6/workload.ts) driven against the reference server, with the k6
 * modules replaced by synchronous stand-ins (test/helpers/k6-fake.ts): setup signs,
 * every scenario sends the API's real request and its checks pass, 429s and auth
 * failures take the documented paths.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { defineLoadTest } from "../k6/workload.ts";
import { capacitySchedule } from "../lib/capacity.ts";
import { createReferenceServer } from "../reference-server/server.ts";
import { AbortedRun, executionModule, recorded, resetRecorded } from "./helpers/k6-fake.ts";

vi.mock("k6", async () => (await import("./helpers/k6-fake.ts")).k6Module);
vi.mock("k6/http", async () => (await import("./helpers/k6-fake.ts")).httpModule);
vi.mock("k6/metrics", async () => (await import("./helpers/k6-fake.ts")).metricsModule);
vi.mock("k6/encoding", async () => (await import("./helpers/k6-fake.ts")).encodingModule);
vi.mock("k6/execution", async () => (await import("./helpers/k6-fake.ts")).executionModule);

const png = readFileSync(new URL("../fixtures/sample.png", import.meta.url));
const IMAGE = png.buffer.slice(png.byteOffset, png.byteOffset + png.length);
const ROOT = new URL("../..", import.meta.url).pathname;
/** What scripts/load-test-local.sh gives the server for load runs. */
const LOAD_LIMITS = { RATE_LIMIT_MAX: "10000", RATE_LIMIT_WINDOW_MS: "1000", SIGN_RATE_LIMIT_MAX: "1000000" };
/** The adapter's requests, not the modelled CPU cost (reference-server-cpu.test.ts), are under test here. */
const NO_COST = { REFERENCE_SIGN_CPU_MS: "0", REFERENCE_VERIFY_CPU_MS: "0" };

interface RunningServer {
    url: string;
    close: () => Promise<void>;
}

/**
 * The reference server in its own process (reference-server/main.ts): the stand-in k6
 * client blocks this process's event loop on each request, as k6's client blocks a VU.
 */
function start(env: Record<string, string>): Promise<RunningServer> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "loadtests/reference-server/main.ts"], {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        const onData = (chunk: Buffer) => {
            out += chunk.toString();
            const match = /listening on (http:\/\/\S+)/.exec(out);
            if (match) {
                child.stdout.off("data", onData);
                resolve({
                    url: match[1],
                    close: () => new Promise((done) => (child.once("exit", () => done()), child.kill("SIGTERM"))),
                });
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`reference server exited with ${code}: ${out}`)));
    });
}

function abortMessage(fn: () => unknown): string {
    try {
        fn();
    } catch (error) {
        expect(error).toBeInstanceOf(AbortedRun);
        return (error as Error).message;
    }
    throw new Error("the run was not aborted");
}

const failedChecks = () =>
    recorded.checks.flatMap((c) =>
        Object.entries(c.passed)
            .filter(([, ok]) => !ok)
            .map(([name]) => name),
    );

beforeEach(resetRecorded);

describe("against the reference API with load-run limits", () => {
    let server: RunningServer;
    let url: string;
    beforeAll(async () => {
        server = await start({ ...LOAD_LIMITS, ...NO_COST });
        url = server.url;
    });
    afterAll(() => server.close());

    it("setup signs once; every scenario's request passes its checks", () => {
        const test = defineLoadTest("smoke", { TARGET_URL: url, THINK_TIME: "2s" }, IMAGE);
        const data = test.setup();
        expect(data.proofId).toMatch(/^[0-9a-f-]{36}$/);
        expect(data.proofUri).toBe(`${url}/proofs/${data.proofId}`);
        expect(data.signedImageType).toBe("image/png");
        // Setup checks that the proof it announced resolves before any scenario relies on it.
        expect(recorded.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
            `GET ${url}/health`,
            `POST ${url}/sign`,
            `GET ${data.proofUri}`,
        ]);

        resetRecorded();
        test.health();
        test.sign();
        test.verify(data);
        test.verify(data);
        test.proofs(data);
        expect(recorded.requests.map((r) => `${r.method} ${r.url.replace(url, "")}`)).toEqual([
            "GET /health",
            "POST /sign",
            "POST /verify",
            "POST /verify",
            `GET /proofs/${data.proofId}`,
        ]);
        expect(recorded.requests.map((r) => r.params.tags)).toEqual([
            { name: "GET /health", endpoint: "health" },
            { name: "POST /sign", endpoint: "sign" },
            { name: "POST /verify", endpoint: "verify" },
            { name: "POST /verify", endpoint: "verify" },
            { name: "GET /proofs/{id}", endpoint: "proofs" },
        ]);
        expect(recorded.checks.map((c) => c.names.length)).toEqual([2, 3, 2, 2, 3]);
        expect(failedChecks()).toEqual([]);
        // The image setup() signed verifies as valid; nothing was rate limited; think time after each.
        expect(recorded.metrics.filter((m) => m.name === "verify_valid").map((m) => m.value)).toEqual([true, true]);
        expect(recorded.metrics.filter((m) => m.name === "rate_limited").map((m) => m.value)).toEqual([
            false,
            false,
            false,
            false,
            false,
        ]);
        expect(recorded.sleeps).toEqual([2, 2, 2, 2, 2]);
    });

    it("throughput runs without think time and reports through handleSummary", () => {
        const test = defineLoadTest("throughput", { TARGET_URL: url, REPORT_DIR: "out" }, IMAGE);
        test.health();
        expect(recorded.sleeps).toEqual([]);
        const outputs = test.handleSummary(
            JSON.parse(readFileSync(new URL("./fixtures/k6-docs-custom-summary.json", import.meta.url), "utf8")),
        );
        expect(Object.keys(outputs).sort()).toEqual([
            "out/k6-summary.json",
            "out/report.html",
            "out/summary.json",
            "stdout",
        ]);
        expect(outputs.stdout).toContain(`CredLink throughput test, mixed workload, against ${url}`);
    });

    it("a proof that is not found during the scenarios fails its checks", () => {
        const test = defineLoadTest("load", { TARGET_URL: url, THINK_TIME: "0" }, IMAGE);
        test.proofs({ proofUri: `${url}/proofs/0b5f2a3e-7c1d-4e8f-9a6b-1c2d3e4f5a6b` });
        expect(recorded.sleeps).toEqual([]);
        expect(failedChecks()).toEqual(["proofs: status 200", "proofs: proof JSON", "proofs: cacheable"]);
    });

    it("capacity: each iteration sends the endpoint the interleaved task mix names, without think time", () => {
        const test = defineLoadTest("capacity", { TARGET_URL: url, REPORT_DIR: "out", TASKS: "2" }, IMAGE);
        const data = test.setup();
        // verify needs a signed image; no proofs in a capacity run, so no proof fetch either.
        expect(recorded.requests.map((r) => `${r.method} ${r.url.replace(url, "")}`)).toEqual([
            "GET /health",
            "POST /sign",
        ]);
        resetRecorded();
        // Iteration i of any step runs schedule[i % 50]: the first ten, then one that wraps onto health.
        const iterations = [...Array(10).keys(), 50 + capacitySchedule("mixed").indexOf("health")];
        for (const i of iterations) {
            executionModule.default.scenario.iterationInTest = i;
            test.capacity(data);
        }
        const endpointOf = { "GET /health": "health", "POST /sign": "sign", "POST /verify": "verify" } as const;
        expect(
            recorded.requests.map(
                (r) => endpointOf[`${r.method} ${r.url.replace(url, "")}` as keyof typeof endpointOf],
            ),
        ).toEqual(iterations.map((i) => capacitySchedule("mixed")[i % 50]));
        expect(recorded.requests.at(-1)?.url).toBe(`${url}/health`);
        expect(failedChecks()).toEqual([]);
        expect(recorded.sleeps).toEqual([]);
        const outputs = test.handleSummary(
            JSON.parse(readFileSync(new URL("./fixtures/k6-docs-custom-summary.json", import.meta.url), "utf8")),
        );
        expect(JSON.parse(outputs["out/capacity.json"])).toMatchObject({
            tasks: 2,
            target: url,
            result: "below-range",
        });
    });

    it("health-only runs skip signing in setup", () => {
        const test = defineLoadTest("load", { TARGET_URL: url, SCENARIO: "health" }, IMAGE);
        expect(test.setup()).toEqual({});
        expect(recorded.requests).toHaveLength(1);
    });
});

describe("when the API says no", () => {
    it("setup aborts in one line when /health does not answer", async () => {
        // A port that was just free: nothing listens there.
        const ref = createReferenceServer();
        const url = await ref.listen(0, "127.0.0.1");
        await ref.close();
        const test = defineLoadTest("smoke", { TARGET_URL: url }, IMAGE);
        expect(abortMessage(() => test.setup())).toBe(
            `setup: GET ${url}/health returned connection refused: is TARGET_URL the CredLink API, and is it up?`,
        );
    });

    it("setup retries a rate-limited /sign, then aborts saying which limits to raise", async () => {
        const { url, close } = await start({ SIGN_RATE_LIMIT_MAX: "1" });
        try {
            const test = defineLoadTest("smoke", { TARGET_URL: url }, IMAGE);
            test.sign(); // uses the one signature of the window
            resetRecorded();
            expect(abortMessage(() => test.setup())).toBe(
                `setup: POST ${url}/sign returned 429: rate limited: raise SIGN_RATE_LIMIT_MAX and ` +
                    `RATE_LIMIT_MAX on the API for load runs (loadtests/README.md)`,
            );
            expect(recorded.requests.filter((r) => r.method === "POST")).toHaveLength(3);
            expect(recorded.sleeps).toEqual([10, 10]); // Retry-After (60 s) capped at 10 s
        } finally {
            await close();
        }
    });

    it("counts 429s on their own; ACCEPT_429 keeps them out of failures and checks", async () => {
        const { url, close } = await start({ SIGN_RATE_LIMIT_MAX: "1" });
        try {
            const strict = defineLoadTest("load", { TARGET_URL: url, THINK_TIME: "0" }, IMAGE);
            strict.sign();
            strict.sign();
            expect(recorded.metrics.filter((m) => m.name === "rate_limited")).toEqual([
                { name: "rate_limited", value: false, tags: { endpoint: "sign" } },
                { name: "rate_limited", value: true, tags: { endpoint: "sign" } },
            ]);
            expect(failedChecks()).toEqual([
                "sign: status 200",
                "sign: returns an image",
                "sign: X-Proof-Uri names a proof",
            ]);
            expect(recorded.requests[0].params.responseCallback).toBeUndefined();

            resetRecorded();
            const lenient = defineLoadTest("load", { TARGET_URL: url, THINK_TIME: "0", ACCEPT_429: "true" }, IMAGE);
            lenient.sign();
            expect(recorded.checks).toEqual([]);
            expect(recorded.metrics).toEqual([{ name: "rate_limited", value: true, tags: { endpoint: "sign" } }]);
            expect(recorded.requests[0].params.responseCallback).toEqual({
                expectedStatuses: [{ min: 200, max: 399 }, 429],
            });
        } finally {
            await close();
        }
    });

    it("sends X-API-Key, and aborts setup with a hint when the API refuses the key", async () => {
        const { url, close } = await start({
            ...LOAD_LIMITS,
            ENABLE_API_KEY_AUTH: "true",
            API_KEYS: "k-load:loadtest:Load Test",
        });
        try {
            const withKey = defineLoadTest("smoke", { TARGET_URL: url, API_KEY: "k-load" }, IMAGE);
            expect(withKey.setup().proofId).toBeDefined();
            expect(recorded.requests[1].params.headers).toEqual({ "X-API-Key": "k-load" });
            const withoutKey = defineLoadTest("smoke", { TARGET_URL: url }, IMAGE);
            expect(abortMessage(() => withoutKey.setup())).toBe(
                `setup: POST ${url}/sign returned 401: unauthorized: set API_KEY to a key the API accepts`,
            );
        } finally {
            await close();
        }
    });
});

describe("when the proof a sign call announced does not resolve", () => {
    // The API (b) announces proofs on another server (a), which never received them.
    let a: RunningServer;
    let b: RunningServer;
    beforeAll(async () => {
        a = await start({ ...LOAD_LIMITS, ...NO_COST });
        b = await start({ ...LOAD_LIMITS, ...NO_COST, PROOF_URI_DOMAIN: `${a.url}/proofs` });
    });
    afterAll(() => Promise.all([a.close(), b.close()]));

    it("setup refuses to follow it to a host that is not under test", () => {
        const test = defineLoadTest("smoke", { TARGET_URL: b.url }, IMAGE);
        expect(abortMessage(() => test.setup())).toMatch(
            new RegExp(
                `^setup: X-Proof-Uri ${a.url}/proofs/[0-9a-f-]{36} is not served by TARGET_URL or PROOFS_URL: set ` +
                    `the API's PROOF_URI_DOMAIN to ${b.url}/proofs, or PROOFS_URL to the origin that serves it$`,
            ),
        );
        expect(recorded.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
    });

    it("setup waits while it is not found, then aborts saying what to check", () => {
        const test = defineLoadTest("smoke", { TARGET_URL: b.url, PROOFS_URL: a.url }, IMAGE);
        expect(abortMessage(() => test.setup())).toMatch(
            new RegExp(
                `^setup: GET ${a.url}/proofs/[0-9a-f-]{36} returned 404 for 15s after signing: the proof URI ` +
                    "does not resolve \\(check the API's PROOF_URI_DOMAIN, that it stores proofs in the proofs " +
                    "bucket, and the /proofs function\\)$",
            ),
        );
        // Only here is "not found" tolerated: 1 + 4 attempts, CloudFront's 10 s error caching outwaited.
        expect(recorded.sleeps).toEqual([1, 2, 4, 8]);
        expect(recorded.requests.filter((r) => r.url.startsWith(`${a.url}/proofs/`))).toHaveLength(5);
    });
});
