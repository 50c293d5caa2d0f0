/**
 * Declares one vitest test per red-team case: an evasion must fail the preview with
 * (at least) the policies it names, a compliant variant must pass it.
 */
import { afterAll, expect, it } from "vitest";
import { RedTeam, type RedTeamCase } from "./harness";

export function runCases(cases: readonly RedTeamCase[]): void {
    const team = new RedTeam();
    afterAll(() => team.close());
    it.each(cases.map((c) => [c.mustFail.length > 0 ? "fails" : "passes", c.name, c] as const))(
        "%s: %s",
        async (_verdict, _name, c) => {
            const { failedPolicies } = await team.run(c);
            if (c.mustFail.length === 0) expect(failedPolicies).toEqual([]);
            else expect(failedPolicies).toEqual(expect.arrayContaining([...c.mustFail]));
        },
    );
}
