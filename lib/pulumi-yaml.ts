/**
 * Renders Pulumi.yaml from the settings table in lib/config.ts, so `pulumi config`
 * users see every setting with its type, description and default while the numbers
 * themselves stay in the SLO module.
 *
 *   npx tsx lib/pulumi-yaml.ts          # rewrite Pulumi.yaml
 *   npx tsx lib/pulumi-yaml.ts --check  # exit 1 when Pulumi.yaml is stale
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { PROJECT, SETTINGS } from "./config";

export const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

export function renderProjectFile(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const s of SETTINGS) {
        const decl: Record<string, unknown> = { type: s.type, description: s.description };
        if (s.type === "array") decl.items = { type: "string" };
        // Pulumi treats a declaration without a default as required, so optional
        // strings default to "" and lib/config.ts reads "" as "not set".
        if (s.default !== undefined) decl.default = s.default;
        else if (!s.required) decl.default = "";
        config[s.key] = decl;
    }
    const header = "# Generated from lib/config.ts by `npm run config:sync`; edit the settings table there.\n";
    return (
        header +
        stringify(
            {
                name: PROJECT,
                runtime: { name: "nodejs", options: { typescript: true } },
                description: "CredLink production performance stack: CloudFront, ECS Fargate with three-signal autoscaling, RDS PostgreSQL with Enhanced Monitoring, alarms and an SLO dashboard",
                config,
            },
            { lineWidth: 0 },
        )
    );
}

if (require.main === module) {
    const rendered = renderProjectFile();
    if (process.argv.includes("--check")) {
        const current = fs.existsSync(PROJECT_FILE) ? fs.readFileSync(PROJECT_FILE, "utf8") : "";
        if (current !== rendered) {
            console.error("Pulumi.yaml is out of date with lib/config.ts: run `npm run config:sync`");
            process.exit(1);
        }
    } else {
        fs.writeFileSync(PROJECT_FILE, rendered);
        console.log(`wrote ${path.relative(process.cwd(), PROJECT_FILE)}`);
    }
}
