/**
 * scripts/load-test.sh and scripts/load-test-local.sh, run by bash with a PATH made of
 * symlinks to exactly the tools they use, so "k6 is missing" holds on any machine; a stub
 * k6 stands in for the real one where a run must get that far. Each test has its own bin
 * and report directories, so the tests run concurrently: most of a run is Node and tsx
 * start-up (the env validation), which two cores overlap.
 */
import { spawn } from "node:child_process";
import {
    chmodSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    symlinkSync,
    writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { buildReport, type RunContext } from "../lib/report.ts";
import { renderHtmlReport } from "../lib/report-html.ts";
import { createReferenceServer, type ReferenceServer } from "../reference-server/server.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const WRAPPER = join(ROOT, "scripts/load-test.sh");
const LOCAL = join(ROOT, "scripts/load-test-local.sh");

function which(tool: string): string {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
        const candidate = join(dir, tool);
        if (dir !== "" && existsSync(candidate)) return candidate;
    }
    throw new Error(`${tool} is needed to test the wrapper scripts`);
}

const BASH = which("bash");
const DOCS_SUMMARY = JSON.parse(
    readFileSync(new URL("./fixtures/k6-docs-custom-summary.json", import.meta.url), "utf8"),
) as unknown;
const REPORT_CONTEXT: RunContext = {
    testType: "smoke",
    workload: "mixed",
    targetUrl: "http://127.0.0.1:3000",
    holdSeconds: 30,
    rate: 1000,
    generatedAt: "2025-06-01T10:00:05.000Z",
};
let work: string;

/** Where the stub k6 of bin directory `name` records how it was called. */
const k6Call = (name: string) => join(work, `${name}.k6-call`);

/** Tools the wrapper uses; load-test-local.sh also needs these extra ones. */
const WRAPPER_TOOLS = ["node", "curl", "date", "mkdir"];
const LOCAL_TOOLS = [...WRAPPER_TOOLS, "bash", "env", "rm", "sleep"];

/** A bin directory with the scripts' tools and, optionally, a stub k6 that exits with `k6Exit`. */
function binDir(name: string, k6Exit?: number, tools: readonly string[] = WRAPPER_TOOLS): string {
    const dir = join(work, name);
    mkdirSync(dir);
    for (const tool of tools) symlinkSync(which(tool), join(dir, tool));
    if (k6Exit !== undefined) {
        const record = k6Call(name);
        writeFileSync(
            join(dir, "k6"),
            `#!${BASH}\nprintf '%s\\n' "$*" "REPORT_DIR=$REPORT_DIR" "TARGET_URL=$TARGET_URL" ` +
                `"PROOFS_URL=\${PROOFS_URL:-}" > '${record}'\nexit ${k6Exit}\n`,
        );
        chmodSync(join(dir, "k6"), 0o755);
    }
    return dir;
}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function run(script: string, env: Record<string, string>, pathDir: string, args: string[] = []): Promise<Run> {
    return new Promise((resolve, reject) => {
        // Only what the test sets: no inherited TARGET_URL, VUS, k6 or pulumi.
        const child = spawn(BASH, [script, ...args], { env: { PATH: pathDir, HOME: work, ...env }, cwd: work });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

let reference: ReferenceServer;
let url: string;
let noK6: string;

beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "credlink-loadtest-scripts-"));
    noK6 = binDir("no-k6");
    reference = createReferenceServer();
    url = await reference.listen(0, "127.0.0.1");
});

afterAll(async () => {
    await reference.close();
    rmSync(work, { recursive: true, force: true });
});

describe.concurrent("scripts/load-test.sh refuses in one line", () => {
    it("without k6, saying how to install it", async () => {
        expect(existsSync(join(noK6, "k6"))).toBe(false);
        const r = await run(WRAPPER, { TARGET_URL: url }, noK6);
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr:
                "load-test: k6 is not installed: install k6 1.0 or newer " +
                "(https://grafana.com/docs/k6/latest/set-up/install-k6/ - e.g. brew install k6, " +
                "winget install k6, or the dl.k6.io apt/rpm repository), then re-run\n",
        });
    });

    it.each([
        [
            { VUS: "abc" },
            "load-test: VUS=abc is invalid: expected a whole number of virtual users between 1 and 10000, e.g. VUS=50",
        ],
        [
            { DURATION: "5 parsecs" },
            "load-test: DURATION=5 parsecs is invalid: expected seconds (60) or a duration like " +
                "30s, 5m, 1h30m, between 1s and 72h",
        ],
        [
            { TARGET_URL: "not-a-url" },
            "load-test: TARGET_URL=not-a-url is invalid: expected an http(s) base URL without query " +
                "or fragment, e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net",
        ],
        [
            { TEST: "breakpoint" },
            "load-test: TEST=breakpoint is invalid: expected one of smoke, load, stress, spike, soak, throughput, " +
                "capacity",
        ],
        [
            { TEST: "throughput", RATE: "2" },
            "load-test: RATE=2 is too low for SCENARIO=mixed: the mixed workload runs 4 scenarios " +
                "(health, sign, verify, proofs), so RATE must be at least 4",
        ],
    ])("on %j, before starting k6", async (bad, line) => {
        const name = `bad-${Object.entries(bad).flat().join("-").replace(/\W/g, "")}`;
        const r = await run(WRAPPER, { TARGET_URL: url, ...bad }, binDir(name, 0));
        expect(r).toEqual({ code: 2, stdout: "", stderr: `${line}\n` });
        expect(existsSync(k6Call(name))).toBe(false);
    });

    it("without TARGET_URL (and no pulumi to ask)", async () => {
        const r = await run(WRAPPER, {}, noK6);
        expect(r.stderr).toBe(
            "load-test: TARGET_URL is not set: set it to the API base URL (the stack's apiUrl " +
                "output), e.g. TARGET_URL=https://d111111abcdef8.cloudfront.net\n",
        );
        expect(r.code).toBe(2);
    });

    it("when /health does not answer, with exit code 3", async () => {
        const closed = createReferenceServer();
        const deadUrl = await closed.listen(0, "127.0.0.1");
        await closed.close();
        const r = await run(WRAPPER, { TARGET_URL: deadUrl, HEALTH_TIMEOUT: "2" }, binDir("dead", 0));
        expect(r).toEqual({
            code: 3,
            stdout: "",
            stderr:
                `load-test: GET ${deadUrl}/health answered no response (connection failed or no ` +
                `answer within 2s): check TARGET_URL and that the stack is up\n`,
        });
    });
});

describe.concurrent("scripts/load-test.sh runs k6", () => {
    it("after the health check, with reports under reports/<timestamp>-<test>, and exits with k6's code", async () => {
        const reports = join(work, "reports");
        const r = await run(
            WRAPPER,
            { TARGET_URL: `${url}/`, TEST: "smoke", REPORTS_ROOT: reports },
            binDir("thresholds-fail", 99),
            ["--quiet"],
        );
        expect(r.code).toBe(99);
        const [dir] = readdirSync(reports);
        expect(dir).toMatch(/^\d{8}T\d{6}Z-smoke$/);
        const reportDir = join(reports, dir);
        expect(r.stdout).toBe(
            `load-test: smoke: 5 VUs for 30s (health 1, sign 1, verify 1, proofs 2), mixed workload ` +
                `against ${url}; reports in ${reportDir}\n`,
        );
        expect(r.stderr).toBe(`load-test: k6 exited 99 (thresholds failed); reports in ${reportDir}\n`);
        expect(readFileSync(k6Call("thresholds-fail"), "utf8")).toBe(
            `run --out json=${reportDir}/metrics.json.gz --quiet ` +
                `${join(ROOT, "loadtests/smoke.ts")}\nREPORT_DIR=${reportDir}\nTARGET_URL=${url}/\nPROOFS_URL=\n`,
        );
    });

    it(
        "asks the selected Pulumi stack for apiUrl and cdnUrl when TARGET_URL is unset, as the " +
            "original asked terraform",
        async () => {
            const bin = binDir("pulumi-fallback", 0);
            writeFileSync(
                join(bin, "pulumi"),
                `#!${BASH}\n[[ "$*" == "stack output apiUrl --non-interactive" ]] && echo '${url}'\n[[ ` +
                    `"$*" == "stack output cdnUrl --non-interactive" ]] && echo ` +
                    `'https://d111111abcdef8.cloudfront.net'\nexit 0\n`,
            );
            chmodSync(join(bin, "pulumi"), 0o755);
            const r = await run(WRAPPER, { TEST: "smoke", REPORTS_ROOT: join(work, "fallback") }, bin);
            expect(r.code).toBe(0);
            expect(readFileSync(k6Call("pulumi-fallback"), "utf8")).toMatch(
                new RegExp(`TARGET_URL=${url}\nPROOFS_URL=https://d111111abcdef8.cloudfront.net\n$`),
            );
        },
    );

    it("passes k6's success through", async () => {
        const r = await run(
            WRAPPER,
            { TARGET_URL: url, TEST: "throughput", RATE: "10", REPORTS_ROOT: join(work, "ok") },
            binDir("passes", 0),
        );
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(
            "throughput: 10 req/s for 1m (health 1, sign 1, verify 4, proofs 4), mixed workload",
        );
        expect(r.stderr).toMatch(/^load-test: k6 exited 0 \(all thresholds passed\); reports in .*-throughput\n$/);
    });

    it("records k6's JSON output and, after k6 exits, adds the time series to its report", async () => {
        // A stub k6 that writes what the real one would: the stream where --out says, and report.html.
        const bin = binDir("writes-reports", undefined, [...WRAPPER_TOOLS, "cp"]);
        const gz = join(work, "fixture.json.gz");
        writeFileSync(gz, gzipSync(readFileSync(join(ROOT, "loadtests/test/fixtures/k6-json-output.ndjson"))));
        const html = join(work, "fixture-report.html");
        writeFileSync(html, renderHtmlReport(buildReport(DOCS_SUMMARY, REPORT_CONTEXT)));
        writeFileSync(
            join(bin, "k6"),
            `#!${BASH}\nfor a in "$@"; do [[ "$a" == json=* ]] && cp '${gz}' "\${a#json=}"; done\n` +
                `cp '${html}' "$REPORT_DIR/report.html"\nexit 99\n`,
        );
        chmodSync(join(bin, "k6"), 0o755);
        const reports = join(work, "with-series");
        const r = await run(WRAPPER, { TARGET_URL: url, TEST: "smoke", REPORTS_ROOT: reports }, bin);
        const dir = join(reports, readdirSync(reports)[0]);
        expect(r.code).toBe(99);
        expect(r.stdout).toContain(
            `timeseries: latency, throughput and errors over time (3 buckets of 1 s from 40 samples) added to ` +
                `${dir}/report.html\n`,
        );
        expect(readdirSync(dir).sort()).toEqual(["metrics.json.gz", "report.html", "timeseries.json"]);
        expect(readFileSync(join(dir, "report.html"), "utf8")).toContain('aria-label="Throughput per 1 s"');
        expect(r.stderr).toBe(`load-test: k6 exited 99 (thresholds failed); reports in ${dir}\n`);
    });

    it("leaves k6's JSON output off with TIME_SERIES=off, and refuses other values", async () => {
        const [r, bad] = await Promise.all([
            run(
                WRAPPER,
                { TARGET_URL: url, TEST: "smoke", TIME_SERIES: "off", REPORTS_ROOT: join(work, "off") },
                binDir("series-off", 0),
            ),
            run(WRAPPER, { TARGET_URL: url, TIME_SERIES: "yes" }, binDir("series-bad", 0)),
        ]);
        expect(r.code).toBe(0);
        expect(readFileSync(k6Call("series-off"), "utf8").split("\n")[0]).toBe(
            `run ${join(ROOT, "loadtests/smoke.ts")}`,
        );
        expect(bad).toEqual({
            code: 2,
            stdout: "",
            stderr:
                "load-test: TIME_SERIES=yes is invalid: expected on (record k6's JSON output and chart it) " +
                "or off\n",
        });
    });

    it("runs TEST=capacity and says what k6's 99 means for it", async () => {
        const r = await run(
            WRAPPER,
            { TARGET_URL: url, TEST: "capacity", STEPS: "3", TASKS: "2", REPORTS_ROOT: join(work, "capacity") },
            binDir("capacity", 99),
        );
        expect(r.code).toBe(99);
        expect(readFileSync(k6Call("capacity"), "utf8").split("\n")[0]).toMatch(/ \S+\/loadtests\/capacity\.ts$/);
        expect(r.stdout).toContain(
            "load-test: capacity: 3 steps of 30s from 10 to 30 req/s (+10), mixed workload (health 2%, sign 20%, " +
                "verify 78%), 2 tasks behind the target against",
        );
        expect(r.stderr).toMatch(
            /^load-test: k6 exited 99 \(a step missed the SLO and ended the run: the capacity is in capacity\.json\); /,
        );
    });
});

describe.concurrent("scripts/load-test-local.sh", () => {
    it("starts the reference API, smoke-tests it through the wrapper, stops it and returns k6's code", async () => {
        const r = await run(
            LOCAL,
            { REPORTS_ROOT: join(work, "local-reports"), TMPDIR: work },
            binDir("local", 99, LOCAL_TOOLS),
        );
        expect(r.code).toBe(99);
        const call = readFileSync(k6Call("local"), "utf8");
        const target = /TARGET_URL=(http:\/\/127\.0\.0\.1:\d+)\n/.exec(call)?.[1] as string;
        expect(call.split("\n")[0]).toMatch(
            new RegExp(`^run --out json=\\S+-smoke/metrics\\.json\\.gz ${join(ROOT, "loadtests/smoke\\.ts")}$`),
        );
        expect(r.stdout).toContain(
            `load-test: smoke: 5 VUs for 30s (health 1, sign 1, verify 1, proofs 2), mixed workload ` +
                `against ${target}; reports in`,
        );
        expect(r.stderr).toMatch(/load-test: k6 exited 99 \(thresholds failed\)/);
        // The health pre-flight reached the server; now it is gone.
        await expect(fetch(`${target}/health`)).rejects.toThrow();
    });

    it("refuses without k6 in one line, pointing at the k6-free reference server", async () => {
        const r = await run(LOCAL, {}, noK6);
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr:
                "loadtest:local: k6 is not installed: install k6 1.0 or newer " +
                "(https://grafana.com/docs/k6/latest/set-up/install-k6/), then re-run; the " +
                "reference API alone runs without it: npx tsx " +
                "loadtests/reference-server/main.ts\n",
        });
    });
});
