/** Command line of `npm run cdn:invalidate`: flags -> InvalidateOptions, or one line and exit 2. */
import { Command, InvalidArgumentError, Option } from "commander";
import { type CliExit, type CliIo, parseCommand } from "../cli-io";
import { DEFAULT_TIMEOUT_MS } from "../verify/cli";
import { parseStack, parseTimeout } from "../verify/cli";
import type { InvalidateOptions } from "./run";

/** CloudFront: at most 3,000 file paths and 15 wildcard paths in progress at a time. */
export const MAX_PATHS = 3000;
export const MAX_WILDCARD_PATHS = 15;
export const DEFAULT_MAX_WAIT_SECONDS = 600;
const MAX_WAIT_RANGE = { min: 30, max: 3600 };

export type ParsedCli = { kind: "run"; options: InvalidateOptions } | CliExit;

/** Why a path cannot be invalidated, or undefined when it can. */
export function invalidationPathProblem(path: string): string | undefined {
    if (!path.startsWith("/")) return "must start with /";
    // Printable ASCII and beyond only: whitespace and control characters must be URL-encoded.
    if ([...path].some((c) => c.trim() === "" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
        return "must not contain spaces or control characters (URL-encode them)";
    if (path.slice(0, -1).includes("*")) return "may hold * only as its last character";
    if (path.length > 4096) return "is longer than 4096 characters";
    return undefined;
}

function collectPath(value: string, previous: string[] | undefined): string[] {
    const problem = invalidationPathProblem(value);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    return [...(previous ?? []), value];
}

/** CloudFront distribution IDs: E plus upper-case letters and digits (e.g. E2QWRUHEXAMPLE). */
function parseDistributionId(value: string): string {
    if (!/^E[A-Z0-9]{7,19}$/.test(value))
        throw new InvalidArgumentError("must be a CloudFront distribution ID such as E2QWRUHEXAMPLE");
    return value;
}

function parseMaxWait(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < MAX_WAIT_RANGE.min || n > MAX_WAIT_RANGE.max)
        throw new InvalidArgumentError(`must be whole seconds between ${MAX_WAIT_RANGE.min} and ${MAX_WAIT_RANGE.max}`);
    return n;
}

export function buildProgram(write: CliIo): Command {
    return new Command()
        .name("npm run cdn:invalidate --")
        .description(
            "Invalidate a deployed stack's CloudFront entry documents (default: index.html under the static " +
                "path) and wait until the invalidation completes. Content-hashed assets never need it (docs/cdn.md). " +
                "Exit 0 = completed, 1 = not completed (failed or still running at --max-wait), 2 = bad input " +
                "or environment.",
        )
        .addOption(
            new Option("--stack <name>", "stack whose distribution to invalidate (Pulumi.<name>.yaml)")
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
                "--distribution-id <id>",
                "the distribution, instead of reading the stack outputs " +
                    "(e.g. a deploy job's pulumi/actions step output)",
            )
                .argParser(parseDistributionId)
                .conflicts("outputs"),
        )
        .addOption(
            new Option(
                "--paths <path...>",
                "URL paths to invalidate, each starting with / (a trailing * matches a prefix); default: the entry " +
                    "documents under cdn.staticPathPattern, e.g. /static/index.html",
            ).argParser(collectPath),
        )
        .addOption(
            new Option(
                "--max-wait <seconds>",
                `how long to wait for the invalidation to complete, ${MAX_WAIT_RANGE.min}..${MAX_WAIT_RANGE.max}`,
            )
                .argParser(parseMaxWait)
                .default(DEFAULT_MAX_WAIT_SECONDS),
        )
        .addOption(
            new Option("--timeout-ms <ms>", "timeout of each AWS request attempt (3 attempts), 500..300000")
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
    const exit = parseCommand(program, args, "cdn:invalidate");
    if (exit) return exit;
    const o = program.opts<{
        stack: string;
        outputs?: string;
        distributionId?: string;
        paths?: string[];
        maxWait: number;
        timeoutMs: number;
    }>();
    const paths = o.paths === undefined ? undefined : [...new Set(o.paths)];
    const problem = paths === undefined ? undefined : pathCountProblem(paths);
    if (problem !== undefined) return { kind: "exit", code: 2, message: problem };
    return {
        kind: "run",
        options: {
            stack: o.stack,
            outputsFile: o.outputs,
            distributionId: o.distributionId,
            paths,
            maxWaitSeconds: o.maxWait,
            timeoutMs: o.timeoutMs,
        },
    };
}

/** CloudFront's limits on one batch, as one line; undefined when the batch fits. */
export function pathCountProblem(paths: readonly string[]): string | undefined {
    const wildcards = paths.filter((p) => p.endsWith("*")).length;
    if (paths.length > MAX_PATHS)
        return `--paths: ${paths.length} paths; CloudFront accepts at most ${MAX_PATHS} in progress: use a wildcard`;
    if (wildcards > MAX_WILDCARD_PATHS)
        return `--paths: ${wildcards} wildcard paths; CloudFront accepts at most ${MAX_WILDCARD_PATHS} in progress`;
    return undefined;
}
