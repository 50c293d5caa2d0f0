/**
 * `npm run capacity:plan`: the plan it prints, the exact --json fields, --write on a copy of the stack
 * files, and every bad input as one line on stderr with exit 2 and nothing on stdout. Every case runs
 * through the planner's own entry function, runCapacityPlan(argv, io); three runs of the real script by
 * tsx (a plan, a bad input, --help) prove scripts/capacity-plan.ts wires argv, stdout, stderr and the
 * exit code to it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config";
import { runCapacityPlan } from "../../tools/capacity/cli";
import { readStack } from "../../tools/capacity/plan";
import { readStackFile, REPO_ROOT, stackNames } from "../../tools/stack-file";
import { runTsScript, type ScriptResult } from "../ts-script";

type Result = ScriptResult;

/** The script itself, run by tsx as `npm run capacity:plan` runs it. */
const planScript = (...args: string[]): Promise<Result> => runTsScript("scripts/capacity-plan.ts", args);

/** The planner in this process, through the entry function the script calls. */
function plan(...args: string[]): Result {
    let stdout = "";
    let stderr = "";
    const code = runCapacityPlan(args, { out: (s) => (stdout += s), err: (s) => (stderr += s) });
    return { code, stdout, stderr };
}

/** A copy of the committed stack files, to write to. */
function stackDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-plan-"));
    for (const s of stackNames())
        fs.copyFileSync(path.join(REPO_ROOT, `Pulumi.${s}.yaml`), path.join(dir, `Pulumi.${s}.yaml`));
    return dir;
}

function writeJson(dir: string, name: string, content: unknown): string {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
}

/** A capacity.json in the format loadtests/lib/capacity-report.ts writes (schema credlink-capacity/1). */
const step = (n: number, rate: number, p95Ms: number, held: boolean) => ({
    step: n,
    rate,
    achievedRps: rate,
    requests: rate * 30,
    p95Ms,
    errorRate: held ? 0 : 0.08,
    droppedIterations: 0,
    held,
    verdict: held ? "held" : "failed",
});
const MEASURED = {
    schema: "credlink-capacity/1",
    date: "2026-11-30T12:00:00.000Z",
    target: "https://api.staging.credlink.example.com",
    tasks: 2,
    perTaskRps: 31.5,
    capacityRps: 63,
    result: "measured",
    kneeStep: 3,
    workload: "mixed",
    mix: { health: 2, sign: 20, verify: 78 },
    slo: { latencyP95Ms: 500, errorRate: 0.05, droppedIterations: 0 },
    stepSeconds: 30,
    steps: [step(1, 21, 90, true), step(2, 42, 140, true), step(3, 63, 310, true), step(4, 84, 2400, false)],
    notes: [],
};

/** One task a month: (vCPU × vCPU-hour + GB × GB-hour) × 730, for 1 vCPU / 2 GB on x86: $36.0401. */
const TASK_MONTH = (1 * 0.04048 + 2 * 0.004445) * 730;

describe("the plan", () => {
    it("prints production's plan from its planning figure, with the arithmetic and the task cost", () => {
        const r = plan("--stack", "production", "--per-task-rps", "23.81");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const source = readStackFile("production").values["credlink:scaling.taskCapacitySource"] as string;
        expect(r.stdout).toBe(
            [
                "Capacity plan for production (Pulumi.production.yaml)",
                // Re-planning with the rate the file has keeps the source the file gives for it.
                `  per-task rate         23.81 req/s within the SLO; source: ${source}`,
                "  requestsPerTarget     1000 requests per target per minute = round(23.81 × 0.7 × 60)",
                "  planned peak          1200 req/s = 1000 req/s × 1.2 (20 % headroom)",
                "  maxTasks              72 = ceil(1200 × 60 / 1000) (task range 2..72)",
                "  capacityAtTargetRps   1200 req/s = 72 × 1000 / 60",
                "  monthly task cost     $72.08 at minimum (2 tasks), $2,594.89 at peak (72 tasks)",
                "                        $36.04 per task: (1 vCPU × $0.04048 + 2 GB × $0.004445) per hour × 730 h " +
                    "(Fargate X86_64, us-east-1 on-demand)",
                "",
            ].join("\n"),
        );
        expect(72 * TASK_MONTH).toBeCloseTo(2594.89, 2);
    });

    it("prints exactly the plan's numbers with --json", () => {
        const [production, staging, dev] = [
            plan("--stack", "production", "--per-task-rps", "31.5", "--json"),
            plan("--stack", "staging", "--per-task-rps", "23.81", "--json"),
            plan("--stack", "dev", "--per-task-rps", "6", "--json"),
        ];
        for (const r of [production, staging, dev]) expect([r.code, r.stderr]).toEqual([0, ""]);
        // round(31.5 × 0.7 × 60) = 1323; ceil(1200 × 60 / 1323) = 55; 55 × 1323 / 60 = 1212.75.
        expect(JSON.parse(production.stdout)).toStrictEqual({
            maxTasks: 55,
            requestsPerTarget: 1323,
            capacityAtTargetRps: 1212.75,
            monthlyTaskCostAtMinUsd: 72.08,
            monthlyTaskCostAtPeakUsd: 1982.21,
        });
        // Staging's own peak: ceil(200 × 1.2 × 60 / 1000) = ceil(14.4) = 15; 15 × $36.0401 = $540.60.
        expect(JSON.parse(staging.stdout)).toStrictEqual({
            maxTasks: 15,
            requestsPerTarget: 1000,
            capacityAtTargetRps: 250,
            monthlyTaskCostAtMinUsd: 72.08,
            monthlyTaskCostAtPeakUsd: 540.6,
        });
        // Dev's 0.25 vCPU / 0.5 GB task: (0.25 × 0.04048 + 0.5 × 0.004445) × 730 = $9.01; round(6 × 42) = 252;
        // ceil(24 × 60 / 252) = ceil(5.71) = 6 tasks; 6 × 252 / 60 = 25.2 req/s.
        expect(JSON.parse(dev.stdout)).toStrictEqual({
            maxTasks: 6,
            requestsPerTarget: 252,
            capacityAtTargetRps: 25.2,
            monthlyTaskCostAtMinUsd: 9.01,
            monthlyTaskCostAtPeakUsd: 54.06,
        });
    });

    it("plans from a measurement and says which explicit settings --write would remove", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-"));
        const report = writeJson(dir, "capacity.json", MEASURED);
        const r = plan("--stack", "dev", "--from", report);
        expect([r.code, r.stderr]).toEqual([0, ""]);
        const rel = path.relative(REPO_ROOT, report);
        expect(r.stdout).toContain(
            "  per-task rate         31.5 req/s within the SLO; source: measurement: k6 TEST=capacity on " +
                `2026-11-30T12:00:00.000Z (2 tasks behind https://api.staging.credlink.example.com), ${rel}\n`,
        );
        expect(r.stdout).toContain("  maxTasks              2 = ceil(24 × 60 / 1323) (task range 1..2)\n");
        expect(r.stdout).toContain("the stack runs in eu-west-1)\n");
        expect(r.stdout).toContain(
            "note: Pulumi.dev.yaml sets scaling.maxTasks = 3 explicitly; --write removes it so it derives\n" +
                "note: Pulumi.dev.yaml sets scaling.requestsPerTarget = 1000 explicitly; --write removes it so it " +
                "derives\n",
        );
        // Without --write nothing changes.
        expect(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")).toContain("scaling.maxTasks: 3");
    });

    it("labels a lower-bound measurement (every step held) as such in the source", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-"));
        const report = writeJson(dir, "capacity.json", { ...MEASURED, result: "lower-bound", kneeStep: 4 });
        const r = plan("--stack", "production", "--from", report);
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toContain(
            "source: measurement (a lower bound: every step held): k6 TEST=capacity on 2026-11-30T12:00:00.000Z " +
                "(2 tasks behind https://api.staging.credlink.example.com)",
        );
    });

    it("shows when minTasks, not the peak, sets the ceiling", () => {
        const r = plan("--stack", "dev", "--per-task-rps", "100");
        // round(100 × 42) = 4200; ceil(24 × 60 / 4200) = 1 = minTasks.
        expect(r.stdout).toContain("  maxTasks              1 = ceil(24 × 60 / 4200) (task range 1..1)\n");
        const floor = plan("--stack", "staging", "--per-task-rps", "400");
        // round(400 × 42) = 16800; ceil(240 × 60 / 16800) = 1, below minTasks 2.
        expect(floor.stdout).toContain(
            "  maxTasks              2 = minTasks, since ceil(240 × 60 / 16800) = 1 is fewer (task range 2..2)\n",
        );
    });
});

describe("--write", () => {
    it("sets the measured rate and its source, removes the derived keys and keeps every comment", () => {
        const dir = stackDir();
        const report = writeJson(dir, "reports/20261130-120000-capacity/capacity.json", MEASURED);
        const before = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
        const r = plan("--stack", "dev", "--stack-dir", dir, "--from", report, "--write");
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toContain(
            "removed scaling.maxTasks = 3 (it derives now)\n" +
                "removed scaling.requestsPerTarget = 1000 (it derives now)\n" +
                "wrote Pulumi.dev.yaml: scaling.taskCapacityRps = 31.5, scaling.taskCapacitySource set\n",
        );
        const after = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
        const source =
            "measurement: k6 TEST=capacity on 2026-11-30T12:00:00.000Z (2 tasks behind " +
            "https://api.staging.credlink.example.com), reports/20261130-120000-capacity/capacity.json";
        const expected = before
            .replace("  credlink:scaling.maxTasks: 3\n  credlink:scaling.requestsPerTarget: 1000\n", "")
            .replace(
                "  credlink:scaling.peakRequestsPerSecond: 20\n",
                "  credlink:scaling.peakRequestsPerSecond: 20\n  credlink:scaling.taskCapacityRps: 31.5\n" +
                    `  credlink:scaling.taskCapacitySource: "${source}"\n`,
            );
        expect(after).not.toBe(before);
        expect(after).toBe(expected);
        // Every comment line survives.
        const comments = (text: string) => text.split("\n").filter((l) => l.trim().startsWith("#"));
        expect(comments(after)).toEqual(comments(before));
        // The written file plans as printed.
        const c = parseConfig({ ...readStack("dev", dir), secretKeys: new Set() });
        expect(c.scaling).toMatchObject({ maxTasks: 2, requestsPerTarget: 1323, taskCapacityRps: 31.5 });
    });

    it("replaces production's planning figure in place, changing only those two lines", () => {
        const dir = stackDir();
        const before = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
        const r = plan(
            "--stack",
            "production",
            "--stack-dir",
            dir,
            "--per-task-rps",
            "30",
            "--source",
            "measured by hand on staging, 2026-11-30",
            "--write",
        );
        expect([r.code, r.stderr]).toEqual([0, ""]);
        const after = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
        const changed = (a: string, b: string) => {
            const [x, y] = [a.split("\n"), b.split("\n")];
            return x.map((l, i) => [l, y[i]]).filter(([l, m]) => l !== m);
        };
        expect(changed(before, after)).toEqual([
            ["  credlink:scaling.taskCapacityRps: 23.81", "  credlink:scaling.taskCapacityRps: 30"],
            [
                expect.stringMatching(/^ {2}credlink:scaling\.taskCapacitySource: "planning assumption: /),
                // The file's quoting style stays.
                '  credlink:scaling.taskCapacitySource: "measured by hand on staging, 2026-11-30"',
            ],
        ]);
    });

    it("leaves the file alone when the plan fails", () => {
        const dir = stackDir();
        const before = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
        const r = plan("--stack", "production", "--stack-dir", dir, "--per-task-rps", "0.2", "--write");
        expect([r.code, r.stdout]).toEqual([2, ""]);
        expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toBe(before);
    });
});

const badDir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-bad-"));
const file = (name: string, content: unknown) => path.relative(REPO_ROOT, writeJson(badDir, name, content));
const HELP = "(see npm run capacity:plan -- --help)";
// A stack file the program would reject: 512 MB is not a Fargate size for the default 1 vCPU.
fs.writeFileSync(
    path.join(badDir, "Pulumi.demo.yaml"),
    "config:\n  aws:region: us-east-1\n  service.image: x:1\n  service.memory: 512\n",
);
const BAD_INPUT: Array<[string, string[], string]> = [
    [
        "an unknown stack",
        ["--stack", "prod", "--per-task-rps", "20"],
        `Pulumi.prod.yaml not found in ${REPO_ROOT}: the stack must be one of this project's ` +
            "(dev, production, staging)",
    ],
    ...["0", "-3", "abc", "Infinity"].map((v): [string, string[], string] => [
        `--per-task-rps ${v}`,
        ["--stack", "production", "--per-task-rps", v],
        `option '--per-task-rps <n>' argument '${v}' is invalid. must be a number of requests per second ` +
            `greater than 0, e.g. 23.81 ${HELP}`,
    ]),
    [
        "neither a rate nor a measurement",
        ["--stack", "production"],
        "give exactly one of --per-task-rps <req/s> or --from <capacity.json> (neither was given; see npm run " +
            "capacity:plan -- --help)",
    ],
    [
        "both a rate and a measurement",
        ["--stack", "production", "--per-task-rps", "20", "--from", "x.json"],
        "give exactly one of --per-task-rps <req/s> or --from <capacity.json> (both were given; see npm run " +
            "capacity:plan -- --help)",
    ],
    ["no stack", ["--per-task-rps", "20"], `required option '--stack <name>' not specified ${HELP}`],
    ["an unknown flag", ["--stack", "production", "--per-task-rps", "20", "--rate"], `unknown option '--rate' ${HELP}`],
    [
        "a stray argument",
        ["--stack", "production", "--per-task-rps", "20", "production"],
        `too many arguments. Expected 0 arguments but got 1. ${HELP}`,
    ],
    [
        "--source with --from",
        ["--stack", "production", "--from", "x.json", "--source", "mine"],
        `--source goes with --per-task-rps; --from takes the source from the measurement ${HELP}`,
    ],
    [
        "an empty --source",
        ["--stack", "production", "--per-task-rps", "20", "--source", " "],
        `--source must not be empty: say where the per-task figure came from ${HELP}`,
    ],
    [
        "an unreadable capacity file",
        ["--stack", "production", "--from", "reports/none/capacity.json"],
        "--from reports/none/capacity.json: cannot read it (ENOENT); pass the capacity.json of a k6 run",
    ],
    [
        "a capacity file that is not JSON",
        ["--stack", "production", "--from", file("text.json", "p95 was fine")],
        `--from ${path.relative(REPO_ROOT, path.join(badDir, "text.json"))}: not valid JSON (Unexpected token 'p', ` +
            `"p95 was fine" is not valid JSON); pass the capacity.json of a k6 TEST=capacity run`,
    ],
    ...(
        [
            [
                "rate.json",
                { ...MEASURED, perTaskRps: "fast" },
                'perTaskRps must be a number of requests per second (found "fast")',
            ],
            ["tasks.json", { ...MEASURED, tasks: 0 }, "tasks must be at least 1 (found 0)"],
            ["fraction.json", { ...MEASURED, tasks: 1.5 }, "tasks must be a whole number of tasks (found 1.5)"],
            ["target.json", { ...MEASURED, target: undefined }, "target must be the measured URL (missing)"],
            [
                "date.json",
                { ...MEASURED, date: "last Tuesday" },
                'date must be an ISO 8601 date, e.g. 2026-11-30T14:00:00Z (found "last Tuesday")',
            ],
            ["steps.json", { ...MEASURED, steps: undefined }, "steps must be the list of measured steps (missing)"],
            ["list.json", [31.5], "the file must be a JSON object (found [31.5])"],
            [
                "schema.json",
                { ...MEASURED, schema: "credlink-capacity/2" },
                "schema must be credlink-capacity/1, the capacity.json format this planner reads " +
                    '(found "credlink-capacity/2")',
            ],
            [
                "result.json",
                { ...MEASURED, result: "great" },
                'result must be measured, lower-bound or below-range (found "great")',
            ],
        ] as const
    ).map(([name, content, problem]): [string, string[], string] => [
        `a capacity file whose ${name.replace(".json", "")} is wrong`,
        ["--stack", "production", "--from", file(name, content)],
        `--from ${path.relative(REPO_ROOT, path.join(badDir, name))}: ${problem}; is it the capacity.json of a k6 ` +
            "TEST=capacity run?",
    ]),
    [
        "a measurement in which no step held",
        ["--stack", "production", "--from", file("zero.json", { ...MEASURED, perTaskRps: 0 })],
        `--from ${path.relative(REPO_ROOT, path.join(badDir, "zero.json"))}: perTaskRps = 0: no step held the ` +
            "SLO, so " +
            "there is no per-task rate to plan from; rerun the capacity test from a lower starting rate",
    ],
    [
        "a rate that would need more tasks than a service may have",
        ["--stack", "production", "--per-task-rps", "0.2"],
        "Pulumi.production.yaml: credlink:scaling.maxTasks would be 9000 to carry the planned peak of 1200 req/s " +
            "(1000 × 1.2) at 8 requests per target per minute, above the 5000-task limit of an ECS service; " +
            "raise the per-task rate (credlink:scaling.taskCapacityRps) with a measurement or lower " +
            "credlink:scaling.peakRequestsPerSecond",
    ],
    [
        "a stack file the program would reject, named with the setting",
        ["--stack", "demo", "--stack-dir", badDir, "--per-task-rps", "20"],
        "Pulumi.demo.yaml: credlink:service.memory = 512 is not a valid Fargate memory size for " +
            "credlink:service.cpu (1024); see the Fargate task size table in the AWS ECS docs",
    ],
];

// The script runs start before the first test, together (a top-level beforeAll): each is mostly Node
// and tsx start-up, which overlaps the in-process cases.
const PLAN_ARGS = ["--stack", "production", "--per-task-rps", "23.81"];
const [, badArgs, badLine] = BAD_INPUT.find(([name]) => name.startsWith("a stack file the program would reject"))!;
let scriptRuns: Promise<[Result, Result, Result]>;
beforeAll(() => {
    scriptRuns = Promise.all([planScript(...PLAN_ARGS), planScript(...badArgs), planScript("--help")]);
});

describe("bad input: one line on stderr, exit 2, nothing on stdout", () => {
    it.each(BAD_INPUT)("%s", (_, args, line) => {
        expect(plan(...args)).toEqual({ code: 2, stdout: "", stderr: `capacity:plan: ${line}\n` });
    });
});

describe("scripts/capacity-plan.ts, run by tsx, prints and exits as runCapacityPlan says", () => {
    it("a plan: exit 0, the plan on stdout", async () => {
        const [run] = await scriptRuns;
        const here = plan(...PLAN_ARGS);
        expect(here.code).toBe(0);
        expect(run).toEqual(here);
    });

    it("bad input: exit 2, the one line on stderr, nothing on stdout", async () => {
        const [, bad] = await scriptRuns;
        expect(bad).toEqual({ code: 2, stdout: "", stderr: `capacity:plan: ${badLine}\n` });
    });

    it("--help lists every flag and exits 0", async () => {
        const [, , help] = await scriptRuns;
        expect([help.code, help.stderr]).toEqual([0, ""]);
        for (const flag of [
            "--stack <name>",
            "--per-task-rps <n>",
            "--from <capacity.json>",
            "--source <text>",
            "--json",
            "--write",
            "--stack-dir <dir>",
        ])
            expect(help.stdout).toContain(flag);
    });
});
