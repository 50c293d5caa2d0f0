/**
 * The harness runs the program as the Node.js language host does and records
 * what the engine would hand a policy pack (URNs, checked inputs, providers,
 * component outputs). Each test edits a copy of the real program.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { copyProgram, type SourceEdit } from "../tools/harness/program-copy";
import { runStack, UNKNOWN } from "../tools/harness/run";

// Other files (the red-team corpus) write their copies next to these at the same time: remove only ours.
const copies: string[] = [];
const copy = (label: string, edits: readonly SourceEdit[]): string => {
    const dir = copyProgram(`harness-${label}`, edits);
    copies.push(dir);
    return dir;
};
afterAll(() => {
    for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

const STACK_URN = "urn:pulumi:production::credlink::pulumi:pulumi:Stack::credlink-production";
const MODULE_SCOPE_TOPIC = {
    file: "index.ts",
    find: "type Outputs =",
    replace: 'new aws.sns.Topic("stray-alerts", {});\n\ntype Outputs =',
};

describe("the program runs as the language host runs it", () => {
    it("registers resources declared at module scope, as children of the stack", async () => {
        const run = await runStack("production", {
            preview: true,
            programDir: copy("module-scope", [MODULE_SCOPE_TOPIC]),
        });
        const stray = run.get("aws:sns/topic:Topic", "stray-alerts");
        expect(stray.urn).toBe("urn:pulumi:production::credlink::aws:sns/topic:Topic::stray-alerts");
        expect(stray.parent).toBe(STACK_URN);
        // The rest of the program still ran.
        expect(run.ofType("aws:ecs/service:Service")).toHaveLength(1);
    });

    it("evaluates the program afresh on every run, as every `pulumi` command is a new process", async () => {
        const dir = copy("module-scope-twice", [MODULE_SCOPE_TOPIC]);
        await runStack("production", { preview: true, programDir: dir });
        const second = await runStack("production", { preview: true, programDir: dir });
        expect(second.ofType("aws:sns/topic:Topic").map((t) => t.name)).toContain("stray-alerts");
    });

    it("does not call a CommonJS `export default` function, so its resources never exist", async () => {
        const dir = copy("export-default", [
            {
                file: "index.ts",
                find: "export = function main()",
                replace: "export default function main()",
            },
        ]);
        const run = await runStack("production", { preview: true, programDir: dir });
        expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    });
});

describe("what the engine hands a policy pack", () => {
    it("names resources with the engine's URNs: the parent type chain without the stack", async () => {
        const run = await runStack("production", { preview: true });
        expect(run.get("credlink:cdn:CdnDistribution", "cdn").urn).toBe(
            "urn:pulumi:production::credlink::credlink:cdn:CdnDistribution::cdn",
        );
        const logBucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name.startsWith("cdn-logs"));
        expect(logBucket?.urn).toBe(
            "urn:pulumi:production::credlink::credlink:cdn:CdnDistribution$credlink:storage:PrivateBucket$" +
                `aws:s3/bucket:Bucket::${logBucket?.name}`,
        );
        // References use the same URNs.
        const urns = new Set(run.resources.map((r) => r.urn));
        for (const r of run.resources) {
            for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()])
                expect(urns).toContain(d);
            if (r.parent) expect(urns).toContain(r.parent);
        }
    });

    it("fills in auto-names at preview, as the provider's Check does", async () => {
        const run = await runStack("production", { preview: true });
        const topic = run.get("aws:sns/topic:Topic", "alerts");
        expect(topic.inputs.name).toMatch(/^alerts-[0-9a-f]{7}$/);
        expect(topic.outputs.name).toBe(topic.inputs.name);
        expect(topic.outputs.arn).toBe(UNKNOWN);
    });

    it("gives each custom resource its package's default provider, registered as a resource", async () => {
        const run = await runStack("production", { preview: true });
        const service = run.get("aws:ecs/service:Service", "api");
        expect(service.provider).toEqual({
            urn: "urn:pulumi:production::credlink::pulumi:providers:aws::default_7_48_0",
            type: "pulumi:providers:aws",
            name: "default_7_48_0",
            properties: { version: "7.48.0", region: "us-east-1" },
        });
        expect(run.get("pulumi:providers:aws", "default_7_48_0").inputs).toEqual(service.provider?.properties);
        // Components and the stack have none.
        expect(run.get("credlink:compute:ScalingService", "api").provider).toBeUndefined();
    });

    it("records a component's registered outputs", async () => {
        const run = await runStack("production", { preview: false });
        const api = run.get("credlink:compute:ScalingService", "api");
        expect(api.outputs.serviceName).toBe(run.get("aws:ecs/service:Service", "api").outputs.name);
    });
});
