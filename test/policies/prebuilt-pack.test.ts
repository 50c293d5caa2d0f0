/**
 * policies/main.js, the pack's entry point: it starts the build in bin/ (made by `npm ci` in
 * policies/) only while every source has a build at least as new, and the TypeScript sources
 * otherwise, so an edit made since the last build is what runs. Exercised on a copy of the
 * entry point over a small tree, where each side records that it was loaded.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_PACK_DIR } from "../../tools/analyzer";

const MAIN = path.join(DEFAULT_PACK_DIR, "main.js");
const loaded = globalThis as { packEntry?: string };
let restoreTs: NodeJS.RequireExtensions[string] | undefined;

beforeAll(() => {
    // The CLI registers ts-node for .ts; here the fake sources are plain CommonJS.
    restoreTs = require.extensions[".ts"];
    require.extensions[".ts"] = (module, filename) =>
        (module as unknown as { _compile(code: string, file: string): void })._compile(
            fs.readFileSync(filename, "utf8"),
            filename,
        );
});
afterAll(() => {
    if (restoreTs) require.extensions[".ts"] = restoreTs;
    else delete require.extensions[".ts"];
});

function write(file: string, text: string, mtime: Date): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    fs.utimesSync(file, mtime, mtime);
}

/** A pack tree: sources index.ts and aws/facts.ts, their builds, and a copy of main.js. */
function pack(opts: { sourceTime: Date; buildTime?: Date; builds?: string[] }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prebuilt-pack-"));
    const record = (side: string) => `globalThis.packEntry = ${JSON.stringify(side)};\n`;
    write(path.join(dir, "index.ts"), record("sources"), opts.sourceTime);
    write(path.join(dir, "aws", "facts.ts"), "module.exports = {};\n", opts.sourceTime);
    write(path.join(dir, "node_modules", "dep", "types.ts"), "module.exports = {};\n", new Date(2100, 0, 1));
    if (opts.buildTime)
        for (const file of opts.builds ?? ["index.js", "aws/facts.js"])
            write(path.join(dir, "bin", file), file === "index.js" ? record("build") : "", opts.buildTime);
    fs.copyFileSync(MAIN, path.join(dir, "main.js"));
    return dir;
}

function entry(dir: string): string | undefined {
    loaded.packEntry = undefined;
    // As the language host loads a pack's main: a CommonJS require.
    createRequire(__filename)(path.join(dir, "main.js"));
    return loaded.packEntry;
}

const EARLIER = new Date(2026, 0, 1);
const LATER = new Date(2026, 0, 2);

it("starts the build when every source has one at least as new (node_modules does not count)", () => {
    expect(entry(pack({ sourceTime: EARLIER, buildTime: LATER }))).toBe("build");
    expect(entry(pack({ sourceTime: LATER, buildTime: LATER }))).toBe("build");
});

it("starts the sources when one was edited after the build", () => {
    expect(entry(pack({ sourceTime: LATER, buildTime: EARLIER }))).toBe("sources");
});

it("starts the sources when a source has no build, or nothing is built", () => {
    expect(entry(pack({ sourceTime: EARLIER, buildTime: LATER, builds: ["index.js"] }))).toBe("sources");
    expect(entry(pack({ sourceTime: EARLIER }))).toBe("sources");
});

it("is the pack's package main, and the committed pack is built and current after npm ci", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(DEFAULT_PACK_DIR, "package.json"), "utf8")) as {
        main: string;
        scripts: Record<string, string>;
        files: string[];
    };
    expect(manifest.main).toBe("main.js");
    expect(manifest.scripts.prepare).toBe("tsc -p tsconfig.json");
    expect(manifest.files).toEqual(expect.arrayContaining(["main.js", "bin/", "*.ts", "PulumiPolicy.yaml"]));
    expect(fs.existsSync(path.join(DEFAULT_PACK_DIR, "bin", "index.js"))).toBe(true);
});
