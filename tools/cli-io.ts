/**
 * Where a command prints: the process's stdout and stderr in its scripts/ entry point, buffers in
 * tests that run the command in process. Every command of tools/ takes one.
 */
import { type Command, CommanderError } from "commander";

export interface CliIo {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

/** The process's own streams, for the scripts/ entry points. */
export const processIo: CliIo = {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
};

/** A command line that ends before running: help (0) or bad input (2, with its one line). */
export type CliExit = { kind: "exit"; code: 0 | 2; message?: string };

/**
 * Parses `args` with a commander program that throws instead of exiting (`exitOverride`) and
 * writes its help to the io it was given: undefined when the flags are good, else how to exit,
 * a bad flag as one line pointing at `npm run <command> -- --help`. Other errors are rethrown.
 */
export function parseCommand(program: Command, args: readonly string[], command: string): CliExit | undefined {
    try {
        program.parse([...args], { from: "user" });
        return undefined;
    } catch (e) {
        if (!(e instanceof CommanderError)) throw e;
        if (e.exitCode === 0) return { kind: "exit", code: 0 };
        const line = e.message.replace(/^error: /, "").split("\n")[0];
        return { kind: "exit", code: 2, message: `${line} (see npm run ${command} -- --help)` };
    }
}

/**
 * A command that parses its flags, then runs: exit code out, every problem as one line on io.err
 * behind the command's prefix (`verify: ...`), progress lines on io.out.
 */
export async function runCommand<O>(
    prefix: string,
    argv: readonly string[],
    io: CliIo,
    parse: (argv: readonly string[], io: CliIo) => { kind: "run"; options: O } | CliExit,
    run: (options: O, print: (line: string) => void) => Promise<{ exitCode: number; error?: string }>,
): Promise<number> {
    const fail = (message: string, code: number): number => {
        for (const line of message.split("\n")) io.err(`${prefix}: ${line}\n`);
        return code;
    };
    const cli = parse(argv, io);
    if (cli.kind === "exit") return cli.message ? fail(cli.message, cli.code) : cli.code;
    const result = await run(cli.options, (line) => io.out(`${line}\n`));
    return result.error ? fail(result.error, result.exitCode) : result.exitCode;
}
