/**
 * `npm run config:sync [-- --check]`: rewrite Pulumi.yaml's `config:` block and
 * README's config table from lib/config.ts; with --check, exit 1 when either is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_FILE, README_FILE, renderProjectFile, renderReadme } from "../tools/config-sync";

async function main(): Promise<void> {
    const readme = fs.readFileSync(README_FILE, "utf8");
    const files: [string, string, string][] = [
        [PROJECT_FILE, fs.existsSync(PROJECT_FILE) ? fs.readFileSync(PROJECT_FILE, "utf8") : "", renderProjectFile()],
        [README_FILE, readme, await renderReadme(readme)],
    ];
    for (const [file, current, rendered] of files) {
        if (current === rendered) continue;
        if (process.argv.includes("--check")) {
            console.error(`${path.basename(file)} is out of date with lib/config.ts: run \`npm run config:sync\``);
            process.exitCode = 1;
        } else {
            fs.writeFileSync(file, rendered);
            console.log(`wrote ${path.relative(process.cwd(), file)}`);
        }
    }
}

void main();
