/**
 * Durations as the wrapper's users type them and as k6 reads them.
 *
 * Accepted: a bare number of seconds (`60`, the original script's form) or
 * hour/minute/second units in that order (`30s`, `5m`, `1h30m`). k6 parses
 * these with Go's time.ParseDuration, so what we emit it reads back unchanged.
 */

const UNIT_FORM = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in `text`, or undefined when it is not a duration this module accepts. */
export function parseDurationSeconds(text: string): number | undefined {
    const trimmed = text.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    const match = UNIT_FORM.exec(trimmed);
    if (!match || trimmed === "") return undefined;
    const [, h = "0", m = "0", s = "0"] = match;
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** `5400` -> `1h30m`, `90` -> `1m30s`, `0` -> `0s`. */
export function formatDuration(totalSeconds: number): string {
    if (!Number.isInteger(totalSeconds) || totalSeconds < 0) {
        throw new RangeError(`duration must be a whole, non-negative number of seconds, got ${totalSeconds}`);
    }
    if (totalSeconds === 0) return "0s";
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}
