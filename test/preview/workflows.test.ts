/**
 * Invariants of the GitHub workflows, parsed, checked against the repository rather than
 * against a copy of the YAML: the offline job gates every pull request (forks included) with
 * the tests and the offline preview of every stack and uploads its SARIF; the per-stack
 * preview and the deploys run the real CLI with the policy pack and each stack's policy
 * config, on AWS credentials from OIDC only, and nothing prints a secret. k6 runs for real:
 * its smoke test against the reference API on every pull request, against staging after each
 * deploy (before production) and its load test every night, reports kept, breaches failing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, stackNames } from "../../tools/stack-file";
import { SARIF_TOOL_NAME } from "../../tools/preview/sarif";
import { TEST_TYPES } from "../../loadtests/lib/types";

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    env?: Record<string, string>;
    "timeout-minutes"?: number;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    steps: Step[];
}
/** A job that calls a reusable workflow: no steps of its own. */
interface CallJob {
    name?: string;
    needs?: string | string[];
    permissions?: Record<string, string>;
    uses: string;
    with?: Record<string, unknown>;
    secrets?: Record<string, string> | "inherit";
}
interface WorkflowCall {
    inputs?: Record<string, { type: string; default?: unknown; required?: boolean }>;
    secrets?: Record<string, { required?: boolean }>;
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job | CallJob>;
}

const WORKFLOW_DIR = path.join(REPO_ROOT, ".github", "workflows");
const workflowFiles = fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const load = (file: string) => parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8")) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const loadTest = load("load-test.yml");
const stacks = stackNames();
const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    engines: { node: string };
};

const isCall = (job: Job | CallJob): job is CallJob => "uses" in job;
/** Jobs that run steps (not calls of reusable workflows). */
const stepJobs = (w: Workflow) => Object.entries(w.jobs).filter((e): e is [string, Job] => !isCall(e[1]));
const callJobs = (w: Workflow) => Object.entries(w.jobs).filter((e): e is [string, CallJob] => isCall(e[1]));
const stepJob = (w: Workflow, id: string) => {
    const job = w.jobs[id];
    expect(job, id).toBeDefined();
    expect(isCall(job), id).toBe(false);
    return job as Job;
};
const action = (step: Step) => step.uses?.split("@")[0];
const stepsUsing = (job: Job, name: string) => job.steps.filter((s) => action(s) === name);
const onlyStep = (job: Job, name: string) => {
    const found = stepsUsing(job, name);
    expect(found, `${name} steps`).toHaveLength(1);
    return found[0];
};
const indexOf = (job: Job, step: Step) => job.steps.indexOf(step);
const firstRun = (job: Job, pattern: RegExp) => job.steps.findIndex((s) => s.run !== undefined && pattern.test(s.run));
/** The value after `flag` in a command line. */
const flag = (command: string, name: string) => {
    const words = command.trim().split(/\s+/);
    const i = words.indexOf(name);
    return i < 0 ? undefined : words[i + 1];
};
/** `npm run preview -- ...` steps of a job. */
const previews = (job: Job) => job.steps.filter((s) => s.run && /^npm run preview\b/.test(s.run.trim()));
const needs = (job: Job | CallJob) => [job.needs ?? []].flat();
const environmentOf = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
const exists = (file: string) => fs.existsSync(path.join(REPO_ROOT, file));
const isPack = (dir: unknown) => typeof dir === "string" && exists(path.join(dir, "PulumiPolicy.yaml"));
/** Every job's check name as GitHub shows it, matrix entries expanded. */
const checkNames = (w: Workflow) =>
    stepJobs(w).flatMap(([id, job]) => {
        const name = job.name ?? id;
        const values = job.strategy?.matrix?.stack as string[] | undefined;
        return values ? values.map((v) => name.replace("${{ matrix.stack }}", v)) : [name];
    });
/** Jobs that run the real Pulumi CLI. */
const pulumiJobs = (w: Workflow) =>
    stepJobs(w)
        .map(([, j]) => j)
        .filter((j) => stepsUsing(j, "pulumi/actions").length > 0);

describe.each(workflowFiles)("%s", (file) => {
    const workflow = load(file);
    const jobs = stepJobs(workflow);

    it("pins every action to a release (a major version tag or a commit), never a branch", () => {
        for (const [, job] of jobs) {
            for (const step of job.steps.filter((s) => s.uses)) {
                expect(step.uses, step.name).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
            }
        }
    });

    it("starts from a read-only token; only jobs that assume an AWS role may mint an OIDC token", () => {
        expect(workflow.permissions).toEqual({ contents: "read" });
        for (const [id, job] of jobs) {
            const assumesRole = stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0;
            expect(job.permissions?.["id-token"], id).toBe(assumesRole ? "write" : undefined);
            expect(job.permissions?.contents, id).toBe("read");
        }
        // A called workflow gets at most what its caller job grants.
        for (const [id, job] of callJobs(workflow)) expect(job.permissions, id).toEqual({ contents: "read" });
    });

    it("calls only this repository's reusable workflows, passing each secret by name and only declared inputs", () => {
        for (const [id, job] of callJobs(workflow)) {
            expect(job.uses, id).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.ya?ml$/);
            const called = load(path.basename(job.uses));
            const call = called.on.workflow_call as WorkflowCall | undefined;
            expect(call, `${job.uses} has on.workflow_call`).toBeDefined();
            // `secrets: inherit` would hand every secret of the caller to the called workflow.
            expect(job.secrets, id).not.toBe("inherit");
            const secrets = (job.secrets ?? {}) as Record<string, string>;
            expect(Object.keys(secrets).sort(), id).toEqual(Object.keys(call?.secrets ?? {}).sort());
            for (const [name, value] of Object.entries(secrets)) expect(value, id).toBe(`\${{ secrets.${name} }}`);
            for (const input of Object.keys(job.with ?? {}))
                expect(Object.keys(call?.inputs ?? {}), id).toContain(input);
        }
    });

    it("takes AWS credentials from OIDC only: a role from a variable, no keys, no account IDs", () => {
        const text = JSON.stringify(workflow);
        expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|aws-access-key-id/i);
        expect(text).not.toMatch(/\b\d{12}\b/);
        for (const [id, job] of jobs) {
            for (const step of stepsUsing(job, "aws-actions/configure-aws-credentials")) {
                expect(step.with?.["role-to-assume"], id).toMatch(/^\$\{\{ vars\.\w+ \}\}$/);
            }
        }
    });

    it("never hands a secret to a shell step, where it could be echoed", () => {
        for (const [id, job] of jobs) {
            expect(JSON.stringify(job.env ?? {}), id).not.toContain("secrets.");
            for (const step of job.steps.filter((s) => s.run)) {
                expect(JSON.stringify(step), `${id}: ${step.name ?? step.run}`).not.toMatch(/secrets\.|github\.token/);
            }
        }
    });

    it("gives every job a time limit", () => {
        for (const [id, job] of jobs) expect(job["timeout-minutes"], id).toBeGreaterThan(0);
    });

    it("installs exactly from the lock files, on the Node major the project supports, before running anything", () => {
        const nodeMajor = Number(/\d+/.exec(packageJson.engines.node)?.[0]);
        const lockFiles = ["package-lock.json", "policies/package-lock.json"].filter(exists);
        for (const [id, job] of jobs) {
            const checkout = onlyStep(job, "actions/checkout");
            const node = onlyStep(job, "actions/setup-node");
            expect(indexOf(job, checkout), id).toBe(0);
            expect(node.with?.["node-version"], id).toBe(nodeMajor);
            expect(node.with?.cache, id).toBe("npm");
            expect(String(node.with?.["cache-dependency-path"]).trim().split("\n").sort(), id).toEqual(lockFiles);
            const installs = job.steps.filter((s) => s.run && /\bnpm (ci|install|i)\b/.test(s.run));
            for (const s of installs) expect(s.run, id).toMatch(/^npm ci\b/);
            const rootInstall = firstRun(job, /^npm ci(?!.*--prefix)/);
            expect(rootInstall, id).toBeGreaterThan(indexOf(job, node));
            const usesInstall = (s: Step) => /^npm (run|test)\b/.test(s.run ?? "") || action(s) === "pulumi/actions";
            const firstUse = job.steps.findIndex(usesInstall);
            expect(firstUse, id).toBeGreaterThan(0);
            expect(rootInstall, id).toBeLessThan(firstUse);
        }
    });

    it("runs only npm scripts that package.json defines, on stacks that have a stack file", () => {
        for (const [id, job] of jobs) {
            for (const step of job.steps.filter((s) => s.run)) {
                for (const [, script] of step.run!.matchAll(/npm run (\S+)/g)) {
                    expect(Object.keys(packageJson.scripts), `${id}: ${step.run}`).toContain(script);
                }
                const stack = flag(step.run!, "--stack");
                if (stack !== undefined) expect([...stacks, "all"], `${id}: ${step.run}`).toContain(stack);
            }
        }
    });
});

describe("every pulumi/actions step", () => {
    it.each([
        ["pull-request.yml", pr],
        ["deploy.yml", deploy],
    ] as const)(
        "%s: runs the policy pack with its stack's policy config, after assuming the AWS role",
        (_, workflow) => {
            for (const job of pulumiJobs(workflow)) {
                const pulumi = onlyStep(job, "pulumi/actions");
                const aws = onlyStep(job, "aws-actions/configure-aws-credentials");
                expect(indexOf(job, aws)).toBeLessThan(indexOf(job, pulumi));
                expect(isPack(pulumi.with?.policyPacks)).toBe(true);
                const matrix = job.strategy?.matrix?.stack as string[] | undefined;
                const stackName = String(pulumi.with?.["stack-name"]);
                if (matrix) expect(stackName).toBe("${{ matrix.stack }}");
                for (const stack of matrix ?? [stackName]) {
                    expect(stacks).toContain(stack);
                    const config = String(pulumi.with?.policyPackConfigs).replace("${{ matrix.stack }}", stack);
                    expect(config).toBe(`policies/config/${stack}.json`);
                    expect(exists(config), config).toBe(true);
                }
                // The Pulumi token goes to the action's environment only.
                expect(pulumi.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
            }
        },
    );
});

/** The steps that run the load-test wrapper (directly or through `npm run loadtest:local`). */
const k6Runs = (job: Job) => job.steps.filter((s) => /scripts\/load-test\.sh|npm run loadtest:local/.test(s.run ?? ""));
const PINNED_K6 = /^1\.\d+\.\d+$/;

/** k6 installed the way k6's own actions do, at an exact 1.x version, before the wrapper runs; reports kept always. */
function expectK6Job(job: Job): { run: Step; upload: Step } {
    const setup = onlyStep(job, "grafana/setup-k6-action");
    expect(setup.uses).toMatch(/@v1$/);
    expect(String(setup.with?.["k6-version"])).toMatch(PINNED_K6);
    const [run] = k6Runs(job);
    expect(k6Runs(job)).toHaveLength(1);
    expect(indexOf(job, setup)).toBeLessThan(indexOf(job, run));
    // A threshold breach (exit 99) must fail the job: nothing swallows the wrapper's exit code.
    expect((run as { "continue-on-error"?: unknown })["continue-on-error"]).toBeUndefined();
    expect(run.run).not.toMatch(/\|\||;\s*true|set \+e/);
    const upload = onlyStep(job, "actions/upload-artifact");
    expect(indexOf(job, upload)).toBeGreaterThan(indexOf(job, run));
    expect(upload.if).toMatch(/^always\(\)/);
    // The wrapper writes its report folders under <repo>/reports unless REPORTS_ROOT says otherwise.
    expect(run.env?.REPORTS_ROOT).toBeUndefined();
    expect(upload.with?.path).toBe("reports/");
    return { run, upload };
}

describe("pull-request.yml", () => {
    const offline = stepJob(pr, "offline");
    const preview = stepJob(pr, "preview");

    it("runs on every pull request and on main, the code scanning baseline", () => {
        expect(Object.keys(pr.on)).toContain("pull_request");
        expect(pr.on.pull_request).toBeNull(); // no branch or path filter
        expect(pr.on.push).toEqual({ branches: ["main"] });
    });

    it("offline: runs for forks too, so it uses no secret, variable or cloud credential", () => {
        expect(offline.if).toBeUndefined();
        expect(JSON.stringify(offline)).not.toMatch(/secrets\.|vars\.|id-token/);
        expect(stepsUsing(offline, "aws-actions/configure-aws-credentials")).toHaveLength(0);
        expect(pulumiJobs(pr)).not.toContain(offline);
    });

    it("offline: runs the tests and then the offline preview of every stack, with JSON and SARIF reports", () => {
        const test = firstRun(offline, /^npm test$/);
        expect(test).toBeGreaterThanOrEqual(0);
        const [run] = previews(offline);
        expect(previews(offline)).toHaveLength(1);
        expect(flag(run.run!, "--stack")).toBe("all");
        expect(indexOf(offline, run)).toBeGreaterThan(test);
        expect(flag(run.run!, "--sarif")).toBeDefined();
        expect(flag(run.run!, "--json")).toBeDefined();
    });

    it("offline: uploads the SARIF the preview wrote, under the tool's category, even when the preview failed", () => {
        const [run] = previews(offline);
        const upload = onlyStep(offline, "github/codeql-action/upload-sarif");
        expect(offline.permissions?.["security-events"]).toBe("write");
        expect(indexOf(offline, upload)).toBeGreaterThan(indexOf(offline, run));
        expect(upload.if).toMatch(/^always\(\)/);
        expect(upload.with?.sarif_file).toBe(flag(run.run!, "--sarif"));
        // One stable category: code scanning tracks the alerts of `credlink-preview` across runs.
        expect(upload.with?.category).toBe(SARIF_TOOL_NAME);
        const reports = onlyStep(offline, "actions/upload-artifact");
        expect(reports.if).toMatch(/^always\(\)/);
        const kept = String(reports.with?.path).trim().split("\n");
        expect(kept.sort()).toEqual([flag(run.run!, "--json"), flag(run.run!, "--sarif")].sort());
    });

    it("preview: one real preview per stack that has a stack file, after the offline job", () => {
        expect([...(preview.strategy?.matrix?.stack as string[])].sort()).toEqual(stacks);
        expect(preview.strategy?.["fail-fast"]).toBe(false);
        expect(needs(preview)).toContain("offline");
        expect(onlyStep(preview, "pulumi/actions").with).toMatchObject({ command: "preview", "comment-on-pr": true });
        expect(preview.permissions?.["pull-requests"]).toBe("write");
    });

    it("preview: only for pull requests from this repository (forks get no secrets or OIDC token)", () => {
        expect(preview.if).toContain("github.event_name == 'pull_request'");
        expect(preview.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    });

    it("every check the branch protection in docs/preview.md and README.md requires exists", () => {
        const docs = fs.readFileSync(path.join(REPO_ROOT, "docs", "preview.md"), "utf8");
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const checks = checkNames(pr);
        expect(checks.sort()).toEqual(
            ["offline", "k6 smoke (reference API)", ...stacks.map((s) => `preview (${s})`)].sort(),
        );
        for (const check of checks) {
            expect(docs, check).toContain(`\`${check}\``);
            expect(readme, check).toContain(`\`${check}\``);
        }
    });
});

describe("pull-request.yml: k6 smoke", () => {
    const k6Smoke = stepJob(pr, "k6-smoke");

    it("runs k6's smoke test against the local reference API, for forks too (no secret, no cloud)", () => {
        expect(k6Smoke.if).toBeUndefined();
        expect(JSON.stringify(k6Smoke)).not.toMatch(/secrets\.|vars\.|id-token/);
        const { run } = expectK6Job(k6Smoke);
        expect(run.run?.trim()).toBe("npm run loadtest:local");
        expect(run.env?.TEST).toBe("smoke");
        expect(fs.readFileSync(path.join(REPO_ROOT, "scripts/load-test-local.sh"), "utf8")).toContain(
            "loadtests/reference-server/main.ts",
        );
    });
});

describe("load-test.yml", () => {
    const on = loadTest.on as {
        workflow_call: WorkflowCall;
        schedule: { cron: string }[];
        workflow_dispatch: { inputs: { test: { type: string; options: string[]; default: string } } };
    };
    const [[jobId, job]] = stepJobs(loadTest);

    it("is one job, called after deploys, run nightly and on demand", () => {
        expect(stepJobs(loadTest).map(([id]) => id)).toEqual([jobId]);
        expect(on.workflow_call.inputs?.test).toMatchObject({ type: "string", default: "smoke" });
        expect(Object.keys(on.workflow_call.secrets ?? {})).toEqual(["PULUMI_ACCESS_TOKEN"]);
        expect(on.workflow_call.secrets?.PULUMI_ACCESS_TOKEN.required).toBe(true);
        // Nightly: minute and hour fixed, every day.
        expect(on.schedule).toHaveLength(1);
        expect(on.schedule[0].cron).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
        expect(on.workflow_dispatch.inputs.test.type).toBe("choice");
        // Every test type but capacity, which needs a stack pinned to one task (staging runs several).
        expect(on.workflow_dispatch.inputs.test.options).toEqual(TEST_TYPES.filter((t) => t !== "capacity"));
    });

    it("runs the wrapper against staging's own URLs: smoke when called, load on the nightly schedule", () => {
        const { run } = expectK6Job(job);
        expect(run.run?.trim()).toBe("bash scripts/load-test.sh");
        // No inputs on a schedule: `inputs.test || 'load'` runs the load test then.
        expect(run.env?.TEST).toBe("${{ inputs.test || 'load' }}");
        const stack = onlyStep(job, "pulumi/actions");
        expect(stack.with).toEqual({ command: "output", "stack-name": "staging" });
        expect(stacks).toContain("staging");
        expect(stack.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        expect(run.env?.TARGET_URL).toBe(`\${{ steps.${stack.id}.outputs.apiUrl }}`);
        expect(run.env?.PROOFS_URL).toBe(`\${{ steps.${stack.id}.outputs.cdnUrl }}`);
        expect(indexOf(job, stack)).toBeLessThan(indexOf(job, run));
        // Every variable handed to the wrapper is one it documents.
        const wrapper = fs.readFileSync(path.join(REPO_ROOT, "scripts/load-test.sh"), "utf8");
        for (const name of Object.keys(run.env ?? {})) expect(wrapper, name).toMatch(new RegExp(`\\b${name}\\b`));
    });

    it("never runs two load tests against staging at once, nor cancels one half-way", () => {
        expect(job.concurrency).toEqual({ group: "load-test-staging", "cancel-in-progress": false });
        expect(job["timeout-minutes"]).toBeGreaterThanOrEqual(80); // soak's default shape: 1 h 10 min
    });
});

describe("deploy.yml", () => {
    const jobs = stepJobs(deploy);
    const deployed = (job: Job) => String(onlyStep(job, "pulumi/actions").with?.["stack-name"]);

    it("deploys main, one run at a time and never cancelled half-way", () => {
        expect(deploy.on.push).toEqual({ branches: ["main"] });
        expect(deploy.on.pull_request).toBeUndefined();
        expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
        expect(deploy.concurrency?.group).not.toContain("${{");
    });

    it("runs pulumi up for staging, then production, each in the GitHub environment of its stack", () => {
        for (const [id, job] of jobs) {
            expect(onlyStep(job, "pulumi/actions").with?.command, id).toBe("up");
            expect(stacks, id).toContain(deployed(job));
            expect(environmentOf(job), id).toBe(deployed(job));
        }
        const byStack = Object.fromEntries(jobs.map(([id, job]) => [deployed(job), { id, job }]));
        expect(Object.keys(byStack).sort()).toEqual(["production", "staging"]);
        expect(needs(byStack.staging.job)).toEqual([]);
        // Required reviewers are configured on the `production` environment; the smoke test passed first.
        const [[smokeId]] = callJobs(deploy);
        expect(needs(byStack.production.job).sort()).toEqual([byStack.staging.id, smokeId].sort());
    });

    it("smoke-tests staging with k6 once it is deployed, before production", () => {
        const calls = callJobs(deploy);
        expect(calls).toHaveLength(1);
        const [[, smoke]] = calls;
        const staging = jobs.find(([, job]) => deployed(job) === "staging") as [string, Job];
        expect(smoke.uses).toBe("./.github/workflows/load-test.yml");
        expect(smoke.with).toEqual({ test: "smoke" });
        expect(needs(smoke)).toEqual([staging[0]]);
        // load-test.yml reads the staging stack's outputs: the stack the job before it deployed.
        expect(onlyStep(stepJobs(loadTest)[0][1], "pulumi/actions").with?.["stack-name"]).toBe("staging");
    });

    it("checks each stack with the offline preview before touching AWS", () => {
        for (const [id, job] of jobs) {
            const [offlinePreview] = previews(job);
            expect(previews(job), id).toHaveLength(1);
            expect(flag(offlinePreview.run!, "--stack"), id).toBe(deployed(job));
            const aws = onlyStep(job, "aws-actions/configure-aws-credentials");
            expect(indexOf(job, offlinePreview), id).toBeLessThan(indexOf(job, aws));
        }
    });
});
