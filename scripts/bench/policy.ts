/**
 * Policy pack benchmark (`npm run bench:policy`): N copies of the production
 * stack's fresh-stack preview through the pack over gRPC, as the CLI drives it
 * (remediate + analyze per resource, one at a time, then analyzeStack).
 * Reports the median over repeated runs of analyze throughput and analyzeStack
 * time, and the analyzeStack time per resource as N grows (stack rules must
 * stay linear). With --awsguard, Pulumi's own AWS rule set (scripts/bench/awsguard,
 * installed with `npm ci --prefix scripts/bench/awsguard`) analyzes the same
 * resources the same way, as the baseline for sequential analyze. Prints the
 * machine and writes the result as JSON.
 *
 *   npm run bench:policy -- --copies 1,10,100 --runs 5 [--awsguard]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import {
    analyzeResources,
    DEFAULT_PACK_DIR,
    loadPolicyConfigFile,
    type RegisteredResourceLike,
    startPolicyPack,
    toAnalyzerResource,
} from "../../tools/analyzer";
import { runStack } from "../../tools/harness/run";
import { stackConfigStrings } from "../../tools/preview/inputs";
import { readStackFile } from "../../tools/stack-file";
import { defaultResultFile, describeMachine, machine, median, parseFlagsOrExit, writeResult } from "./machine";

/** analyzeStack over about 10,000 resources must take at most this long. */
const GOAL_STACK_MS_10K = 2_000;
const AWSGUARD_DIR = path.join(__dirname, "awsguard");

const list = (v: string) => {
    const n = v.split(",").map(Number);
    if (n.some((x) => !Number.isInteger(x) || x < 1))
        throw new InvalidArgumentError("must be a comma-separated list of whole numbers >= 1, e.g. 1,10,100");
    return n;
};
const count = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 50)
        throw new InvalidArgumentError("must be a whole number between 1 and 50");
    return n;
};

interface Options {
    copies: number[];
    runs: number;
    json: string;
    awsguard?: boolean;
}

function parseOptions(): Options {
    const command = new Command("npm run bench:policy --")
        .description("Benchmark the policy pack over gRPC with N copies of the production stack")
        .option(
            "--copies <list>",
            "stack copies per measurement (100 copies = about 10,000 resources)",
            list,
            [1, 10, 100],
        )
        .option("--runs <n>", "repetitions per size; the median is reported", count, 5)
        .option("--json <file>", "where to write the result", defaultResultFile("policy"))
        .option(
            "--awsguard",
            "also time Pulumi's AWS rule set on the same resources (npm ci --prefix scripts/bench/awsguard)",
        )
        .allowExcessArguments(false)
        .exitOverride();
    return parseFlagsOrExit<Options>(command);
}
const opts = parseOptions();

/** Copy `k` of the stack: URNs, names and literal identifiers suffixed so relations stay within the copy. */
function copyOf(resources: readonly RegisteredResourceLike[], k: number): RegisteredResourceLike[] {
    const ids = new Set<string>();
    for (const r of resources)
        for (const key of ["name", "identifier"]) if (typeof r.inputs[key] === "string") ids.add(r.inputs[key]);
    const urn = (u: string) => `${u}-${k}`;
    const deep = (v: unknown): unknown => {
        // Whole identifiers, and identifiers as path segments (an autoscaling resourceId
        // "service/<cluster>/<service>"), so each copy's relations hold as in the original.
        if (typeof v === "string")
            return v
                .split("/")
                .map((segment) => (ids.has(segment) ? `${segment}-${k}` : segment))
                .join("/");
        if (Array.isArray(v)) return v.map(deep);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([key, e]) => [key, deep(e)]));
        return v;
    };
    return resources.map((r) => ({
        ...r,
        urn: urn(r.urn),
        name: `${r.name}-${k}`,
        parent: r.parent && urn(r.parent),
        inputs: deep(r.inputs) as Record<string, unknown>,
        outputs: deep(r.outputs) as Record<string, unknown>,
        dependencies: r.dependencies.map(urn),
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([key, v]) => [key, v.map(urn)]),
        ),
    }));
}

/** Sequential remediate + analyze over `resources`, as the CLI drives a pack; resources per second. */
async function sequentialRate(
    pack: Awaited<ReturnType<typeof startPolicyPack>>,
    resources: readonly RegisteredResourceLike[],
): Promise<number> {
    const t0 = performance.now();
    for (const r of resources) {
        const a = toAnalyzerResource(r, "analyze");
        await pack.remediate(a);
        await pack.analyze(a);
    }
    return resources.length / ((performance.now() - t0) / 1000);
}

/** A pack's sequential analyze rate over `resources`: one warm-up pass, then the median of `runs` passes. */
async function warmSequentialRate(
    pack: Awaited<ReturnType<typeof startPolicyPack>>,
    resources: readonly RegisteredResourceLike[],
    runs: number,
): Promise<number> {
    await sequentialRate(pack, resources);
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) rates.push(await sequentialRate(pack, resources));
    return median(rates);
}

/** The awsguard baseline: its warm sequential analyze rate over the same resources. */
async function awsguardRate(resources: readonly RegisteredResourceLike[], runs: number): Promise<number> {
    if (!fs.existsSync(path.join(AWSGUARD_DIR, "node_modules", "@pulumi", "awsguard")))
        throw new Error("--awsguard needs the baseline installed: run `npm ci --prefix scripts/bench/awsguard`");
    const pack = await startPolicyPack(AWSGUARD_DIR, { project: "credlink", stack: "production" });
    try {
        await pack.configure({});
        return await warmSequentialRate(pack, resources, runs);
    } finally {
        await pack.close();
    }
}

async function main(): Promise<void> {
    const at = machine();
    console.log(`machine: ${describeMachine(at)}`);
    const run = await runStack("production", { preview: true });
    const config = loadPolicyConfigFile(path.join(DEFAULT_PACK_DIR, "config", "production.json"));

    const started = performance.now();
    // As the CLI starts it for the production stack: its config in PULUMI_CONFIG.
    const pack = await startPolicyPack(DEFAULT_PACK_DIR, {
        project: "credlink",
        stack: "production",
        stackConfig: stackConfigStrings(readStackFile("production")),
    });
    const startMs = performance.now() - started;
    try {
        await pack.configure(config);
        console.log(
            `policy pack ${pack.info.name} ${pack.info.version}: ${pack.info.policies.length} ` +
                `policies; process start ${startMs.toFixed(0)} ms; node ${process.version}; ${opts.runs} ` +
                `runs per size`,
        );
        console.log(
            "copies  resources  analyze, sequential  analyze, 8 in flight  analyzeStack  " +
                "analyzeStack per 1k resources  mandatory",
        );
        const perK: Array<{
            copies: number;
            n: number;
            sequentialPerSecond: number;
            pipelinedPerSecond: number;
            stackMs: number;
            stackMsRange: [number, number];
        }> = [];
        for (const copies of opts.copies) {
            const resources = Array.from({ length: copies }, (_, k) => copyOf(run.resources, k)).flat();
            const analyzeRates: number[] = [];
            const pipelinedRates: number[] = [];
            const stackTimes: number[] = [];
            let mandatory = 0;
            for (let i = 0; i < opts.runs; i++) {
                const t0 = performance.now();
                for (const r of resources) {
                    const a = toAnalyzerResource(r, "analyze");
                    await pack.remediate(a);
                    mandatory += (await pack.analyze(a)).filter((d) => d.enforcementLevel === "mandatory").length;
                }
                const t1 = performance.now();
                const stack = await pack.analyzeStack(resources.map((r) => toAnalyzerResource(r, "analyzeStack")));
                const t2 = performance.now();
                mandatory += stack.filter((d) => d.enforcementLevel === "mandatory").length;
                analyzeRates.push(resources.length / ((t1 - t0) / 1000));
                stackTimes.push(t2 - t1);
                // The same calls with 8 in flight (what analyzeResources does for tests and `npm run preview`).
                const t3 = performance.now();
                await analyzeResources(pack, resources, { concurrency: 8 });
                const t4 = performance.now();
                pipelinedRates.push(resources.length / ((t4 - t3 - (t2 - t1)) / 1000));
            }
            const stackMs = median(stackTimes);
            perK.push({
                copies,
                n: resources.length,
                sequentialPerSecond: Math.round(median(analyzeRates)),
                pipelinedPerSecond: Math.round(median(pipelinedRates)),
                stackMs: Math.round(stackMs),
                stackMsRange: [Math.round(Math.min(...stackTimes)), Math.round(Math.max(...stackTimes))],
            });
            console.log(
                `${String(copies).padStart(6)}  ${String(resources.length).padStart(9)}  ` +
                    `${`${median(analyzeRates).toFixed(0)} resources/s`.padStart(19)}  ` +
                    `${`${median(pipelinedRates).toFixed(0)} resources/s`.padStart(20)}  ` +
                    `${`${stackMs.toFixed(0)} ms`.padStart(12)}  ` +
                    `${`${((stackMs / resources.length) * 1000).toFixed(1)} ms`.padStart(30)}  ` +
                    `${String(mandatory / opts.runs).padStart(9)}`,
            );
        }
        let growth: number | undefined;
        if (perK.length > 1) {
            const [small, large] = [perK[0], perK[perK.length - 1]];
            growth = large.stackMs / large.n / (small.stackMs / small.n);
            console.log(
                `analyzeStack time per resource, ${large.n} vs ${small.n} resources: ` +
                    `x${growth.toFixed(2)} (1 = linear)`,
            );
        }
        const largest = perK[perK.length - 1];
        if (largest.n >= 10_000)
            console.log(
                `analyzeStack over ${largest.n} resources: ${largest.stackMs} ms (goal <= ${GOAL_STACK_MS_10K} ms): ` +
                    `${largest.stackMs <= GOAL_STACK_MS_10K ? "met" : "MISSED"}`,
            );
        let baseline: { resources: number; sequentialPerSecond: number; ours: number } | undefined;
        if (opts.awsguard) {
            // The smallest size, so the baseline's run stays short; per-resource rates compare at any size.
            const sample = perK[0];
            const resources = Array.from({ length: sample.copies }, (_, k) => copyOf(run.resources, k)).flat();
            // Both packs measured the same way: warm, sequential, same resources.
            const ours = await warmSequentialRate(pack, resources, opts.runs);
            const theirs = await awsguardRate(resources, opts.runs);
            baseline = { resources: resources.length, sequentialPerSecond: Math.round(theirs), ours: Math.round(ours) };
            console.log(
                `sequential analyze, warm, over the same ${resources.length} resources: this pack ` +
                    `${baseline.ours} resources/s, awsguard (Pulumi's AWS rule set) ${baseline.sequentialPerSecond} ` +
                    `resources/s (goal: at least as fast): ${ours >= theirs ? "met" : "MISSED"}`,
            );
        }
        const flags = `--copies ${opts.copies.join(",")} --runs ${opts.runs}${opts.awsguard ? " --awsguard" : ""}`;
        const written = writeResult(opts.json, "policy", `npm run bench:policy -- ${flags}`, at, {
            pack: { name: pack.info.name, version: pack.info.version, policies: pack.info.policies.length },
            packStartMs: Math.round(startMs),
            sizes: perK,
            analyzeStackGrowthPerResource: growth === undefined ? null : Math.round(growth * 100) / 100,
            goalStackMs10k: GOAL_STACK_MS_10K,
            awsguard: baseline ?? null,
        });
        console.log(`result: ${written}`);
    } finally {
        await pack.close();
    }
}

main().catch((e: Error) => {
    console.error(`bench:policy: ${e.message}`);
    process.exit(1);
});
