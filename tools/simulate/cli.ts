/**
 * `npm run simulate -- --stack <name> --profile <type> [--json <file>] [--svg <file>]
 * [--stack-dir <dir>] [--duration <d>] [--startup-seconds <n>]`.
 *
 * Exit codes: 0 done (overload is a finding, not a failure); 2 bad input, as one line.
 */
import type { CliIo } from "../cli-io";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../../lib/config";
import { parseDurationSeconds } from "../../loadtests/lib/duration";
import { DEFAULT_HOLD_SECONDS, LOAD_PROFILES, type LoadProfile } from "../../policies/load-profiles";
import { DEFAULT_STARTUP_SECONDS, simulateProfile } from "../../policies/simulation";
import { REPO_ROOT, StackFileError } from "../stack-file";
import { buildJsonReport, renderSummary, type StackSimulation } from "./report";
import { configProblems, loadStackConfig, peakRpsOf, scalingSetupOf, taskCapacityOf } from "./setup";
import { renderSvg } from "./svg";

export const EXIT = { ok: 0, badInput: 2 } as const;

/** Where the command prints (tools/cli-io.ts). */
export type Io = CliIo;

/** Bad input: printed as one line, exit code 2. */
export class SimulateInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SimulateInputError";
    }
}

interface Flags {
    stack: string;
    profile: LoadProfile;
    json?: string;
    svg?: string;
    stackDir?: string;
    duration?: number;
    startupSeconds: number;
}

const MAX_HOLD_SECONDS = 72 * 3600;

function parseHold(value: string): number {
    const s = parseDurationSeconds(value);
    if (s === undefined || s < 1 || s > MAX_HOLD_SECONDS)
        throw new InvalidArgumentError("expected seconds (60) or a duration like 30s, 5m, 1h30m, up to 72h.");
    return s;
}

function parseStartup(value: string): number {
    if (!/^\d+$/.test(value.trim()) || Number(value) > 3600)
        throw new InvalidArgumentError("expected a whole number of seconds between 0 and 3600.");
    return Number(value);
}

export function parseFlags(argv: readonly string[], io: Io): Flags {
    const program = new Command()
        .name("npm run simulate --")
        .description(
            "Replay a k6 load profile, scaled to the stack's peak, through the stack's ECS target-tracking " +
                "autoscaling, second by second.",
        )
        .requiredOption("--stack <name>", "stack to simulate (a Pulumi.<name>.yaml)")
        .addOption(
            new Option("--profile <type>", "k6 load profile to replay").choices(LOAD_PROFILES).makeOptionMandatory(),
        )
        .option("--json <file>", "write the JSON report (summary, scaling activities, alarms, timeline) to <file>")
        .option("--svg <file>", "write the chart to <file>")
        .option("--stack-dir <dir>", "directory holding the Pulumi.<stack>.yaml files (default: the repo root)")
        .option(
            "--duration <d>",
            "the profile's plateau, as k6's DURATION (default: k6's default per profile)",
            parseHold,
        )
        .option(
            "--startup-seconds <n>",
            `seconds from a scale-out until a new task serves (default ${DEFAULT_STARTUP_SECONDS})`,
            parseStartup,
            DEFAULT_STARTUP_SECONDS,
        )
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err });
    program.parse(argv, { from: "user" });
    return program.opts<Flags>();
}

function writeFile(file: string, content: string): void {
    try {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        fs.writeFileSync(file, content);
    } catch (e) {
        throw new SimulateInputError(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
}

/** Simulate one stack and profile from its stack file. */
export function simulateStack(
    stack: string,
    profile: LoadProfile,
    opts: { stackDir?: string; holdSeconds?: number; startupSeconds?: number } = {},
): StackSimulation {
    const stackDir = path.resolve(opts.stackDir ?? REPO_ROOT);
    if (!fs.existsSync(stackDir) || !fs.statSync(stackDir).isDirectory())
        throw new SimulateInputError(`--stack-dir ${opts.stackDir} is not a directory`);
    let config;
    try {
        config = loadStackConfig(stack, stackDir);
    } catch (e) {
        if (e instanceof StackFileError) throw new SimulateInputError(e.message);
        if (e instanceof ConfigError)
            throw new SimulateInputError(`Pulumi.${stack}.yaml has invalid configuration: ${configProblems(e)}`);
        throw e;
    }
    const setup = scalingSetupOf(config, opts.startupSeconds ?? DEFAULT_STARTUP_SECONDS);
    const run = simulateProfile(setup, profile, peakRpsOf(config), opts.holdSeconds ?? DEFAULT_HOLD_SECONDS[profile]);
    return { stack, setup, taskCapacity: taskCapacityOf(config), run };
}

/** Runs the command; returns the exit code. Bad input is one line on io.err, never a throw. */
export function main(argv: readonly string[], io: Io): number {
    let flags: Flags;
    try {
        flags = parseFlags(argv, io);
    } catch (e) {
        // Commander has already printed its one-line message (or the help).
        if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
        throw e;
    }
    try {
        const sim = simulateStack(flags.stack, flags.profile, {
            stackDir: flags.stackDir,
            holdSeconds: flags.duration,
            startupSeconds: flags.startupSeconds,
        });
        if (flags.json) writeFile(flags.json, `${JSON.stringify(buildJsonReport(sim), null, 2)}\n`);
        if (flags.svg) writeFile(flags.svg, renderSvg(sim));
        io.out(`${renderSummary(sim)}\n`);
        return EXIT.ok;
    } catch (e) {
        if (e instanceof SimulateInputError) {
            io.err(`error: ${e.message}\n`);
            return EXIT.badInput;
        }
        throw e;
    }
}
