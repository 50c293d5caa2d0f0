/** Command line of `npm run verify`: flags → VerifyOptions, or one line and exit 2. */
import { Command, InvalidArgumentError, Option } from "commander";
import { type CliExit, type CliIo, parseCommand } from "../cli-io";
import type { VerifyOptions } from "./run";

export const DEFAULT_TIMEOUT_MS = 10_000;
const TIMEOUT_RANGE = { min: 500, max: 300_000 };

export type ParsedCli = { kind: "run"; options: VerifyOptions } | CliExit;

export function parseTimeout(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < TIMEOUT_RANGE.min || n > TIMEOUT_RANGE.max) {
        throw new InvalidArgumentError(
            `must be whole milliseconds between ${TIMEOUT_RANGE.min} and ${TIMEOUT_RANGE.max}`,
        );
    }
    return n;
}

export function parseStack(value: string): string {
    if (!/^[\w.-]+(\/[\w.-]+){0,2}$/.test(value))
        throw new InvalidArgumentError("must be a stack name such as production or org/credlink/production");
    return value;
}

function parseStaticPath(value: string): string {
    if (!/^\/[^\s?#]*[^/\s?#]$/.test(value))
        throw new InvalidArgumentError("must be a URL path to one object, starting with /, e.g. /static/verify.txt");
    return value;
}

export function buildProgram(write: CliIo): Command {
    return new Command()
        .name("npm run verify --")
        .description(
            "Check a deployed CredLink stack against its Pulumi.<stack>.yaml: CloudFront, " +
                "autoscaling, RDS, alarms and alerting, " +
                "plus optional live probes. Writes a Markdown and HTML report. Exit 0 = matches, 1 " +
                "= drift, 2 = bad input or environment.",
        )
        .addOption(
            new Option("--stack <name>", "stack to verify; its Pulumi.<name>.yaml supplies the expected values")
                .argParser(parseStack)
                .makeOptionMandatory(),
        )
        .addOption(
            new Option(
                "--outputs <file>",
                "stack outputs as JSON (`pulumi stack output --json --stack <name> > file`); default: run that command",
            ),
        )
        .addOption(
            new Option(
                "--probe",
                "also probe live: /health through CloudFront and directly on the ALB (expects 403), " +
                    "and a static object twice (X-Cache Miss then Hit)",
            ).default(false),
        )
        .addOption(
            new Option(
                "--static-path <path>",
                "static object the cache probe fetches through CloudFront (default: verify.txt " +
                    "under cdn.staticPathPattern, i.e. /static/verify.txt)",
            ).argParser(parseStaticPath),
        )
        .addOption(
            new Option("--report-dir <dir>", "directory that receives verify-<stack>-<timestamp>/").default("reports"),
        )
        .addOption(
            new Option(
                "--timeout-ms <ms>",
                `timeout of each AWS request attempt (3 attempts) and each probe request, ` +
                    `${TIMEOUT_RANGE.min}..${TIMEOUT_RANGE.max}`,
            )
                .argParser(parseTimeout)
                .default(DEFAULT_TIMEOUT_MS),
        )
        .helpOption("-h, --help", "show this help")
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => undefined });
}

/** Parses user arguments (without node and script). Never throws. */
export function parseCli(args: readonly string[], write: CliIo): ParsedCli {
    const program = buildProgram(write);
    const exit = parseCommand(program, args, "verify");
    if (exit) return exit;
    const o = program.opts<{
        stack: string;
        outputs?: string;
        probe: boolean;
        staticPath?: string;
        reportDir: string;
        timeoutMs: number;
    }>();
    return {
        kind: "run",
        options: {
            stack: o.stack,
            outputsFile: o.outputs,
            probe: o.probe,
            staticPath: o.staticPath,
            reportDir: o.reportDir,
            timeoutMs: o.timeoutMs,
        },
    };
}
