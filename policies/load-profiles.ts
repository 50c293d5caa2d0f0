/**
 * The shapes of the k6 load profiles, written once: the k6 suite builds its scenarios from
 * them (loadtests/lib/profiles.ts) and the scaling simulation replays them against the
 * stack's autoscaling (policies/simulation/). No imports, so k6, the policy pack (published
 * on its own from policies/) and the program can all load it.
 *
 * A shape is a list of stages in the profile's own unit: multiples of the normal load (VUS
 * for the closed-model types, RATE for throughput), over seconds. k6's ramping-vus executor
 * moves linearly from one stage's target to the next, starting at 0; the constant executors
 * (smoke, throughput) start at their level. Shapes follow Grafana's test-type guides: ramps
 * are ~10 % of the plateau, stress steps above normal load, spike surges to a multiple of
 * it and checks recovery.
 */

/** The test types, one k6 entry script each (`loadtests/<type>.ts`). */
export const LOAD_PROFILES = ["smoke", "load", "stress", "spike", "soak", "throughput"] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

/** Smoke is fixed, as in the original script: 5 VUs for 30 s. */
export const SMOKE = Object.freeze({ vus: 5, durationSeconds: 30 });
/** Ramps are 10 % of the plateau, within 10 s .. 5 min. */
export const RAMP = Object.freeze({ fraction: 0.1, minSeconds: 10, maxSeconds: 300 });
/** Stress climbs through these multiples of VUS, holding each for a third of DURATION. */
export const STRESS_STEPS: readonly number[] = Object.freeze([1, 1.5, 2]);
/** Spike: warm up to VUS, surge to VUS x multiplier, hold DURATION, drop back, watch recovery. */
export const SPIKE = Object.freeze({
    multiplier: 5,
    warmSeconds: 10,
    surgeSeconds: 10,
    dropSeconds: 10,
    recoverySeconds: 30,
});

/** Plateau (DURATION) of each type when none is given: the original script's 60 s, except where a type needs longer. */
export const DEFAULT_HOLD_SECONDS = Object.freeze({
    smoke: SMOKE.durationSeconds,
    load: 60,
    stress: 60,
    spike: 60,
    soak: 3600,
    throughput: 60,
} satisfies Record<LoadProfile, number>);

/** Pause after each iteration of a closed-model (VU-based) test, seconds (THINK_TIME). */
export const DEFAULT_THINK_TIME_SECONDS = 1;

/** One segment of a shape: reach `level` (a multiple of the normal load) over `seconds`. */
export interface ShapeStage {
    readonly seconds: number;
    readonly level: number;
}

export interface ProfileShape {
    /** The level at t = 0: 0 for the ramping profiles, the constant level otherwise. */
    readonly startLevel: number;
    readonly stages: readonly ShapeStage[];
}

export function isLoadProfile(value: string): value is LoadProfile {
    return (LOAD_PROFILES as readonly string[]).includes(value);
}

export function rampSeconds(holdSeconds: number): number {
    return Math.min(RAMP.maxSeconds, Math.max(RAMP.minSeconds, Math.round(holdSeconds * RAMP.fraction)));
}

/** The shape of a profile with its plateau lasting `holdSeconds` (smoke ignores it: always 30 s). */
export function profileShape(profile: LoadProfile, holdSeconds: number): ProfileShape {
    const ramp = rampSeconds(holdSeconds);
    switch (profile) {
        case "smoke":
            return { startLevel: 1, stages: [{ seconds: SMOKE.durationSeconds, level: 1 }] };
        case "throughput":
            return { startLevel: 1, stages: [{ seconds: holdSeconds, level: 1 }] };
        case "load":
        case "soak":
            return {
                startLevel: 0,
                stages: [
                    { seconds: ramp, level: 1 },
                    { seconds: holdSeconds, level: 1 },
                    { seconds: ramp, level: 0 },
                ],
            };
        case "stress": {
            const stepHold = Math.max(1, Math.ceil(holdSeconds / STRESS_STEPS.length));
            const climb = STRESS_STEPS.flatMap((level) => [
                { seconds: ramp, level },
                { seconds: stepHold, level },
            ]);
            return { startLevel: 0, stages: [...climb, { seconds: ramp, level: 0 }] };
        }
        case "spike":
            return {
                startLevel: 0,
                stages: [
                    { seconds: SPIKE.warmSeconds, level: 1 },
                    { seconds: SPIKE.surgeSeconds, level: SPIKE.multiplier },
                    { seconds: holdSeconds, level: SPIKE.multiplier },
                    { seconds: SPIKE.dropSeconds, level: 1 },
                    { seconds: SPIKE.recoverySeconds, level: 1 },
                    { seconds: SPIKE.warmSeconds, level: 0 },
                ],
            };
    }
}

/** The level of a shape `t` seconds into the run, as k6's executors move: linearly within a stage. */
export function levelAt(shape: ProfileShape, t: number): number {
    let from = shape.startLevel;
    let start = 0;
    for (const stage of shape.stages) {
        if (t < start + stage.seconds) {
            return stage.seconds === 0 ? stage.level : from + ((stage.level - from) * (t - start)) / stage.seconds;
        }
        from = stage.level;
        start += stage.seconds;
    }
    return 0;
}

export function shapeSeconds(shape: ProfileShape): number {
    return shape.stages.reduce((n, s) => n + s.seconds, 0);
}

/**
 * Offered load per second of a profile, requests per second, for the scaling simulation.
 * Every profile but smoke is scaled so that its top level offers `peakRps` (the stack's
 * peak): the closed-model VUs offer load in proportion to their number while latency holds,
 * which is the open-model view real users take when the service slows down. Smoke is a
 * functional check, not a load shape: its 5 VUs, each pausing THINK_TIME after a request,
 * offer at most SMOKE.vus / DEFAULT_THINK_TIME_SECONDS requests per second.
 */
export function offeredLoad(profile: LoadProfile, peakRps: number, holdSeconds: number): number[] {
    const shape = profileShape(profile, holdSeconds);
    const top = Math.max(shape.startLevel, ...shape.stages.map((s) => s.level));
    const perLevel = profile === "smoke" ? SMOKE.vus / DEFAULT_THINK_TIME_SECONDS : peakRps / top;
    // Each second is represented by its midpoint.
    return Array.from({ length: shapeSeconds(shape) }, (_, t) => levelAt(shape, t + 0.5) * perLevel);
}
