/**
 * Flags, stack files and the outputs source: each bad input is one line and
 * exit 2. The command runs in-process (verifyMain); the last tests run the real entry
 * points (tsx and the shell wrapper) only to prove they wire argv, streams and exit code.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_TIMEOUT_MS, parseCli } from "../../tools/verify/cli";
import { verifyMain } from "../../tools/verify/main";
import { loadOutputs, type PulumiRunner } from "../../tools/verify/outputs";
import { readStackConfig } from "../../tools/verify/stack-config";
import { VerifyError } from "../../tools/verify/types";
import {
    ACCOUNT,
    compliantAccount,
    mocks,
    outputsFor,
    production,
    PROJECT_DIR,
    serve,
    tempDir,
    writeOutputs,
} from "./fixtures";
import { SECRET_PLACEHOLDER } from "../../lib/config";
import { nodeOnlyPath, type ProcessResult, runWithPath, tsScript } from "../ts-script";

function parse(args: string[]) {
    let out = "";
    let err = "";
    const parsed = parseCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { parsed, out, err };
}

describe("flags", () => {
    it("--help documents every option and exits 0", () => {
        const { parsed, out } = parse(["--help"]);
        expect(parsed).toEqual({ kind: "exit", code: 0 });
        for (const flag of [
            "--stack <name>",
            "--outputs <file>",
            "--probe",
            "--static-path <path>",
            "--report-dir <dir>",
            "--timeout-ms <ms>",
            "-h, --help",
        ])
            expect(out).toContain(flag);
        expect(out.replace(/\s+/g, " ")).toContain("Exit 0 = matches, 1 = drift, 2 = bad input or environment.");
    });

    it("defaults", () => {
        expect(parse(["--stack", "production"]).parsed).toEqual({
            kind: "run",
            options: {
                stack: "production",
                outputsFile: undefined,
                probe: false,
                staticPath: undefined,
                reportDir: "reports",
                timeoutMs: DEFAULT_TIMEOUT_MS,
            },
        });
    });

    it("every option", () => {
        const { parsed } = parse([
            "--stack",
            "acme/credlink/staging",
            "--outputs",
            "o.json",
            "--probe",
            "--static-path",
            "/static/app.css",
            "--report-dir",
            "out",
            "--timeout-ms",
            "2500",
        ]);
        expect(parsed).toEqual({
            kind: "run",
            options: {
                stack: "acme/credlink/staging",
                outputsFile: "o.json",
                probe: true,
                staticPath: "/static/app.css",
                reportDir: "out",
                timeoutMs: 2500,
            },
        });
    });

    it.each([
        [[], "required option '--stack <name>' not specified"],
        [["--stack", "production", "--bogus"], "unknown option '--bogus'"],
        [["--stack", "production", "extra"], "too many arguments. Expected 0 arguments but got 1."],
        [
            ["--stack", "pro duction"],
            "option '--stack <name>' argument 'pro duction' is invalid. must be a stack name such " +
                "as production or org/credlink/production",
        ],
        [
            ["--stack", "production", "--timeout-ms", "fast"],
            "option '--timeout-ms <ms>' argument 'fast' is invalid. must be whole milliseconds between 500 and 300000",
        ],
        [
            ["--stack", "production", "--timeout-ms", "50"],
            "option '--timeout-ms <ms>' argument '50' is invalid. must be whole milliseconds between 500 and 300000",
        ],
        [
            ["--stack", "production", "--static-path", "static/x.txt"],
            "option '--static-path <path>' argument 'static/x.txt' is invalid. must be a URL path " +
                "to one object, starting with /, e.g. /static/verify.txt",
        ],
        [
            ["--stack", "production", "--static-path", "/static/"],
            "option '--static-path <path>' argument '/static/' is invalid. must be a URL path to " +
                "one object, starting with /, e.g. /static/verify.txt",
        ],
    ])("%j → one line, exit 2", (args, line) => {
        const { parsed, err } = parse(args);
        expect(parsed).toEqual({ kind: "exit", code: 2, message: `${line} (see npm run verify -- --help)` });
        expect(err).toBe("");
    });
});

describe("stack file", () => {
    const project = (yaml: string) => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "Pulumi.demo.yaml"), yaml);
        return dir;
    };
    const problem = (fn: () => unknown) => {
        try {
            fn();
        } catch (e) {
            expect(e).toBeInstanceOf(VerifyError);
            return (e as Error).message;
        }
        throw new Error("expected a VerifyError");
    };

    it("reads the real production file through the program's parseConfig", () => {
        const { config, file } = readStackConfig("acme/credlink/production", PROJECT_DIR);
        expect(file).toBe(path.join(PROJECT_DIR, "Pulumi.production.yaml"));
        expect(config).toEqual(production());
        expect(config.environment).toBe("production");
    });

    it("a missing stack file", () => {
        expect(problem(() => readStackConfig("qa", PROJECT_DIR))).toBe(
            `Pulumi.qa.yaml not found in ${PROJECT_DIR}: the stack must be one of this project's ` +
                `(dev, production, staging)`,
        );
    });

    it("invalid settings: one line per problem, in the program's words", () => {
        const dir = project(
            "config:\n  aws:region: us-east-1\n  credlink:service.image: x:1\n  " +
                "credlink:scaling.minTasks: many\n  credlink:cdn.staticTtl: 5\n",
        );
        expect(problem(() => readStackConfig("demo", dir)).split("\n")).toEqual([
            "Pulumi.demo.yaml: credlink:cdn.staticTtl is not a known setting (did you mean " +
                "credlink:cdn.staticMinTtl?); see the config reference in README.md",
            'Pulumi.demo.yaml: credlink:scaling.minTasks = "many" must be a whole number between 1 and 5000',
        ]);
    });

    it("broken YAML", () => {
        expect(problem(() => readStackConfig("demo", project("config:\n  a: [1, 2\n")))).toMatch(
            /^Pulumi\.demo\.yaml is not valid YAML: .+$/,
        );
    });

    it("secure values are taken as set (their plaintext is not needed, so not validated) and remembered", () => {
        const dir = project(
            "config:\n  aws:region: eu-west-1\n  service.image: x:1\n  scaling.taskCapacityRps: 23.81\n  " +
                "scaling.taskCapacitySource: 'planning assumption: test'\n  " +
                "credlink:alerts.httpsEndpoint:\n    secure: AAABAKx1c2VjcmV0\n",
        );
        const { config, secureKeys } = readStackConfig("demo", dir);
        expect(config.service.image).toBe("x:1");
        expect(config.alerts.httpsEndpoint).toBe(SECRET_PLACEHOLDER);
        expect([...secureKeys]).toEqual(["credlink:alerts.httpsEndpoint"]);
    });
});

describe("outputs source", () => {
    const base = { stack: "production", projectDir: PROJECT_DIR, timeoutMs: 30_000 };
    const failing =
        (error: object): PulumiRunner =>
        () =>
            Promise.reject(Object.assign(new Error("Command failed: pulumi stack output"), error));
    const problem = (p: Promise<unknown>) =>
        p.then(
            () => "resolved",
            (e: Error) => e.message,
        );

    it("runs `pulumi stack output --json --show-secrets=false --stack <name>` in the project directory", async () => {
        const calls: unknown[] = [];
        const o = outputsFor(production());
        const loaded = await loadOutputs({
            ...base,
            runPulumi: (args, opts) => (calls.push([args, opts]), Promise.resolve(JSON.stringify(o))),
        });
        expect(loaded).toEqual({
            outputs: o,
            source: "pulumi stack output --json --show-secrets=false --stack production",
        });
        expect(calls).toEqual([
            [
                ["stack", "output", "--json", "--show-secrets=false", "--stack", "production"],
                { cwd: PROJECT_DIR, timeoutMs: 30_000 },
            ],
        ]);
    });

    it("no pulumi CLI", async () => {
        expect(await problem(loadOutputs({ ...base, runPulumi: failing({ code: "ENOENT" }) }))).toBe(
            "The pulumi CLI is not on PATH: install it, or pass the outputs as a file with " +
                "--outputs <file> (written by `pulumi stack output --json --stack production > " +
                "outputs.json`)",
        );
    });

    it("the CLI hanging is killed at the timeout", async () => {
        expect(await problem(loadOutputs({ ...base, runPulumi: failing({ killed: true, signal: "SIGTERM" }) }))).toBe(
            "`pulumi stack output --json --show-secrets=false --stack production` did not finish " +
                "within 30 s: check `pulumi login` and the network, or pass --outputs <file>",
        );
    });

    it("the CLI failing: its last stderr line", async () => {
        const stderr = "warning: A new version of Pulumi is available.\nerror: no stack named 'production' found\n";
        expect(await problem(loadOutputs({ ...base, runPulumi: failing({ code: 255, stderr }) }))).toBe(
            "`pulumi stack output --json --show-secrets=false --stack production` failed: error: no " +
                "stack named 'production' found",
        );
    });

    it("a missing file and a non-JSON file", async () => {
        const dir = tempDir();
        expect(await problem(loadOutputs({ ...base, outputsFile: path.join(dir, "nope.json") }))).toBe(
            `--outputs ${path.join(dir, "nope.json")}: no such file`,
        );
        fs.writeFileSync(path.join(dir, "o.json"), "Current stack outputs (3):");
        expect(await problem(loadOutputs({ ...base, outputsFile: path.join(dir, "o.json") }))).toMatch(
            new RegExp(
                `^Stack outputs from ${path.join(dir, "o.json")} are not JSON \\(.+\\): write them ` +
                    `with \`pulumi stack output --json --stack production > outputs.json\`$`,
            ),
        );
    });
});

const NOW = new Date("2025-06-01T10:00:00Z");

describe("verifyMain: the command in-process", () => {
    afterEach(() => vi.unstubAllEnvs());
    const main = async (args: string[], projectDir = PROJECT_DIR) => {
        let stdout = "";
        let stderr = "";
        const code = await verifyMain(
            args,
            { out: (s) => (stdout += s), err: (s) => (stderr += s) },
            { projectDir, now: () => NOW, resolveHost: () => Promise.resolve(["192.0.2.10"]) },
        );
        return [code, stdout, stderr] as const;
    };

    it("a bad flag is one line on stderr, exit 2, nothing on stdout", async () => {
        expect(await main(["--stack", "production", "--nope"])).toEqual([
            2,
            "",
            "verify: unknown option '--nope' (see npm run verify -- --help)\n",
        ]);
    });

    it("no pulumi CLI on PATH (the real lookup): one line, exit 2", async () => {
        vi.stubEnv("PATH", tempDir());
        expect(await main(["--stack", "production"])).toEqual([
            2,
            "",
            "verify: The pulumi CLI is not on PATH: install it, or pass the outputs as a file with " +
                "--outputs <file> (written by `pulumi stack output --json --stack production > " +
                "outputs.json`)\n",
        ]);
    });

    it("several problems: one prefixed line each on stderr", async () => {
        const dir = tempDir();
        fs.writeFileSync(
            path.join(dir, "Pulumi.demo.yaml"),
            "config:\n  aws:region: us-east-1\n  credlink:service.image: x:1\n  credlink:scaling.minTasks: many\n" +
                "  credlink:cdn.staticTtl: 5\n",
        );
        expect(await main(["--stack", "demo", "--outputs", writeOutputs(dir, {})], dir)).toEqual([
            2,
            "",
            "verify: Pulumi.demo.yaml: credlink:cdn.staticTtl is not a known setting (did you mean " +
                "credlink:cdn.staticMinTtl?); see the config reference in README.md\n" +
                'verify: Pulumi.demo.yaml: credlink:scaling.minTasks = "many" must be a whole number between 1 ' +
                "and 5000\n",
        ]);
    });

    it("--help is the usage on stdout, exit 0", async () => {
        const [code, stdout, stderr] = await main(["--help"]);
        expect([code, stderr]).toEqual([0, ""]);
        expect(stdout).toMatch(/^Usage: npm run verify -- \[options\]\n/);
    });

    it("a compliant account: the check lines on stdout, exit 0", async () => {
        for (const m of Object.values(mocks)) m.reset();
        const config = production();
        const outputs = outputsFor(config);
        serve(compliantAccount(config, outputs), outputs);
        const dir = tempDir();
        const [code, stdout, stderr] = await main([
            "--stack",
            "production",
            "--outputs",
            writeOutputs(dir, outputs),
            "--report-dir",
            dir,
        ]);
        expect([code, stderr]).toEqual([0, ""]);
        const lines = stdout.split("\n");
        expect(lines[0]).toBe(
            `Verifying stack production in account ${ACCOUNT} (${config.region}) against ` +
                `${path.join(PROJECT_DIR, "Pulumi.production.yaml")}`,
        );
        expect(lines.slice(-4)).toEqual([
            "",
            `PASS: ${lines.filter((l) => l.startsWith("✓ ")).length} passed, 0 failed, 0 warnings. Dashboard: ` +
                outputs.dashboardUrl,
            `Report: ${path.join(dir, "verify-production-2025-06-01T10-00-00Z", "report.html")} (also report.md, ` +
                "results.json)",
            "",
        ]);
    });
});

/**
 * The real entry points, as few runs as prove the wiring (argv in, stdout/stderr, exit code): the
 * flags and lines themselves are tested in-process above. The runs start together; each takes
 * about a second of Node, tsx and SDK start-up.
 */
describe("entry points", () => {
    const runs: Partial<Record<"noCli" | "help" | "missing", ProcessResult>> = {};
    beforeAll(async () => {
        const systemPath = `${path.dirname(process.execPath)}:/usr/bin:/bin`;
        [runs.noCli, runs.help, runs.missing] = await Promise.all([
            runWithPath(...tsScript("scripts/verify.ts", "--stack", "production"), nodeOnlyPath()),
            runWithPath("bash", ["scripts/optimize-performance.sh", "--help"], systemPath),
            runWithPath("bash", ["scripts/optimize-performance.sh"], systemPath),
        ]);
    }, 60_000);

    it("scripts/verify.ts: a missing pulumi CLI is one line on stderr, exit 2, no stack trace", () => {
        expect(runs.noCli).toEqual({
            status: 2,
            stdout: "",
            stderr:
                "verify: The pulumi CLI is not on PATH: install it, or pass the outputs as a file with " +
                "--outputs <file> (written by `pulumi stack output --json --stack production > " +
                "outputs.json`)\n",
        });
    });

    it("scripts/optimize-performance.sh forwards its arguments to npm run verify, and its exit code back", () => {
        expect([runs.help?.status, runs.help?.stderr]).toEqual([0, ""]);
        expect(runs.help?.stdout).toMatch(/^Usage: npm run verify -- \[options\]\n/);
        expect(runs.missing).toEqual({
            status: 2,
            stdout: "",
            stderr: "verify: required option '--stack <name>' not specified (see npm run verify -- --help)\n",
        });
    });
});
