import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as os from "node:os";
import { CDN_SETTINGS } from "../components/cdn/settings";
import { DATABASE_SETTINGS } from "../components/database/settings";
import { SCALING_SETTINGS } from "../components/scaling-service/settings";
import { ConfigError, parseConfig, SECRET_PLACEHOLDER, SETTINGS, type StackConfig } from "../lib/config";
import { resolve } from "../lib/settings";
import { PROJECT_FILE, README_FILE, renderProjectFile, renderReadme } from "../tools/config-sync";
import { CAPACITY, DATABASE, SCALING, SLO, TTL } from "../policies/slo";
import { runStack } from "../tools/harness/run";
import { readStackFile, REPO_ROOT, stackNames } from "../tools/stack-file";

// A per-task rate is the least a stack needs to plan its task ceiling and request target.
const PLANNED = {
    "credlink:scaling.taskCapacityRps": 23.81,
    "credlink:scaling.taskCapacitySource": "planning assumption: test",
};
const minimal = {
    "aws:region": "us-east-1",
    "credlink:service.image": "registry.example.com/credlink-api:1.0.0",
    ...PLANNED,
};

function problems(values: Record<string, unknown>, secretKeys: string[] = []): string[] {
    try {
        parseConfig({ values, secretKeys: new Set(secretKeys), stack: "test" });
    } catch (e) {
        if (e instanceof ConfigError) return [...e.problems];
        throw e;
    }
    return [];
}

const parse = (values: Record<string, unknown>): StackConfig =>
    parseConfig({ values, secretKeys: new Set(), stack: "test" });

describe("stack configuration", () => {
    it("takes its defaults from the SLO module and derives the capacity plan from them", () => {
        const c = parse(minimal);
        expect(c.scaling).toEqual({
            minTasks: SCALING.tasks.min,
            // ceil(1000 × 1.2 × 60 / 1000) and round(23.81 × 0.7 × 60) = round(1000.02).
            maxTasks: 72,
            requestsPerTarget: 1000,
            taskCapacityRps: 23.81,
            taskCapacitySource: "planning assumption: test",
            targetUtilization: CAPACITY.targetUtilization,
            peakRequestsPerSecond: SLO.peakRequestsPerSecond,
            peakHeadroomPercent: CAPACITY.peakHeadroomPercent,
            cpuTargetPercent: SCALING.cpuTargetPercent.default,
            memoryTargetPercent: SCALING.memoryTargetPercent.default,
            scaleOutCooldownSeconds: SCALING.defaultScaleOutCooldownSeconds,
            requestScaleOutCooldownSeconds: SCALING.defaultRequestScaleOutCooldownSeconds,
            scaleInCooldownSeconds: SCALING.defaultScaleInCooldownSeconds,
            predictive: "off",
            predictiveBufferSeconds: 300,
        });
        expect(c.cdn.static).toEqual({ pathPattern: "/static/*", ...TTL.static });
        expect(c.cdn.proofs).toEqual({ pathPattern: "/proofs/*", ...TTL.proofs });
        expect(c.database.monitoringIntervalSeconds).toBe(DATABASE.enhancedMonitoringIntervalSeconds);
        expect(c.database.performanceInsightsRetentionDays).toBe(DATABASE.performanceInsightsRetentionDays);
        expect(c.alarms).toEqual({
            latencyP95ThresholdMs: SLO.latencyP95Ms,
            errorRatePercent: SLO.errorRate * 100,
            requestRatePer5Min: SLO.requestRateAlarm.requests,
            cpuHighPercent: 85,
            memoryHighPercent: 85,
            latencyAnomalyStdDevs: 2,
        });
    });

    it("reads values as Pulumi passes them (strings, JSON lists) into typed, frozen config", () => {
        const c = parse({
            ...minimal,
            "credlink:scaling.maxTasks": "80",
            "credlink:scaling.taskCapacityRps": "23.81",
            "credlink:scaling.targetUtilization": "0.65",
            "credlink:cdn.wafEnabled": "false",
            "credlink:alerts.emails": '["a@example.com"]',
            "credlink:tags": '["team=x=y"]',
        });
        expect(c.scaling.maxTasks).toBe(80);
        expect(c.scaling.taskCapacityRps).toBe(23.81);
        // round(23.81 × 0.65 × 60) = round(928.59)
        expect(c.scaling.requestsPerTarget).toBe(929);
        expect(c.cdn.wafEnabled).toBe(false);
        expect(c.alerts.emails).toEqual(["a@example.com"]);
        expect(c.tags).toEqual({ team: "x=y" });
        expect(Object.isFrozen(c.scaling)).toBe(true);
        expect(() => {
            (c.scaling as { maxTasks: number }).maxTasks = 40;
        }).toThrow(TypeError);
    });

    it('treats an empty optional string as unset (Pulumi.yaml declares optional strings with default "")', () => {
        expect(parse({ ...minimal, "credlink:domain.name": "" }).domain).toEqual({});
    });

    it("accepts configs that are valid for AWS but outside the SLO bands (the policy pack rejects those)", () => {
        const c = parse({
            ...minimal,
            "credlink:scaling.minTasks": 1,
            "credlink:scaling.maxTasks": 400,
            "credlink:cdn.staticMaxTtl": 2 * 31536000,
        });
        expect([c.scaling.minTasks, c.scaling.maxTasks, c.cdn.static.maxTtl]).toEqual([1, 400, 63072000]);
    });

    it.each([
        [
            { "credlink:scaling.minTasks": 90, "credlink:scaling.maxTasks": 80 },
            "credlink:scaling.minTasks = 90 must be <= credlink:scaling.maxTasks (80)",
        ],
        [
            { "credlink:scaling.cpuTargetPercent": 150 },
            "credlink:scaling.cpuTargetPercent = 150 must be between 1 and 100 %",
        ],
        [
            { "credlink:scaling.scaleInCooldownSeconds": -1 },
            "credlink:scaling.scaleInCooldownSeconds = -1 must be between 0 and 3600 s",
        ],
        [
            { "credlink:scaling.maxTasks": "twenty" },
            'credlink:scaling.maxTasks = "twenty" must be a whole number between 1 and 5000',
        ],
        [
            { "credlink:network.cidrBlock": "10.0.0.0/20" },
            'credlink:network.cidrBlock = "10.0.0.0/20" must be an IPv4 CIDR with a /16../18 prefix ' +
                "(each AZ takes a /20 private and a /22 public subnet)",
        ],
        [{ "credlink:cdn.wafEnabled": "yes" }, 'credlink:cdn.wafEnabled = "yes" must be true or false'],
        [
            { "credlink:cdn.staticMinTtl": 900000, "credlink:cdn.staticDefaultTtl": 604800 },
            "credlink:cdn.staticMinTtl = 900000 must be <= credlink:cdn.staticDefaultTtl (604800)",
        ],
        [
            { "credlink:cdn.proofsMaxTtl": 60 },
            "credlink:cdn.proofsDefaultTtl = 86400 must be <= credlink:cdn.proofsMaxTtl (60)",
        ],
        [
            { "credlink:cdn.staticPathPattern": "static/*" },
            'credlink:cdn.staticPathPattern = "static/*" must start with / and a path segment, e.g. /static/*',
        ],
        [
            { "credlink:cdn.priceClass": "PriceClass_Cheap" },
            'credlink:cdn.priceClass = "PriceClass_Cheap" must be one of PriceClass_100, ' +
                "PriceClass_200, PriceClass_All",
        ],
        [
            { "credlink:database.monitoringIntervalSeconds": 7 },
            "credlink:database.monitoringIntervalSeconds = 7 must be one of 0, 1, 5, 10, 15, 30, 60",
        ],
        [
            { "credlink:database.performanceInsightsRetentionDays": 8 },
            "credlink:database.performanceInsightsRetentionDays = 8 must be 7, 731 or a multiple of 31 (31..713)",
        ],
        [
            { "credlink:database.backupRetentionDays": 40 },
            "credlink:database.backupRetentionDays = 40 must be between 0 and 35 days",
        ],
        [
            { "credlink:service.memory": 512 },
            "credlink:service.memory = 512 is not a valid Fargate memory size for " +
                "credlink:service.cpu (1024); see the Fargate task size table in the AWS ECS docs",
        ],
        [
            { "credlink:alerts.emails": ["oncall"] },
            'credlink:alerts.emails = ["oncall"] contains "oncall", which is not an e-mail address',
        ],
        [
            {
                "credlink:domain.name": "api.example.com",
                "credlink:domain.cdnCertificateArn":
                    "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001",
            },
            "credlink:domain.cdnCertificateArn = " +
                '"arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001" ' +
                "must be in us-east-1, not eu-west-1: CloudFront only uses ACM certificates from " +
                "us-east-1",
        ],
        [
            {
                "credlink:domain.albCertificateArn":
                    "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000002",
            },
            "credlink:domain.albCertificateArn is set but credlink:domain.originName is not: " +
                "CloudFront reaches an HTTPS origin by a name its certificate covers, e.g. " +
                "origin.api.example.com",
        ],
        [
            { "credlink:domain.name": "api.example.com", "credlink:domain.originName": "api.example.com" },
            'credlink:domain.originName = "api.example.com" must differ from credlink:domain.name: ' +
                "that name points at CloudFront, so CloudFront would call itself",
        ],
        [
            { "credlink:scaling.minTask": 2 },
            "credlink:scaling.minTask is not a known setting (did you mean " +
                "credlink:scaling.minTasks?); see the config reference in README.md",
        ],
        [
            { "credlink:alerts.httpsEndpoint": "https://hooks.example.com/T000" },
            "credlink:alerts.httpsEndpoint must be a secret: set it with `pulumi config set " +
                "--secret alerts.httpsEndpoint <value>`",
        ],
        [{ "aws:region": "mars-1" }, 'aws:region = "mars-1" must be an AWS region such as us-east-1'],
    ])("rejects %j with one line naming key, value and rule", (override, line) => {
        expect(problems({ ...minimal, ...override })).toEqual([line]);
    });

    it("reports every problem at once, one line each, including a missing required setting", () => {
        const lines = problems({
            "aws:region": "us-east-1",
            "credlink:scaling.minTasks": 25,
            "credlink:scaling.maxTasks": 20,
            "credlink:database.monitoringIntervalSeconds": 7,
        });
        expect(lines).toEqual([
            "credlink:service.image is required: set it with `pulumi config set service.image " +
                "<value>` (Container image of the CredLink API (registry/repository:tag or @sha256 " +
                "digest).)",
            "credlink:scaling.taskCapacityRps is required to derive credlink:scaling.requestsPerTarget: set it " +
                "to the requests per second one task sustains within the SLO (and " +
                "credlink:scaling.taskCapacitySource to where that figure came from; see npm run " +
                "capacity:plan), or set it explicitly",
            "credlink:scaling.minTasks = 25 must be <= credlink:scaling.maxTasks (20)",
            "credlink:database.monitoringIntervalSeconds = 7 must be one of 0, 1, 5, 10, 15, 30, 60",
        ]);
    });

    it("accepts a secret https endpoint", () => {
        const c = parseConfig({
            values: { ...minimal, "credlink:alerts.httpsEndpoint": "https://hooks.example.com/T000" },
            secretKeys: new Set(["credlink:alerts.httpsEndpoint"]),
            stack: "test",
        });
        expect(c.alerts.httpsEndpoint).toBe("https://hooks.example.com/T000");
    });

    it("stops the program with the one-line problems and no stack trace", async () => {
        const err = await runStack("production", { config: { "credlink:scaling.maxTasks": 20 } }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toBe(
            "Invalid configuration for stack production (Pulumi.production.yaml):\n" +
                "credlink:scaling.maxTasks = 20 carries 333 req/s at the scaling target, below the planned peak " +
                "of 1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it",
        );
        // pulumi.RunError is the error type the Pulumi CLI prints without a stack trace.
        expect(pulumi.RunError.isInstance(err)).toBe(true);
    });
});

describe("service.environment and service.secrets (object settings)", () => {
    const SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:credlink/api-keys-AbCdEf";

    it("default to no variables", () => {
        expect(parse(minimal).service).toMatchObject({ environment: {}, secrets: {} });
    });

    it("read the JSON object Pulumi passes; integers and booleans set with --path become the container's text", () => {
        const c = parse({
            ...minimal,
            "credlink:service.environment": JSON.stringify({ RATE_LIMIT_MAX: 10000, TRUST_PROXY: true, MODE: "a" }),
            "credlink:service.secrets": JSON.stringify({ API_KEY_PEPPER: `${SM}:pepper::` }),
        });
        expect(c.service.environment).toEqual({ RATE_LIMIT_MAX: "10000", TRUST_PROXY: "true", MODE: "a" });
        expect(c.service.secrets).toEqual({ API_KEY_PEPPER: `${SM}:pepper::` });
    });

    it.each([
        [
            { "credlink:service.environment": { RATE_LIMIT_MAX: 10000, PORT: 8080 } },
            "credlink:service.environment.PORT = 8080 is reserved: the service sets it itself (reserved: PORT, " +
                "NODE_ENV, STORAGE_PROVIDER, STORAGE_BUCKET, STORAGE_REGION, PROOF_STORAGE_PATH, TMPDIR, " +
                "PROOF_URI_DOMAIN, PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGUSER, PGPASSWORD)",
        ],
        [
            { "credlink:service.environment": "RATE_LIMIT_MAX=10000" },
            'credlink:service.environment = "RATE_LIMIT_MAX=10000" must be a map of environment variable names ' +
                "to values",
        ],
        [
            { "credlink:service.environment": { LIMITS: { max: 1 } } },
            'credlink:service.environment.LIMITS = {"max":1} must be a string, number or boolean',
        ],
        [
            { "credlink:service.secrets": { API_KEY: "credlink/api-key" } },
            'credlink:service.secrets.API_KEY = "credlink/api-key" must be the full ARN of a Secrets Manager ' +
                "secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, optionally " +
                "followed by :<json-key>:<version-stage>:<version-id>) or of an SSM parameter " +
                "(arn:aws:ssm:<region>:<account>:parameter/<name>)",
        ],
        [
            {
                "credlink:service.environment": { API_KEY: "x" },
                "credlink:service.secrets": { API_KEY: "arn:aws:ssm:us-east-1:123456789012:parameter/credlink/api" },
            },
            "credlink:service.secrets.API_KEY is also set in credlink:service.environment: a variable comes from " +
                "one or the other",
        ],
    ])("rejects %j with one line naming the variable", (override, line) => {
        expect(problems({ ...minimal, ...override })).toEqual([line]);
    });

    it("refuses service.environment set as a secret: its values end up in plain text in the task definition", () => {
        const key = "credlink:service.environment";
        expect(problems({ ...minimal, [key]: { API_KEY: "x" } }, [key])).toEqual([
            "credlink:service.environment must not be a secret: its values are stored in plain text in the ECS " +
                "task definition; keep secret values in Secrets Manager or SSM Parameter Store and reference them " +
                "in credlink:service.secrets",
        ]);
    });
});

describe("Pulumi.yaml", () => {
    it("declares every setting with type, description and default, generated from lib/config.ts", () => {
        expect(fs.readFileSync(PROJECT_FILE, "utf8")).toBe(renderProjectFile());
        // Derived and fractional settings are untyped (Pulumi has no number type), "" meaning unset.
        expect(renderProjectFile()).toContain(
            `  scaling.maxTasks:\n    description: "Maximum running tasks. When set, it must carry ` +
                `peakRequestsPerSecond plus headroom at requestsPerTarget. Unset: derived as max(minTasks, ` +
                `ceil(peakRequestsPerSecond × (1 + peakHeadroomPercent / 100) × 60 / requestsPerTarget))."\n` +
                `    default: ""\n`,
        );
        expect(renderProjectFile()).toContain(`  scaling.targetUtilization:\n    description: "Share of`);
        expect(renderProjectFile()).toContain(`new tasks start."\n    default: 0.7\n`);
    });

    it("matches the README's config reference table", async () => {
        const readme = fs.readFileSync(README_FILE, "utf8");
        expect(readme).toBe(await renderReadme(readme));
        const row = readme.split("\n").find((l) => l.startsWith("| `credlink:scaling.minTasks`"));
        expect(row?.split("|").map((c) => c.trim())).toEqual([
            "",
            "`credlink:scaling.minTasks`",
            "integer",
            "`2`",
            "Minimum running tasks; also the service's initial desired count.",
            "",
        ]);
        const derived = readme.split("\n").find((l) => l.startsWith("| `credlink:scaling.requestsPerTarget`"));
        expect(derived?.split("|").map((c) => c.trim())).toEqual([
            "",
            "`credlink:scaling.requestsPerTarget`",
            "integer",
            "derived",
            "Target-tracking target for ALBRequestCountPerTarget: requests per task per MINUTE. When set, at most " +
                "what one task sustains at targetUtilization. Unset: derived as " +
                "`round(taskCapacityRps × targetUtilization × 60)`.",
            "",
        ]);
    });

    it("declares no setting twice", () => {
        expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(SETTINGS.length);
    });
});

describe("one declaration per setting", () => {
    it("composes the components' own declarations: the stack and the component read the same object", () => {
        const byKey = new Map(SETTINGS.map((s) => [s.key, s]));
        const { key: _key, ...maxTasks } = byKey.get("scaling.maxTasks")!;
        expect(maxTasks).toEqual(SCALING_SETTINGS.settings.maxTasks);
        expect(byKey.get("cdn.staticMaxTtl")?.schema).toBe(CDN_SETTINGS.groups.static.settings.maxTtl.schema);
        expect(byKey.get("database.multiAz")?.default).toBe(DATABASE_SETTINGS.settings.multiAz.default);
    });

    it("gives every setting a default its own schema accepts", () => {
        for (const s of SETTINGS.filter((x) => x.default !== undefined)) {
            expect(s.schema.safeParse(s.default).success, `${s.key} default ${JSON.stringify(s.default)}`).toBe(true);
        }
    });

    it.each([
        [
            "scaling.maxTasks",
            5001,
            "credlink:scaling.maxTasks = 5001 must be between 1 and 5000",
            "ScalingService api: scaling.maxTasks = 5001 must be between 1 and 5000",
        ],
        [
            "database.readReplicas",
            16,
            "credlink:database.readReplicas = 16 must be between 0 and 15",
            "MonitoredDatabase db: readReplicas = 16 must be between 0 and 15",
        ],
    ])(
        "rejects %s = %s with the same rule in the stack and in the component",
        async (key, value, stackLine, componentLine) => {
            expect(problems({ ...minimal, [`credlink:${key}`]: value })).toEqual([stackLine]);
            const [groupName, arg] = key.split(".");
            const err = await runStack("production", { config: { [`credlink:${key}`]: value } }).catch((e: Error) => e);
            expect((err as Error).message).toContain(stackLine);
            // The component, given the same value directly, applies the same schema.
            const component = groupName === "scaling" ? SCALING_SETTINGS : DATABASE_SETTINGS;
            const r = resolve(
                component,
                { [arg]: value },
                { at: (p) => (groupName === "scaling" ? `scaling.${p.join(".")}` : p.join(".")) },
            );
            expect(`${groupName === "scaling" ? "ScalingService api" : "MonitoredDatabase db"}: ${r.problems[0]}`).toBe(
                componentLine,
            );
        },
    );
});

describe("bad stack input, as a new user meets it", () => {
    it("names the namespaces the stack reads for a key in a misspelt namespace, and the setting meant", () => {
        expect(problems({ ...minimal, "credlnk:scaling.maxTasks": 30 })).toEqual([
            'credlnk:scaling.maxTasks is in namespace "credlnk", which this stack does not read (it ' +
                "reads credlink: and its providers' aws:, awsx:, random:, pulumi:); did you mean " +
                "credlink:scaling.maxTasks?",
        ]);
    });

    it("names the stack setting, not a component argument, for a value only a component used to catch", () => {
        expect(problems({ ...minimal, "credlink:database.instanceClass": "db.q9.large" })[0]).toMatch(
            new RegExp(
                '^credlink:database\\.instanceClass = "db\\.q9\\.large" ' +
                    "is not an RDS instance class this stack can size alarms for: ",
            ),
        );
    });

    it("requires aws:region in the stack file instead of previewing as us-east-1", async () => {
        const err = await runStack("production", { config: { "aws:region": undefined } }).catch((e: Error) => e);
        expect((err as Error).message).toBe(
            "Invalid configuration for stack production (Pulumi.production.yaml):\naws:region is " +
                "required: set it with `pulumi config set aws:region <region>`, e.g. us-east-1",
        );
    });

    it("reads a key without a namespace as the project's, as the Pulumi CLI does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.demo.yaml"),
            "config:\n  aws:region: eu-west-1\n  scaling.maxTasks: 30\n  " +
                "credlink:alerts.httpsEndpoint:\n    secure: AAABAKx1\n",
        );
        const file = readStackFile("demo", dir);
        expect(file.values).toEqual({
            "aws:region": "eu-west-1",
            "credlink:scaling.maxTasks": 30,
            "credlink:alerts.httpsEndpoint": SECRET_PLACEHOLDER,
        });
        expect(file.secretKeys).toEqual(["credlink:alerts.httpsEndpoint"]);
    });
});

describe("stack files", () => {
    it("exist for dev, staging and production", () => {
        expect(stackNames()).toEqual(["dev", "production", "staging"]);
    });

    it.each(["dev", "staging", "production"])("%s is valid config", (stack) => {
        const { values, secretKeys } = readStackFile(stack);
        const asStrings = Object.fromEntries(
            Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        expect(() => parseConfig({ values: asStrings, secretKeys: new Set(secretKeys), stack })).not.toThrow();
    });

    it("production carries the original stack's performance settings", () => {
        const { values } = readStackFile("production");
        const c = parse(
            Object.fromEntries(
                Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
        );
        expect(c.scaling).toMatchObject({
            minTasks: 2,
            cpuTargetPercent: 60,
            memoryTargetPercent: 70,
            scaleOutCooldownSeconds: 60,
            requestScaleOutCooldownSeconds: 30,
            scaleInCooldownSeconds: 300,
        });
        expect([c.cdn.static.minTtl, c.cdn.static.defaultTtl, c.cdn.static.maxTtl]).toEqual([86400, 604800, 31536000]);
        expect([c.cdn.proofs.minTtl, c.cdn.proofs.defaultTtl, c.cdn.proofs.maxTtl]).toEqual([3600, 86400, 604800]);
        expect(c.database).toMatchObject({
            monitoringIntervalSeconds: 1,
            performanceInsightsEnabled: true,
            performanceInsightsRetentionDays: 7,
            multiAz: true,
            deletionProtection: true,
        });
    });

    it("contain no secrets, real account IDs or real ARNs in plain text", () => {
        for (const stack of stackNames()) {
            const text = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
            for (const account of text.match(/(?<![\w-])\d{12}(?![\w-])/g) ?? [])
                expect(account, `${stack}: account ${account}`).toBe("123456789012");
            expect(text).not.toMatch(/(password|secret|token|AKIA[0-9A-Z]{16})\s*:/i);
        }
    });
});

describe("capacity plan in the stack config", () => {
    /** Values as Pulumi hands them to the program: every one a string. */
    const asStrings = (values: Readonly<Record<string, unknown>>) =>
        Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

    it.each([
        // ceil(1000 × 1.2 × 60 / 1000) = 72 tasks, 72 × 1000 / 60 = 1200 req/s
        ["production", { minTasks: 2, maxTasks: 72, requestsPerTarget: 1000, peakRequestsPerSecond: 1000 }],
        // ceil(200 × 1.2 × 60 / 1000) = ceil(14.4) = 15 tasks
        ["staging", { minTasks: 2, maxTasks: 15, requestsPerTarget: 1000, peakRequestsPerSecond: 200 }],
        // explicit, no per-task rate: 3 × 1000 / 60 = 50 req/s >= 20 × 1.2
        ["dev", { minTasks: 1, maxTasks: 3, requestsPerTarget: 1000, peakRequestsPerSecond: 20 }],
    ])("%s lands concrete numbers in StackConfig.scaling", (stack, expected) => {
        const { values, secretKeys } = readStackFile(stack);
        const c = parseConfig({ values: asStrings(values), secretKeys: new Set(secretKeys), stack });
        expect(c.scaling).toMatchObject(expected);
    });

    it("production and staging ship the per-task planning assumption, labelled as one", () => {
        for (const stack of ["production", "staging"]) {
            const { values } = readStackFile(stack);
            expect(values["credlink:scaling.taskCapacityRps"]).toBe(23.81);
            expect(values["credlink:scaling.taskCapacitySource"]).toMatch(/^planning assumption: /);
            expect(values["credlink:scaling.maxTasks"]).toBeUndefined();
            expect(values["credlink:scaling.requestsPerTarget"]).toBeUndefined();
        }
    });

    it.each([
        [{ "credlink:scaling.maxTasks": 72 }, { maxTasks: 72, requestsPerTarget: 1000 }],
        [{ "credlink:scaling.maxTasks": 500 }, { maxTasks: 500, requestsPerTarget: 1000 }],
        // A lower request target needs more tasks: ceil(1200 × 60 / 900) = 80.
        [{ "credlink:scaling.requestsPerTarget": 900 }, { maxTasks: 80, requestsPerTarget: 900 }],
        // Its own peak and headroom: ceil(200 × 1.5 × 60 / 1000) = 18.
        [
            { "credlink:scaling.peakRequestsPerSecond": 200, "credlink:scaling.peakHeadroomPercent": 50 },
            { maxTasks: 18, requestsPerTarget: 1000 },
        ],
        // round(23.81 × 0.5 × 60) = round(714.3) = 714; ceil(72000 / 714) = ceil(100.84) = 101.
        [{ "credlink:scaling.targetUtilization": 0.5 }, { maxTasks: 101, requestsPerTarget: 714 }],
        // The floor: a tiny peak still keeps minTasks.
        [
            { "credlink:scaling.peakRequestsPerSecond": 1, "credlink:scaling.minTasks": 4 },
            { maxTasks: 4, requestsPerTarget: 1000 },
        ],
        // A stack pinned to one task for the capacity test, with a peak one task carries (16.7 >= 10 × 1.2).
        [
            {
                "credlink:scaling.minTasks": 1,
                "credlink:scaling.maxTasks": 1,
                "credlink:scaling.peakRequestsPerSecond": 10,
            },
            { minTasks: 1, maxTasks: 1, requestsPerTarget: 1000 },
        ],
        // Pulumi.yaml declares derived settings with default "": unset.
        [{ "credlink:scaling.maxTasks": "", "credlink:scaling.requestsPerTarget": "" }, { maxTasks: 72 }],
        // No per-task rate: both explicit, checked against the peak only (100 × 800 / 60 = 1333 req/s).
        [
            {
                "credlink:scaling.taskCapacityRps": undefined,
                "credlink:scaling.taskCapacitySource": undefined,
                "credlink:scaling.maxTasks": 100,
                "credlink:scaling.requestsPerTarget": 800,
            },
            { maxTasks: 100, requestsPerTarget: 800 },
        ],
    ])("derives or keeps %j", (override, expected) => {
        const values: Record<string, unknown> = { ...minimal, ...override };
        for (const [k, v] of Object.entries(override)) if (v === undefined) delete values[k];
        expect(parse(values).scaling).toMatchObject(expected);
    });

    it.each([
        [
            { "credlink:scaling.maxTasks": 20 },
            "credlink:scaling.maxTasks = 20 carries 333 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it",
        ],
        [
            { "credlink:scaling.maxTasks": 71 },
            "credlink:scaling.maxTasks = 71 carries 1183 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it",
        ],
        [
            { "credlink:scaling.maxTasks": 20, "credlink:scaling.peakHeadroomPercent": 0 },
            "credlink:scaling.maxTasks = 20 carries 333 req/s at the scaling target, below the planned peak of " +
                "1000 req/s (1000 × 1); set it to 60 or more, or leave it unset to derive it",
        ],
        [
            { "credlink:scaling.requestsPerTarget": 1001 },
            "credlink:scaling.requestsPerTarget = 1001 is more than one task sustains at the scaling target " +
                "(23.81 req/s × 0.7 × 60 = 1000 requests per target per minute); set it to 1000 or less, or " +
                "leave it unset to derive it",
        ],
        [
            { "credlink:scaling.taskCapacitySource": undefined },
            "credlink:scaling.taskCapacitySource is required with credlink:scaling.taskCapacityRps (23.81): say " +
                'where that figure came from, a measurement\'s date and report path or "planning assumption: ..."',
        ],
        [
            { "credlink:scaling.taskCapacityRps": undefined, "credlink:scaling.taskCapacitySource": undefined },
            "credlink:scaling.taskCapacityRps is required to derive credlink:scaling.maxTasks and " +
                "credlink:scaling.requestsPerTarget: set it to the requests per second one task sustains within " +
                "the SLO (and credlink:scaling.taskCapacitySource to where that figure came from; see npm run " +
                "capacity:plan), or set both explicitly",
        ],
        [
            {
                "credlink:scaling.taskCapacityRps": undefined,
                "credlink:scaling.taskCapacitySource": undefined,
                "credlink:scaling.maxTasks": 10,
                "credlink:scaling.requestsPerTarget": 1000,
            },
            "credlink:scaling.maxTasks = 10 carries 166 req/s at the scaling target, below the planned peak of " +
                "1200 req/s (1000 × 1.2); set it to 72 or more (at 1000 requests per target per minute)",
        ],
        [
            { "credlink:scaling.taskCapacityRps": 0 },
            "credlink:scaling.taskCapacityRps = 0 must be a number of requests per second greater than 0 and at " +
                "most 100000",
        ],
        [
            { "credlink:scaling.taskCapacityRps": "fast" },
            'credlink:scaling.taskCapacityRps = "fast" must be a number of requests per second',
        ],
        [
            { "credlink:scaling.taskCapacityRps": 0.01 },
            "credlink:scaling.taskCapacityRps = 0.01 is too low to plan from: 0.01 req/s × 0.7 × 60 = 0 requests " +
                "per target per minute at 0.7 target utilisation, and ALBRequestCountPerTarget needs at least 1",
        ],
        [
            { "credlink:scaling.taskCapacityRps": 0.2 },
            "credlink:scaling.maxTasks would be 9000 to carry the planned peak of 1200 req/s (1000 × 1.2) at 8 " +
                "requests per target per minute, above the 5000-task limit of an ECS service; raise the per-task " +
                "rate (credlink:scaling.taskCapacityRps) with a measurement or lower " +
                "credlink:scaling.peakRequestsPerSecond",
        ],
        [
            { "credlink:scaling.targetUtilization": 1.5 },
            "credlink:scaling.targetUtilization = 1.5 must be between 0.1 and 1",
        ],
        [
            { "credlink:scaling.peakHeadroomPercent": -1 },
            "credlink:scaling.peakHeadroomPercent = -1 must be between 0 and 1000 %",
        ],
        [
            { "credlink:scaling.peakRequestsPerSecond": 0 },
            "credlink:scaling.peakRequestsPerSecond = 0 must be between 1 and 1000000",
        ],
    ])("checks %j against the plan in one line", (override, line) => {
        const values: Record<string, unknown> = { ...minimal, ...override };
        for (const [k, v] of Object.entries(override)) if (v === undefined) delete values[k];
        expect(problems(values)).toEqual([line]);
    });
});
