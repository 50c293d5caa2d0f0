/**
 * Which @pulumi/aws resource types take a `tags` map, read from the installed package's
 * type declarations. lib/tags.ts reads the committed result (lib/aws-taggable-types.json)
 * instead of guessing from compiled code; `npm run taggable:sync` rewrites it and
 * test/tags.test.ts fails while it differs from what the installed package declares.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.join(__dirname, "..");
export const AWS_PACKAGE_DIR = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws");
export const TAGGABLE_TYPES_FILE = path.join(REPO_ROOT, "lib", "aws-taggable-types.json");
export const SYNC_COMMAND = "npm run taggable:sync";

export interface AwsTypeScan {
    /** Version of the scanned @pulumi/aws. */
    readonly version: string;
    /** Every custom resource type token, sorted. */
    readonly resourceTypes: readonly string[];
    /** The resource types whose Args declare an optional `tags` map of strings, sorted. */
    readonly taggableTypes: readonly string[];
}

/** What lib/aws-taggable-types.json holds. */
export interface TaggableTypesFile {
    readonly generatedBy: string;
    readonly from: string;
    readonly types: readonly string[];
}

const CLASS = /^export declare class (\w+) extends pulumi\.CustomResource \{/m;
const TOKEN = /static __pulumiType = '(aws:[^']+)'/;
/*
 * Only a map of strings counts: the stack transformation merges a map into it. This leaves
 * out types whose `tags` means something else, e.g. autoscaling Group (a list of
 * {key, value, propagateAtLaunch}) and inspector ResourceGroup (a required instance selector).
 */
const TAGS_MAP = /^ {4}tags\?: pulumi\.Input<\{\s*\[key: string\]: pulumi\.Input<string>;\s*\}( \| undefined)?>;$/m;

/**
 * Scan every module of the installed @pulumi/aws. The token comes from the class's
 * `__pulumiType` in the .js file next to the declaration: file names do not always spell
 * it (glue/mltransform.js is aws:glue/mLTransform:MLTransform, kendra/index_.js is aws:kendra/index:Index).
 */
export function scanAwsTypes(packageDir = AWS_PACKAGE_DIR): AwsTypeScan {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
    // types/ holds input and output shapes only, no resources.
    const modules = fs
        .readdirSync(packageDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== "types" && d.name !== "node_modules");
    const dirs = [packageDir, ...modules.map((d) => path.join(packageDir, d.name))];
    const resourceTypes: string[] = [];
    const taggableTypes: string[] = [];
    for (const dir of dirs) {
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".d.ts"))) {
            const declarations = fs.readFileSync(path.join(dir, file), "utf8");
            const cls = CLASS.exec(declarations)?.[1];
            if (!cls) continue;
            const js = path.join(dir, file.replace(/\.d\.ts$/, ".js"));
            const type = TOKEN.exec(fs.readFileSync(js, "utf8"))?.[1];
            if (!type || !type.endsWith(`:${cls}`)) {
                const found = type === undefined ? "no __pulumiType" : `__pulumiType ${type}`;
                throw new Error(`${path.relative(packageDir, js)}: ${found} for class ${cls}`);
            }
            resourceTypes.push(type);
            if (TAGS_MAP.test(argsOf(declarations, cls, file))) taggableTypes.push(type);
        }
    }
    // A change in how the SDK declares tags would otherwise read as "nothing is taggable".
    if (taggableTypes.length === 0) throw new Error(`no taggable resource types found in ${packageDir}`);
    return { version: pkg.version, resourceTypes: resourceTypes.sort(), taggableTypes: taggableTypes.sort() };
}

/** The body of `export interface <cls>Args { ... }`; "" for a resource without arguments. */
function argsOf(declarations: string, cls: string, file: string): string {
    const start = declarations.indexOf(`export interface ${cls}Args {`);
    if (start < 0) return "";
    const end = declarations.indexOf("\n}", start);
    if (end < 0) throw new Error(`${file}: ${cls}Args has no closing brace`);
    return declarations.slice(start, end);
}

export function renderTaggableTypes(scan: AwsTypeScan): string {
    const file: TaggableTypesFile = {
        generatedBy: SYNC_COMMAND,
        from: `@pulumi/aws ${scan.version}`,
        types: scan.taggableTypes,
    };
    return `${JSON.stringify(file, null, 2)}\n`;
}

/** One line saying how the committed list differs from the scan, or undefined when it is current. */
export function staleness(committed: string | undefined, scan: AwsTypeScan): string | undefined {
    if (committed === renderTaggableTypes(scan)) return undefined;
    const name = path.relative(REPO_ROOT, TAGGABLE_TYPES_FILE);
    if (committed === undefined) return `${name} is missing: run \`${SYNC_COMMAND}\``;
    let old: Partial<TaggableTypesFile> | null;
    try {
        old = JSON.parse(committed) as Partial<TaggableTypesFile> | null;
    } catch {
        return `${name} is not valid JSON: run \`${SYNC_COMMAND}\``;
    }
    const before = new Set<string>(Array.isArray(old?.types) ? old.types : []);
    const now = new Set(scan.taggableTypes);
    const added = scan.taggableTypes.filter((t) => !before.has(t)).length;
    const removed = [...before].filter((t) => !now.has(t)).length;
    const from = old?.from ?? "an unknown version";
    if (added === 0 && removed === 0 && from === `@pulumi/aws ${scan.version}`) {
        return `${name} differs from the generated file: run \`${SYNC_COMMAND}\``;
    }
    return (
        `${name} (from ${from}) is out of date with the installed @pulumi/aws ${scan.version} ` +
        `(${added} taggable types added, ${removed} removed): run \`${SYNC_COMMAND}\``
    );
}
