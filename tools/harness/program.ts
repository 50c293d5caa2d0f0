/**
 * Loads a Pulumi program the way the Node.js language host does for a CommonJS
 * project (pulumi/pulumi sdk/nodejs/cmd/run/run.ts, v3.248.0): the whole module is
 * `require`d inside the root stack resource, so module-scope resources are
 * registered as the stack's children; if the export is itself a function it is
 * called and awaited, otherwise the exports are the stack outputs. A TypeScript
 * `export default` in a CommonJS program is NOT called by the language host (its
 * export is `{ default: fn }`), so the harness does not call it either.
 *
 * The program's own modules are evaluated afresh on every run, as each `pulumi`
 * command starts a new process; node_modules stay loaded.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const nodeRequire = createRequire(__filename);

// TypeScript sources load through tsx, as `pulumi` loads them through ts-node. (Required, not
// imported: tsconfig's "node" module resolution does not read the package's "exports" map.)
let registered = false;
function ensureTypeScript(): void {
    if (!registered) {
        (nodeRequire("tsx/cjs/api") as { register: () => () => void }).register();
        registered = true;
    }
}

/** The program's entry point in `dir`, as Pulumi resolves it (package.json "main", else index). */
export function entryPoint(dir: string): string {
    const pkg = path.join(dir, "package.json");
    const main = fs.existsSync(pkg) ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: string }).main : undefined;
    return path.resolve(dir, main ?? "index.ts");
}

/** Folders of this repository that hold tooling, not the program. */
const NOT_PROGRAM = ["node_modules", "tools", "test", "scripts", "loadtests"];

/** Forget the program's own modules, so the next require evaluates them again. */
function forgetProgramModules(dir: string): void {
    const root = path.resolve(dir) + path.sep;
    const cache = nodeRequire.cache;
    for (const id of Object.keys(cache)) {
        if (!id.startsWith(root)) continue;
        const rel = id.slice(root.length).split(path.sep);
        if (!rel.some((segment) => NOT_PROGRAM.includes(segment))) delete cache[id];
    }
}

/**
 * The body of the root stack resource for the program in `dir`: require the entry
 * point, then call and await an exported function, or await the exports.
 */
export async function runLikeLanguageHost(dir: string): Promise<unknown> {
    ensureTypeScript();
    forgetProgramModules(dir);
    const entry = entryPoint(dir);
    const programExport: unknown = createRequire(entry)(entry);
    const result = programExport instanceof Function ? (programExport as () => unknown)() : programExport;
    return await result;
}
