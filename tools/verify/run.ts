/**
 * `npm run verify`: read the stack's outputs and config, check the live account
 * against the config, optionally probe the endpoints, write the report.
 * Exit codes: 0 everything matches, 1 drift (or a check could not run),
 * 2 bad input or environment (flags, outputs, config, credentials, region).
 */
import { arnRegion } from "../../lib/arn";
import { createClients, callerIdentity, destroyClients, type Clients } from "./aws";
import { checkCloudFront } from "./checks/cloudfront";
import type { CheckContext } from "./checks/context";
import { checkDatabase } from "./checks/database";
import { checkAlarms, checkAlertsTopic, checkDashboard } from "./checks/monitoring";
import { runProbes } from "./checks/probes";
import { checkScaling } from "./checks/scaling";
import { checkService, locate } from "./checks/service";
import { defaultStaticPath, expectedFrom } from "./expected";
import { httpGet, lookupHost, type HttpGet } from "./http";
import { loadOutputs, type PulumiRunner } from "./outputs";
import { summarize, summaryLine, writeReport, type WrittenReport } from "./report";
import { readStackConfig, shortStackName } from "./stack-config";
import { Recorder, VerifyError, type CheckResult } from "./types";

export interface VerifyOptions {
    /** Stack name, short (`production`) or fully qualified (`org/credlink/production`). */
    readonly stack: string;
    /** Outputs JSON file instead of running `pulumi stack output`. */
    readonly outputsFile?: string;
    readonly probe: boolean;
    /** Static object for the cache probe; default `verify.txt` under cdn.staticPathPattern. */
    readonly staticPath?: string;
    /** Parent directory of `verify-<stack>-<timestamp>/`. */
    readonly reportDir: string;
    /** Per request: each AWS attempt and each probe request. */
    readonly timeoutMs: number;
}

export interface VerifyDeps {
    /** Where Pulumi.yaml and the stack files live. */
    readonly projectDir: string;
    /** Progress and summary lines (stdout). */
    readonly print: (line: string) => void;
    readonly now?: () => Date;
    readonly http?: HttpGet;
    readonly runPulumi?: PulumiRunner;
    readonly createClients?: (region: string, timeoutMs: number) => Clients;
    readonly resolveHost?: (host: string) => Promise<readonly string[]>;
}

export interface VerifyRun {
    readonly exitCode: 0 | 1 | 2;
    readonly results: readonly CheckResult[];
    readonly report?: WrittenReport;
    /** Set when verification stopped before the checks (exit 2): one line per problem, for stderr. */
    readonly error?: string;
}

export async function runVerify(opts: VerifyOptions, deps: VerifyDeps): Promise<VerifyRun> {
    const rec = new Recorder(deps.print);
    let clients: Clients | undefined;
    const regions = new Set<string>();
    try {
        const { config, file } = readStackConfig(opts.stack, deps.projectDir);
        const expected = expectedFrom(config);
        const { outputs, source } = await loadOutputs({
            stack: opts.stack,
            outputsFile: opts.outputsFile,
            projectDir: deps.projectDir,
            timeoutMs: Math.max(30_000, 3 * opts.timeoutMs),
            runPulumi: deps.runPulumi,
        });
        if (outputs.region !== config.region) {
            throw new VerifyError(
                `The outputs say region ${outputs.region} but ` +
                    `Pulumi.${shortStackName(opts.stack)}.yaml has aws:region ${config.region}: the ` +
                    `outputs are stale or from another project; refresh them with \`pulumi stack output ` +
                    `--json\``,
            );
        }

        clients = (deps.createClients ?? createClients)(outputs.region, opts.timeoutMs);
        for (const r of [outputs.region, ...outputs.alarms.map((a) => a.region), arnRegion(outputs.alertsTopicArn)])
            if (r) regions.add(r);
        const identity = await callerIdentity(clients);
        deps.print(
            `Verifying stack ${outputs.stack} in account ${identity.account} (${outputs.region}) against ${file}`,
        );
        const located = await locate(outputs, clients, identity);

        const ctx: CheckContext = {
            outputs,
            expected,
            clients,
            rec,
            resolveHost: deps.resolveHost ?? ((host) => lookupHost(host, opts.timeoutMs)),
        };
        const guarded = async (area: string, check: () => Promise<void> | void) => {
            try {
                await check();
            } catch (e) {
                // A bug or an unexpected answer in one check must not hide the others.
                rec.add({
                    area,
                    name: "check",
                    status: "fail",
                    found: `could not run: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
                });
            }
        };
        await guarded("CloudFront", () => checkCloudFront(ctx));
        await guarded("Autoscaling", () => checkScaling(ctx));
        await guarded("ECS", () => checkService(ctx, located.service, located.serviceProblem));
        await guarded("RDS", () => checkDatabase(ctx, located.db, located.dbProblem));
        await guarded("Alarms", () => checkAlarms(ctx));
        await guarded("Alarms", () => checkDashboard(ctx));
        await guarded("Alerts", () => checkAlertsTopic(ctx));
        if (opts.probe) {
            const staticPath = opts.staticPath ?? defaultStaticPath(expected.cdn.static.pathPattern);
            await guarded("Probe", () =>
                runProbes(ctx, { http: deps.http ?? httpGet, timeoutMs: opts.timeoutMs, staticPath }),
            );
        }

        const report = writeReport(opts.reportDir, {
            stack: outputs.stack,
            generatedAt: (deps.now ?? (() => new Date()))(),
            account: identity.account,
            region: outputs.region,
            outputsSource: source,
            configFile: file,
            dashboardName: outputs.dashboardName,
            dashboardUrl: outputs.dashboardUrl,
            probed: opts.probe,
            results: rec.results,
        });
        const s = summarize(rec.results);
        deps.print("");
        deps.print(`${s.verdict}: ${summaryLine(s)}. Dashboard: ${outputs.dashboardUrl}`);
        deps.print(`Report: ${report.html} (also report.md, results.json)`);
        return { exitCode: s.fail === 0 ? 0 : 1, results: rec.results, report };
    } catch (e) {
        if (e instanceof VerifyError) return { exitCode: 2, results: rec.results, error: e.message };
        throw e;
    } finally {
        if (clients) destroyClients(clients, [...regions]);
    }
}
