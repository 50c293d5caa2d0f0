/**
 * What every benchmark shares: how it reads its flags, the machine a figure was measured on (a
 * figure without it cannot be compared or reproduced), which it prints first, and the JSON file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Command, CommanderError } from "commander";
import { REPO_ROOT } from "../../tools/stack-file";

export interface Machine {
    readonly cpuModel: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    /** 1-minute load average when the benchmark started: a busy machine skews every figure. */
    readonly loadAverage1m: number;
}

export function machine(): Machine {
    const cpus = os.cpus();
    return {
        cpuModel: cpus[0]?.model.trim() || "unknown",
        cores: os.availableParallelism(),
        memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    };
}

export function describeMachine(m: Machine): string {
    return (
        `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; ` +
        `load average ${m.loadAverage1m} at start`
    );
}

/** The default result file of a benchmark: reports/bench/<name>.json (reports/ is not committed). */
export const defaultResultFile = (name: string): string => path.join(REPO_ROOT, "reports", "bench", `${name}.json`);

/** Writes `{ benchmark, date, machine, command, ...result }` and returns the path written, relative to cwd. */
export function writeResult(file: string, benchmark: string, command: string, at: Machine, result: object): string {
    const content = { benchmark, date: new Date().toISOString(), machine: at, command, ...result };
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
    return path.relative(process.cwd(), path.resolve(file)) || file;
}

export const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * A benchmark's flags, parsed by a commander program with `exitOverride`: help exits 0, a bad flag
 * exits 2 after commander has printed its one line.
 */
export function parseFlagsOrExit<T extends object>(command: Command): T {
    try {
        return command.parse().opts<T>();
    } catch (e) {
        process.exit(e instanceof CommanderError && e.exitCode === 0 ? 0 : 2);
    }
}
