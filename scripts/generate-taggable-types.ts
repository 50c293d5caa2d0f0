/**
 * `npm run taggable:sync [-- --check]`: rewrite lib/aws-taggable-types.json from the installed
 * @pulumi/aws; with --check, exit 1 when the committed list is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
    type AwsTypeScan,
    renderTaggableTypes,
    scanAwsTypes,
    staleness,
    TAGGABLE_TYPES_FILE,
} from "../tools/taggable-types";

const args = process.argv.slice(2);
const unknown = args.find((a) => a !== "--check");
if (unknown !== undefined) {
    console.error(`unknown argument ${JSON.stringify(unknown)}: usage: npm run taggable:sync [-- --check]`);
    process.exit(2);
}
let scan: AwsTypeScan;
try {
    scan = scanAwsTypes();
} catch (e) {
    console.error(`cannot read @pulumi/aws: ${(e as Error).message.split("\n")[0]}`);
    process.exit(2);
}
const committed = fs.existsSync(TAGGABLE_TYPES_FILE) ? fs.readFileSync(TAGGABLE_TYPES_FILE, "utf8") : undefined;
const stale = staleness(committed, scan);
if (stale !== undefined && args.includes("--check")) {
    console.error(stale);
    process.exitCode = 1;
} else if (stale !== undefined) {
    fs.writeFileSync(TAGGABLE_TYPES_FILE, renderTaggableTypes(scan));
    const counts = `${scan.taggableTypes.length} taggable types of ${scan.resourceTypes.length}`;
    console.log(`wrote ${path.relative(process.cwd(), TAGGABLE_TYPES_FILE)}: ${counts} in @pulumi/aws ${scan.version}`);
}
