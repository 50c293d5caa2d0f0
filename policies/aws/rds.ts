/**
 * RDS facts the database component and the pack share. No imports, so the pack stays publishable on its own.
 */

/** The Enhanced Monitoring intervals RDS accepts, seconds; 0 turns Enhanced Monitoring off. */
export const RDS_MONITORING_INTERVALS: readonly number[] = Object.freeze([0, 1, 5, 10, 15, 30, 60]);

/** Performance Insights retention RDS accepts, days: 7 (free tier), 731, or a multiple of 31 in between. */
export const isPerformanceInsightsRetention = (days: number): boolean =>
    days === 7 || days === 731 || (Number.isInteger(days) && days >= 31 && days < 731 && days % 31 === 0);
