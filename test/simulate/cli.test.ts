/**
 * `npm run simulate`: exit codes, one-line errors, the text summary, the JSON report and the chart
 * (well-formed SVG with the three series), and the chart the docs show being exactly what the command
 * writes today. Every case runs through the command's own entry function, main(argv, io); two runs of
 * the real script by tsx prove scripts/simulate.ts wires argv, stdout, stderr and the exit code to it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { offeredLoad } from "../../policies/load-profiles";
import { SLO } from "../../policies/slo";
import { main } from "../../tools/simulate/cli";
import type { SimulationJson } from "../../tools/simulate/report";
import { REPO_ROOT } from "../../tools/stack-file";
import { runTsScript, type ScriptResult } from "../ts-script";

type Result = ScriptResult;

/** The script itself, run by tsx as `npm run simulate` runs it. */
const simulateScript = (...args: string[]): Promise<Result> => runTsScript("scripts/simulate.ts", args);

/** The command in this process, through the entry function the script calls. */
function simulate(...args: string[]): Result {
    let stdout = "";
    let stderr = "";
    const code = main(args, { out: (s) => (stdout += s), err: (s) => (stderr += s) });
    return { code, stdout, stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "simulate-cli-"));

const BAD_INPUT: Array<[string[], string]> = [
    [
        ["--stack", "prod", "--profile", "spike"],
        `error: Pulumi.prod.yaml not found in ${REPO_ROOT}: the stack must be one of this project's ` +
            `(dev, production, staging)`,
    ],
    [
        ["--stack", "production", "--profile", "spkie"],
        "error: option '--profile <type>' argument 'spkie' is invalid. Allowed choices are smoke, load, " +
            "stress, spike, soak, throughput.",
    ],
    [["--stack", "production"], "error: required option '--profile <type>' not specified"],
    [
        ["--stack", "production", "--profile", "spike", "--duration", "2x"],
        "error: option '--duration <d>' argument '2x' is invalid. expected seconds (60) or a duration " +
            "like 30s, 5m, 1h30m, up to 72h.",
    ],
    [
        ["--stack", "production", "--profile", "spike", "--startup-seconds", "-5"],
        "error: option '--startup-seconds <n>' argument '-5' is invalid. expected a whole number of " +
            "seconds between 0 and 3600.",
    ],
    [
        ["--stack", "broken", "--profile", "spike", "--stack-dir", "test/preview/fixtures"],
        "error: Pulumi.broken.yaml has invalid configuration: credlink:scaling.minTask is not a known " +
            "setting (did you mean credlink:scaling.minTasks?); see the config reference in README.md; " +
            "credlink:scaling.taskCapacityRps is required to derive credlink:scaling.requestsPerTarget: set it " +
            "to the requests per second one task sustains within the SLO (and " +
            "credlink:scaling.taskCapacitySource to where that figure came from; see npm run " +
            "capacity:plan), or set it explicitly; " +
            "credlink:scaling.minTasks = 25 must be <= credlink:scaling.maxTasks (20)",
    ],
    [
        ["--stack", "production", "--profile", "spike", "--stack-dir", "no/such/dir"],
        "error: --stack-dir no/such/dir is not a directory",
    ],
];

// The script runs start before the first test, together (a top-level beforeAll): each is mostly Node
// and tsx start-up, which overlaps the in-process cases.
const runArgs = (dir: string) => [
    ...["--stack", "production", "--profile", "spike"],
    ...["--json", `${dir}/spike.json`, "--svg", `${dir}/spike.svg`],
];
const scriptDir = tmp();
const [badArgs, badLine] = BAD_INPUT[0];
let scriptRuns: Promise<[Result, Result]>;
beforeAll(() => {
    scriptRuns = Promise.all([simulateScript(...runArgs(scriptDir)), simulateScript(...badArgs)]);
});

describe("bad input: one line, exit code 2, nothing on stdout", () => {
    it.each(BAD_INPUT)("%j", (args, line) => {
        expect(simulate(...args)).toEqual({ code: 2, stdout: "", stderr: `${line}\n` });
    });

    it("an output it cannot write", () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "file"), "");
        const r = simulate("--stack", "production", "--profile", "spike", "--json", `${dir}/file/out.json`);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(new RegExp(`^error: cannot write ${dir}/file/out.json: [^\\n]+\\n$`));
    });
});

describe("production, spike profile", () => {
    it("prints the overload and writes the JSON report and the chart", () => {
        const dir = tmp();
        const r = simulate(...runArgs(dir));
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        const json = JSON.parse(fs.readFileSync(`${dir}/spike.json`, "utf8")) as SimulationJson;

        // The k6 spike shape at the SLO's peak, on the production stack file's planned 2..72 tasks.
        expect(json).toMatchObject({ stack: "production", profile: "spike", minTasks: 2, maxTasks: 72 });
        expect(json.peakRps).toBe(SLO.peakRequestsPerSecond);
        expect(json.timeline.map((p) => p.offeredRps)).toEqual(
            offeredLoad("spike", SLO.peakRequestsPerSecond, 60).map((v) => Math.round(v * 1000) / 1000),
        );
        // The report agrees with its own timeline.
        expect(json.timeline.filter((p) => p.offeredRps > p.capacityRps).length).toBe(json.overloadSeconds);
        expect(Math.max(...json.timeline.map((p) => p.tasks))).toBe(json.peakTasks);
        for (const p of json.timeline) expect(p.capacityRps).toBeCloseTo(p.tasks * json.taskCapacityRps, 2);
        expect(json.overloadSeconds).toBeGreaterThan(0);

        expect(r.stdout).toContain("Scaling simulation: stack production, spike profile (2m10s, plateau 1m)");
        expect(r.stdout).toContain(
            `  overload:         ${json.overloadSeconds} s, from 0:${String(json.firstOverloadAt).padStart(2, "0")}`,
        );
        expect(r.stdout).toMatch(/^ {2}peak tasks: +\d+ running \(maxTasks 72\)/m);
        expect(r.stdout).toContain("  needed capacity:  ");

        const svg = fs.readFileSync(`${dir}/spike.svg`, "utf8");
        expect(XMLValidator.validate(svg)).toBe(true);
        const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseTagValue: false }).parse(
            svg,
        ) as {
            svg: { path: Array<{ d: string; stroke: string }>; text: Array<string | { "#text": string }> };
        };
        const texts = doc.svg.text.map((t) => (typeof t === "string" ? t : t["#text"]));
        // The three series, each a drawn line labelled where it ends.
        for (const label of ["offered load (k6 profile)", "running tasks"]) expect(texts, label).toContain(label);
        expect(texts.some((t) => t.startsWith("capacity: running tasks x 23.8"))).toBe(true);
        const strokes = doc.svg.path.filter((p) => p.stroke !== "none").map((p) => p.stroke);
        expect(strokes).toEqual(expect.arrayContaining(["#1f2937", "#2563eb", "#059669"]));
    });

    it("docs/spike-production.svg is what the command writes today", () => {
        const dir = tmp();
        const r = simulate("--stack", "production", "--profile", "spike", "--svg", `${dir}/spike.svg`);
        expect(r.code).toBe(0);
        const committed = fs.readFileSync(path.join(REPO_ROOT, "docs", "spike-production.svg"), "utf8");
        expect(
            committed,
            "regenerate with: npm run simulate -- --stack production --profile spike --svg docs/spike-production.svg",
        ).toBe(fs.readFileSync(`${dir}/spike.svg`, "utf8"));
    });
});

it("--help lists every flag on stdout and exits 0", () => {
    const r = simulate("--help");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    for (const flag of [
        "--stack <name>",
        "--profile <type>",
        "--json <file>",
        "--svg <file>",
        "--stack-dir <dir>",
        "--duration <d>",
        "--startup-seconds <n>",
    ])
        expect(r.stdout).toContain(flag);
});

describe("scripts/simulate.ts, run by tsx, prints and exits as main() says", () => {
    it("a run: exit 0, the summary on stdout, the same JSON report and chart", async () => {
        const [run] = await scriptRuns;
        const dir = tmp();
        const here = simulate(...runArgs(dir));
        expect(here.code).toBe(0);
        expect(run).toEqual({ code: 0, stdout: here.stdout, stderr: "" });
        expect(fs.readFileSync(`${scriptDir}/spike.json`, "utf8")).toBe(fs.readFileSync(`${dir}/spike.json`, "utf8"));
        expect(fs.readFileSync(`${scriptDir}/spike.svg`, "utf8")).toBe(fs.readFileSync(`${dir}/spike.svg`, "utf8"));
    });

    it("bad input: exit 2, the one line on stderr, nothing on stdout", async () => {
        const [, bad] = await scriptRuns;
        expect(bad).toEqual({ code: 2, stdout: "", stderr: `${badLine}\n` });
    });
});
