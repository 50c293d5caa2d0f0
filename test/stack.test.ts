import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isUnknown, runStack, type StackRun } from "../tools/harness/run";
import { readStackFile, REPO_ROOT, stackNames } from "../tools/stack-file";

/**
 * Whether @pulumi/aws declares a `tags` input for a resource type, read from the SDK's
 * type declarations (independent of how lib/tags.ts decides at run time).
 */
function declaresTags(type: string): boolean {
    const m = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(type);
    if (!m) return false;
    const [, mod, file, cls] = m;
    const dts = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws", mod === "index" ? "" : mod, `${file}.d.ts`);
    const text = fs.readFileSync(dts, "utf8");
    const start = text.indexOf(`export interface ${cls}Args {`);
    if (start < 0) throw new Error(`no ${cls}Args in ${dts}`);
    const body = text.slice(start, text.indexOf("\n}", start));
    return /^\s+tags\?:/m.test(body);
}

const runs = new Map<string, StackRun>();
async function run(stack: string, preview: boolean): Promise<StackRun> {
    const key = `${stack}:${preview}`;
    if (!runs.has(key)) runs.set(key, await runStack(stack, { preview }));
    return runs.get(key)!;
}

describe.each(stackNames())("stack %s", (stack) => {
    it.each([false, true])("runs under mocks (preview=%s) and registers the stack's resources", async (preview) => {
        const r = await run(stack, preview);
        expect(r.ofType("pulumi:pulumi:Stack")).toHaveLength(1);
        expect(r.ofType("aws:sns/topic:Topic").length).toBeGreaterThanOrEqual(1);
        expect(r.ofType("awsx:ec2:Vpc")).toHaveLength(1);
        expect(r.outputs.region).toBe(readStackFile(stack).values["aws:region"]);
        // In preview, provider-computed values are unknown, exactly as in `pulumi preview` of a new stack.
        expect(isUnknown(r.outputs.alertsTopicArn)).toBe(preview);
    });

    it("tags every taggable AWS resource with environment, service and managed-by", async () => {
        const r = await run(stack, false);
        const aws = r.resources.filter((x) => x.custom && x.type.startsWith("aws:"));
        const taggable = aws.filter((x) => declaresTags(x.type));
        expect(taggable.length).toBeGreaterThan(0);
        for (const res of taggable) {
            expect(res.inputs.tags, `${res.type} ${res.name}`).toMatchObject({ environment: stack, service: "credlink", "managed-by": "pulumi" });
        }
        // Resources that cannot carry tags are left alone (AWS would reject the input).
        for (const res of aws.filter((x) => !declaresTags(x.type))) expect(res.inputs.tags, `${res.type} ${res.name}`).toBeUndefined();
        // The awsx VPC (a remote component) gets them through its own argument.
        expect(r.ofType("awsx:ec2:Vpc")[0].inputs.tags).toMatchObject({ environment: stack, service: "credlink", "managed-by": "pulumi" });
    });

    it("parents every resource to a component or the stack", async () => {
        const r = await run(stack, false);
        for (const res of r.resources.filter((x) => x.type !== "pulumi:pulumi:Stack")) expect(res.parent, `${res.type} ${res.name}`).toBeTruthy();
    });
});

it("takes the environment from the stack name, not from code", async () => {
    const r = await run("dev", false);
    expect(r.get("aws:sns/topic:Topic", "alerts").inputs.tags).toMatchObject({ environment: "dev", team: "credlink-platform" });
});
