/**
 * RDS rejects a maintenance window that overlaps the backup window; the backup
 * window repeats daily, the maintenance window weekly, and either may wrap past
 * midnight (or Sunday). The formats themselves are checked by ./settings.ts.
 */
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEK_MINUTES = 7 * 1440;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minute ranges within the week [start, end) that a window covers. */
function weekRanges(start: number, end: number): Array<[number, number]> {
    return end > start
        ? [[start, end]]
        : [
              [start, WEEK_MINUTES],
              [0, end],
          ];
}

/** The problem line when the windows are too short or overlap; undefined when RDS accepts them. */
export function windowsProblem(backup: string, maintenance: string, at: (key: string) => string): string | undefined {
    const [bStart, bEnd] = backup.split("-");
    const bLen = (minutes(bEnd) - minutes(bStart) + 1440) % 1440;
    if (bLen < 30) return `${at("backupWindow")} = "${backup}" must be at least 30 minutes long`;

    const [, mDay1, mStart, mDay2, mEnd] = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(
        maintenance,
    ) as RegExpExecArray;
    const maint = weekRanges(DAYS.indexOf(mDay1) * 1440 + minutes(mStart), DAYS.indexOf(mDay2) * 1440 + minutes(mEnd));
    for (let day = 0; day < 7; day++) {
        const start = day * 1440 + minutes(bStart);
        for (const [bs, be] of weekRanges(start, (start + bLen) % WEEK_MINUTES)) {
            if (maint.some(([ms, me]) => bs < me && ms < be)) {
                return (
                    `${at("maintenanceWindow")} = "${maintenance}" overlaps ` +
                    `${at("backupWindow")} = "${backup}"; RDS requires them to be disjoint`
                );
            }
        }
    }
    return undefined;
}
