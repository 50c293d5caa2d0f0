/**
 * openPack's handles share one pack process per stack config (a pack start costs about a second
 * of CPU), yet each must behave as a pack of its own: its own policy config before every call,
 * the last accepted config kept when one is rejected, and no silent mix of two handles' configs.
 */
import { afterAll, describe, expect, it } from "vitest";
import { TTL } from "../../policies/slo";
import type { PolicyConfig, PolicyPackProcess } from "../../tools/analyzer";
import { analyze, changed, compliantStack, mandatory, openPack, T, TEST_CONFIG } from "./fixtures";

const handles: PolicyPackProcess[] = [];
const open = async (...args: Parameters<typeof openPack>) => {
    const h = await openPack(...args);
    handles.push(h);
    return h;
};
afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
});

/** The static cache policy's max TTL at two years: a mandatory cdn-ttl-bands violation. */
const twoYearStatic = () =>
    changed(compliantStack(), T.cachePolicy, "cdn-static-cache", (p) => {
        p.maxTtl = 2 * TTL.static.maxTtl;
    });
const failedPolicies = async (h: PolicyPackProcess) =>
    mandatory(await analyze(h, twoYearStatic())).map((d) => d.policyName);
const TTL_OFF: PolicyConfig = { ...TEST_CONFIG, "cdn-ttl-bands": { enforcementLevel: "disabled", properties: {} } };

describe("handles over one shared pack", () => {
    it("share the process and each analyses under its own policy config, in any order", async () => {
        const strict = await open();
        const lenient = await open(TTL_OFF);
        expect(lenient.logs).toBe(strict.logs); // one process behind both
        expect(await failedPolicies(strict)).toEqual(["cdn-ttl-bands"]);
        expect(await failedPolicies(lenient)).toEqual([]);
        expect(await failedPolicies(strict)).toEqual(["cdn-ttl-bands"]);
    });

    it("keep the last accepted config when configs are rejected, even two at once", async () => {
        const h = await open(TTL_OFF);
        const results = await Promise.allSettled([
            h.configure({ "no-such-policy": { enforcementLevel: "advisory", properties: {} } }),
            h.configure({ "cdn-ttl-bands": { enforcementLevel: "mandatory", properties: { paths: "every path" } } }),
        ]);
        expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
        expect(await failedPolicies(h)).toEqual([]);
        await h.configure(TEST_CONFIG);
        expect(await failedPolicies(h)).toEqual(["cdn-ttl-bands"]);
    });

    it("refuse a call that would reconfigure the process under another handle's calls in flight", async () => {
        const a = await open();
        const b = await open(TTL_OFF);
        const inFlight = analyze(a, twoYearStatic());
        await expect(analyze(b, twoYearStatic())).rejects.toThrow(
            "openPack: another handle of this pack has calls in flight; await them first",
        );
        expect(mandatory(await inFlight).map((d) => d.policyName)).toEqual(["cdn-ttl-bands"]);
        expect(await failedPolicies(b)).toEqual([]);
    });

    it("start a new process for another stack config", async () => {
        const other = await open(TEST_CONFIG, { "credlink:scaling.peakRequestsPerSecond": "41" });
        const usual = await open();
        expect(other.logs).not.toBe(usual.logs);
    });
});
