/**
 * The committed stacks as the program deploys them: each stack's capacity plan reaches the
 * scalable target, the request policy, the stack output and the dashboard; and the real
 * `npm run preview` fails a stack file that lowers the task ceiling below the plan.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SLO } from "../../policies/slo";
import { runStack } from "../../tools/harness/run";
import { REPO_ROOT } from "../../tools/stack-file";
import { runTsScript } from "../ts-script";

describe.each([
    // stack, minTasks, maxTasks, requestsPerTarget, capacity at target (maxTasks × requestsPerTarget / 60)
    ["production", 2, 72, 1000, 1200],
    ["staging", 2, 15, 1000, 250],
    ["dev", 1, 3, 1000, 50],
])("stack %s", (stack, minTasks, maxTasks, perTarget, capacity) => {
    const title = `scales ${minTasks}..${maxTasks} tasks at ${perTarget}/min: ${capacity} req/s at target`;
    it(title, async () => {
        const r = await runStack(stack);
        expect(r.get("aws:appautoscaling/target:Target", "api").inputs).toMatchObject({
            minCapacity: minTasks,
            maxCapacity: maxTasks,
        });
        const requests = r.get("aws:appautoscaling/policy:Policy", "api-requests").inputs
            .targetTrackingScalingPolicyConfiguration as { targetValue: number };
        expect(requests.targetValue).toBe(perTarget);
        expect(r.outputs.capacityAtTargetRps).toBe(capacity);
        const body = JSON.parse(r.get("aws:cloudwatch/dashboard:Dashboard", "slo").inputs.dashboardBody as string) as {
            widgets: { properties: { title: string; annotations?: { horizontal: unknown[] } } }[];
        };
        const throughput = body.widgets.find((w) => w.properties.title.startsWith("Requests per second"))!;
        expect(throughput.properties.annotations!.horizontal).toEqual([
            { label: `Peak target ${SLO.peakRequestsPerSecond} req/s`, value: SLO.peakRequestsPerSecond },
            { label: `Capacity at scaling target ${capacity} req/s`, value: capacity },
        ]);
    });
});

it("production carries the SLO peak at its scaling target", async () => {
    const r = await runStack("production");
    expect(r.outputs.capacityAtTargetRps).toBeGreaterThanOrEqual(SLO.peakRequestsPerSecond);
});

it("npm run preview fails a production stack file that lowers scaling.maxTasks below the plan", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-preview-"));
    const production = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.production.yaml"), "utf8");
    fs.writeFileSync(
        path.join(dir, "Pulumi.production.yaml"),
        production.replace(
            "  credlink:scaling.minTasks: 2\n",
            "  credlink:scaling.minTasks: 2\n  credlink:scaling.maxTasks: 20\n",
        ),
    );
    const { code, stderr } = await runTsScript(
        "scripts/preview.ts",
        ["--stack", "production", "--stack-dir", dir],
        120_000,
    );
    expect({ code, stderr }).toEqual({
        code: 1,
        stderr:
            "error: stack production: Invalid configuration for stack production (Pulumi.production.yaml):\n" +
            "credlink:scaling.maxTasks = 20 carries 333 req/s at the scaling target, below the planned peak of " +
            "1200 req/s (1000 × 1.2); set it to 72 or more, or leave it unset to derive it\n",
    });
});
