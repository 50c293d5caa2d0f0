/**
 * scripts/publish-static.sh, run for real with `aws` and `npm` replaced by stubs that record their
 * arguments: hashed assets immutable first, entry documents second, then only they are invalidated;
 * unhashed assets and bad arguments are refused in one line before anything is uploaded.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../tools/stack-file";

function sandbox(files: string[]) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "credlink-publish-"));
    const build = path.join(root, "build");
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(build, f)), { recursive: true });
        fs.writeFileSync(path.join(build, f), f);
    }
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    const log = path.join(root, "calls.log");
    for (const tool of ["aws", "npm"]) {
        fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n`, { mode: 0o755 });
    }
    const run = (args: string[], env: Record<string, string> = {}) => {
        const r = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "publish-static.sh"), ...args], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
        });
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        return { status: r.status, stderr: r.stderr, calls };
    };
    return { build, run };
}

const ARGS = (build: string) => ["staging", build, "credlink-staging-static-0a1b2c", "E2QWRUHEXAMPLE"];

describe("scripts/publish-static.sh", () => {
    it("uploads hashed assets immutable, then the entry documents, then invalidates only those", () => {
        const s = sandbox(["index.html", "about/index.html", "assets/app.3f9a1c2b.js", "assets/index-BZ3kq9Lp.css"]);
        const r = s.run(ARGS(s.build));
        expect([r.status, r.stderr]).toEqual([0, ""]);
        expect(r.calls).toEqual([
            `aws s3 sync ${s.build} s3://credlink-staging-static-0a1b2c/static/ --no-progress --exclude *.html ` +
                "--exclude */*.html --cache-control public, max-age=31536000, immutable",
            `aws s3 sync ${s.build} s3://credlink-staging-static-0a1b2c/static/ --no-progress --exclude * ` +
                "--include *.html --include */*.html --cache-control public, max-age=0, must-revalidate",
            "npm run --silent cdn:invalidate -- --stack staging --distribution-id E2QWRUHEXAMPLE --paths " +
                "/static/about/index.html /static/index.html",
        ]);
    });

    it("treats ENTRY_GLOBS as entry documents and takes another prefix", () => {
        const s = sandbox(["index.html", "robots.txt", "app.3f9a1c2b.js"]);
        const r = s.run([...ARGS(s.build), "assets"], { ENTRY_GLOBS: "*.html robots.txt" });
        expect(r.status).toBe(0);
        expect(r.calls[2]).toBe(
            "npm run --silent cdn:invalidate -- --stack staging --distribution-id E2QWRUHEXAMPLE --paths " +
                "/assets/index.html /assets/robots.txt",
        );
    });

    it("refuses files without a content hash before uploading anything", () => {
        const s = sandbox(["index.html", "assets/app.js", "favicon.ico", "assets/app.3f9a1c2b.js"]);
        const r = s.run(ARGS(s.build));
        expect([r.status, r.stderr, r.calls]).toEqual([
            2,
            "publish-static: 2 file(s) without a content hash in the name would be cached for a year: " +
                "assets/app.js favicon.ico; hash them in the build, or list them in ENTRY_GLOBS\n",
            [],
        ]);
    });

    it.each([
        [[], "usage: scripts/publish-static.sh <stack> <build dir> <bucket> <distribution id> [<static prefix>]"],
        [
            ["staging", "/nonexistent/build", "b-bucket", "E2QWRUHEXAMPLE"],
            "build dir /nonexistent/build does not exist",
        ],
    ])("refuses %j in one line", (args, line) => {
        const r = sandbox(["index.html"]).run(args);
        expect([r.status, r.stderr, r.calls]).toEqual([2, `publish-static: ${line}\n`, []]);
    });

    it("refuses a build without entry documents and a bucket name that is not one", () => {
        const none = sandbox(["app.3f9a1c2b.js"]);
        expect(none.run(ARGS(none.build)).stderr).toBe(
            `publish-static: no entry documents (*.html) in ${none.build}: nothing names the hashed files\n`,
        );
        const s = sandbox(["index.html"]);
        expect(s.run(["staging", s.build, "Bad_Bucket", "E2QWRUHEXAMPLE"]).stderr).toBe(
            'publish-static: bucket "Bad_Bucket" is not an S3 bucket name\n',
        );
    });
});

describe("deploy.yml publishes static assets after each pulumi up, when configured", () => {
    interface Step {
        id?: string;
        name?: string;
        uses?: string;
        run?: string;
        if?: string;
        env?: Record<string, string>;
        with?: Record<string, unknown>;
    }
    const workflow = parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "deploy.yml"), "utf8")) as {
        jobs: Record<string, { steps?: Step[]; uses?: string }>;
    };
    // The jobs that deploy a stack (the staging smoke test calls a reusable workflow instead).
    const deploying = Object.entries(workflow.jobs).flatMap(([id, job]) =>
        job.steps?.some((s) => s.uses?.startsWith("pulumi/actions@")) ? [[id, { steps: job.steps }] as const] : [],
    );

    it("finds the staging and production deploy jobs", () => {
        expect(deploying.map(([id]) => id)).toEqual(["staging", "production"]);
    });

    it.each(deploying)("%s: the optional publish step follows its own stack's up", (_id, job) => {
        const upIndex = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        const up = job.steps[upIndex];
        const stack = String(up.with?.["stack-name"]);
        const publish = job.steps.findIndex((s) => s.run?.includes("scripts/publish-static.sh"));
        expect(publish).toBeGreaterThan(upIndex);
        const step = job.steps[publish];
        expect(step.if).toBe("vars.STATIC_SITE_DIR != ''");
        expect(step.run).toBe(
            `bash scripts/publish-static.sh ${stack} "$STATIC_SITE_DIR" "$STATIC_BUCKET" "$DISTRIBUTION_ID"`,
        );
        expect(up.id).toBe("up");
        expect(step.env).toEqual({
            STATIC_SITE_DIR: "${{ vars.STATIC_SITE_DIR }}",
            STATIC_BUCKET: "${{ steps.up.outputs.staticBucketName }}",
            DISTRIBUTION_ID: "${{ steps.up.outputs.distributionId }}",
        });
    });
});
