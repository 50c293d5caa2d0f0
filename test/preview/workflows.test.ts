/**
 * The GitHub workflows, parsed: the offline job gates every pull request (forks
 * included) with the tests and the offline preview and uploads SARIF; the
 * per-stack preview job and the deploys run the real CLI with the policy pack,
 * on AWS credentials from OIDC only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, stackNames } from "../../tools/stack-file";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    "continue-on-error"?: unknown;
}
interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const load = (name: string) => parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", name), "utf8")) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const runs = (job: Job) => job.steps.filter((s) => s.run).map((s) => s.run!.trim());
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);

describe.each([["pull-request.yml", pr], ["deploy.yml", deploy]] as const)("%s", (_, workflow) => {
    it("pins every action to a major version and holds no AWS keys", () => {
        for (const step of allSteps(workflow).filter((s) => s.uses)) expect(step.uses, step.name).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
        const text = JSON.stringify(workflow);
        expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/);
        expect(text).not.toMatch(/arn:aws:iam::\d{12}:/);
    });

    it("defaults to a read-only token", () => {
        expect(workflow.permissions).toEqual({ contents: "read" });
    });

    it("sets up Node 20 with the npm cache and installs from the lock files", () => {
        for (const job of Object.values(workflow.jobs)) {
            expect(uses(job, "actions/checkout")).toHaveLength(1);
            expect(uses(job, "actions/setup-node")[0].with).toMatchObject({ "node-version": 20, cache: "npm" });
            expect(runs(job)).toContain("npm ci --no-audit --no-fund");
            // The CLI runs the pack from its own node_modules.
            expect(runs(job)).toContain("npm ci --no-audit --no-fund --prefix policies");
        }
    });
});

describe("pull-request.yml offline job", () => {
    const offline = pr.jobs.offline;

    it("runs on pull requests (and main, for the code scanning baseline) without secrets", () => {
        expect(Object.keys(pr.on)).toEqual(["pull_request", "push"]);
        expect(pr.on.push).toEqual({ branches: ["main"] });
        expect(offline.name).toBe("offline");
        expect(offline.if).toBeUndefined();
        expect(JSON.stringify(offline)).not.toContain("secrets.");
        expect(JSON.stringify(offline)).not.toContain("vars.");
    });

    it("runs the tests, then the offline preview of every stack with SARIF output", () => {
        expect(runs(offline)).toEqual([
            "npm ci --no-audit --no-fund",
            "npm ci --no-audit --no-fund --prefix policies",
            "npm test",
            "npm run preview -- --stack all --sarif preview.sarif --json preview.json",
        ]);
    });

    it("uploads the SARIF to code scanning even when the preview failed", () => {
        expect(offline.permissions).toMatchObject({ "security-events": "write", contents: "read" });
        const [upload] = uses(offline, "github/codeql-action/upload-sarif");
        expect(upload.if).toMatch(/^always\(\)/);
        expect(upload.with).toEqual({ sarif_file: "preview.sarif", category: "credlink-preview" });
        expect(offline.steps.indexOf(upload)).toBeGreaterThan(offline.steps.findIndex((s) => s.run?.startsWith("npm run preview")));
    });
});

describe("pull-request.yml preview job", () => {
    const preview = pr.jobs.preview;

    it("runs per committed stack, only where secrets exist (not forks)", () => {
        expect([...(preview.strategy?.matrix?.stack as string[])].sort()).toEqual(stackNames());
        expect(preview.strategy?.["fail-fast"]).toBe(false);
        expect(preview.name).toBe("preview (${{ matrix.stack }})");
        expect(preview.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(preview.if).toContain("github.event_name == 'pull_request'");
    });

    it("assumes an AWS role through OIDC from a repository variable", () => {
        expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
        const [aws] = uses(preview, "aws-actions/configure-aws-credentials");
        expect(aws.with?.["role-to-assume"]).toBe("${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        expect(preview.steps.indexOf(aws)).toBeLessThan(preview.steps.indexOf(uses(preview, "pulumi/actions")[0]));
    });

    it("runs pulumi preview with the policy pack and the stack's policy config, commenting on the PR", () => {
        const [pulumi] = uses(preview, "pulumi/actions");
        expect(pulumi.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            policyPacks: "policies",
            policyPackConfigs: "policies/config/${{ matrix.stack }}.json",
            "comment-on-pr": true,
        });
        expect(pulumi.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
    });
});

describe("deploy.yml", () => {
    it("deploys main: staging, then production behind the production environment", () => {
        expect(deploy.on.push).toEqual({ branches: ["main"] });
        expect(Object.keys(deploy.jobs)).toEqual(["staging", "production"]);
        expect(deploy.jobs.staging.environment).toBe("staging");
        expect(deploy.jobs.production.environment).toBe("production");
        expect(deploy.jobs.production.needs).toBe("staging");
    });

    it.each(["staging", "production"])("%s: pulumi up with the policy pack, on OIDC credentials", (stack) => {
        const job = deploy.jobs[stack];
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        expect(runs(job)).toContain(`npm run preview -- --stack ${stack}`);
        const [aws] = uses(job, "aws-actions/configure-aws-credentials");
        expect(aws.with?.["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
        const [pulumi] = uses(job, "pulumi/actions");
        expect(pulumi.with).toEqual({ command: "up", "stack-name": stack, policyPacks: "policies", policyPackConfigs: `policies/config/${stack}.json` });
        expect(job.steps.indexOf(aws)).toBeLessThan(job.steps.indexOf(pulumi));
    });
});
