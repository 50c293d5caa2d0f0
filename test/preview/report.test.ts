/**
 * The preview's renderers and report writers, fed PolicyEvaluation values
 * shaped like the pack's answers. (What the pack decides is tested end to end
 * in cli.test.ts; here only how the preview presents it.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, readPolicyConfig, resolveStacks } from "../../tools/preview/inputs";
import { renderPlanSummary, renderResourceTree, summarizePlan } from "../../tools/preview/plan";
import { planPreview } from "../../tools/preview/inputs";
import {
    buildJsonReport,
    parseUrn,
    renderPolicyReport,
    renderStackPreview,
    renderSummary,
} from "../../tools/preview/report";
import { buildSarif, FINGERPRINT_KEY, lineForMessage, SARIF_TOOL_NAME } from "../../tools/preview/sarif";
import type { PolicyPackMetadata, PolicyViolation, StackPreview } from "../../tools/preview/types";
import { type RegisteredResource } from "../../tools/harness/run";
import { REPO_ROOT } from "../../tools/stack-file";
import { sarifSchemaErrors } from "./sarif-schema";

const STACK_URN = "urn:pulumi:production::credlink::pulumi:pulumi:Stack::credlink-production";
const SVC_URN = "urn:pulumi:production::credlink::credlink:compute:ScalingService::api";
const TARGET_URN =
    "urn:pulumi:production::credlink::credlink:compute:ScalingService$aws:appautoscaling/target:Target::api-target";
const ALARM_URN =
    "urn:pulumi:production::credlink::credlink:compute:ScalingService" +
    "$aws:cloudwatch/metricAlarm:MetricAlarm::api-latency";

function resource(urn: string, parent?: string): RegisteredResource {
    const { type, name } = parseUrn(urn)!;
    return {
        urn,
        id: "",
        type,
        name,
        custom: type.startsWith("aws:"),
        inputs: {},
        outputs: {},
        parent,
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        deleteBeforeReplace: false,
        additionalSecretOutputs: [],
    };
}

const resources = [
    resource(STACK_URN),
    resource(SVC_URN, STACK_URN),
    resource(TARGET_URN, SVC_URN),
    resource(ALARM_URN, SVC_URN),
];

const pack: PolicyPackMetadata = {
    name: "credlink-policies",
    version: "0.1.0",
    policies: [
        {
            name: "scaling-range",
            description: "ECS scalable targets stay within 2..20 tasks.",
            enforcementLevel: "mandatory",
            severity: "high",
            remediationSteps: "Set scaling.minTasks/maxTasks within 2..20.",
            tags: ["performance"],
        },
        {
            name: "alarm-threshold",
            displayName: "Alarm thresholds",
            description: "Latency alarms fire at or below the SLO.",
            enforcementLevel: "mandatory",
            severity: "medium",
            url: "https://example.com/policies#alarm-threshold",
        },
        {
            name: "capacity-at-target",
            description: "Capacity at target covers peak throughput.",
            enforcementLevel: "advisory",
            severity: "low",
        },
    ],
};

const violation = (
    policyName: string,
    urn: string | undefined,
    message: string,
    enforcementLevel: PolicyViolation["enforcementLevel"] = "mandatory",
): PolicyViolation => ({
    policyName,
    policyPackName: pack.name,
    policyPackVersion: pack.version,
    enforcementLevel,
    message,
    ...(urn ? { urn } : {}),
});

const failing: StackPreview = {
    stack: "production",
    stackFile: "test/preview/fixtures/Pulumi.seeded.yaml",
    policyConfigFile: "policies/config/production.json",
    resources,
    warnings: [],
    evaluation: {
        pack,
        violations: [
            violation(
                "capacity-at-target",
                undefined,
                "capacity at target is 900 requests/s, below the SLO's 1000",
                "advisory",
            ),
            violation("scaling-range", TARGET_URN, "maxCapacity = 40 is above 20; set credlink:scaling.maxTasks <= 20"),
            violation(
                "alarm-threshold",
                ALARM_URN,
                "threshold = 2 s is above 0.5 s; set credlink:alarms.latencyP95ThresholdMs <= 500",
            ),
            violation("scaling-range", TARGET_URN, "minCapacity = 1 is below 2; set credlink:scaling.minTasks >= 2"),
        ],
    },
};
const passing: StackPreview = {
    ...failing,
    stack: "staging",
    stackFile: "Pulumi.staging.yaml",
    policyConfigFile: "policies/config/staging.json",
    evaluation: { pack, violations: [] },
};
const broken: StackPreview = {
    stack: "dev",
    stackFile: "Pulumi.dev.yaml",
    policyConfigFile: "policies/config/dev.json",
    resources: [],
    warnings: [],
    error:
        "Invalid configuration for stack dev (Pulumi.dev.yaml):\ncredlink:scaling.minTasks = 25 " +
        "must be <= credlink:scaling.maxTasks (3)",
};

describe("plan", () => {
    it("counts resources by type, largest first, and all of them as creates", () => {
        const plan = summarizePlan([...resources, resource(`${ALARM_URN}-2`, SVC_URN)]);
        expect(plan.create).toBe(5);
        expect(plan.byType[0]).toEqual({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", count: 2 });
        expect(renderPlanSummary(plan)).toBe(
            [
                "Resources by type:",
                "    + 2  aws:cloudwatch/metricAlarm:MetricAlarm",
                "    + 1  aws:appautoscaling/target:Target",
                "    + 1  credlink:compute:ScalingService",
                "    + 1  pulumi:pulumi:Stack",
                "Resources:",
                "    + 5 to create",
            ].join("\n"),
        );
    });

    it("draws the resource tree by parent like pulumi preview", () => {
        expect(renderResourceTree(resources).split("\n")).toEqual([
            "    Type                                          Name                 Plan",
            "+   pulumi:pulumi:Stack                           credlink-production  create",
            "+   └─ credlink:compute:ScalingService            api                  create",
            "+      ├─ aws:appautoscaling/target:Target        api-target           create",
            "+      └─ aws:cloudwatch/metricAlarm:MetricAlarm  api-latency          create",
        ]);
    });
});

describe("policy report", () => {
    it("groups violations by level, mandatory first, naming resource, URN, policy and message", () => {
        expect(renderPolicyReport(failing)).toBe(
            [
                "Policies: credlink-policies@0.1.0 with policies/config/production.json",
                "    mandatory (3 violations):",
                "        - [mandatory] alarm-threshold: api-latency (aws:cloudwatch/metricAlarm:MetricAlarm)",
                `          ${ALARM_URN}`,
                "          threshold = 2 s is above 0.5 s; set credlink:alarms.latencyP95ThresholdMs <= 500",
                "        - [mandatory] scaling-range: api-target (aws:appautoscaling/target:Target)",
                `          ${TARGET_URN}`,
                "          maxCapacity = 40 is above 20; set credlink:scaling.maxTasks <= 20",
                "        - [mandatory] scaling-range: api-target (aws:appautoscaling/target:Target)",
                `          ${TARGET_URN}`,
                "          minCapacity = 1 is below 2; set credlink:scaling.minTasks >= 2",
                "    advisory (1 violation):",
                "        - [advisory] capacity-at-target: stack production",
                "          capacity at target is 900 requests/s, below the SLO's 1000",
            ].join("\n"),
        );
        expect(renderPolicyReport(passing)).toBe(
            "Policies: credlink-policies@0.1.0 with policies/config/staging.json\n    no violations",
        );
    });

    it("summarises each stack's verdict", () => {
        expect(renderSummary([failing, passing, broken])).toBe(
            [
                "Summary:",
                "    production: FAILED, 3 mandatory violations (and 1 advisory)",
                "    staging: passed",
                "    dev: ERROR, Invalid configuration for stack dev (Pulumi.dev.yaml):",
            ].join("\n"),
        );
        expect(renderStackPreview(broken)).toBe(
            "Previewing stack dev (Pulumi.dev.yaml) under mocks, policy config policies/config/dev.json",
        );
    });

    it("reads type and name from a URN whose resource was not registered", () => {
        expect(parseUrn(TARGET_URN)).toEqual({ type: "aws:appautoscaling/target:Target", name: "api-target" });
        expect(parseUrn("not-a-urn")).toBeUndefined();
    });
});

describe("JSON report", () => {
    it("has the stacks, plan counts, diagnostics and summary", () => {
        const report = buildJsonReport([failing, passing, broken]);
        expect(report.stacks.map((s) => [s.stack, s.status])).toEqual([
            ["production", "failed"],
            ["staging", "passed"],
            ["dev", "error"],
        ]);
        expect(report.stacks[0].plan).toEqual({
            create: 4,
            byType: {
                "aws:appautoscaling/target:Target": 1,
                "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
                "credlink:compute:ScalingService": 1,
                "pulumi:pulumi:Stack": 1,
            },
        });
        expect(report.stacks[0].diagnostics[0]).toEqual({
            stack: "production",
            policyPack: "credlink-policies",
            policyPackVersion: "0.1.0",
            policyName: "alarm-threshold",
            enforcementLevel: "mandatory",
            urn: ALARM_URN,
            resourceType: "aws:cloudwatch/metricAlarm:MetricAlarm",
            resourceName: "api-latency",
            message: "threshold = 2 s is above 0.5 s; set credlink:alarms.latencyP95ThresholdMs <= 500",
        });
        expect(report.stacks[0].summary).toEqual({ mandatory: 3, remediate: 0, advisory: 1, disabled: 0 });
        expect(report.stacks[2].error).toBe(broken.error);
        expect(report.policyPacks).toEqual([pack]);
        expect(report.summary).toEqual({
            stacks: 3,
            passed: 1,
            failed: 1,
            errors: 1,
            resources: 8,
            violations: { mandatory: 3, remediate: 0, advisory: 1, disabled: 0 },
        });
    });
});

describe("SARIF", () => {
    const log = buildSarif([failing, passing, broken]);
    const run = log.runs[0];

    it("validates against the SARIF 2.1.0 schema", () => {
        expect(sarifSchemaErrors(log)).toEqual([]);
        // The validator is real: a log without a version is rejected.
        expect(sarifSchemaErrors({ ...log, version: undefined })).toContain("/ must have required property 'version'");
        const badLevel = structuredClone(log);
        (badLevel.runs[0].results![0] as { level: string }).level = "fatal";
        expect(sarifSchemaErrors(badLevel)).toContain(
            "/runs/0/results/0/level must be equal to one of the allowed values",
        );
    });

    it("declares the pack's policies as rules with description, help and severity", () => {
        expect(run.tool.driver.name).toBe(SARIF_TOOL_NAME);
        expect(run.tool.driver.version).toBe("0.1.0");
        expect(run.tool.driver.rules?.map((r) => r.id)).toEqual([
            "alarm-threshold",
            "capacity-at-target",
            "scaling-range",
        ]);
        expect(run.tool.driver.rules?.[2]).toEqual({
            id: "scaling-range",
            name: "scaling-range",
            shortDescription: { text: "ECS scalable targets stay within 2..20 tasks." },
            fullDescription: { text: "ECS scalable targets stay within 2..20 tasks." },
            help: {
                text: "Set scaling.minTasks/maxTasks within 2..20.",
                markdown: "Set scaling.minTasks/maxTasks within 2..20.",
            },
            defaultConfiguration: { level: "error" },
            properties: {
                tags: ["performance", "pulumi-policy"],
                severity: "high",
                "problem.severity": "error",
                precision: "very-high",
            },
        });
        expect(run.tool.driver.rules?.[0]).toMatchObject({
            shortDescription: { text: "Alarm thresholds" },
            helpUri: "https://example.com/policies#alarm-threshold",
        });
        expect(run.tool.driver.rules?.[1].defaultConfiguration).toEqual({ level: "warning" });
    });

    it(
        "has one result per violation, at the stack file line the message names, with the URN as " + "logical location",
        () => {
            expect(run.results).toHaveLength(4);
            const [alarm, , minTasks, advisory] = run.results!;
            expect(alarm).toMatchObject({
                ruleId: "alarm-threshold",
                ruleIndex: 0,
                level: "error",
                message: {
                    text:
                        "[production] api-latency (aws:cloudwatch/metricAlarm:MetricAlarm): threshold " +
                        "= 2 s is above 0.5 s; set credlink:alarms.latencyP95ThresholdMs <= 500",
                },
                locations: [
                    { logicalLocations: [{ fullyQualifiedName: ALARM_URN, name: "api-latency", kind: "resource" }] },
                ],
            });
            const seeded = fs.readFileSync(path.join(REPO_ROOT, failing.stackFile), "utf8").split("\n");
            const line = (r: typeof alarm) => seeded[r.locations![0].physicalLocation!.region!.startLine! - 1];
            expect(alarm.locations![0].physicalLocation!.artifactLocation!.uri).toBe(
                "test/preview/fixtures/Pulumi.seeded.yaml",
            );
            expect(line(alarm)).toMatch(/^\s+credlink:alarms\.latencyP95ThresholdMs: 2000$/);
            expect(line(minTasks)).toMatch(/^\s+credlink:scaling\.minTasks: 1$/);
            // A stack policy's violation sits on the stack resource and the `config:` line.
            expect(advisory).toMatchObject({
                ruleId: "capacity-at-target",
                level: "warning",
                locations: [{ logicalLocations: [{ fullyQualifiedName: STACK_URN }] }],
            });
            expect(line(advisory)).toBe("config:");
        },
    );

    it("fingerprints results stably and distinctly", () => {
        const fps = run.results!.map((r) => r.partialFingerprints![FINGERPRINT_KEY]);
        expect(new Set(fps).size).toBe(4);
        expect(
            buildSarif([failing, passing, broken]).runs[0].results!.map((r) => r.partialFingerprints![FINGERPRINT_KEY]),
        ).toEqual(fps);
        // Reordering the pack's answers does not move fingerprints between results.
        const reversed = buildSarif([
            { ...failing, evaluation: { pack, violations: [...failing.evaluation!.violations].reverse() } },
        ]).runs[0].results!;
        expect(reversed.map((r) => r.partialFingerprints![FINGERPRINT_KEY])).toEqual(fps);
    });

    it("reports a stack whose program failed as a tool execution error", () => {
        expect(run.invocations).toEqual([
            {
                executionSuccessful: false,
                toolExecutionNotifications: [
                    {
                        level: "error",
                        message: { text: `stack dev: ${broken.error}` },
                        locations: [
                            {
                                physicalLocation: {
                                    artifactLocation: { uri: "Pulumi.dev.yaml" },
                                    region: {
                                        startLine: lineForMessage(
                                            fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"),
                                            broken.error!,
                                        ),
                                    },
                                },
                            },
                        ],
                    },
                ],
            },
        ]);
        expect(
            lineForMessage("config:\n  credlink:scaling.minTasks: 25\n  credlink:scaling.maxTasks: 3\n", broken.error!),
        ).toBe(2);
    });
});

describe("inputs", () => {
    it("lists the stacks that exist for an unknown stack", () => {
        expect(() => resolveStacks("prod", REPO_ROOT)).toThrow(
            new InputError('unknown stack "prod"; the stacks in . are: dev, production, staging (or "all")'),
        );
        expect(resolveStacks("all", REPO_ROOT)).toEqual(["dev", "production", "staging"]);
    });

    it("reports a stack file that is not YAML in one line, naming the stack", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  aws:region: [us-east-1\n");
        expect(() =>
            planPreview({
                stack: "bad",
                stackDir: dir,
                policyConfigFile: path.join(REPO_ROOT, "policies/config/production.json"),
            }),
        ).toThrow(
            new InputError(
                `stack bad: Pulumi.bad.yaml is not valid YAML: Flow sequence in block collection ` +
                    `must be sufficiently indented and end with a ] at line 3, column 1`,
            ),
        );
    });

    it("reports a malformed policy config in one line", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        const file = path.join(dir, "bad.json");
        fs.writeFileSync(file, '{\n  "scaling-range": {\n    "enforcementLevel": "advisory",\n  }\n}\n');
        expect(() => readPolicyConfig(file)).toThrow(
            new InputError(
                `policy config ${file} is not valid JSON at line 4 column 3: Expected double-quoted property name`,
            ),
        );
        fs.writeFileSync(file, '{\n  "scaling-range": mandatory\n}\n');
        expect(() => readPolicyConfig(file)).toThrow(
            /^policy config \S+ is not valid JSON: Unexpected token 'm'[^\n]*$/,
        );
        fs.writeFileSync(file, '["scaling-range"]');
        expect(() => readPolicyConfig(file)).toThrow(
            new InputError(`policy config ${file} must be a JSON object keyed by policy name, got an array`),
        );
        expect(() => readPolicyConfig(path.join(dir, "missing.json"))).toThrow(
            new InputError(
                `policy config ${path.join(dir, "missing.json")} does not exist; pass --policy-config <file>`,
            ),
        );
    });
});
