/**
 * The reference server's cost per request: the CPU model's queue, the capacity it implies,
 * its settings, and the server's measured throughput under concurrent load (node's http,
 * keep-alive connections, a couple of seconds) against the configured cost.
 */
import { Agent, request } from "node:http";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FORM_FIELDS } from "../lib/api.ts";
import { parseServerConfig, SERVER_DEFAULTS, ServerConfigError } from "../reference-server/config.ts";
import { CpuModel, describeCpuModel, expectedCapacityRps } from "../reference-server/cpu.ts";
import { createReferenceServer } from "../reference-server/server.ts";

const PNG = readFileSync(new URL("../fixtures/sample.png", import.meta.url));

describe("the CPU model", () => {
    it("queues work first come first served on its CPUs; latency is wait plus cost", () => {
        let now = 0;
        const one = new CpuModel(1, () => now);
        expect([one.reserve(20), one.reserve(20), one.reserve(10)]).toEqual([20, 40, 50]);
        // Cheap work (a health check) waits for the backlog too.
        expect(one.reserve(0)).toBe(50);
        now = 100; // idle again
        expect(one.reserve(20)).toBe(20);

        now = 0;
        const two = new CpuModel(2, () => now);
        expect([two.reserve(20), two.reserve(20), two.reserve(20), two.reserve(20)]).toEqual([20, 20, 40, 40]);
        expect(() => new CpuModel(0)).toThrow("cpus must be a whole number >= 1, got 0");
    });

    it("implies a capacity from the configured costs and the workload's mix", () => {
        expect(expectedCapacityRps(SERVER_DEFAULTS, "sign")).toBe(50);
        expect(expectedCapacityRps(SERVER_DEFAULTS, "verify")).toBe(100);
        // 2 % health (free), 20 % sign (20 ms), 78 % verify (10 ms): 11.8 ms per request.
        expect(expectedCapacityRps(SERVER_DEFAULTS, "mixed")).toBeCloseTo(1000 / 11.8, 6);
        expect(expectedCapacityRps({ ...SERVER_DEFAULTS, cpus: 4 }, "sign")).toBe(200);
        expect(expectedCapacityRps({ ...SERVER_DEFAULTS, signCpuMs: 0, verifyCpuMs: 0 }, "mixed")).toBe(Infinity);
        expect(describeCpuModel(SERVER_DEFAULTS)).toBe(
            "CPU model: sign 20 ms, verify 10 ms on 1 CPU (REFERENCE_SIGN_CPU_MS, REFERENCE_VERIFY_CPU_MS, " +
                "REFERENCE_CPUS): saturates at 50 sign/s, 100 verify/s, 84.7 req/s of the mixed workload's task share",
        );
    });

    it("is configured by REFERENCE_SIGN_CPU_MS, REFERENCE_VERIFY_CPU_MS and REFERENCE_CPUS", () => {
        expect(
            parseServerConfig({ REFERENCE_SIGN_CPU_MS: "40", REFERENCE_VERIFY_CPU_MS: "0", REFERENCE_CPUS: "2" }),
        ).toEqual({ ...SERVER_DEFAULTS, signCpuMs: 40, verifyCpuMs: 0, cpus: 2 });
        expect(() => parseServerConfig({ REFERENCE_SIGN_CPU_MS: "2.5" })).toThrow(
            new ServerConfigError("REFERENCE_SIGN_CPU_MS=2.5 is invalid: expected a whole number between 0 and 10000"),
        );
        expect(() => parseServerConfig({ REFERENCE_CPUS: "0" })).toThrow(
            new ServerConfigError("REFERENCE_CPUS=0 is invalid: expected a whole number between 1 and 64"),
        );
    });
});

/** A multipart body with the sample image, built once. */
async function multipart(): Promise<{ body: Buffer; type: string }> {
    const form = new FormData();
    form.append(FORM_FIELDS.image, new Blob([PNG], { type: "image/png" }), "sample.png");
    const req = new Request("http://multipart.invalid", { method: "POST", body: form });
    return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get("content-type") as string };
}

/**
 * `concurrency` clients, each sending its next POST as soon as the last one answered, for
 * `seconds`; returns the completion times (ms since start) and latencies of 200 answers.
 */
async function closedLoop(
    url: string,
    path: string,
    concurrency: number,
    seconds: number,
): Promise<{ done: number[]; latencies: number[]; other: number }> {
    const { body, type } = await multipart();
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const start = performance.now();
    const done: number[] = [];
    const latencies: number[] = [];
    let other = 0;
    const post = () =>
        new Promise<number>((resolve, reject) => {
            const req = request(`${url}${path}`, {
                method: "POST",
                agent,
                headers: { "Content-Type": type, "Content-Length": body.length },
            });
            req.on("response", (res) => {
                res.resume();
                res.on("end", () => resolve(res.statusCode ?? 0));
            });
            req.on("error", reject);
            req.end(body);
        });
    const client = async () => {
        while (performance.now() - start < seconds * 1000) {
            const sent = performance.now();
            const status = await post();
            const at = performance.now();
            if (status !== 200) other += 1;
            else {
                done.push(at - start);
                latencies.push(at - sent);
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    agent.destroy();
    return { done, latencies, other };
}

const LOAD_LIMITS = { rateLimitMax: 10_000, signRateLimitMax: 10_000_000 };

describe("the reference server under concurrent load", () => {
    it.each([
        // [endpoint, sign ms, verify ms, CPUs, requests/s the configuration implies]
        ["/sign", 20, 10, 1, 50],
        ["/verify", 20, 20, 2, 100],
    ])("%s at %i/%i ms on %i CPU(s) serves %i req/s, and queues the rest", async (path, sign, verify, cpus, rps) => {
        const config = { ...SERVER_DEFAULTS, ...LOAD_LIMITS, signCpuMs: sign, verifyCpuMs: verify, cpus };
        expect(expectedCapacityRps(config, path === "/sign" ? "sign" : "verify")).toBe(rps);
        const ref = createReferenceServer(config);
        const url = await ref.listen(0, "127.0.0.1");
        try {
            const concurrency = 16;
            const { done, latencies, other } = await closedLoop(url, path, concurrency, 1.25);
            expect(other).toBe(0);
            // Saturated from the first request: count the completions of a steady 1 s window.
            const measured = done.filter((t) => t >= 250 && t < 1250).length;
            expect(measured).toBeGreaterThanOrEqual(rps * 0.9);
            expect(measured).toBeLessThanOrEqual(rps * 1.1);
            // Each request waited for the others: latency ~ concurrency / throughput.
            const median = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)];
            const expected = (concurrency / rps) * 1000;
            expect(median).toBeGreaterThan(expected * 0.8);
            expect(median).toBeLessThan(expected * 1.25);
        } finally {
            await ref.close();
        }
    });
});
