/**
 * Invariants of the GitHub workflows, parsed, checked against the repository rather than
 * against a copy of the YAML: the offline job gates every pull request (forks included) with
 * the tests and the offline preview of every stack and uploads its SARIF; the per-stack
 * preview and the deploys run the real CLI with the policy pack and each stack's policy
 * config, on AWS credentials from OIDC only, and nothing prints a secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, stackNames } from "../../tools/stack-file";
import { SARIF_TOOL_NAME } from "../../tools/preview/sarif";

interface Step {
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
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

const WORKFLOW_DIR = path.join(REPO_ROOT, ".github", "workflows");
const workflowFiles = fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const load = (file: string) => parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8")) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const stacks = stackNames();
const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    engines: { node: string };
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
const needs = (job: Job) => [job.needs ?? []].flat();
const environmentOf = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
const exists = (file: string) => fs.existsSync(path.join(REPO_ROOT, file));
const isPack = (dir: unknown) => typeof dir === "string" && exists(path.join(dir, "PulumiPolicy.yaml"));
/** Every job's check name as GitHub shows it, matrix entries expanded. */
const checkNames = (w: Workflow) =>
    Object.entries(w.jobs).flatMap(([id, job]) => {
        const name = job.name ?? id;
        const values = job.strategy?.matrix?.stack as string[] | undefined;
        return values ? values.map((v) => name.replace("${{ matrix.stack }}", v)) : [name];
    });
/** Jobs that run the real Pulumi CLI. */
const pulumiJobs = (w: Workflow) => Object.values(w.jobs).filter((j) => stepsUsing(j, "pulumi/actions").length > 0);

describe.each(workflowFiles)("%s", (file) => {
    const workflow = load(file);
    const jobs = Object.entries(workflow.jobs);

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

describe("pull-request.yml", () => {
    const offline = pr.jobs.offline;
    const preview = pr.jobs.preview;

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
        expect(checks.sort()).toEqual(["offline", ...stacks.map((s) => `preview (${s})`)].sort());
        for (const check of checks) {
            expect(docs, check).toContain(`\`${check}\``);
            expect(readme, check).toContain(`\`${check}\``);
        }
    });
});

describe("deploy.yml", () => {
    const jobs = Object.entries(deploy.jobs);
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
        // Required reviewers are configured on the `production` environment.
        expect(needs(byStack.production.job)).toEqual([byStack.staging.id]);
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
