/**
 * The numbers README.md and docs/scaling-service.md state about production and the spike
 * profile are what the simulation gives for the committed stack file today, so they cannot go
 * stale: change the stack or the model, and this test names the sentence to update.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatClock, formatCount, type ScalingSetup, simulateProfile } from "../../policies/simulation";
import { simulateStack } from "../../tools/simulate/cli";
import { REPO_ROOT } from "../../tools/stack-file";

const production = simulateStack("production", "spike");
const setup = production.setup;
const spike = (s: ScalingSetup, holdSeconds: number) =>
    simulateProfile(s, "spike", production.run.peakRps, holdSeconds);

const base = production.run.result;
const long = spike(setup, 900).result;
const ceiling = { ...setup, maxTasks: 60 };
const longWithCeiling = spike(ceiling, 900).result;
const fasterStart = spike({ ...ceiling, startupSeconds: 30 }, 900).result;
const minTasks = spike(ceiling, 60).minTasksWithoutOverload;

const facts = {
    overload:
        `overloaded for **${base.overloadSeconds} s**, from ${formatClock(base.firstOverloadAt!)} to ` +
        `${formatClock(base.lastOverloadAt! + 1)}`,
    spikeEnd: formatClock(base.durationSeconds),
    firstScaleOut: formatClock(long.activities[0].t),
    ceilingCarries: formatCount(setup.maxTasks * setup.taskCapacityRps),
    longOverload: `${long.overloadSeconds} s`,
    absorbed:
        `absorbed after **${formatClock(longWithCeiling.neededCapacityAt!)}** ` +
        `(${longWithCeiling.overloadSeconds} s of overload)`,
    fasterStart: formatClock(fasterStart.neededCapacityAt!),
    minTasks: `\`minTasks\` ≥ **${minTasks}**`,
};

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8").replace(/\s+/g, " ");

describe("the production spike numbers in the docs", () => {
    it("hold for the committed stack file", () => {
        expect(base.activities).toEqual([]);
        expect(long.activities[0]).toMatchObject({ direction: "out", to: setup.maxTasks, limitedBy: "maxTasks" });
        expect(minTasks).toBe(Math.ceil(production.run.peakRps / setup.taskCapacityRps));
    });

    it("README.md", () => {
        const doc = read("README.md");
        for (const phrase of [
            facts.overload,
            `The spike is over at ${facts.spikeEnd}`,
            `first scale-out comes at ${facts.firstScaleOut}`,
            `scales out at ${facts.firstScaleOut} straight to its ceiling of ${setup.maxTasks} tasks, which carry ` +
                `${facts.ceilingCarries} req/s, and stays overloaded for ${facts.longOverload}`,
            facts.absorbed,
            `(30 s: absorbed after ${facts.fasterStart})`,
            facts.minTasks,
        ])
            expect(doc, phrase).toContain(phrase);
    });

    it("docs/scaling-service.md", () => {
        const doc = read("docs/scaling-service.md");
        for (const phrase of [
            facts.overload,
            `It is over at ${facts.spikeEnd}`,
            `first possible scale-out at ${facts.firstScaleOut}`,
            `scales out at ${facts.firstScaleOut} to its ${setup.maxTasks}-task ceiling ` +
                `(${facts.ceilingCarries} req/s) ` +
                `and stays overloaded for ${facts.longOverload}`,
            `${facts.absorbed}; a 30 s start-up brings that to ${facts.fasterStart}`,
            facts.minTasks,
        ])
            expect(doc, phrase).toContain(phrase);
    });
});
