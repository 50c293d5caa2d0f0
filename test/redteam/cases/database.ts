/**
 * Red-team cases: database monitoring.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

export const CASES: readonly RedTeamCase[] = [{ name: "the production stack as committed", mustFail: [] }];
