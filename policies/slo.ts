/**
 * CredLink service-level objectives and the bands derived from them.
 *
 * This is the single source of truth for every SLO number and threshold: the
 * Pulumi program's defaults, the CrossGuard policy defaults and the k6
 * thresholds all import from here. It has no imports so that k6, the policy
 * pack (published on its own from policies/) and the program can all load it.
 */

const SECOND = 1;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

/** An inclusive numeric range. */
export interface Band {
    readonly min: number;
    readonly max: number;
}

/** CloudFront TTLs in seconds: allowed floor, the default TTL and allowed ceiling. */
export interface TtlBand {
    readonly minTtl: number;
    readonly defaultTtl: number;
    readonly maxTtl: number;
}

export const SLO = Object.freeze({
    /** 95th-percentile request latency objective, milliseconds. */
    latencyP95Ms: 500,
    /** The percentile latencyP95Ms is measured at; latency alarms use it or a higher one (p99, p99.9). */
    latencyPercentile: 95,
    /** Maximum share of failed requests (HTTP 5xx or transport errors), 0..1. */
    errorRate: 0.05,
    /** Peak throughput the service must sustain, requests per second. */
    peakRequestsPerSecond: 1000,
    /** Minimum CloudFront cache-hit rate for cacheable paths, percent. */
    cdnCacheHitRatePercent: 80,
    /** Request-rate alarm: more requests than this in one window pages someone. */
    requestRateAlarm: Object.freeze({ requests: 10_000, periodSeconds: 5 * MINUTE }),
    /** Minimum share of passing k6 checks, 0..1. */
    checksPassRate: 0.99,
});

/** CloudFront TTL bands, seconds. */
export const TTL = Object.freeze({
    /** The API origin is never cached. */
    api: Object.freeze({ minTtl: 0, defaultTtl: 0, maxTtl: 0 } satisfies TtlBand),
    /** Static assets: 1 day .. 1 week default .. 1 year. */
    static: Object.freeze({ minTtl: DAY, defaultTtl: WEEK, maxTtl: YEAR } satisfies TtlBand),
    /** Proof JSON documents: 1 hour .. 1 day default .. 1 week. */
    proofs: Object.freeze({ minTtl: HOUR, defaultTtl: DAY, maxTtl: WEEK } satisfies TtlBand),
});

/** Autoscaling bands for the ECS service. */
export const SCALING = Object.freeze({
    /** Allowed task-count range; min <= max always. */
    tasks: Object.freeze({ min: 2, max: 20 } satisfies Band),
    /** Allowed target-tracking targets; the defaults sit inside the bands. */
    cpuTargetPercent: Object.freeze({ min: 50, max: 70, default: 60 }),
    memoryTargetPercent: Object.freeze({ min: 60, max: 80, default: 70 }),
    /** ALBRequestCountPerTarget counts requests per target per MINUTE. */
    requestsPerTargetPerMinute: Object.freeze({ min: 500, max: 1500, default: 1000 }),
    /** Scale out fast, scale in gently (seconds). */
    scaleOutCooldownMaxSeconds: 60,
    scaleInCooldownMinSeconds: 300,
    defaultScaleOutCooldownSeconds: 60,
    defaultRequestScaleOutCooldownSeconds: 30,
    defaultScaleInCooldownSeconds: 300,
});

/** The scaling simulation's gate (policy scaling-simulated-overload). */
export const SIMULATION = Object.freeze({
    /**
     * Seconds a simulated k6 profile may offer more than the running tasks carry. Zero: every
     * second of overload is a second of SLO breach (latency, then errors), so any is reported.
     */
    maxOverloadSeconds: 0,
});

/**
 * Capacity planning (policies/capacity-plan.ts): the service is planned from what ONE task
 * sustains within the SLO (p95 < latencyP95Ms, errors < errorRate), measured by the k6
 * capacity test. The request-count target aims below that rate, and the task ceiling carries
 * the peak with headroom at the target.
 */
export const CAPACITY = Object.freeze({
    /** Share of a task's sustained rate its request-count scaling target aims at, 0..1. */
    targetUtilization: 0.7,
    /** Headroom over the peak request rate that the task ceiling is planned for, percent. */
    peakHeadroomPercent: 20,
});

/** Database monitoring floor. */
export const DATABASE = Object.freeze({
    /** Enhanced Monitoring granularity, seconds (production). */
    enhancedMonitoringIntervalSeconds: 1,
    /** Performance Insights retention, days (7 is the free tier). */
    performanceInsightsRetentionDays: 7,
});

/** Capacity the service offers at its scaling target, requests per second. */
export function capacityAtTarget(maxTasks: number, requestsPerTargetPerMinute: number): number {
    return (maxTasks * requestsPerTargetPerMinute) / MINUTE;
}

/**
 * The policy pack's capacity gate (policies/scaling-range.ts), each a policy config key:
 * what a stack's request-count target and task range are held to.
 */
export const CAPACITY_GATE = Object.freeze({
    /**
     * Per-task rate the pack assumes when a stack states none (`scaling.taskCapacityRps`),
     * requests/s: the seed's 1000 requests per target per minute read back at the target
     * utilisation (about 23.8 req/s). A planning assumption, not a measurement.
     */
    planningTaskCapacityRps: SCALING.requestsPerTargetPerMinute.default / MINUTE / CAPACITY.targetUtilization,
    /**
     * Absolute task ceiling per ECS service, a cost guard that outlives any capacity plan:
     * about 1.4 x the 72 tasks that carry the SLO peak with 20 % headroom at 1000 requests per
     * target per minute (1000 x 1.2 x 60 / 1000).
     */
    maxTasks: 100,
});
