/**
 * `npm run bench:preview [-- --runs 5 --stack production]`: times cold
 * `npm run preview -- --stack <stack>` runs, each a fresh process tree (npm,
 * tsx, the program and the policy pack's own process), and samples the tree's
 * total resident memory from /proc. A benchmark, not a test: it reports the
 * median wall time and the peak RSS against the goals (5 s, 1 GiB on 2 cores).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { REPO_ROOT } from "../../tools/stack-file";

const GOAL_MEDIAN_MS = 5_000;
const GOAL_PEAK_RSS_BYTES = 1024 ** 3;
const SAMPLE_EVERY_MS = 50;

interface RunResult {
    readonly wallMs: number;
    readonly exitCode: number | null;
    /** Largest sum of the RSS of every process in the tree at one sample. */
    readonly peakTreeRssBytes: number;
    /** Largest RSS of a single process of the tree. */
    readonly peakProcessRssBytes: number;
    readonly processes: number;
}

const PAGE_SIZE = 4096;

/** pid -> parent pid and RSS in bytes, from /proc (Linux only). */
function processTable(): Map<number, { ppid: number; rss: number }> {
    const table = new Map<number, { ppid: number; rss: number }>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // Fields after the command name, which is in parentheses and may hold spaces.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            table.set(Number(entry), { ppid: Number(fields[1]), rss: Number(fields[21]) * PAGE_SIZE });
        } catch {
            // The process exited between readdir and read.
        }
    }
    return table;
}

function treeOf(root: number, table: Map<number, { ppid: number; rss: number }>): number[] {
    const pids = [root];
    for (let i = 0; i < pids.length; i++) for (const [pid, p] of table) if (p.ppid === pids[i]) pids.push(pid);
    return pids.filter((pid) => table.has(pid));
}

function runOnce(stack: string): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn("npm", ["run", "--silent", "preview", "--", "--stack", stack], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        let peakTree = 0;
        let peakProcess = 0;
        const seen = new Set<number>();
        const canSample = fs.existsSync("/proc/self/stat");
        const sample = () => {
            if (!canSample || child.pid === undefined) return;
            const table = processTable();
            const tree = treeOf(child.pid, table);
            tree.forEach((pid) => seen.add(pid));
            const rss = tree.map((pid) => table.get(pid)!.rss);
            peakTree = Math.max(
                peakTree,
                rss.reduce((a, b) => a + b, 0),
            );
            peakProcess = Math.max(peakProcess, ...rss);
        };
        const timer = setInterval(sample, SAMPLE_EVERY_MS);
        child.on("error", reject);
        child.on("exit", (exitCode) => {
            clearInterval(timer);
            const wallMs = performance.now() - started;
            if (exitCode !== 0 && exitCode !== 1)
                reject(
                    new Error(
                        `npm run preview -- --stack ${stack} exited ${exitCode}: ${stderr.trim().split("\n")[0] ?? ""}`,
                    ),
                );
            else
                resolve({
                    wallMs,
                    exitCode,
                    peakTreeRssBytes: peakTree,
                    peakProcessRssBytes: peakProcess,
                    processes: seen.size,
                });
        });
    });
}

const median = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
    const positive = (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number >= 1");
        return n;
    };
    const opts = new Command()
        .name("npm run bench:preview --")
        .option("--runs <n>", "number of cold runs", positive, 5)
        .option("--stack <name>", "stack to preview", "production")
        .parse()
        .opts<{ runs: number; stack: string }>();

    console.log(
        `bench:preview: ${opts.runs} cold runs of \`npm run preview -- --stack ${opts.stack}\` on ` +
            `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}`,
    );
    const results: RunResult[] = [];
    for (let i = 1; i <= opts.runs; i++) {
        const r = await runOnce(opts.stack);
        results.push(r);
        console.log(
            `  run ${i}: ${secs(r.wallMs)}, peak tree RSS ${mib(r.peakTreeRssBytes)} (largest ` +
                `process ${mib(r.peakProcessRssBytes)}, ${r.processes} processes), exit ${r.exitCode}`,
        );
    }
    const med = median(results.map((r) => r.wallMs));
    const peak = Math.max(...results.map((r) => r.peakTreeRssBytes));
    console.log(`median ${secs(med)} (goal < ${secs(GOAL_MEDIAN_MS)}): ${med < GOAL_MEDIAN_MS ? "met" : "MISSED"}`);
    console.log(
        `peak RSS ${mib(peak)} (goal < ${mib(GOAL_PEAK_RSS_BYTES)}): ` +
            `${peak === 0 ? "not measured (no /proc)" : peak < GOAL_PEAK_RSS_BYTES ? "met" : "MISSED"}`,
    );
    if (results.some((r) => r.exitCode !== 0))
        console.log(`note: the preview reported mandatory violations for ${opts.stack} (exit 1); timings still count`);
}

main().catch((e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
