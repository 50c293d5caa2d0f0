/**
 * The mixed workload: every endpoint runs as its own scenario, in parallel, and
 * the run's VUs (or its arrival rate) are split between them by these weights.
 * A fixed split instead of a per-iteration dice roll keeps each scenario's
 * share exact and lets thresholds and reports use the `scenario` tag.
 */
import { ENDPOINTS, type Endpoint, type Workload } from "./types.ts";

/**
 * Share of the mixed workload per endpoint, percent (sums to 100).
 * - proofs 50: reading a proof through the CDN is what every viewer of signed content does;
 * - verify 39: uploads to check an image are the common write-free API call;
 * - sign 10: creators sign far less often, and signing is the expensive call;
 * - health 1: only load balancers call it, and the API caps it at 1000/min per client
 *   (not configurable), so 1 % of the SLO's 1000 req/s (600/min) stays under that cap.
 */
export const MIXED_WEIGHTS: Readonly<Record<Endpoint, number>> = Object.freeze({
    health: 1,
    sign: 10,
    verify: 39,
    proofs: 50,
});

/** Endpoints a workload runs, in a stable order. */
export function endpointsOf(workload: Workload): readonly Endpoint[] {
    return workload === "mixed" ? ENDPOINTS : [workload];
}

/** Weights of the endpoints a workload runs. */
export function weightsOf(workload: Workload): Partial<Record<Endpoint, number>> {
    return workload === "mixed" ? { ...MIXED_WEIGHTS } : { [workload]: 1 };
}

/**
 * Splits a whole `total` between `weights` so the parts are whole numbers that add up
 * to `total` (largest remainder). When `total` covers every key, each key gets at least
 * one, so no scenario of a small run is left without VUs or arrivals.
 */
export function splitByWeights<K extends string>(
    total: number,
    weights: Readonly<Partial<Record<K, number>>>,
): Record<K, number> {
    const keys = Object.keys(weights) as K[];
    if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a whole number >= 0, got ${total}`);
    const sum = keys.reduce((acc, k) => acc + (weights[k] as number), 0);
    if (keys.length === 0 || !(sum > 0) || keys.some((k) => !((weights[k] as number) >= 0))) {
        throw new RangeError("weights must be non-negative with a positive sum");
    }
    const floorEach = total >= keys.length ? 1 : 0;
    const ideal = keys.map((k) => (total * (weights[k] as number)) / sum);
    const extraWanted = ideal.map((x) => Math.max(0, x - floorEach));
    const extraSum = extraWanted.reduce((a, b) => a + b, 0);
    const remaining = total - floorEach * keys.length;
    const scaled = extraWanted.map((x) => (extraSum > 0 ? (x * remaining) / extraSum : remaining / keys.length));
    const parts = scaled.map((x) => floorEach + Math.floor(x));
    let left = total - parts.reduce((a, b) => a + b, 0);
    // Hand out what rounding left over, largest fraction first; ties go to the earlier key.
    const order = scaled.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
    for (const { i } of order) {
        if (left === 0) break;
        parts[i] += 1;
        left -= 1;
    }
    return Object.fromEntries(keys.map((k, i) => [k, parts[i]])) as Record<K, number>;
}

/**
 * Endpoints whose requests reach the API's tasks. Proofs are read through CloudFront from S3
 * (`/proofs/*` is an S3 behaviour), so they never load a task: a capacity run leaves them out.
 */
export const TASK_ENDPOINTS: readonly Endpoint[] = Object.freeze(["health", "sign", "verify"]);

/** Weights of the endpoints a workload sends to the tasks: the mixed weights without proofs. */
export function taskWeightsOf(workload: Exclude<Workload, "proofs">): Partial<Record<Endpoint, number>> {
    if (workload !== "mixed") return { [workload]: 1 };
    return Object.fromEntries(TASK_ENDPOINTS.map((e) => [e, MIXED_WEIGHTS[e]]));
}

/**
 * A repeating schedule that serves every key in proportion to its whole-number weight, spread
 * evenly: the j-th turn of a key of weight w sits at (j + 1/2) / w of the cycle, and the turns
 * are taken in that order ({a: 1, b: 3} gives b, a, b, b). Iteration i of an arrival-rate
 * scenario runs `schedule[i % schedule.length]`, so every cycle has the exact mix, whatever the rate.
 */
export function interleave<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K[] {
    const keys = Object.keys(weights) as K[];
    const w = keys.map((k) => weights[k] as number);
    if (keys.length === 0 || w.some((x) => !Number.isInteger(x) || x < 0) || !w.some((x) => x > 0)) {
        throw new RangeError("weights must be whole numbers >= 0 with a positive sum");
    }
    const turns = keys.flatMap((key, i) => Array.from({ length: w[i] }, (_, j) => ({ key, i, at: (j + 0.5) / w[i] })));
    return turns.sort((a, b) => a.at - b.at || a.i - b.i).map((t) => t.key);
}
