/**
 * What k6 will load: every entry script and the modules it imports type-check against
 * @types/k6 alone (no Node types, so no Node API can slip in), pure modules import
 * nothing from k6 at run time, and each entry script exports what its scenarios `exec`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CAPACITY_EXEC } from "../lib/capacity.ts";
import { parseEnv } from "../lib/env.ts";
import { buildOptions } from "../lib/options.ts";
import { ENDPOINTS, TEST_TYPES } from "../lib/types.ts";

const LOADTESTS = new URL("..", import.meta.url).pathname;
const entryScripts = TEST_TYPES.map((t) => join(LOADTESTS, `${t}.ts`));
const libModules = readdirSync(join(LOADTESTS, "lib")).map((f) => join(LOADTESTS, "lib", f));

describe("k6 scripts", () => {
    it("type-check against @types/k6 with no Node types", () => {
        const config = ts.readConfigFile(join(LOADTESTS, "tsconfig.json"), (p) => ts.sys.readFile(p));
        const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, LOADTESTS);
        const program = ts.createProgram(entryScripts, { ...parsed.options, types: ["k6"] });
        const diagnostics = ts
            .getPreEmitDiagnostics(program)
            .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        expect(diagnostics).toEqual([]);
        // The program really is the k6 side: scripts, adapter, pure modules, the SLO and profile modules; nothing Node.
        const own = program
            .getSourceFiles()
            .map((f) => f.fileName)
            .filter((f) => !f.includes("/node_modules/"));
        expect(own.some((f) => f.endsWith("/k6/workload.ts"))).toBe(true);
        expect(own.some((f) => f.endsWith("/policies/slo.ts"))).toBe(true);
        expect(own.some((f) => f.endsWith("/policies/load-profiles.ts"))).toBe(true);
        expect(
            own.filter((f) => f.includes("/reference-server/") || f.includes("/test/") || f.includes("/cli/")),
        ).toEqual([]);
        expect(program.getSourceFiles().some((f) => f.fileName.includes("/@types/node/"))).toBe(false);
    });

    it("pure modules import k6 for types only, and nothing from Node", () => {
        for (const file of libModules) {
            const source = readFileSync(file, "utf8");
            const imports = [...source.matchAll(/^import\s+(type\s+)?[^"]*"([^"]+)";/gm)].map((m) => ({
                typeOnly: m[1] !== undefined,
                from: m[2],
            }));
            for (const i of imports) {
                if (i.from.startsWith("k6")) expect({ file, ...i }).toEqual({ file, typeOnly: true, from: i.from });
                else expect(i.from, file).toMatch(/^\.\.?\/.*\.ts$/);
            }
        }
    });

    it("import with relative paths and .ts extensions, as k6 resolves them", () => {
        for (const file of [...entryScripts, join(LOADTESTS, "k6/workload.ts")]) {
            for (const m of readFileSync(file, "utf8").matchAll(/from\s+"([^"]+)"/g)) {
                expect(m[1], file).toMatch(/^(k6(\/[a-z]+)?|\.\.?\/.*\.ts)$/);
            }
        }
    });

    it.each(TEST_TYPES)("%s.ts exports options, setup, handleSummary and the function its scenarios exec", (test) => {
        const source = readFileSync(join(LOADTESTS, `${test}.ts`), "utf8");
        const exported = [...source.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        // Every step of a capacity run execs the one `capacity` function; the others one per endpoint.
        const execs = test === "capacity" ? [CAPACITY_EXEC] : ENDPOINTS;
        expect(exported).toEqual(["options", "setup", ...execs, "handleSummary"]);
        expect(source).toContain(`defineLoadTest("${test}", __ENV, open(FIXTURE.path, "b"))`);
        // What k6 will call: every scenario's exec is one of the script's exports.
        const options = buildOptions(test, parseEnv({ TARGET_URL: "https://d111111abcdef8.cloudfront.net" }, test));
        const called = new Set(Object.values(options.scenarios ?? {}).map((sc) => sc.exec));
        expect(
            [...called].every((e) => e !== undefined && exported.includes(e)),
            [...called].join(),
        ).toBe(true);
    });
});
