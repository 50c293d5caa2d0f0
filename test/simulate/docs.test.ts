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
const fasterStart = spike({ ...setup, startupSeconds: 30 }, 900).result;
const minTasks = spike(setup, 60).minTasksWithoutOverload;

const facts = {
    overload:
        `overloaded for **${base.overloadSeconds} s**, from ${formatClock(base.firstOverloadAt!)} to ` +
        `${formatClock(base.lastOverloadAt! + 1)}`,
    spikeEnd: formatClock(base.durationSeconds),
    firstScaleOut: formatClock(long.activities[0].t),
    ceilingCarries: formatCount(setup.maxTasks * setup.taskCapacityRps),
    absorbed: `absorbs it after **${formatClock(long.neededCapacityAt!)}** (${long.overloadSeconds} s of overload)`,
    fasterStart: formatClock(fasterStart.neededCapacityAt!),
    minTasks: `\`minTasks\` ≥ **${minTasks}**`,
};

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8").replace(/\s+/g, " ");

describe("the production spike numbers in the docs", () => {
    it("hold for the committed stack file", () => {
        expect(base.activities).toEqual([]);
        // The planned ceiling carries the peak: the long spike is absorbed, not capped.
        expect(setup.maxTasks * setup.taskCapacityRps).toBeGreaterThanOrEqual(production.run.peakRps);
        expect(long.activities[0]).toMatchObject({ direction: "out" });
        expect(long.neededCapacityAt).toBeDefined();
        expect(minTasks).toBe(Math.ceil(production.run.peakRps / setup.taskCapacityRps));
    });

    it("README.md", () => {
        const doc = read("README.md");
        for (const phrase of [
            facts.overload,
            `The spike is over at ${facts.spikeEnd}`,
            `first scale-out comes at ${facts.firstScaleOut}`,
            `scales out at ${facts.firstScaleOut} and, within its planned ceiling of ${setup.maxTasks} tasks ` +
                `(${facts.ceilingCarries} req/s), ${facts.absorbed}`,
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
            `scales out at ${facts.firstScaleOut} and, within its ${setup.maxTasks}-task ceiling ` +
                `(${facts.ceilingCarries} req/s), ${facts.absorbed}; a 30 s start-up brings that to ` +
                facts.fasterStart,
            facts.minTasks,
        ])
            expect(doc, phrase).toContain(phrase);
    });
});
