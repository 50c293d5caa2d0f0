/**
 * Red-team cases: ECS autoscaling.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

export const CASES: readonly RedTeamCase[] = [
    {
        name: "the stack file raises the task ceiling to 150 (past the cost ceiling)",
        stackFile: { "credlink:scaling.maxTasks": 150 },
        mustFail: ["scaling-task-range"],
    },
    { name: "the production stack as committed", mustFail: [] },
];
