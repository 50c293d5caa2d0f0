/**
 * Every evasion in the corpus fails the offline preview with the policies it
 * names, and every compliant variant passes, through the real preview path.
 */
import { afterAll, describe, expect, it } from "vitest";
import { COMPLIANT, EVASIONS } from "./corpus";
import { RedTeam } from "./harness";

const team = new RedTeam();
afterAll(() => team.close());

describe("evasions fail the preview", () => {
    it.each(EVASIONS.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
        const { failedPolicies } = await team.run(c);
        expect(failedPolicies).toEqual(expect.arrayContaining([...c.mustFail]));
        expect(c.mustFail.length).toBeGreaterThan(0);
    });
});

describe("compliant variants pass", () => {
    it.each(COMPLIANT.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
        const { failedPolicies } = await team.run(c);
        expect(failedPolicies).toEqual([]);
    });
});
