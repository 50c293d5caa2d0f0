/**
 * The list of taggable @pulumi/aws types (lib/aws-taggable-types.json) against the installed
 * package, and the stack transformation that uses it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { beforeAll, describe, expect, it } from "vitest";
import { registerTagging, standardTags } from "../lib/tags";
import { runProgram } from "../tools/harness/run";
import { REPO_ROOT } from "../tools/stack-file";
import {
    type AwsTypeScan,
    renderTaggableTypes,
    scanAwsTypes,
    staleness,
    TAGGABLE_TYPES_FILE,
    type TaggableTypesFile,
} from "../tools/taggable-types";
import { tsScript } from "./ts-script";

// The scan reads every declaration file of @pulumi/aws (a few hundred ms): once per file.
let scan: AwsTypeScan;
beforeAll(() => {
    scan = scanAwsTypes();
});

describe("lib/aws-taggable-types.json", () => {
    it("is what the installed @pulumi/aws declares (run `npm run taggable:sync` after upgrading it)", () => {
        const text = fs.readFileSync(TAGGABLE_TYPES_FILE, "utf8");
        const committed = JSON.parse(text) as TaggableTypesFile;
        expect(committed.types).toEqual(scan.taggableTypes);
        expect(committed.from).toBe(`@pulumi/aws ${scan.version}`);
        expect(staleness(text, scan)).toBeUndefined();
    });

    it("npm run taggable:sync -- --check passes on the committed list and rejects an unknown flag in one line", () => {
        const script = path.join(REPO_ROOT, "scripts", "generate-taggable-types.ts");
        const check = spawnSync(...tsScript(script, "--check"), { cwd: REPO_ROOT, encoding: "utf8" });
        expect([check.status, check.stderr, check.stdout]).toEqual([0, "", ""]);
        const typo = spawnSync(...tsScript(script, "--chek"), { cwd: REPO_ROOT, encoding: "utf8" });
        const usage = 'unknown argument "--chek": usage: npm run taggable:sync [-- --check]\n';
        expect([typo.status, typo.stderr]).toEqual([2, usage]);
    });
});

describe("scanAwsTypes", () => {
    it("takes each token from the class's __pulumiType, which file names do not always spell", () => {
        expect(scan.taggableTypes).toContain("aws:glue/mLTransform:MLTransform"); // glue/mltransform.d.ts
        expect(scan.taggableTypes).toContain("aws:kendra/index:Index"); // kendra/index_.d.ts
        expect(scan.resourceTypes).not.toContain("aws:glue/mltransform:MLTransform");
        expect(scan.taggableTypes).toContain("aws:sns/topic:Topic");
        expect(scan.taggableTypes).toContain("aws:ec2/vpc:Vpc");
        expect(scan.taggableTypes).toContain("aws:lb/loadBalancer:LoadBalancer");
    });

    it("counts only resources, and only a `tags` map of strings", () => {
        expect(scan.resourceTypes.length).toBeGreaterThan(1500);
        expect(scan.resourceTypes).not.toContain("aws:index/getRegion:getRegion");
        for (const type of scan.taggableTypes) expect(scan.resourceTypes).toContain(type);
        // Resources without tags.
        for (const type of ["aws:s3/bucketPolicy:BucketPolicy", "aws:cloudfront/cachePolicy:CachePolicy"]) {
            expect(scan.resourceTypes).toContain(type);
            expect(scan.taggableTypes).not.toContain(type);
        }
        // `tags` that is a list of {key, value, propagateAtLaunch}, a required selector, or a structure.
        const otherTags = [
            "aws:autoscaling/group:Group",
            "aws:inspector/resourceGroup:ResourceGroup",
            "aws:devopsguru/resourceCollection:ResourceCollection",
        ];
        for (const type of otherTags) {
            expect(scan.resourceTypes).toContain(type);
            expect(scan.taggableTypes).not.toContain(type);
        }
    });

    it("lists each type once, sorted", () => {
        expect(new Set(scan.resourceTypes).size).toBe(scan.resourceTypes.length);
        expect([...scan.taggableTypes].sort()).toEqual(scan.taggableTypes);
        for (const type of scan.resourceTypes) expect(type).toMatch(/^aws:\w+\/\w+:\w+$/);
    });
});

describe("staleness", () => {
    const file = "lib/aws-taggable-types.json";
    const fix = "run `npm run taggable:sync`";
    const edited = (edit: (f: TaggableTypesFile) => TaggableTypesFile) =>
        JSON.stringify(edit(JSON.parse(renderTaggableTypes(scan)) as TaggableTypesFile), null, 2);

    it("names the package version and how many types were added and removed", () => {
        const dropped = new Set(["aws:sns/topic:Topic", "aws:ec2/vpc:Vpc"]);
        const old = edited((f) => ({
            ...f,
            from: "@pulumi/aws 7.0.0",
            types: [...f.types.filter((t) => !dropped.has(t)), "aws:gone/old:Old"],
        }));
        expect(staleness(old, scan)).toBe(
            `${file} (from @pulumi/aws 7.0.0) is out of date with the installed @pulumi/aws ${scan.version} ` +
                `(2 taggable types added, 1 removed): ${fix}`,
        );
    });

    it("reports a missing or unreadable file in one line", () => {
        expect(staleness(undefined, scan)).toBe(`${file} is missing: ${fix}`);
        expect(staleness("{ not json", scan)).toBe(`${file} is not valid JSON: ${fix}`);
        // The same list written differently (here without the final newline) is not the generated file.
        expect(
            staleness(
                edited((f) => f),
                scan,
            ),
        ).toBe(`${file} differs from the generated file: ${fix}`);
    });
});

describe("registerTagging", () => {
    it("adds the standard tags to taggable resources only, keeping a resource's own tags", async () => {
        const run = await runProgram(() => {
            registerTagging(standardTags("test", { team: "platform" }));
            new aws.sns.Topic("topic", { tags: { team: "payments", purpose: "alerts" } });
            new aws.s3.BucketPolicy("policy", { bucket: "b", policy: "{}" });
            new aws.autoscaling.Group("group", {
                maxSize: 1,
                minSize: 1,
                tags: [{ key: "role", value: "worker", propagateAtLaunch: true }],
            });
        });
        expect(run.get("aws:sns/topic:Topic", "topic").inputs.tags).toEqual({
            environment: "test",
            service: "credlink",
            "managed-by": "pulumi",
            team: "payments",
            purpose: "alerts",
        });
        expect(run.get("aws:s3/bucketPolicy:BucketPolicy", "policy").inputs.tags).toBeUndefined();
        // A map merged into this list would make the Auto Scaling group invalid.
        expect(run.get("aws:autoscaling/group:Group", "group").inputs.tags).toEqual([
            { key: "role", value: "worker", propagateAtLaunch: true },
        ]);
    });
});
