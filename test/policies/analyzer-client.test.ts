/**
 * The client runs a pack the way the Pulumi CLI's `pulumi-analyzer-policy`
 * plugin does, and never leaves a process behind: bad installs, packs that
 * crash, never serve or never answer all end in one clear error.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    analyzeResources,
    DEFAULT_PACK_DIR,
    PolicyPackError,
    runningPolicyPacks,
    startPolicyPack,
} from "../../tools/analyzer";
import { parsePort } from "../../tools/analyzer/client";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-client-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A JavaScript pack (no type-check at start) using the real pack's installed SDK. */
function jsPack(name: string, index: string, withModules = true): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "index.js"), index);
    if (withModules) fs.symlinkSync(path.join(DEFAULT_PACK_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

const probe = jsPack(
    "probe",
    `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("probe", { policies: [{
    name: "probe", description: "reports how it was launched", enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "test:hang") return new Promise(() => undefined);
        const env = process.env;
        report(JSON.stringify({
            cwd: process.cwd(),
            stack: env.PULUMI_STACK,
            project: env.PULUMI_PROJECT,
            dryRun: env.PULUMI_DRY_RUN,
            nodeStack: env.PULUMI_NODEJS_STACK,
        }));
    },
}] });
`,
);

/** The version of a package.json. */
const versionIn = (file: string) => (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;

describe("the repository's pack", () => {
    it("runs from the pack's own node_modules (the root install has no @pulumi/policy)", async () => {
        expect(() => require.resolve("@pulumi/policy", { paths: [path.join(DEFAULT_PACK_DIR, "..")] })).toThrow();
        const pack = await startPolicyPack(DEFAULT_PACK_DIR);
        try {
            const installed = versionIn(
                path.join(DEFAULT_PACK_DIR, "node_modules", "@pulumi", "policy", "package.json"),
            );
            expect(pack.pluginVersion.replace(/^v/, "")).toBe(installed.replace(/^v/, ""));
            expect(pack.info.version).toBe(versionIn(path.join(DEFAULT_PACK_DIR, "package.json")));
            expect(runningPolicyPacks()).toBe(1);
            expect(pack.running()).toBe(true);
        } finally {
            await pack.close();
        }
        expect(runningPolicyPacks()).toBe(0);
        expect(pack.running()).toBe(false);
    });
});

describe("launch like the CLI", () => {
    it("starts the pack in its folder with the CLI's environment", async () => {
        const pack = await startPolicyPack(probe, { stack: "staging", project: "credlink" });
        try {
            await pack.configure();
            const [d] = await pack.analyze({
                urn: "urn:pulumi:staging::credlink::test:echo::x",
                type: "test:echo",
                name: "x",
                properties: {},
            });
            expect(d.enforcementLevel).toBe("mandatory");
            expect(JSON.parse(d.message.split("\n")[1])).toEqual({
                cwd: fs.realpathSync(probe),
                stack: "staging",
                project: "credlink",
                dryRun: "true",
                nodeStack: "staging",
            });
        } finally {
            await pack.close();
        }
    });

    it("gives up on a call that gets no answer, within the call timeout", async () => {
        const pack = await startPolicyPack(probe, { callTimeoutMs: 1000 });
        try {
            await pack.configure();
            const started = Date.now();
            await expect(
                pack.analyze({ urn: "urn:pulumi:s::p::test:hang::x", type: "test:hang", name: "x", properties: {} }),
            ).rejects.toThrow(new PolicyPackError("policy pack analyze failed: no answer within 1 s"));
            expect(Date.now() - started).toBeLessThan(5000);
        } finally {
            await pack.close();
        }
        expect(runningPolicyPacks()).toBe(0);
    });
});

describe("failures end in one clear error and no process left behind", () => {
    beforeAll(() => expect(runningPolicyPacks()).toBe(0));

    it("a pack without its dependencies installed", async () => {
        const dir = jsPack("uninstalled", "", false);
        await expect(startPolicyPack(dir)).rejects.toThrow(
            new PolicyPackError(
                `the policy pack's dependencies are not installed: run \`npm ci --prefix ` +
                    `${path.relative(process.cwd(), dir)}\``,
            ),
        );
    });

    it("a pack that throws while loading", async () => {
        const dir = jsPack("crashing", 'throw new Error("rules failed to load: boom");\n');
        await expect(startPolicyPack(dir)).rejects.toThrow(
            /exited \(code \d+\) before serving:[\s\S]*rules failed to load: boom/,
        );
        expect(runningPolicyPacks()).toBe(0);
    });

    it("a pack that never prints its port", async () => {
        const dir = jsPack("silent", "setInterval(() => undefined, 1000);\n");
        await expect(startPolicyPack(dir, { startTimeoutMs: 1500 })).rejects.toThrow(
            new PolicyPackError(`policy pack ${dir} did not start within 1.5 s`),
        );
        expect(runningPolicyPacks()).toBe(0);
    });
});

describe("the port line, read as the CLI reads it", () => {
    it.each([
        ["1234\n", 1234],
        [" 1234 \r\n", 1234],
        ["\x1b]9;4;3;\x1b\\4321\n", 4321],
    ])("takes %j as a port", (line, port) => {
        expect(parsePort(line.split("\n")[0])).toBe(port);
    });

    it.each([
        ["loading rules…", 'could not parse port: "loading rules…"'],
        ["0", "invalid port number: 0"],
        ["70000", "invalid port number: 70000"],
    ])("rejects %j", (line, problem) => {
        expect(parsePort(line)).toEqual({ problem });
    });

    it("fails a pack that prints anything before its port, as `pulumi preview` does", async () => {
        const dir = jsPack(
            "chatty",
            `console.log("loading rules");
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("chatty", { policies: [{ name: "p", description: "d", validateResource: () => undefined }] });
`,
        );
        await expect(startPolicyPack(dir)).rejects.toThrow(
            new PolicyPackError(
                `policy pack ${dir} wrote an invalid port to stdout: could not parse port: "loading rules"`,
            ),
        );
        expect(runningPolicyPacks()).toBe(0);
    });
});

describe("remediations, applied as the engine applies them", () => {
    const remediating = jsPack(
        "remediating",
        `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("remediating", { policies: [
    {
        name: "fix-size", description: "sets size to 2", enforcementLevel: "remediate",
        remediateResource: (args) => ({ ...args.props, size: 2 }),
    },
    {
        name: "size-two", description: "size must be 2", enforcementLevel: "mandatory",
        validateResource: (args, report) => { if (args.props.size !== 2) report("size is " + args.props.size); },
    },
    {
        name: "stack-size-two", description: "every size must be 2", enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            for (const r of args.resources) if (r.props.size !== 2) report("stack sees size " + r.props.size, r.urn);
        },
    },
] });
`,
    );

    it("analyzes, and hands analyzeStack, the remediated properties", async () => {
        const pack = await startPolicyPack(remediating);
        try {
            await pack.configure();
            const urn = "urn:pulumi:test::credlink::test:thing::x";
            const resource = {
                urn,
                type: "test:thing",
                name: "x",
                inputs: { size: 9 },
                outputs: { size: 9, id: "x" },
                dependencies: [],
                propertyDependencies: {},
                protect: false,
                ignoreChanges: [],
                additionalSecretOutputs: [],
            };
            expect(await analyzeResources(pack, [resource])).toEqual([]);
            // Without the remediation step both rules see the original size.
            const unremediated = await analyzeResources(pack, [resource], { remediate: false });
            expect(unremediated.map((d) => d.message)).toEqual([
                "size must be 2\nsize is 9",
                "every size must be 2\nstack sees size 9",
            ]);
        } finally {
            await pack.close();
        }
    });
});
