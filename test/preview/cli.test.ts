/**
 * `npm run preview` end to end: the program under mocks, the policy pack in its own process
 * over gRPC, exit codes and exact messages. The committed and seeded stacks and one bad input
 * run as child processes through scripts/preview.ts; the other bad inputs run the same command
 * in process (tools/preview/cli.ts), which the child-process runs show is what the script runs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { LoadProfile } from "../../policies/load-profiles";
import type { JsonReport } from "../../tools/preview/report";
import { previewMain } from "../../tools/preview/cli";
import { simulateStack } from "../../tools/simulate/cli";
import { REPO_ROOT, stackNames } from "../../tools/stack-file";
import { sarifSchemaErrors } from "./sarif-schema";
import { runTsScript, type ScriptResult, tsScript } from "../ts-script";

const FIXTURES = "test/preview/fixtures";

type Result = ScriptResult;

const preview = (...args: string[]): Promise<Result> => runTsScript("scripts/preview.ts", args);

/** The command in this process, with its output captured as the child process's would be. */
async function previewInProcess(...args: string[]): Promise<Result> {
    let stdout = "";
    let stderr = "";
    const code = await previewMain(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "preview-cli-"));
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+[(:]\d+/m);

describe("start-up", () => {
    it("plans a preview without loading @pulumi/pulumi, so the pack is spawned before the SDK loads", () => {
        // What the command loads before it spawns the first pack: its own module and the planning
        // (flags, stack files, policy configs). The SDK and the program load afterwards.
        const loaded = spawnSync(
            ...tsScript(
                "-e",
                'require("./tools/preview/cli"); require("./tools/preview/inputs"); ' +
                    "console.log(Object.keys(require.cache).filter((f) => f.includes('/@pulumi/')).join('\\n'))",
            ),
            { cwd: REPO_ROOT, encoding: "utf8" },
        );
        expect(loaded.status).toBe(0);
        const sdk = loaded.stdout.split("\n").filter((f) => f !== "" && !f.includes("/@pulumi/pulumi/proto/"));
        expect(sdk).toEqual([]);
        // The analyzer protocol's generated stubs do load: the pack is spoken to through them.
        expect(loaded.stdout).toContain("/@pulumi/pulumi/proto/analyzer_grpc_pb.js");
    });
});

describe("bad input", () => {
    it("names the stacks that exist for an unknown stack (through the script, as a child process)", async () => {
        const r = await preview("--stack", "prod");
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr: 'error: unknown stack "prod"; the stacks in . are: dev, production, staging (or "all")\n',
        });
    });

    it("reports a malformed policy config in one line", async () => {
        const r = await previewInProcess(
            "--stack",
            "production",
            "--policy-config",
            `${FIXTURES}/policy-config.malformed.json`,
        );
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr:
                `error: policy config ${FIXTURES}/policy-config.malformed.json is not valid ` +
                `JSON at line 4 column 5: Expected double-quoted property name\n`,
        });
    });

    it("reports a policy config the pack cannot take, one line per problem", async () => {
        const level = await previewInProcess(
            "--stack",
            "dev",
            "--policy-config",
            `${FIXTURES}/policy-config.bad-level.json`,
        );
        const unknown = await previewInProcess(
            "--stack",
            "dev",
            "--policy-config",
            `${FIXTURES}/policy-config.unknown-policy.json`,
        );
        expect(level).toEqual({
            code: 2,
            stdout: "",
            stderr:
                `error: policy config ${FIXTURES}/policy-config.bad-level.json: ` +
                `scaling-task-range = "blocking" is not an enforcement level (use one of ` +
                `advisory, mandatory, remediate, disabled)\n`,
        });
        // Policy names are checked against the pack's own list, which needs the pack running.
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(
            new RegExp(
                `^error: policy config ${FIXTURES}/policy-config.unknown-policy.json: ` +
                    `"scaling-task-rnage" is not a policy of this pack \\(it has: [a-z-]+(, ` +
                    `[a-z-]+)+\\)\n$`,
            ),
        );
        expect(unknown.stderr).toContain("scaling-task-range");
    });

    it("shows a program error with the stack name, one line per problem and no stack trace", async () => {
        const r = await previewInProcess(
            "--stack",
            "broken",
            "--stack-dir",
            FIXTURES,
            "--policy-config",
            `${FIXTURES}/policy-config.defaults.json`,
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            [
                "error: stack broken: Invalid configuration for stack broken (Pulumi.broken.yaml):",
                "credlink:scaling.minTask is not a known setting (did you mean " +
                    "credlink:scaling.minTasks?); see the config reference in README.md",
                "credlink:scaling.taskCapacityRps is required to derive credlink:scaling.requestsPerTarget: set it " +
                    "to the requests per second one task sustains within the SLO (and " +
                    "credlink:scaling.taskCapacitySource to where that figure came from; see npm run " +
                    "capacity:plan), or set it explicitly",
                "credlink:scaling.minTasks = 25 must be <= credlink:scaling.maxTasks (20)",
                "",
            ].join("\n"),
        );
        expect(r.stdout).toContain(`Previewing stack broken (${FIXTURES}/Pulumi.broken.yaml) under mocks`);
        expect(r.stdout).toContain(
            "Summary:\n    broken: ERROR, Invalid configuration for stack broken (Pulumi.broken.yaml):\n",
        );
        noStackTrace(r.stdout + r.stderr);
    });
});

describe("committed stacks", () => {
    it("pass the policy pack with their own policy configs, with JSON and SARIF reports", async () => {
        const dir = tmp();
        const r = await preview(
            "--stack",
            "all",
            "--json",
            path.join(dir, "preview.json"),
            "--sarif",
            path.join(dir, "preview.sarif"),
        );
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const report = readJson<JsonReport>(path.join(dir, "preview.json"));
        expect(report.stacks.map((s) => [s.stack, s.status, s.policyConfig])).toEqual(
            stackNames().map((s) => [s, "passed", `policies/config/${s}.json`]),
        );
        expect(report.summary.violations.mandatory).toBe(0);
        for (const s of report.stacks) expect(s.plan.create, s.stack).toBeGreaterThan(1);
        expect(report.policyPacks[0].policies.length).toBeGreaterThan(0);
        const sarif = readJson<unknown>(path.join(dir, "preview.sarif"));
        expect(sarifSchemaErrors(sarif)).toEqual([]);
        for (const s of stackNames()) expect(r.stdout).toContain(`    ${s}: passed`);

        // Each stack's autoscaling simulated for the spike and load profiles, in the text and the JSON,
        // with the numbers `npm run simulate` gives for the same stack and profile.
        for (const s of report.stacks) {
            expect(
                s.simulation?.profiles.map((p) => p.profile),
                s.stack,
            ).toEqual(["spike", "load"]);
            for (const p of s.simulation!.profiles) {
                const alone = simulateStack(s.stack, p.profile as LoadProfile).run.result;
                expect([p.overloadSeconds, p.peakTasks, p.firstOverloadAt], `${s.stack} ${p.profile}`).toEqual([
                    alone.overloadSeconds,
                    alone.peakTasks,
                    alone.firstOverloadAt,
                ]);
            }
            const section = r.stdout.split(`Previewing stack ${s.stack} `)[1].split("\nSummary:")[0];
            // Each stack is simulated at its own peak (scaling.peakRequestsPerSecond).
            const peak = s.simulation!.peakRps.toLocaleString("en-US");
            expect(peak).toBe({ production: "1,000", staging: "200", dev: "20" }[s.stack]);
            expect(section).toMatch(
                new RegExp(
                    `\\nScaling simulation: k6 profiles at ${peak} req/s through ${s.simulation!.minTasks}\\.\\.` +
                        `${s.simulation!.maxTasks} tasks of [\\d.]+ req/s \\(planning assumption: .+\\), task ` +
                        `start-up 60 s\\n {4}spike \\(2:10, peak ${peak} req/s\\): (overloaded \\d+ s|no overload)`,
                ),
            );
        }
    });
});

describe("seeded violations (1..400 tasks, 2-year static TTL, 2 s latency alarm)", () => {
    it("exits non-zero and reports exactly those violations, naming the resources", async () => {
        const dir = tmp();
        const policyConfig = "policies/config/production.json";
        // The production stack under the same policy config is the baseline the seeded changes are measured against.
        const [r, baseline] = await Promise.all([
            preview(
                "--stack",
                "seeded",
                "--stack-dir",
                FIXTURES,
                "--policy-config",
                policyConfig,
                "--json",
                path.join(dir, "seeded.json"),
                "--sarif",
                path.join(dir, "seeded.sarif"),
            ),
            preview(
                "--stack",
                "production",
                "--policy-config",
                policyConfig,
                "--json",
                path.join(dir, "production.json"),
            ),
        ]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(1);
        expect(baseline.code).toBe(0);
        const [seeded] = readJson<JsonReport>(path.join(dir, "seeded.json")).stacks;
        const [production] = readJson<JsonReport>(path.join(dir, "production.json")).stacks;
        expect(seeded.status).toBe("failed");

        const mandatory = seeded.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
        expect(mandatory.map((d) => [d.policyName, d.resourceType, d.resourceName, d.seenIn])).toEqual([
            ["alarm-latency", "aws:cloudwatch/metricAlarm:MetricAlarm", "api-latency-p95", ["new stack", "update"]],
            // A new stack cannot tell which cache policy a behaviour uses; an update names it.
            ["cdn-ttl-bands", "aws:cloudfront/distribution:Distribution", "cdn", ["new stack"]],
            ["cdn-ttl-bands", "aws:cloudfront/distribution:Distribution", "cdn", ["update"]],
            // 400 tasks is above the pack's cost ceiling (100), and one task below the floor (2).
            ["scaling-task-range", "aws:appautoscaling/target:Target", "api", ["new stack", "update"]],
            ["scaling-task-range", "aws:appautoscaling/target:Target", "api", ["new stack", "update"]],
        ]);
        // Each names the seeded value.
        expect(mandatory[0].message).toMatch(/threshold = 2 s\b/);
        expect(mandatory[1].message).toMatch(/maxTtl 63072000 s/);
        expect(mandatory[2].message).toMatch(/maxTtl \(from cache policy "cdn-static-cache"\) = 63072000 s/);
        expect(
            mandatory
                .slice(3)
                .map((d) => d.message)
                .join("\n"),
        ).toMatch(
            /maxCapacity = 400\b[\s\S]*\n[\s\S]*minCapacity = 1\b|minCapacity = 1\b[\s\S]*\n[\s\S]*maxCapacity = 400\b/,
        );
        // Nothing else: the other findings are the ones the production stack already has.
        const others = (s: typeof seeded) =>
            s.diagnostics
                .filter((d) => d.enforcementLevel !== "mandatory")
                .map((d) => [d.enforcementLevel, d.policyName, d.resourceType, d.resourceName]);
        // Except production's advisory note that its cache-policy pairing is decided with IDs known: with a
        // 2-year static policy no pairing complies, so the seeded stack has the cdn-ttl-bands violation instead.
        const pairingNote = (d: { policyName: string; message: string }) =>
            d.policyName === "cdn-ttl-bands" && d.message.includes("cache policies (IDs unknown at preview)");
        expect(others(seeded)).toEqual(
            others({ ...production, diagnostics: production.diagnostics.filter((d) => !pairingNote(d)) }),
        );
        expect(production.diagnostics.filter(pairingNote).map((d) => d.enforcementLevel)).toEqual(["advisory"]);
        expect(production.diagnostics.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);

        for (const d of mandatory)
            expect(r.stdout).toContain(
                `- [mandatory] ${d.policyName}: ${d.resourceName} (${d.resourceType})\n          ${d.urn}\n`,
            );
        expect(r.stdout).toContain("    seeded: FAILED, 5 mandatory violations");

        type Sarif = {
            runs: Array<{
                results: Array<{
                    ruleId: string;
                    level: string;
                    locations: Array<{
                        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
                    }>;
                }>;
            }>;
        };
        const sarif = readJson<Sarif>(path.join(dir, "seeded.sarif"));
        expect(sarifSchemaErrors(sarif)).toEqual([]);
        const errors = sarif.runs[0].results.filter((x) => x.level === "error");
        expect(errors.map((x) => x.ruleId)).toEqual(mandatory.map((d) => d.policyName));
        const lines = fs.readFileSync(path.join(REPO_ROOT, FIXTURES, "Pulumi.seeded.yaml"), "utf8").split("\n");
        for (const x of sarif.runs[0].results)
            expect(x.locations[0].physicalLocation.artifactLocation.uri).toBe(`${FIXTURES}/Pulumi.seeded.yaml`);
        // Annotations land on the seeded lines where the pack's message names the key.
        expect(
            errors
                .map((x) => lines[x.locations[0].physicalLocation.region.startLine - 1].trim())
                .filter((l) => l !== "config:")
                .sort(),
        ).toEqual([
            "credlink:alarms.latencyP95ThresholdMs: 2000",
            "credlink:scaling.maxTasks: 400",
            "credlink:scaling.minTasks: 1",
        ]);
    });
});
