/**
 * The k6 stages and the scaling simulation (npm run simulate) read the same shapes from
 * policies/load-profiles.ts: same stages, same length, same default DURATION.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_HOLD_SECONDS, offeredLoad, profileShape, shapeSeconds } from "../../policies/load-profiles.ts";
import { DEFAULTS, parseEnv } from "../lib/env.ts";
import { vuShape } from "../lib/profiles.ts";
import { TEST_TYPES } from "../lib/types.ts";

const closedModel = ["load", "stress", "spike", "soak"] as const;

describe("shared load profiles", () => {
    it("give k6 its default DURATION per test type (capacity has steps, not a shared shape)", () => {
        const shaped = TEST_TYPES.filter((t) => t !== "capacity");
        expect(Object.keys(DEFAULT_HOLD_SECONDS).sort()).toEqual([...shaped].sort());
        for (const t of shaped) expect(DEFAULT_HOLD_SECONDS[t]).toBe(DEFAULTS.holdSeconds[t]);
    });

    it.each(closedModel)("%s: the simulated load lasts exactly as long as the k6 stages", (test) => {
        const env = parseEnv({ TARGET_URL: "http://127.0.0.1:3000", VUS: "20", DURATION: "5m" }, test);
        const stages = vuShape(test, env);
        const k6Seconds = stages.reduce((n, s) => n + s.seconds, 0);
        expect(shapeSeconds(profileShape(test, env.holdSeconds))).toBe(k6Seconds);
        const offered = offeredLoad(test, 1000, env.holdSeconds);
        expect(offered).toHaveLength(k6Seconds);
        // The plateau at the top VUs (the last stage at that target) offers the peak.
        const topVus = Math.max(...stages.map((s) => s.target));
        const topIndex = stages.map((s) => s.target).lastIndexOf(topVus);
        const topStart = stages.slice(0, topIndex).reduce((n, s) => n + s.seconds, 0);
        expect(offered[topStart + Math.floor(stages[topIndex].seconds / 2)]).toBe(1000);
    });
});
