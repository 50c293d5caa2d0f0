/**
 * `npm run bench:preview [-- --runs 5 --stack production --json <file>]`: times cold
 * `npm run preview -- --stack <stack>` runs, each a fresh process tree (npm, Node with
 * tsx's loader running the program, and the policy pack's own process), and samples the tree's total resident
 * memory from /proc. Each run is paired with the floor, a bare `node` that only loads
 * @pulumi/pulumi, timed the same way on the same machine, so the result is a ratio that
 * carries across machines. A benchmark, not a test: it reports the medians against the
 * goals (at most 2.5 x the floor, peak tree RSS under 1 GiB) and writes them as JSON.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { REPO_ROOT } from "../../tools/stack-file";
import { defaultResultFile, describeMachine, machine, median, parseFlagsOrExit, writeResult } from "./machine";

/** The preview's median may take at most this many times the floor's median. */
const GOAL_RATIO = 2.5;
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

/** A command of the benchmark: what it runs and how a reader reruns it. */
interface Timed {
    readonly label: string;
    readonly command: string;
    readonly args: readonly string[];
}

const previewCommand = (stack: string): Timed => ({
    label: `npm run preview -- --stack ${stack}`,
    command: "npm",
    args: ["run", "--silent", "preview", "--", "--stack", stack],
});

/** The floor: a bare Node process that loads the Pulumi SDK and exits. */
const FLOOR: Timed = {
    label: `node -e 'require("@pulumi/pulumi")'`,
    command: process.execPath,
    args: ["-e", 'require("@pulumi/pulumi")'],
};

function runOnce(timed: Timed): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(timed.command, [...timed.args], {
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
                reject(new Error(`${timed.label} exited ${exitCode}: ${stderr.trim().split("\n")[0] ?? ""}`));
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

const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
    const positive = (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number >= 1");
        return n;
    };
    const command = new Command()
        .name("npm run bench:preview --")
        .option("--runs <n>", "number of cold runs (each paired with a floor run)", positive, 5)
        .option("--stack <name>", "stack to preview", "production")
        .option("--json <file>", "where to write the result", defaultResultFile("preview"))
        .allowExcessArguments(false)
        .exitOverride();
    const opts = parseFlagsOrExit<{ runs: number; stack: string; json: string }>(command);

    const at = machine();
    const preview = previewCommand(opts.stack);
    console.log(`bench:preview: ${opts.runs} cold runs of \`${preview.label}\`, each after one of the floor`);
    console.log(`  floor: \`${FLOOR.label}\``);
    console.log(`  machine: ${describeMachine(at)}`);
    const runs: Array<{ floor: RunResult; preview: RunResult }> = [];
    for (let i = 1; i <= opts.runs; i++) {
        // Interleaved, so drift in the machine's load touches both alike.
        const floor = await runOnce(FLOOR);
        const r = await runOnce(preview);
        runs.push({ floor, preview: r });
        console.log(
            `  run ${i}: preview ${secs(r.wallMs)} (floor ${secs(floor.wallMs)}), peak tree RSS ` +
                `${mib(r.peakTreeRssBytes)} (largest process ${mib(r.peakProcessRssBytes)}, ${r.processes} ` +
                `processes), exit ${r.exitCode}`,
        );
    }
    const previewMs = runs.map((r) => r.preview.wallMs);
    const floorMs = runs.map((r) => r.floor.wallMs);
    const med = median(previewMs);
    const floorMed = median(floorMs);
    const ratio = med / floorMed;
    const peak = Math.max(...runs.map((r) => r.preview.peakTreeRssBytes));
    const ratioMet = ratio <= GOAL_RATIO;
    const rssMet = peak > 0 && peak < GOAL_PEAK_RSS_BYTES;
    console.log(
        `median ${secs(med)} (range ${secs(Math.min(...previewMs))}..${secs(Math.max(...previewMs))}); ` +
            `floor median ${secs(floorMed)}; ratio ${ratio.toFixed(2)} x the floor (goal <= ${GOAL_RATIO}): ` +
            `${ratioMet ? "met" : "MISSED"}`,
    );
    console.log(
        `peak RSS ${mib(peak)} (goal < ${mib(GOAL_PEAK_RSS_BYTES)}): ` +
            `${peak === 0 ? "not measured (no /proc)" : rssMet ? "met" : "MISSED"}`,
    );
    if (runs.some((r) => r.preview.exitCode !== 0))
        console.log(`note: the preview reported mandatory violations for ${opts.stack} (exit 1); timings still count`);
    const written = writeResult(
        opts.json,
        "preview",
        `npm run bench:preview -- --runs ${opts.runs} --stack ${opts.stack}`,
        at,
        {
            stack: opts.stack,
            runs: runs.map((r) => ({
                previewMs: Math.round(r.preview.wallMs),
                floorMs: Math.round(r.floor.wallMs),
                peakTreeRssBytes: r.preview.peakTreeRssBytes,
                exitCode: r.preview.exitCode,
            })),
            medianMs: Math.round(med),
            minMs: Math.round(Math.min(...previewMs)),
            maxMs: Math.round(Math.max(...previewMs)),
            floorMedianMs: Math.round(floorMed),
            ratio: Math.round(ratio * 100) / 100,
            goalRatio: GOAL_RATIO,
            ratioMet,
            peakTreeRssBytes: peak,
            goalPeakRssBytes: GOAL_PEAK_RSS_BYTES,
            rssMet,
        },
    );
    console.log(`result: ${written}`);
}

main().catch((e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
