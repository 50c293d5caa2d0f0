/**
 * The offered load the simulation replays: the k6 suite's own shapes, scaled to a peak.
 */
import { describe, expect, it } from "vitest";
import { offeredLoad } from "../../policies/load-profiles";

describe("offeredLoad", () => {
    it("spike: 10 s up to a fifth of the peak, 10 s surge, the plateau at the peak, back, recovery", () => {
        const rps = offeredLoad("spike", 1000, 60);
        expect(rps).toHaveLength(10 + 10 + 60 + 10 + 30 + 10);
        expect(rps[0]).toBeCloseTo(10, 9); // midpoint of the first second of a 0 -> 200 ramp over 10 s
        expect(rps[9]).toBeCloseTo(190, 9);
        expect(rps.slice(20, 80)).toEqual(Array<number>(60).fill(1000));
        expect(rps.slice(90, 120)).toEqual(Array<number>(30).fill(200));
        expect(Math.max(...rps)).toBe(1000);
    });

    it("throughput offers the peak from the first second; smoke offers its 5 VUs, not the peak", () => {
        expect(offeredLoad("throughput", 1000, 120)).toEqual(Array<number>(120).fill(1000));
        expect(offeredLoad("smoke", 1000, 999)).toEqual(Array<number>(30).fill(5));
    });
});
