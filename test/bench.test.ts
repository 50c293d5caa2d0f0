/**
 * The benchmarks' shared parts (scripts/bench/machine.ts) and their command lines: what a
 * result file records, and a bad flag as one line with exit 2 before anything is measured.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { describeMachine, machine, median, writeResult } from "../scripts/bench/machine";
import { runTsScript } from "./ts-script";

const bench = (script: string, ...args: string[]) => runTsScript(`scripts/bench/${script}.ts`, args);

describe("bench machine and result", () => {
    it("names the CPU, cores, memory and Node version", () => {
        const m = machine();
        expect(m.cores).toBe(os.availableParallelism());
        expect(m.node).toBe(process.version);
        expect(m.cpuModel).toBe(os.cpus()[0].model.trim());
        expect(describeMachine(m)).toBe(
            `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; ` +
                `load average ${m.loadAverage1m} at start`,
        );
    });

    it("writes the benchmark, date, machine, the command that reproduces it and the result", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "nested", "r.json");
        const m = machine();
        writeResult(file, "preview", "npm run bench:preview -- --runs 5", m, { medianMs: 1234 });
        const written = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        expect(written).toEqual({
            benchmark: "preview",
            date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
            machine: m,
            command: "npm run bench:preview -- --runs 5",
            medianMs: 1234,
        });
    });

    it("takes the median of odd and even counts", () => {
        expect(median([5, 1, 3])).toBe(3);
        expect(median([4, 1, 3, 2])).toBe(2.5);
    });
});

describe("bench command lines", () => {
    it("reject a bad flag in one line with exit 2, before measuring anything", async () => {
        const [preview, policy] = await Promise.all([
            bench("preview", "--runs", "0"),
            bench("policy", "--copies", "1,x"),
        ]);
        expect(preview).toEqual({
            code: 2,
            stdout: "",
            stderr: "error: option '--runs <n>' argument '0' is invalid. must be a whole number >= 1\n",
        });
        expect(policy).toEqual({
            code: 2,
            stdout: "",
            stderr:
                "error: option '--copies <list>' argument '1,x' is invalid. must be a comma-separated list of " +
                "whole numbers >= 1, e.g. 1,10,100\n",
        });
    });
});
