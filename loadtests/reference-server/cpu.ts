/**
 * The CPU cost of signing and verifying, modelled rather than burned.
 *
 * Signing and verifying an image are CPU work, and a Node task runs them on one event loop:
 * requests queue in arrival order and each holds the CPU for its cost. That is what this
 * models, deterministically: `cpus` workers, first come first served, each request reserving
 * the earliest free worker for its cost and answered when that slot ends.
 *
 * Why a model and not a hashing loop: the knee of `TEST=capacity` against the reference server
 * must follow the configured cost (20 ms of CPU on one CPU => 50 req/s), whatever the machine.
 * Burning real CPU measures the host instead: its core count and clock, its other load (a
 * parallel test run, CI neighbours) and k6 itself, which competes for the same cores when the
 * load generator runs on the same machine. The model keeps what matters for capacity (a fixed
 * service time per request, one queue, latency = wait + service, unbounded backlog past
 * saturation) and is exact on a 2-core laptop and a 64-core runner alike.
 */
import { performance } from "node:perf_hooks";
import { capacityMix } from "../lib/capacity.ts";
import type { Workload } from "../lib/types.ts";
import type { ReferenceServerConfig } from "./config.ts";

export class CpuModel {
    private readonly freeAt: number[];

    constructor(
        readonly cpus: number,
        private readonly now: () => number = () => performance.now(),
    ) {
        if (!Number.isInteger(cpus) || cpus < 1) throw new RangeError(`cpus must be a whole number >= 1, got ${cpus}`);
        this.freeAt = Array.from({ length: cpus }, () => 0);
    }

    /** Milliseconds until `costMs` of work that arrives now is done (waiting included), and reserves it. */
    reserve(costMs: number): number {
        const arrival = this.now();
        let worker = 0;
        for (let i = 1; i < this.freeAt.length; i++) if (this.freeAt[i] < this.freeAt[worker]) worker = i;
        const start = Math.max(arrival, this.freeAt[worker]);
        this.freeAt[worker] = start + costMs;
        return this.freeAt[worker] - arrival;
    }

    /** Resolves when `costMs` of work that arrives now is done. */
    run(costMs: number): Promise<void> {
        const delay = this.reserve(costMs);
        if (delay <= 0) return Promise.resolve();
        return new Promise((resolve) => setTimeout(resolve, delay));
    }
}

/** Requests per second `cpus` sustain at full use when `shares` (fractions summing to 1) cost `costsMs` each. */
export function saturationRps(
    costsMs: Readonly<Record<string, number>>,
    shares: Readonly<Record<string, number>>,
    cpus: number,
): number {
    const meanMs = Object.entries(shares).reduce((sum, [kind, share]) => sum + share * (costsMs[kind] ?? 0), 0);
    return meanMs > 0 ? (cpus * 1000) / meanMs : Infinity;
}

/** Requests per second the configured server sustains for a workload's task share (what TEST=capacity should find). */
export function expectedCapacityRps(config: ReferenceServerConfig, workload: Exclude<Workload, "proofs">): number {
    const shares = Object.fromEntries(Object.entries(capacityMix(workload)).map(([e, pct]) => [e, pct / 100]));
    return saturationRps({ health: 0, sign: config.signCpuMs, verify: config.verifyCpuMs }, shares, config.cpus);
}

/** One line for the server's start-up log. */
export function describeCpuModel(config: ReferenceServerConfig): string {
    const rps = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 10) / 10}` : "unlimited");
    return (
        `CPU model: sign ${config.signCpuMs} ms, verify ${config.verifyCpuMs} ms on ${config.cpus} CPU` +
        `${config.cpus === 1 ? "" : "s"} (REFERENCE_SIGN_CPU_MS, REFERENCE_VERIFY_CPU_MS, REFERENCE_CPUS): ` +
        `saturates at ${rps(expectedCapacityRps(config, "sign"))} sign/s, ` +
        `${rps(expectedCapacityRps(config, "verify"))} verify/s, ` +
        `${rps(expectedCapacityRps(config, "mixed"))} req/s of the mixed workload's task share`
    );
}
