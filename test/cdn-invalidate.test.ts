/**
 * `npm run cdn:invalidate`: flags, the CreateInvalidation call, the bounded wait, and one-line
 * errors for missing credentials, refused permissions, hung calls and bad input. AWS is mocked
 * with aws-sdk-client-mock (the verify fixtures' mocks). The command runs in-process
 * (cdnInvalidateMain); the entry point runs for real at the end, only to prove its wiring.
 */
import * as path from "node:path";
import { CreateInvalidationCommand, GetInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_MAX_WAIT_SECONDS, parseCli } from "../tools/cdn-invalidate/cli";
import { cdnInvalidateMain } from "../tools/cdn-invalidate/main";
import { type InvalidateOptions, runInvalidation } from "../tools/cdn-invalidate/run";
import { DEFAULT_TIMEOUT_MS } from "../tools/verify/cli";
import { ACCOUNT, mocks, outputsFor, production, PROJECT_DIR, tempDir, writeOutputs } from "./verify/fixtures";
import { nodeOnlyPath, runWithPath, tsScript } from "./ts-script";

const parse = (args: string[]) => parseCli(args, { out: () => undefined, err: () => undefined });

describe("flags", () => {
    it("defaults: the entry documents, a 600 s wait, verify's request timeout", () => {
        expect(parse(["--stack", "production"])).toEqual({
            kind: "run",
            options: {
                stack: "production",
                outputsFile: undefined,
                distributionId: undefined,
                paths: undefined,
                maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS,
                timeoutMs: DEFAULT_TIMEOUT_MS,
            },
        });
        expect(DEFAULT_MAX_WAIT_SECONDS).toBe(600);
    });

    it("takes several paths, once each, after one flag or several", () => {
        const parsed = parse([
            "--stack",
            "acme/credlink/staging",
            "--paths",
            "/static/index.html",
            "/static/app/*",
            "--paths",
            "/static/index.html",
            "--outputs",
            "o.json",
            "--max-wait",
            "120",
        ]);
        expect(parsed).toMatchObject({
            kind: "run",
            options: {
                stack: "acme/credlink/staging",
                outputsFile: "o.json",
                paths: ["/static/index.html", "/static/app/*"],
                maxWaitSeconds: 120,
            },
        });
    });

    it.each([
        [[], "required option '--stack <name>' not specified (see npm run cdn:invalidate -- --help)"],
        [
            ["--stack", "production", "--paths", "static/index.html"],
            "option '--paths <path...>' argument 'static/index.html' is invalid. must start with / (see npm run " +
                "cdn:invalidate -- --help)",
        ],
        [
            ["--stack", "production", "--paths", "/static/*/index.html"],
            "option '--paths <path...>' argument '/static/*/index.html' is invalid. may hold * only as its last " +
                "character (see npm run cdn:invalidate -- --help)",
        ],
        [
            ["--stack", "production", "--paths", "/static/my file.html"],
            "option '--paths <path...>' argument '/static/my file.html' is invalid. must not contain spaces or " +
                "control characters (URL-encode them) (see npm run cdn:invalidate -- --help)",
        ],
        [
            ["--stack", "production", "--max-wait", "5"],
            "option '--max-wait <seconds>' argument '5' is invalid. must be whole seconds between 30 and 3600 (see " +
                "npm run cdn:invalidate -- --help)",
        ],
        [["--stack", "production", "--nope"], "unknown option '--nope' (see npm run cdn:invalidate -- --help)"],
        [
            ["--stack", "production", "--distribution-id", "d111111abcdef8"],
            "option '--distribution-id <id>' argument 'd111111abcdef8' is invalid. must be a CloudFront distribution " +
                "ID such as E2QWRUHEXAMPLE (see npm run cdn:invalidate -- --help)",
        ],
        [
            ["--stack", "production", "--outputs", "o.json", "--distribution-id", "E2QWRUHEXAMPLE"],
            "option '--distribution-id <id>' cannot be used with option '--outputs <file>' (see npm run " +
                "cdn:invalidate -- --help)",
        ],
        [
            ["--stack", "production", "--paths", ...Array.from({ length: 16 }, (_, i) => `/static/${i}/*`)],
            "--paths: 16 wildcard paths; CloudFront accepts at most 15 in progress",
        ],
    ])("%j: one line, exit 2", (args, message) => {
        expect(parse(args)).toEqual({ kind: "exit", code: 2, message });
    });
});

describe("runInvalidation (mocked AWS)", () => {
    const config = production();
    const outputs = outputsFor(config);
    let outputsFile: string;
    let printed: string[];
    beforeEach(() => {
        for (const m of Object.values(mocks)) m.reset();
        outputsFile = writeOutputs(tempDir(), outputs);
        printed = [];
        mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
        mocks.cloudfront.on(CreateInvalidationCommand).resolves({
            Invalidation: { Id: "I2J0I21PCUYOIK", Status: "InProgress", CreateTime: new Date() } as never,
        });
    });

    const run = (extra: Partial<InvalidateOptions> = {}) =>
        runInvalidation(
            { stack: "production", outputsFile, maxWaitSeconds: 30, timeoutMs: 200, ...extra },
            { projectDir: PROJECT_DIR, print: (l) => printed.push(l), pollSeconds: { min: 0.01, max: 0.02 } },
        );
    const created = () => mocks.cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);

    it(
        "invalidates the entry documents under the stack's static path " + "and waits until CloudFront completes",
        async () => {
            mocks.cloudfront
                .on(GetInvalidationCommand)
                .resolvesOnce({ Invalidation: { Id: "I2J0I21PCUYOIK", Status: "InProgress" } as never })
                .resolves({ Invalidation: { Id: "I2J0I21PCUYOIK", Status: "Completed" } as never });
            expect(await run()).toEqual({ exitCode: 0, invalidationId: "I2J0I21PCUYOIK" });
            const [input] = created();
            expect(input).toMatchObject({
                DistributionId: outputs.distributionId,
                InvalidationBatch: { Paths: { Quantity: 1, Items: ["/static/index.html"] } },
            });
            expect(input.InvalidationBatch?.CallerReference).toMatch(/^cdn:invalidate-production-\d+-[0-9a-f]{8}$/);
            expect(mocks.cloudfront.commandCalls(GetInvalidationCommand).map((c) => c.args[0].input)).toEqual([
                { DistributionId: outputs.distributionId, Id: "I2J0I21PCUYOIK" },
                { DistributionId: outputs.distributionId, Id: "I2J0I21PCUYOIK" },
            ]);
            expect(printed).toEqual([
                `Distribution ${outputs.distributionId} (from ${outputsFile}), account ${ACCOUNT}`,
                "Invalidation I2J0I21PCUYOIK created for 1 path(s): /static/index.html; waiting up to 30 s for it to " +
                    "complete",
                expect.stringMatching(/^Invalidation I2J0I21PCUYOIK completed in \d+ s$/),
            ]);
        },
    );

    it("takes the distribution from --distribution-id without reading any outputs (a deploy job)", async () => {
        mocks.cloudfront.on(GetInvalidationCommand).resolves({ Invalidation: { Status: "Completed" } as never });
        const result = await run({ outputsFile: path.join(tempDir(), "none.json"), distributionId: "E2QWRUHEXAMPLE" });
        expect(result.exitCode).toBe(0);
        expect(created()[0].DistributionId).toBe("E2QWRUHEXAMPLE");
        expect(printed[0]).toBe(`Distribution E2QWRUHEXAMPLE (from --distribution-id), account ${ACCOUNT}`);
        // The mock records the client each command was sent through as the call's `this`.
        const stsClient = mocks.sts.call(0).thisValue as STSClient;
        expect(await stsClient.config.region()).toBe("us-east-1");
    });

    it("uses a new CallerReference each run, so a rerun is a new invalidation", async () => {
        mocks.cloudfront.on(GetInvalidationCommand).resolves({ Invalidation: { Status: "Completed" } as never });
        await run({ paths: ["/static/index.html", "/static/app/*"] });
        await run({ paths: ["/static/index.html", "/static/app/*"] });
        const [a, b] = created();
        expect(a.InvalidationBatch?.Paths).toEqual({ Quantity: 2, Items: ["/static/index.html", "/static/app/*"] });
        expect(a.InvalidationBatch?.CallerReference).not.toBe(b.InvalidationBatch?.CallerReference);
    });

    it("without credentials: one line, exit 2, and no CloudFront call", async () => {
        mocks.sts.on(GetCallerIdentityCommand).rejects(
            Object.assign(new Error("Could not load credentials from any providers"), {
                name: "CredentialsProviderError",
            }),
        );
        expect(await run()).toEqual({
            exitCode: 2,
            error:
                "No AWS credentials found: set AWS_PROFILE (then `aws sso login` if it is an SSO profile) or " +
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and run cdn:invalidate again",
        });
        expect(created()).toEqual([]);
    });

    it("a CreateInvalidation that never answers is cut off by the deadline: one line, exit 1", async () => {
        mocks.cloudfront.on(CreateInvalidationCommand).callsFake(() => new Promise(() => undefined));
        const started = Date.now();
        const result = await run({ timeoutMs: 50 });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(result).toEqual({
            exitCode: 1,
            error: `CreateInvalidation on ${outputs.distributionId} timed out (no answer within 0.2 s)`,
        });
    });

    it("a GetInvalidation that never answers ends at the wait limit: one line, exit 1", async () => {
        mocks.cloudfront.on(GetInvalidationCommand).callsFake(() => new Promise(() => undefined));
        const started = Date.now();
        const result = await run({ maxWaitSeconds: 0.25, timeoutMs: 50 });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(result).toEqual({
            exitCode: 1,
            invalidationId: "I2J0I21PCUYOIK",
            error:
                `Invalidation I2J0I21PCUYOIK of ${outputs.distributionId} had not completed after 0.25 s; CloudFront ` +
                `keeps working on it: check it with \`aws cloudfront get-invalidation --distribution-id ` +
                `${outputs.distributionId} --id I2J0I21PCUYOIK\``,
        });
    });

    it("an invalidation still in progress at the wait limit: exit 1", async () => {
        mocks.cloudfront.on(GetInvalidationCommand).resolves({ Invalidation: { Status: "InProgress" } as never });
        const result = await run({ maxWaitSeconds: 0.25 });
        expect(result.exitCode).toBe(1);
        expect(result.error).toMatch(/^Invalidation I2J0I21PCUYOIK of E\w+ had not completed after 0\.25 s;/);
    });

    it("a refused CreateInvalidation names the permissions it needs: exit 2", async () => {
        mocks.cloudfront
            .on(CreateInvalidationCommand)
            .rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDenied" }));
        expect(await run()).toEqual({
            exitCode: 2,
            error:
                `CloudFront refused CreateInvalidation on ${outputs.distributionId} (AccessDenied: User is not ` +
                `authorized): the caller needs cloudfront:CreateInvalidation and cloudfront:GetInvalidation on ` +
                `arn:aws:cloudfront::${ACCOUNT}:distribution/${outputs.distributionId} (docs/cdn.md)`,
        });
    });

    it("outputs that are missing or belong to another stack: one line, exit 2, before any AWS call", async () => {
        const missing = await run({ outputsFile: path.join(tempDir(), "none.json") });
        expect(missing.exitCode).toBe(2);
        expect(missing.error).toMatch(/^--outputs .+none\.json: no such file$/);
        const staging = writeOutputs(tempDir(), { ...outputs, stack: "staging" });
        expect((await run({ outputsFile: staging })).error).toBe(
            `Stack outputs from ${staging} belong to stack "staging", not "production": pass that stack's ` +
                `outputs, or run with --stack staging`,
        );
        expect(mocks.sts.commandCalls(GetCallerIdentityCommand)).toEqual([]);
    });
});

describe("cdnInvalidateMain: the command in-process", () => {
    const outputs = outputsFor(production());
    afterEach(() => vi.unstubAllEnvs());
    beforeEach(() => {
        for (const m of Object.values(mocks)) m.reset();
    });
    const main = async (args: string[]) => {
        let stdout = "";
        let stderr = "";
        const code = await cdnInvalidateMain(
            args,
            { out: (s) => (stdout += s), err: (s) => (stderr += s) },
            { projectDir: PROJECT_DIR, pollSeconds: { min: 0.01, max: 0.02 } },
        );
        return [code, stdout, stderr] as const;
    };

    it("a bad flag is one line on stderr, exit 2, nothing on stdout", async () => {
        expect(await main(["--stack", "production", "--paths", "index.html"])).toEqual([
            2,
            "",
            "cdn:invalidate: option '--paths <path...>' argument 'index.html' is invalid. must start with / " +
                "(see npm run cdn:invalidate -- --help)\n",
        ]);
    });

    it("no pulumi CLI on PATH (the real lookup): one line, exit 2", async () => {
        vi.stubEnv("PATH", tempDir());
        expect(await main(["--stack", "production"])).toEqual([
            2,
            "",
            "cdn:invalidate: The pulumi CLI is not on PATH: install it, or pass the outputs as a file with " +
                "--outputs <file> (written by `pulumi stack output --json --stack production > outputs.json`)\n",
        ]);
    });

    it("--help is the usage on stdout, exit 0", async () => {
        const [code, stdout, stderr] = await main(["--help"]);
        expect([code, stderr]).toEqual([0, ""]);
        expect(stdout).toMatch(/^Usage: npm run cdn:invalidate -- \[options\]\n/);
    });

    it("a completed invalidation: its progress lines on stdout, exit 0", async () => {
        mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
        mocks.cloudfront.on(CreateInvalidationCommand).resolves({
            Invalidation: { Id: "I2J0I21PCUYOIK", Status: "InProgress", CreateTime: new Date() } as never,
        });
        mocks.cloudfront.on(GetInvalidationCommand).resolves({ Invalidation: { Status: "Completed" } as never });
        const [code, stdout, stderr] = await main([
            "--stack",
            "production",
            "--distribution-id",
            "E2QWRUHEXAMPLE",
            "--paths",
            "/static/index.html",
        ]);
        expect([code, stderr]).toEqual([0, ""]);
        expect(stdout.split("\n")).toEqual([
            `Distribution E2QWRUHEXAMPLE (from --distribution-id), account ${ACCOUNT}`,
            "Invalidation I2J0I21PCUYOIK created for 1 path(s): /static/index.html; waiting up to 600 s for it to " +
                "complete",
            expect.stringMatching(/^Invalidation I2J0I21PCUYOIK completed in \d+ s$/),
            "",
        ]);
    });

    it("an invalidation refused by CloudFront: the error line on stderr, exit 2", async () => {
        mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
        mocks.cloudfront
            .on(CreateInvalidationCommand)
            .rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDenied" }));
        const [code, stdout, stderr] = await main([
            "--stack",
            "production",
            "--outputs",
            writeOutputs(tempDir(), outputs),
        ]);
        expect(code).toBe(2);
        expect(stdout).toMatch(/^Distribution E\w+ \(from .+\), account 123456789012\n$/);
        expect(stderr).toBe(
            `cdn:invalidate: CloudFront refused CreateInvalidation on ${outputs.distributionId} (AccessDenied: ` +
                `User is not authorized): the caller needs cloudfront:CreateInvalidation and ` +
                `cloudfront:GetInvalidation on arn:aws:cloudfront::${ACCOUNT}:distribution/${outputs.distributionId} ` +
                `(docs/cdn.md)\n`,
        );
    });
});

/**
 * The real entry point, as few runs as prove its wiring (argv in, stdout/stderr, exit code): the
 * flags and lines themselves are tested in-process above. Both runs start together; each takes
 * about a second of Node, tsx and SDK start-up.
 */
describe("entry point", () => {
    const run = (args: string[]) => runWithPath(...tsScript("scripts/cdn-invalidate.ts", ...args), nodeOnlyPath());

    it("scripts/cdn-invalidate.ts: --help on stdout, exit 0; no pulumi CLI is one line on stderr, exit 2", async () => {
        const [help, noCli] = await Promise.all([run(["--help"]), run(["--stack", "production"])]);
        expect([help.status, help.stderr]).toEqual([0, ""]);
        expect(help.stdout).toMatch(/^Usage: npm run cdn:invalidate -- \[options\]\n/);
        expect(noCli).toEqual({
            status: 2,
            stdout: "",
            stderr:
                "cdn:invalidate: The pulumi CLI is not on PATH: install it, or pass the outputs as a file with " +
                "--outputs <file> (written by `pulumi stack output --json --stack production > outputs.json`)\n",
        });
    }, 60_000);
});
