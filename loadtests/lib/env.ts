/**
 * Environment of a load-test run, parsed the same way by the k6 scripts (`__ENV`)
 * and by scripts/load-test.sh (through loadtests/cli/validate-env.ts), so the
 * wrapper refuses exactly what k6 would refuse.
 *
 * Pure: no k6 or Node APIs (k6 has no WHATWG `URL`, hence the regex).
 */
import { DEFAULT_HOLD_SECONDS, DEFAULT_THINK_TIME_SECONDS } from "../../policies/load-profiles.ts";
import { SLO } from "../../policies/slo.ts";
import { formatDuration, parseDurationSeconds } from "./duration.ts";
import { isTestType, isWorkload, TEST_TYPES, WORKLOADS, type TestType, type Workload } from "./types.ts";

export type RawEnv = Readonly<Record<string, string | undefined>>;

/** Bad input: the message is one line naming the variable, its value and what to do. */
export class EnvError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EnvError";
    }
}

/** The stepped arrival rates of a capacity run (TEST=capacity) and what stands behind TARGET_URL. */
export interface CapacityPlan {
    /** START_RATE: offered requests per second of the first step. */
    readonly startRate: number;
    /** RATE_STEP: added to the offered rate at each step. */
    readonly rateStep: number;
    /** STEPS: number of steps. */
    readonly steps: number;
    /** STEP_DURATION: how long each rate is held, seconds. */
    readonly stepSeconds: number;
    /** TASKS: tasks (ECS tasks, processes) behind TARGET_URL; the result is divided by it. */
    readonly tasks: number;
}

export interface LoadTestEnv {
    /** API base URL without a trailing slash (the stack's `apiUrl` output: the CloudFront URL). */
    readonly targetUrl: string;
    /** Where `/proofs/<id>.json` is served (CloudFront); defaults to `targetUrl`. */
    readonly proofsUrl: string;
    /** Normal concurrency; stress and spike multiply it. Not used by smoke or throughput. */
    readonly vus: number;
    /** Plateau (hold) length in seconds. Not used by smoke. */
    readonly holdSeconds: number;
    /** Offered load of the throughput test, requests per second. */
    readonly rate: number;
    readonly workload: Workload;
    /** Sent as `X-API-Key` when set (the API checks it when ENABLE_API_KEY_AUTH=true). */
    readonly apiKey: string | undefined;
    /** `creator` form field of POST /sign. */
    readonly creator: string;
    /** Pause after each iteration of closed-model (VU-based) tests, seconds. */
    readonly thinkTimeSeconds: number;
    /** Count HTTP 429 as an expected response (still reported as rate_limited). */
    readonly accept429: boolean;
    /** Directory handleSummary writes into; must exist. Unset: the working directory. */
    readonly reportDir: string | undefined;
    /** The steps of TEST=capacity (parsed and checked for every test type, used by capacity only). */
    readonly capacity: CapacityPlan;
}

export const LIMITS = Object.freeze({
    vus: { min: 1, max: 10_000 },
    rate: { min: 1, max: 100_000 },
    holdSeconds: { min: 1, max: 72 * 3600 },
    thinkTimeSeconds: { min: 0, max: 60 },
    steps: { min: 1, max: 50 },
    stepSeconds: { min: 10, max: 3600 },
    tasks: { min: 1, max: 1000 },
});

/** Defaults of the original script (VUS=50, DURATION=60) except where a test type needs longer. */
export const DEFAULTS = Object.freeze({
    vus: 50,
    holdSeconds: Object.freeze({
        ...DEFAULT_HOLD_SECONDS,
        // Not used: a capacity run lasts STEPS x STEP_DURATION.
        capacity: 60,
    } satisfies Record<TestType, number>),
    rate: SLO.peakRequestsPerSecond,
    workload: "mixed" satisfies Workload,
    creator: "CredLink load test",
    thinkTimeSeconds: DEFAULT_THINK_TIME_SECONDS,
    /**
     * Capacity steps: 10, 20, .. 100 req/s, 30 s each (5 minutes at most). The range brackets the
     * seed's planning figure (about 17 req/s per task at its scaling target, 24 at capacity) and
     * the reference server's default cost; 30 s gives each step a few thousand requests at the knee.
     */
    capacity: Object.freeze({ startRate: 10, rateStep: 10, steps: 10, stepSeconds: 30, tasks: 1 }),
});

const EXAMPLE_URL = "https://d111111abcdef8.cloudfront.net";
// scheme://host[:port][/path] — no query or fragment; host is a name, IPv4 or bracketed IPv6.
const HTTP_URL = /^(https?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/[^\s?#]*)?$/;

function present(raw: RawEnv, name: string): string | undefined {
    const value = raw[name];
    return value === undefined || value.trim() === "" ? undefined : value;
}

function parseUrl(raw: RawEnv, name: string, problems: string[]): string | undefined {
    const value = present(raw, name);
    if (value === undefined) return undefined;
    const match = HTTP_URL.exec(value.trim());
    if (!match || (match[3] !== undefined && Number(match[3].slice(1)) > 65535)) {
        problems.push(
            `${name}=${value} is invalid: expected an http(s) base URL without query or fragment, ` +
                `e.g. ${name}=${EXAMPLE_URL}`,
        );
        return undefined;
    }
    return value.trim().replace(/\/+$/, "");
}

function parseInteger(
    raw: RawEnv,
    name: string,
    fallback: number,
    range: { min: number; max: number },
    what: string,
    problems: string[],
): number {
    const value = present(raw, name);
    if (value === undefined) return fallback;
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
        problems.push(
            `${name}=${value} is invalid: expected a whole number of ${what} between ${range.min} ` +
                `and ${range.max}, e.g. ${name}=${fallback}`,
        );
        return fallback;
    }
    return n;
}

function parseDuration(
    raw: RawEnv,
    name: string,
    fallback: number,
    range: { min: number; max: number },
    problems: string[],
): number {
    const value = present(raw, name);
    if (value === undefined) return fallback;
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined || seconds < range.min || seconds > range.max) {
        problems.push(
            `${name}=${value} is invalid: expected seconds (60) or a duration like 30s, 5m, 1h30m, ` +
                `between ${formatDuration(range.min)} and ${formatDuration(range.max)}`,
        );
        return fallback;
    }
    return seconds;
}

function parseBoolean(raw: RawEnv, name: string, problems: string[]): boolean {
    const value = present(raw, name);
    if (value === undefined) return false;
    const v = value.trim().toLowerCase();
    if (["true", "1", "yes"].includes(v)) return true;
    if (["false", "0", "no"].includes(v)) return false;
    problems.push(`${name}=${value} is invalid: expected true or false`);
    return false;
}

/** The test type named by TEST (wrapper only; each k6 entry script knows its own). */
export function parseTestType(raw: RawEnv): TestType {
    const value = present(raw, "TEST");
    if (value === undefined) return "load";
    const v = value.trim();
    if (!isTestType(v)) throw new EnvError(`TEST=${value} is invalid: expected one of ${TEST_TYPES.join(", ")}`);
    return v;
}

/** Parses and validates every variable; throws one EnvError whose message lists all problems on one line. */
export function parseEnv(raw: RawEnv, test: TestType): LoadTestEnv {
    const problems: string[] = [];

    const targetUrl = parseUrl(raw, "TARGET_URL", problems);
    if (present(raw, "TARGET_URL") === undefined) {
        problems.push(
            `TARGET_URL is not set: set it to the API base URL (the stack's apiUrl output), e.g. ` +
                `TARGET_URL=${EXAMPLE_URL}`,
        );
    }
    const proofsUrl = parseUrl(raw, "PROOFS_URL", problems);
    const vus = parseInteger(raw, "VUS", DEFAULTS.vus, LIMITS.vus, "virtual users", problems);
    const holdSeconds = parseDuration(raw, "DURATION", DEFAULTS.holdSeconds[test], LIMITS.holdSeconds, problems);
    const rate = parseInteger(raw, "RATE", DEFAULTS.rate, LIMITS.rate, "requests per second", problems);
    const thinkTimeSeconds = parseDuration(
        raw,
        "THINK_TIME",
        DEFAULTS.thinkTimeSeconds,
        LIMITS.thinkTimeSeconds,
        problems,
    );
    const accept429 = parseBoolean(raw, "ACCEPT_429", problems);
    const capacity = parseCapacityPlan(raw, problems);

    const workloadValue = present(raw, "SCENARIO")?.trim() ?? DEFAULTS.workload;
    if (!isWorkload(workloadValue))
        problems.push(`SCENARIO=${raw.SCENARIO} is invalid: expected one of ${WORKLOADS.join(", ")}`);

    const apiKey = present(raw, "API_KEY");
    // Never echo the key: it is a secret.
    if (apiKey !== undefined && [...apiKey].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) {
        problems.push("API_KEY is invalid: it contains whitespace or control characters");
    }

    if (problems.length > 0) throw new EnvError(problems.join("; "));
    return {
        targetUrl: targetUrl as string,
        proofsUrl: proofsUrl ?? (targetUrl as string),
        vus,
        holdSeconds,
        rate,
        workload: workloadValue as Workload,
        apiKey,
        creator: present(raw, "CREATOR") ?? DEFAULTS.creator,
        thinkTimeSeconds,
        accept429,
        reportDir: present(raw, "REPORT_DIR")?.replace(/\/+$/, ""),
        capacity,
    };
}

function parseCapacityPlan(raw: RawEnv, problems: string[]): CapacityPlan {
    const d = DEFAULTS.capacity;
    const startRate = parseInteger(raw, "START_RATE", d.startRate, LIMITS.rate, "requests per second", problems);
    const rateStep = parseInteger(raw, "RATE_STEP", d.rateStep, LIMITS.rate, "requests per second", problems);
    const steps = parseInteger(raw, "STEPS", d.steps, LIMITS.steps, "steps", problems);
    const stepSeconds = parseDuration(raw, "STEP_DURATION", d.stepSeconds, LIMITS.stepSeconds, problems);
    const tasks = parseInteger(raw, "TASKS", d.tasks, LIMITS.tasks, "tasks behind TARGET_URL", problems);
    const topRate = startRate + (steps - 1) * rateStep;
    if (topRate > LIMITS.rate.max) {
        problems.push(
            `START_RATE=${startRate}, RATE_STEP=${rateStep} and STEPS=${steps} reach ${topRate} req/s: ` +
                `the last step may offer at most ${LIMITS.rate.max} req/s`,
        );
    }
    return { startRate, rateStep, steps, stepSeconds, tasks };
}
