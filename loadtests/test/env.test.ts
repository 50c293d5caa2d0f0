import { describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo.ts";
import { formatDuration, parseDurationSeconds } from "../lib/duration.ts";
import { DEFAULTS, EnvError, parseEnv, parseTestType, type RawEnv } from "../lib/env.ts";

const TARGET = { TARGET_URL: "https://d111111abcdef8.cloudfront.net" };

function envError(raw: RawEnv, test: Parameters<typeof parseEnv>[1] = "load"): string {
    try {
        parseEnv(raw, test);
    } catch (error) {
        expect(error).toBeInstanceOf(EnvError);
        return (error as Error).message;
    }
    throw new Error("parseEnv accepted the environment");
}

describe("durations", () => {
    it.each([
        ["60", 60],
        ["30s", 30],
        ["5m", 300],
        ["1h30m", 5400],
        ["2h", 7200],
        ["1m30s", 90],
        [" 45s ", 45],
    ])("reads %j as %i seconds", (text, seconds) => {
        expect(parseDurationSeconds(text)).toBe(seconds);
    });

    it.each(["", "5 parsecs", "1.5m", "30sec", "m", "5s1m", "-5s", "1d"])("rejects %j", (text) => {
        expect(parseDurationSeconds(text)).toBeUndefined();
    });

    it("formats whole seconds the way k6 (Go's ParseDuration) reads them", () => {
        expect([0, 10, 90, 300, 3600, 5400, 3661].map(formatDuration)).toEqual([
            "0s",
            "10s",
            "1m30s",
            "5m",
            "1h",
            "1h30m",
            "1h1m1s",
        ]);
        expect(() => formatDuration(1.5)).toThrow("whole, non-negative");
    });

    it("round-trips", () => {
        for (const s of [1, 59, 61, 3599, 3600, 86_399]) expect(parseDurationSeconds(formatDuration(s))).toBe(s);
    });
});

describe("parseEnv", () => {
    it("fills the original script's defaults and the SLO's rate", () => {
        const env = parseEnv(TARGET, "load");
        expect(env).toEqual({
            targetUrl: "https://d111111abcdef8.cloudfront.net",
            proofsUrl: "https://d111111abcdef8.cloudfront.net",
            vus: 50,
            holdSeconds: 60,
            rate: SLO.peakRequestsPerSecond,
            workload: "mixed",
            apiKey: undefined,
            creator: DEFAULTS.creator,
            thinkTimeSeconds: 1,
            accept429: false,
            reportDir: undefined,
            capacity: { startRate: 10, rateStep: 10, steps: 10, stepSeconds: 30, tasks: 1 },
        });
        expect(parseEnv(TARGET, "soak").holdSeconds).toBe(3600);
    });

    it("reads every variable", () => {
        const env = parseEnv(
            {
                TARGET_URL: "http://127.0.0.1:3000/",
                PROOFS_URL: "https://cdn.example.com",
                VUS: "200",
                DURATION: "10m",
                RATE: "1500",
                SCENARIO: "verify",
                API_KEY: "k-123",
                CREATOR: "Ada",
                THINK_TIME: "0",
                ACCEPT_429: "true",
                REPORT_DIR: "reports/20250101T000000Z-load/",
                START_RATE: "5",
                RATE_STEP: "2",
                STEPS: "4",
                STEP_DURATION: "2m",
                TASKS: "3",
            },
            "throughput",
        );
        expect(env).toEqual({
            targetUrl: "http://127.0.0.1:3000",
            proofsUrl: "https://cdn.example.com",
            vus: 200,
            holdSeconds: 600,
            rate: 1500,
            workload: "verify",
            apiKey: "k-123",
            creator: "Ada",
            thinkTimeSeconds: 0,
            accept429: true,
            reportDir: "reports/20250101T000000Z-load",
            capacity: { startRate: 5, rateStep: 2, steps: 4, stepSeconds: 120, tasks: 3 },
        });
    });

    it("treats empty values as unset", () => {
        expect(parseEnv({ ...TARGET, VUS: "", DURATION: " ", API_KEY: "" }, "load")).toMatchObject({
            vus: 50,
            holdSeconds: 60,
            apiKey: undefined,
        });
    });

    it.each([
        [
            { VUS: "abc" },
            "VUS=abc is invalid: expected a whole number of virtual users between 1 and 10000, e.g. VUS=50",
        ],
        [{ VUS: "0" }, "VUS=0 is invalid: expected a whole number of virtual users between 1 and 10000, e.g. VUS=50"],
        [
            { VUS: "2.5" },
            "VUS=2.5 is invalid: expected a whole number of virtual users between 1 and 10000, e.g. VUS=50",
        ],
        [
            { DURATION: "5 parsecs" },
            "DURATION=5 parsecs is invalid: expected seconds (60) or a duration like 30s, 5m, " +
                "1h30m, between 1s and 72h",
        ],
        [
            { DURATION: "73h" },
            "DURATION=73h is invalid: expected seconds (60) or a duration like 30s, 5m, 1h30m, between 1s and 72h",
        ],
        [
            { RATE: "-1" },
            "RATE=-1 is invalid: expected a whole number of requests per second between 1 and 100000, e.g. RATE=1000",
        ],
        [
            { TARGET_URL: "not-a-url" },
            "TARGET_URL=not-a-url is invalid: expected an http(s) base URL without query or " +
                "fragment, e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net",
        ],
        [
            { TARGET_URL: "ftp://example.com" },
            "TARGET_URL=ftp://example.com is invalid: expected an http(s) base URL without query or " +
                "fragment, e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net",
        ],
        [
            { TARGET_URL: "https://example.com?x=1" },
            "TARGET_URL=https://example.com?x=1 is invalid: expected an http(s) base URL without " +
                "query or fragment, e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net",
        ],
        [
            { TARGET_URL: "http://localhost:99999" },
            "TARGET_URL=http://localhost:99999 is invalid: expected an http(s) base URL without " +
                "query or fragment, e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net",
        ],
        [{ SCENARIO: "upload" }, "SCENARIO=upload is invalid: expected one of health, sign, verify, proofs, mixed"],
        [{ ACCEPT_429: "maybe" }, "ACCEPT_429=maybe is invalid: expected true or false"],
        [
            { THINK_TIME: "2m" },
            "THINK_TIME=2m is invalid: expected seconds (60) or a duration like 30s, 5m, 1h30m, between 0s and 1m",
        ],
        [
            { START_RATE: "0" },
            "START_RATE=0 is invalid: expected a whole number of requests per second between 1 and 100000, " +
                "e.g. START_RATE=10",
        ],
        [
            { RATE_STEP: "ten" },
            "RATE_STEP=ten is invalid: expected a whole number of requests per second between 1 and 100000, " +
                "e.g. RATE_STEP=10",
        ],
        [{ STEPS: "51" }, "STEPS=51 is invalid: expected a whole number of steps between 1 and 50, e.g. STEPS=10"],
        [
            { STEP_DURATION: "5s" },
            "STEP_DURATION=5s is invalid: expected seconds (60) or a duration like 30s, 5m, 1h30m, between 10s and 1h",
        ],
        [
            { TASKS: "0" },
            "TASKS=0 is invalid: expected a whole number of tasks behind TARGET_URL between 1 and 1000, e.g. TASKS=1",
        ],
        [
            { START_RATE: "90000", RATE_STEP: "5000", STEPS: "4" },
            "START_RATE=90000, RATE_STEP=5000 and STEPS=4 reach 105000 req/s: the last step may offer at most " +
                "100000 req/s",
        ],
    ])("refuses %j with one line", (bad, message) => {
        const text = envError({ ...TARGET, ...bad });
        expect(text).toBe(message);
        expect(text).not.toContain("\n");
    });

    it("requires TARGET_URL and says where to find it", () => {
        expect(envError({})).toBe(
            "TARGET_URL is not set: set it to the API base URL (the stack's apiUrl output), e.g. " +
                "TARGET_URL=https://d111111abcdef8.cloudfront.net",
        );
    });

    it("lists every problem on the same line", () => {
        expect(envError({ ...TARGET, VUS: "abc", DURATION: "soon" })).toBe(
            "VUS=abc is invalid: expected a whole number of virtual users between 1 and 10000, e.g. VUS=50; " +
                "DURATION=soon is invalid: expected seconds (60) or a duration like 30s, 5m, 1h30m, between 1s and 72h",
        );
    });

    it("never echoes the API key", () => {
        const text = envError({ ...TARGET, API_KEY: "secret value\n" });
        expect(text).toBe("API_KEY is invalid: it contains whitespace or control characters");
        expect(text).not.toContain("secret");
    });

    it("accepts IPv6 and ports", () => {
        expect(parseEnv({ TARGET_URL: "http://[::1]:3000" }, "smoke").targetUrl).toBe("http://[::1]:3000");
        expect(parseEnv({ TARGET_URL: "https://api.example.com/prefix/" }, "smoke").targetUrl).toBe(
            "https://api.example.com/prefix",
        );
    });
});

describe("parseTestType", () => {
    it("defaults to load and accepts each type", () => {
        expect(parseTestType({})).toBe("load");
        for (const t of ["smoke", "load", "stress", "spike", "soak", "throughput", "capacity"])
            expect(parseTestType({ TEST: t })).toBe(t);
    });

    it("refuses an unknown type", () => {
        expect(() => parseTestType({ TEST: "breakpoint" })).toThrow(
            new EnvError(
                "TEST=breakpoint is invalid: expected one of smoke, load, stress, spike, soak, throughput, capacity",
            ),
        );
    });
});
