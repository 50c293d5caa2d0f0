/**
 * `npm run verify` against a mocked account (aws-sdk-client-mock, no network):
 * a compliant account passes, each kind of drift fails with found vs expected,
 * and a bad environment stops with one line and exit 2.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { GetDistributionCommand } from "@aws-sdk/client-cloudfront";
import { DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { beforeEach, describe, expect, it } from "vitest";
import type { StackConfig } from "../../lib/config";
import type { StackOutputs } from "../../lib/outputs";
import { runVerify, type VerifyOptions } from "../../tools/verify/run";
import type { Summary } from "../../tools/verify/report";
import type { CheckResult } from "../../tools/verify/types";
import {
    compliantAccount,
    mocks,
    outputsFor,
    production,
    PROJECT_DIR,
    serve,
    STATIC_POLICY_ID,
    tempDir,
    writeOutputs,
    type Account,
    ORIGIN_SECRET,
} from "./fixtures";

const NOW = new Date("2025-06-01T12:00:00Z");

let cfg: StackConfig;
let out: StackOutputs;
beforeEach(() => {
    cfg = production();
    out = outputsFor(cfg);
});

async function verify(
    drift: (a: Account, o: StackOutputs) => void = () => undefined,
    opts: Partial<VerifyOptions> & { outputs?: unknown } = {},
) {
    const account = compliantAccount(cfg, out);
    drift(account, out);
    serve(account, out);
    const dir = tempDir();
    const file = writeOutputs(dir, opts.outputs ?? out);
    const lines: string[] = [];
    const run = await runVerify(
        { stack: "production", outputsFile: file, probe: false, reportDir: dir, timeoutMs: 1_000, ...opts },
        {
            projectDir: PROJECT_DIR,
            print: (l) => lines.push(l),
            now: () => NOW,
            resolveHost: () => Promise.resolve(["192.0.2.10"]),
        },
    );
    return { run, lines, dir };
}

const failed = (results: readonly CheckResult[]) => results.filter((r) => r.status === "fail");
const ttls = (t: { minTtl: number; defaultTtl: number; maxTtl: number }) =>
    `min ${t.minTtl} / default ${t.defaultTtl} / max ${t.maxTtl} s`;

describe("a compliant account", () => {
    it("passes every check, prints one progress line per check and exits 0", async () => {
        const { run, lines } = await verify();
        expect(failed(run.results)).toEqual([]);
        expect(run.results.filter((r) => r.status === "warn")).toEqual([]);
        expect(run.exitCode).toBe(0);
        expect(new Set(run.results.map((r) => r.area))).toEqual(
            new Set(["CloudFront", "Autoscaling", "ECS", "RDS", "Alarms", "Alerts"]),
        );
        expect(lines[0]).toBe(
            `Verifying stack production in account 123456789012 (${cfg.region}) against ` +
                `${path.join(PROJECT_DIR, "Pulumi.production.yaml")}`,
        );
        expect(lines.filter((l) => l.startsWith("✓ "))).toHaveLength(run.results.length);
        expect(lines).toContain(`✓ Autoscaling: task range (${cfg.scaling.minTasks}..${cfg.scaling.maxTasks})`);
        expect(lines).toContain(
            `✓ CloudFront: ${cfg.cdn.static.pathPattern} behaviour TTLs (${ttls(cfg.cdn.static)} ` +
                `(cache policy ${STATIC_POLICY_ID}))`,
        );
        expect(lines).toContain(
            `✓ RDS: Performance Insights (on, ${cfg.database.performanceInsightsRetentionDays} days retention)`,
        );
        expect(lines).toContain(
            `✓ RDS: Enhanced Monitoring (every ${cfg.database.monitoringIntervalSeconds} s, role ` +
                `arn:aws:iam::123456789012:role/credlink-db-monitoring)`,
        );
        expect(lines.at(-2)).toBe(
            `PASS: ${run.results.length} passed, 0 failed, 0 warnings. Dashboard: ${out.dashboardUrl}`,
        );
        // Declared alarms are looked up in their own region: the CDN alarm in us-east-1.
        for (const a of out.alarms)
            expect(lines).toContain(`✓ Alarms: ${a.name} (${a.region}) (state OK, actions enabled, 1 alarm action)`);
    });

    it("never prints the origin-verify secret that GetDistribution returns", async () => {
        const { run, lines } = await verify();
        expect(lines.join("\n")).not.toContain(ORIGIN_SECRET);
        for (const f of [run.report!.markdown, run.report!.html, run.report!.json])
            expect(fs.readFileSync(f, "utf8")).not.toContain(ORIGIN_SECRET);
    });
});

describe("drift is reported with found vs expected and fails the run", () => {
    it("a changed static TTL", async () => {
        const { run, lines } = await verify(
            (a) => (a.cachePolicies[STATIC_POLICY_ID].DefaultTTL = cfg.cdn.static.defaultTtl + 60),
        );
        const changed = { ...cfg.cdn.static, defaultTtl: cfg.cdn.static.defaultTtl + 60 };
        expect(failed(run.results)).toEqual([
            {
                area: "CloudFront",
                name: `${cfg.cdn.static.pathPattern} behaviour TTLs`,
                status: "fail",
                found: `${ttls(changed)} (cache policy ${STATIC_POLICY_ID})`,
                expected: ttls(cfg.cdn.static),
            },
        ]);
        expect(run.exitCode).toBe(1);
        expect(lines).toContain(
            `✗ CloudFront: ${cfg.cdn.static.pathPattern} behaviour TTLs: found ${ttls(changed)} ` +
                `(cache policy ${STATIC_POLICY_ID}); expected ${ttls(cfg.cdn.static)}`,
        );
    });

    it("a missing target-tracking policy", async () => {
        const { run } = await verify(
            (a) => (a.scalingPolicies = a.scalingPolicies.filter((p) => p.PolicyName !== "memory")),
        );
        expect(failed(run.results)).toEqual([
            {
                area: "Autoscaling",
                name: "ECSServiceAverageMemoryUtilization policy",
                status: "fail",
                found: "missing",
                expected:
                    `target ${cfg.scaling.memoryTargetPercent}, scale-out ` +
                    `${cfg.scaling.scaleOutCooldownSeconds} s, scale-in ` +
                    `${cfg.scaling.scaleInCooldownSeconds} s`,
            },
        ]);
        expect(run.exitCode).toBe(1);
    });

    it("Performance Insights turned off", async () => {
        const { run } = await verify((a) => {
            a.db.PerformanceInsightsEnabled = false;
            a.db.PerformanceInsightsRetentionPeriod = undefined;
        });
        expect(failed(run.results)).toEqual([
            {
                area: "RDS",
                name: "Performance Insights",
                status: "fail",
                found: "off",
                expected: `on, ${cfg.database.performanceInsightsRetentionDays} days retention`,
            },
        ]);
        expect(run.exitCode).toBe(1);
    });

    it("an alarm without actions", async () => {
        const { run } = await verify((a) => (a.alarms[0].AlarmActions = []));
        expect(failed(run.results)).toEqual([
            {
                area: "Alarms",
                name: `${out.alarms[0].name} (${out.alarms[0].region})`,
                status: "fail",
                found: "state OK, actions enabled, 0 alarm actions",
                expected: "exists, actions enabled, at least one action",
                note: "nobody is notified when it fires",
            },
        ]);
        expect(run.exitCode).toBe(1);
    });

    it("an unconfirmed subscription", async () => {
        const { run } = await verify((a) => (a.subscriptions[0].SubscriptionArn = "PendingConfirmation"));
        expect(failed(run.results).map((r) => [r.name, r.found])).toEqual([
            ["alerts topic has a confirmed subscription", "0 confirmed, 1 pending confirmation"],
            [`subscription e-mail ${cfg.alerts.emails[0]}`, "pending confirmation"],
        ]);
        expect(run.exitCode).toBe(1);
    });

    it("a stack file that subscribes nobody: no subscription is a warning, not drift", async () => {
        const account = compliantAccount(cfg, out);
        account.subscriptions = [];
        serve(account, out);
        const dir = tempDir();
        const project = tempDir();
        // The production stack file without its alerts.emails list.
        const yaml = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8")
            .replace(/ {2}credlink:alerts\.emails:\n( {4}- .*\n)+/, "");
        expect(yaml).not.toContain("alerts.emails");
        fs.writeFileSync(path.join(project, "Pulumi.production.yaml"), yaml);
        const run = await runVerify(
            {
                stack: "production",
                outputsFile: writeOutputs(dir, out),
                probe: false,
                reportDir: dir,
                timeoutMs: 1_000,
            },
            { projectDir: project, print: () => undefined, resolveHost: () => Promise.resolve(["192.0.2.10"]) },
        );
        expect(run.results.filter((r) => r.status !== "pass")).toEqual([
            {
                area: "Alerts",
                name: "alerts topic has a confirmed subscription",
                status: "warn",
                found: "0 confirmed, 0 pending confirmation",
                expected: "at least 1 confirmed",
                note: "the stack file sets no alerts.emails or alerts.httpsEndpoint: alarms notify nobody",
            },
        ]);
        expect(run.exitCode).toBe(0);
    });

    // More drift, one line each: [what changed, failing check, found].
    const cases: [string, (a: Account, o: StackOutputs) => void, string, string | ((c: StackConfig) => string)][] = [
        ["task range", (a) => (a.scalableTarget = { MinCapacity: 1, MaxCapacity: 40 }), "task range", "1..40"],
        [
            "scale-in cooldown",
            (a) => (a.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration!.ScaleInCooldown = 60),
            "ECSServiceAverageCPUUtilization policy",
            (c) =>
                `target ${c.scaling.cpuTargetPercent}, scale-out ${c.scaling.scaleOutCooldownSeconds} s, scale-in 60 s`,
        ],
        [
            "request policy without a resource label",
            (a) => {
                const spec =
                    a.scalingPolicies[2].TargetTrackingScalingPolicyConfiguration!.PredefinedMetricSpecification!;
                spec.ResourceLabel = undefined;
            },
            "ALBRequestCountPerTarget policy",
            (c) =>
                `target ${c.scaling.requestsPerTarget}, scale-out ` +
                `${c.scaling.requestScaleOutCooldownSeconds} s, scale-in ` +
                `${c.scaling.scaleInCooldownSeconds} s, no resource label`,
        ],
        [
            "no scalable target",
            (a) => (a.scalableTarget = undefined),
            "scalable target service/credlink-production/credlink-api",
            "not registered",
        ],
        [
            "API cached",
            (a) =>
                (a.distribution.DistributionConfig!.DefaultCacheBehavior!.CachePolicyId =
                    "658327ea-f89d-4fab-a63d-7e88639e58f6"),
            "default behaviour → API origin, never cached",
            (c) => `→ ${c.domain.originName}, cache policy 658327ea-f89d-4fab-a63d-7e88639e58f6`,
        ],
        [
            "compression off",
            (a) => (a.distribution.DistributionConfig!.CacheBehaviors!.Items![1].Compress = false),
            "compression on every behaviour",
            "off on /proofs/*",
        ],
        ["HTTP/3 off", (a) => (a.distribution.DistributionConfig!.HttpVersion = "http2"), "HTTP version", "http2"],
        [
            "old TLS policy",
            (a) => (a.distribution.DistributionConfig!.ViewerCertificate!.MinimumProtocolVersion = "TLSv1.1_2016"),
            "viewer TLS",
            (c) => `${c.domain.cdnCertificateArn}, TLSv1.1_2016`,
        ],
        ["logging off", (a) => (a.distribution.DistributionConfig!.Logging!.Enabled = false), "access logging", "off"],
        ["WAF detached", (a) => (a.distribution.DistributionConfig!.WebACLId = ""), "WAF web ACL", "none"],
        [
            "proofs behaviour gone",
            (a) => a.distribution.DistributionConfig!.CacheBehaviors!.Items!.pop(),
            "/proofs/* behaviour → proofs bucket",
            "no such behaviour",
        ],
        ["Multi-AZ off", (a) => (a.db.MultiAZ = false), "Multi-AZ", "off"],
        ["deletion protection off", (a) => (a.db.DeletionProtection = false), "deletion protection", "off"],
        [
            "Enhanced Monitoring at 60 s",
            (a) => (a.db.MonitoringInterval = 60),
            "Enhanced Monitoring",
            "every 60 s, role arn:aws:iam::123456789012:role/credlink-db-monitoring",
        ],
        [
            "Enhanced Monitoring without a role",
            (a) => (a.db.MonitoringRoleArn = undefined),
            "Enhanced Monitoring",
            (c) => `every ${c.database.monitoringIntervalSeconds} s, role none`,
        ],
        [
            "PI retention",
            (a) => (a.db.PerformanceInsightsRetentionPeriod = 31),
            "Performance Insights",
            "on, 31 days retention",
        ],
        [
            "alarm deleted",
            (a) => a.alarms.pop(),
            "credlink-production-cdn-5xx-rate (us-east-1)",
            "no such alarm in us-east-1",
        ],
        [
            "alarm actions disabled",
            (a) => (a.alarms[1].ActionsEnabled = false),
            "credlink-production-api-5xx-rate (us-east-1)",
            "state OK, actions disabled, 1 alarm action",
        ],
    ];
    it.each(cases)("%s", async (_what, drift, check, found) => {
        const { run } = await verify(drift);
        expect(failed(run.results).map((r) => [r.name, r.found])).toEqual([
            [check, typeof found === "function" ? found(cfg) : found],
        ]);
        expect(run.exitCode).toBe(1);
    });

    it("an API origin without the origin-verify header also fails the default behaviour that targets it", async () => {
        const { run } = await verify(
            (a) => (a.distribution.DistributionConfig!.Origins!.Items![0].CustomHeaders = { Quantity: 0 }),
        );
        expect(failed(run.results).map((r) => [r.name, r.found])).toEqual([
            [
                "API origin is the ALB and sends the origin-verify header",
                `no origin sends X-Origin-Verify (origins: ${cfg.domain.originName}, ` +
                    `${out.staticBucketName}.s3.${cfg.region}.amazonaws.com, ` +
                    `${out.proofsBucketName}.s3.${cfg.region}.amazonaws.com)`,
            ],
            [
                "default behaviour → API origin, never cached",
                `→ ${cfg.domain.originName}, cache policy 4135ea2d-6df8-44a3-9df3-4b5a84be39ad`,
            ],
        ]);
    });

    it("the API origin is domain.originName, which must resolve to the ALB", async () => {
        const originName = cfg.domain.originName!;
        const name = "API origin is the ALB and sends the origin-verify header";
        const found = `origin api → ${originName} with X-Origin-Verify`;
        const cases: [string, (a: Account) => void, (host: string) => Promise<string[]>, Partial<CheckResult>][] = [
            [
                "resolves to the ALB",
                () => undefined,
                (h) => Promise.resolve(h === originName ? ["192.0.2.10"] : ["192.0.2.10", "192.0.2.11"]),
                { status: "pass", found: `${found}, which resolves to the ALB` },
            ],
            [
                "points elsewhere",
                () => undefined,
                (h) => Promise.resolve(h === originName ? ["203.0.113.5"] : ["192.0.2.10"]),
                {
                    status: "fail",
                    found: `${found}, which does not resolve to the ALB's addresses`,
                    note: `point ${originName} at ${out.albDnsName} (alias or CNAME)`,
                },
            ],
            [
                "does not resolve",
                () => undefined,
                (h) => Promise.reject(new Error(`getaddrinfo ENOTFOUND ${h}`)),
                {
                    status: "warn",
                    found,
                    note:
                        `could not resolve ${originName} and ${out.albDnsName} to compare them: ` +
                        `getaddrinfo ENOTFOUND ${originName}`,
                },
            ],
            [
                "origin is the bare ALB name",
                (a) => (a.distribution.DistributionConfig!.Origins!.Items![0].DomainName = out.albDnsName),
                () => Promise.resolve(["192.0.2.10"]),
                {
                    status: "fail",
                    found: `origin api → ${out.albDnsName} with X-Origin-Verify`,
                    expected: `an origin → ${originName} (resolving to ${out.albDnsName}) with X-Origin-Verify`,
                },
            ],
        ];
        for (const [, drift, resolveHost, want] of cases) {
            const account = compliantAccount(cfg, out);
            drift(account);
            serve(account, out);
            const dir = tempDir();
            const run = await runVerify(
                {
                    stack: "production",
                    outputsFile: writeOutputs(dir, out),
                    probe: false,
                    reportDir: dir,
                    timeoutMs: 1_000,
                },
                { projectDir: PROJECT_DIR, print: () => undefined, resolveHost },
            );
            expect(run.results.find((r) => r.name === name)).toMatchObject(want);
        }
    });

    it("an alarm in ALARM state is reported but is not drift", async () => {
        const { run, lines } = await verify((a) => {
            a.alarms[0].StateValue = "ALARM";
            a.alarms[0].StateReason = "Threshold Crossed: 1 datapoint [0.9] was greater than the threshold (0.5).";
        });
        expect(run.results.filter((r) => r.status !== "pass").map((r) => [r.status, r.name, r.found])).toEqual([
            ["warn", `${out.alarms[0].name} (${out.alarms[0].region})`, "state ALARM, actions enabled, 1 alarm action"],
        ]);
        expect(lines).toContain(
            `! Alarms: ${out.alarms[0].name} (${out.alarms[0].region}): found state ALARM, actions ` +
                `enabled, 1 alarm action; expected state OK; Threshold Crossed: 1 datapoint [0.9] was ` +
                `greater than the threshold (0.5).`,
        );
        expect(run.exitCode).toBe(0);
    });

    it("an API call that fails is a failed check with one line, and the other checks still run", async () => {
        const { run } = await verify();
        // Re-run with CloudFront denied.
        mocks.cloudfront
            .on(GetDistributionCommand)
            .rejects(
                Object.assign(
                    new Error(
                        "User: arn:aws:iam::123456789012:user/verify is not authorized to perform: " +
                            "cloudfront:GetDistribution",
                    ),
                    { name: "AccessDenied" },
                ),
            );
        const dir = tempDir();
        const again = await runVerify(
            {
                stack: "production",
                outputsFile: writeOutputs(dir, out),
                probe: false,
                reportDir: dir,
                timeoutMs: 1_000,
            },
            { projectDir: PROJECT_DIR, print: () => undefined, resolveHost: () => Promise.resolve([]) },
        );
        expect(failed(again.results)).toEqual([
            {
                area: "CloudFront",
                name: "distribution exists",
                status: "fail",
                found:
                    "access denied (User: arn:aws:iam::123456789012:user/verify is not " +
                    "authorized to perform: cloudfront:GetDistribution); grant the read-only " +
                    "permissions listed in docs/verify.md",
                expected: `distribution ${out.distributionId}`,
            },
        ]);
        expect(again.results.length).toBe(
            run.results.length - run.results.filter((r) => r.area === "CloudFront").length + 1,
        );
        expect(again.exitCode).toBe(1);
    });

    it("a call that never answers fails its check within the deadline instead of hanging", async () => {
        const cfgLocal = cfg;
        const account = compliantAccount(cfgLocal, out);
        serve(account, out);
        mocks.cloudfront.on(GetDistributionCommand).callsFake(() => new Promise(() => undefined));
        const dir = tempDir();
        const started = Date.now();
        const run = await runVerify(
            { stack: "production", outputsFile: writeOutputs(dir, out), probe: false, reportDir: dir, timeoutMs: 500 },
            { projectDir: PROJECT_DIR, print: () => undefined, resolveHost: () => Promise.resolve([]) },
        );
        expect(Date.now() - started).toBeLessThan(6_000);
        expect(failed(run.results).map((r) => [r.name, r.found])).toEqual([
            ["distribution exists", "timed out (no answer within 2 s)"],
        ]);
    });
});

describe("a bad environment stops with one line and exit 2", () => {
    it("no credentials", async () => {
        const { run, dir } = await verify(() => undefined);
        expect(run.exitCode).toBe(0);
        mocks.sts.on(GetCallerIdentityCommand).rejects(
            Object.assign(new Error("Could not load credentials from any providers"), {
                name: "CredentialsProviderError",
            }),
        );
        const lines: string[] = [];
        const again = await runVerify(
            {
                stack: "production",
                outputsFile: writeOutputs(dir, out),
                probe: false,
                reportDir: path.join(dir, "second"),
                timeoutMs: 1_000,
            },
            { projectDir: PROJECT_DIR, print: (l) => lines.push(l) },
        );
        expect(again).toEqual({
            exitCode: 2,
            results: [],
            error:
                "No AWS credentials found: set AWS_PROFILE (then `aws sso login` if it is an SSO " +
                "profile) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and run verify again",
        });
        expect(lines).toEqual([]);
        expect(fs.existsSync(path.join(dir, "second"))).toBe(false);
    });

    it.each([
        [
            "ExpiredToken",
            "The security token included in the request is expired",
            "The AWS credentials have expired (ExpiredToken): refresh them (e.g. `aws sso login`) and run verify again",
        ],
        [
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            "The AWS credentials were rejected (InvalidClientTokenId): check AWS_PROFILE / " +
                "AWS_ACCESS_KEY_ID and that the key is still active",
        ],
    ])("credentials rejected by STS (%s)", async (name, message, line) => {
        const o = out;
        serve(compliantAccount(cfg, o), o);
        mocks.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error(message), { name }));
        const dir = tempDir();
        const run = await runVerify(
            { stack: "production", outputsFile: writeOutputs(dir, o), probe: false, reportDir: dir, timeoutMs: 1_000 },
            { projectDir: PROJECT_DIR, print: () => undefined },
        );
        expect(run.error).toBe(line);
        expect(run.exitCode).toBe(2);
        expect(mocks.cloudfront.calls()).toHaveLength(0);
    });

    it("STS never answering: one line within the deadline, not a hang", async () => {
        serve(compliantAccount(cfg, out), out);
        mocks.sts.on(GetCallerIdentityCommand).callsFake(() => new Promise(() => undefined));
        const dir = tempDir();
        const run = await runVerify(
            { stack: "production", outputsFile: writeOutputs(dir, out), probe: false, reportDir: dir, timeoutMs: 500 },
            { projectDir: PROJECT_DIR, print: () => undefined },
        );
        expect(run.error).toBe(
            `Cannot reach AWS STS in ${cfg.region} (no answer within 2 s): check the network, proxy ` +
                `(HTTPS_PROXY) and the region`,
        );
        expect(run.exitCode).toBe(2);
    });

    it("outputs from another stack", async () => {
        const staging = { ...out, stack: "staging" };
        const { run } = await verify(() => undefined, { outputs: staging });
        expect(run.exitCode).toBe(2);
        expect(run.error).toMatch(/^Stack outputs from \S+outputs\.json belong to stack "staging", not "production": /);
        expect(run.error).toMatch(/: pass that stack's outputs, or run with --stack staging$/);
        expect(mocks.sts.calls()).toHaveLength(0);
    });

    it("outputs whose region differs from the stack file", async () => {
        const { run } = await verify(() => undefined, { outputs: { ...out, region: "eu-west-1" } });
        expect(run.error).toBe(
            `The outputs say region eu-west-1 but Pulumi.production.yaml has aws:region ` +
                `${cfg.region}: the outputs are stale or from another project; refresh them with ` +
                `\`pulumi stack output --json\``,
        );
        expect(run.exitCode).toBe(2);
    });

    it("resources not found in the region (wrong region or account)", async () => {
        const { run } = await verify(() => undefined);
        expect(run.exitCode).toBe(0);
        mocks.cloudfront.resetHistory();
        mocks.ecs
            .on(DescribeServicesCommand)
            .resolves({ services: [], failures: [{ arn: "arn:aws:ecs:x", reason: "MISSING" }] });
        mocks.rds.on(DescribeDBInstancesCommand).rejects(
            Object.assign(new Error("DBInstance credlink-production-db not found."), {
                name: "DBInstanceNotFoundFault",
            }),
        );
        const dir = tempDir();
        const again = await runVerify(
            {
                stack: "production",
                outputsFile: writeOutputs(dir, out),
                probe: false,
                reportDir: dir,
                timeoutMs: 1_000,
            },
            { projectDir: PROJECT_DIR, print: () => undefined },
        );
        expect(again.error).toBe(
            `Neither ECS service credlink-production/credlink-api nor RDS instance ` +
                `credlink-production-db exists in ${cfg.region} (account 123456789012): the outputs' ` +
                `region is wrong or the credentials belong to another account`,
        );
        expect(again.exitCode).toBe(2);
        expect(mocks.cloudfront.calls()).toHaveLength(0);
    });

    it("outputs that do not match the schema: one line per problem", async () => {
        const { distributionId: _d, ...rest } = out;
        const { run } = await verify(() => undefined, { outputs: { ...rest, alarms: [{ name: "x" }] } });
        expect(run.exitCode).toBe(2);
        expect(run.error?.split("\n").map((l) => l.replace(/^Stack outputs from \S+: /, ""))).toEqual([
            '"distributionId" is missing (expected string)',
            '"alarms.0.region" is missing (expected string)',
        ]);
    });
});

describe("report files", () => {
    it("a passing run writes Markdown, self-contained HTML and JSON under verify-<stack>-<timestamp>/", async () => {
        const { run, dir } = await verify();
        const reportDir = path.join(dir, "verify-production-2025-06-01T12-00-00Z");
        expect(run.report).toEqual({
            dir: reportDir,
            markdown: path.join(reportDir, "report.md"),
            html: path.join(reportDir, "report.html"),
            json: path.join(reportDir, "results.json"),
        });

        const md = fs.readFileSync(run.report!.markdown, "utf8");
        expect(md).toContain("# CredLink post-deploy verification: production");
        expect(md).toContain(`**PASS**: ${run.results.length} passed, 0 failed, 0 warnings.`);
        expect(md).toContain(`- Dashboard: [${out.dashboardName}](${out.dashboardUrl})`);
        expect(md).toContain(
            `| ✓ | task range | ${cfg.scaling.minTasks}..${cfg.scaling.maxTasks} | ` +
                `${cfg.scaling.minTasks}..${cfg.scaling.maxTasks} |  |`,
        );
        expect(md).toContain("- Live probes: not run (pass --probe)");

        const html = fs.readFileSync(run.report!.html, "utf8");
        expect(html).toMatch(/^<!doctype html>/);
        expect(html).toContain('<span class="verdict PASS">PASS</span>');
        expect(html).toContain(`<a href="${out.dashboardUrl}">${out.dashboardName}</a>`);
        // Self-contained: no external stylesheet, script, image or font.
        expect(html).not.toMatch(/<(link|script|img)\b|@import|url\(/i);

        const json = JSON.parse(fs.readFileSync(run.report!.json, "utf8")) as {
            summary: Summary;
            results: CheckResult[];
        };
        expect(json.summary).toEqual({ pass: run.results.length, fail: 0, warn: 0, verdict: "PASS" });
        expect(json.results).toEqual(run.results);
    });

    it("a drifting run shows DRIFT and the failing row with found and expected", async () => {
        const { run } = await verify((a) => (a.db.PerformanceInsightsEnabled = false));
        const md = fs.readFileSync(run.report!.markdown, "utf8");
        expect(md).toContain(`**DRIFT**: ${run.results.length - 1} passed, 1 failed, 0 warnings.`);
        expect(md).toContain(`## RDS`);
        expect(md).toContain(
            `| ✗ | Performance Insights | off | on, ` +
                `${cfg.database.performanceInsightsRetentionDays} days retention |  |`,
        );
        const html = fs.readFileSync(run.report!.html, "utf8");
        expect(html).toContain('<span class="verdict DRIFT">DRIFT</span>');
        expect(html).toContain(
            `<tr class="fail"><td class="st" title="fail">✗</td><td>Performance ` +
                `Insights</td><td>off</td><td>on, ${cfg.database.performanceInsightsRetentionDays} days ` +
                `retention</td><td></td></tr>`,
        );
    });
});
