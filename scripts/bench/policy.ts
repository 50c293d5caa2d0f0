/**
 * Policy pack benchmark (`npm run bench:policy`): N copies of the production
 * stack's fresh-stack preview through the pack over gRPC, as the CLI drives it
 * (remediate + analyze per resource, one at a time, then analyzeStack).
 * Reports the median over repeated runs of analyze throughput and analyzeStack
 * time, and the analyzeStack time per resource as N grows (stack rules must
 * stay linear).
 *
 *   npm run bench:policy -- --copies 1,10,100 --runs 5
 */
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

const opts = new Command("bench:policy")
    .description("Benchmark the policy pack over gRPC with N copies of the production stack")
    .option("--copies <list>", "stack copies per measurement (100 copies = about 10,000 resources)", list, [1, 10, 100])
    .option("--runs <n>", "repetitions per size; the median is reported", count, 5)
    .parse()
    .opts<{ copies: number[]; runs: number }>();

/** Copy `k` of the stack: URNs, names and literal identifiers suffixed so relations stay within the copy. */
function copyOf(resources: readonly RegisteredResourceLike[], k: number): RegisteredResourceLike[] {
    const ids = new Set<string>();
    for (const r of resources)
        for (const key of ["name", "identifier"]) if (typeof r.inputs[key] === "string") ids.add(r.inputs[key]);
    const urn = (u: string) => `${u}-${k}`;
    const deep = (v: unknown): unknown => {
        if (typeof v === "string") return ids.has(v) ? `${v}-${k}` : v;
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

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
    const run = await runStack("production", { preview: true });
    const config = loadPolicyConfigFile(path.join(DEFAULT_PACK_DIR, "config", "production.json"));

    const started = performance.now();
    const pack = await startPolicyPack(DEFAULT_PACK_DIR, { project: "credlink", stack: "production" });
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
        const perK: Array<{ n: number; stackMs: number }> = [];
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
            perK.push({ n: resources.length, stackMs });
            console.log(
                `${String(copies).padStart(6)}  ${String(resources.length).padStart(9)}  ` +
                    `${`${median(analyzeRates).toFixed(0)} resources/s`.padStart(19)}  ` +
                    `${`${median(pipelinedRates).toFixed(0)} resources/s`.padStart(20)}  ` +
                    `${`${stackMs.toFixed(0)} ms`.padStart(12)}  ` +
                    `${`${((stackMs / resources.length) * 1000).toFixed(1)} ms`.padStart(30)}  ` +
                    `${String(mandatory / opts.runs).padStart(9)}`,
            );
        }
        if (perK.length > 1) {
            const [small, large] = [perK[0], perK[perK.length - 1]];
            const growth = large.stackMs / large.n / (small.stackMs / small.n);
            console.log(
                `analyzeStack time per resource, ${large.n} vs ${small.n} resources: ` +
                    `x${growth.toFixed(2)} (1 = linear)`,
            );
        }
    } finally {
        await pack.close();
    }
}

main().catch((e: Error) => {
    console.error(`bench:policy: ${e.message}`);
    process.exit(1);
});
