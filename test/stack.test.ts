import { beforeAll, describe, expect, it } from "vitest";
import { isUnknown, runStack, type StackRun } from "../tools/harness/run";
import { readStackFile, stackNames } from "../tools/stack-file";
import { type AwsTypeScan, scanAwsTypes } from "../tools/taggable-types";

/*
 * Which types take tags, read from @pulumi/aws's declarations rather than from the committed
 * list lib/tags.ts uses (test/tags.test.ts holds the two equal). Scanned once for the file.
 */
let aws: AwsTypeScan;
let taggable: ReadonlySet<string>;
beforeAll(() => {
    aws = scanAwsTypes();
    taggable = new Set(aws.taggableTypes);
});

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
        const standard = { environment: stack, service: "credlink", "managed-by": "pulumi" };
        const resources = r.resources.filter((x) => x.custom && x.type.startsWith("aws:"));
        // A type the scan does not know would silently count as untaggable.
        for (const res of resources) expect(aws.resourceTypes, `${res.type} ${res.name}`).toContain(res.type);
        const tagged = resources.filter((x) => taggable.has(x.type));
        expect(tagged.length).toBeGreaterThan(0);
        for (const res of tagged) expect(res.inputs.tags, `${res.type} ${res.name}`).toMatchObject(standard);
        // Resources that cannot carry tags are left alone (AWS would reject the input).
        for (const res of resources.filter((x) => !taggable.has(x.type))) {
            expect(res.inputs.tags, `${res.type} ${res.name}`).toBeUndefined();
        }
        // The awsx VPC (a remote component) gets them through its own argument.
        expect(r.ofType("awsx:ec2:Vpc")[0].inputs.tags).toMatchObject(standard);
    });

    it("parents every resource to a component or the stack (the engine's default providers have none)", async () => {
        const r = await run(stack, false);
        const isRoot = (type: string) => type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
        for (const res of r.resources.filter((x) => !isRoot(x.type))) {
            expect(res.parent, `${res.type} ${res.name}`).toBeTruthy();
        }
        expect(
            r.resources
                .filter((x) => x.type.startsWith("pulumi:providers:"))
                .map((x) => x.name)
                .sort(),
        ).toEqual(["default_4_21_2", "default_7_48_0"]);
    });
});

it("takes the environment from the stack name, not from code", async () => {
    const r = await run("dev", false);
    const tags = r.get("aws:sns/topic:Topic", "alerts").inputs.tags;
    expect(tags).toMatchObject({ environment: "dev", team: "credlink-platform" });
});
