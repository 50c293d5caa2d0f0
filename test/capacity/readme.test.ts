/**
 * README's capacity figures are the planner's own: its printed plan, the environment table's
 * task range, capacity and Fargate cost, and the prices it names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config";
import { capacityAtTargetRps } from "../../policies/capacity-plan";
import { runCapacityPlan } from "../../tools/capacity/cli";
import { FARGATE_ON_DEMAND_USD, formatUsd, HOURS_PER_MONTH, taskMonthlyCostUsd } from "../../tools/capacity/pricing";
import { readStackFile, REPO_ROOT } from "../../tools/stack-file";

const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

function planned(...args: string[]): string {
    let out = "";
    expect(runCapacityPlan(args, { out: (s) => (out += s), err: (s) => (out += s) })).toBe(0);
    return out;
}

/** The environment table's row whose first cell starts with `label`, as cells. */
function row(label: string): string[] {
    const line = readme.split("\n").find((l) => l.startsWith(`| ${label}`));
    if (!line) throw new Error(`README has no row "${label}"`);
    return line
        .split("|")
        .slice(2, -1)
        .map((c) => c.trim());
}

describe("README capacity figures", () => {
    it("quote production's plan as the planner prints it", () => {
        expect(readme).toContain(
            `$ npm run capacity:plan -- --stack production --per-task-rps 23.81\n${planned(
                "--stack",
                "production",
                "--per-task-rps",
                "23.81",
            )}\`\`\``,
        );
    });

    it("give each environment's task range, capacity and task cost from the plan", () => {
        const json = (stack: string) =>
            JSON.parse(planned("--stack", stack, "--per-task-rps", "23.81", "--json")) as Record<string, number>;
        const [staging, production] = [json("staging"), json("production")];
        // Dev is explicit, priced with the same module.
        const dev = readStackFile("dev");
        const devScaling = parseConfig({ values: dev.values, secretKeys: new Set(), stack: "dev" }).scaling;
        const devTask = taskMonthlyCostUsd(256, 512, "X86_64");

        expect(row("Tasks (Fargate CPU / memory)").map((c) => c.split(" ")[0])).toEqual([
            `${devScaling.minTasks}..${devScaling.maxTasks},`,
            `2..${staging.maxTasks}`,
            `2..${production.maxTasks}`,
        ]);
        expect(row("Capacity at the scaling target")).toEqual([
            `${capacityAtTargetRps(devScaling.maxTasks, devScaling.requestsPerTarget)} req/s`,
            `${staging.capacityAtTargetRps} req/s`,
            `${production.capacityAtTargetRps} req/s`,
        ]);
        expect(row("Fargate tasks a month, min / peak")).toEqual([
            `${formatUsd(devTask * devScaling.minTasks)} / ${formatUsd(devTask * devScaling.maxTasks)}`,
            `${formatUsd(staging.monthlyTaskCostAtMinUsd)} / ${formatUsd(staging.monthlyTaskCostAtPeakUsd)}`,
            `${formatUsd(production.monthlyTaskCostAtMinUsd)} / ${formatUsd(production.monthlyTaskCostAtPeakUsd)}`,
        ]);
    });

    it("name the planner's Fargate prices", () => {
        const price = FARGATE_ON_DEMAND_USD.X86_64;
        expect(readme.replace(/\s+/g, " ")).toContain(
            `Fargate $${price.perVcpuHour} per vCPU-hour and $${price.perGbHour} per GB-hour at ${HOURS_PER_MONTH} ` +
                `hours a month (1 vCPU / 2 GB = ${formatUsd(taskMonthlyCostUsd(1024, 2048, "X86_64"))} a task-month`,
        );
    });
});
