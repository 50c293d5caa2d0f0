/**
 * Fixed-window per-client limiter with the behaviour of express-rate-limit's memory
 * store as the API configures it (`standardHeaders: true`): RateLimit-* headers on
 * every limited response, Retry-After and HTTP 429 once the window is used up.
 */

export interface LimitDecision {
    readonly allowed: boolean;
    readonly headers: Readonly<Record<string, string>>;
}

export class FixedWindowLimiter {
    private readonly windows = new Map<string, { count: number; resetAt: number }>();
    private lastSweep = 0;

    constructor(
        readonly max: number,
        readonly windowMs: number,
        private readonly now: () => number = Date.now,
    ) {}

    hit(key: string): LimitDecision {
        const now = this.now();
        this.sweep(now);
        let window = this.windows.get(key);
        if (window === undefined || window.resetAt <= now) {
            window = { count: 0, resetAt: now + this.windowMs };
            this.windows.set(key, window);
        }
        window.count += 1;
        const resetSeconds = Math.max(0, Math.ceil((window.resetAt - now) / 1000));
        const allowed = window.count <= this.max;
        const headers: Record<string, string> = {
            "RateLimit-Policy": `${this.max};w=${Math.ceil(this.windowMs / 1000)}`,
            "RateLimit-Limit": String(this.max),
            "RateLimit-Remaining": String(Math.max(0, this.max - window.count)),
            "RateLimit-Reset": String(resetSeconds),
        };
        if (!allowed) headers["Retry-After"] = String(resetSeconds);
        return { allowed, headers };
    }

    /** Drops expired windows now and then so one-off clients do not accumulate. */
    private sweep(now: number): void {
        if (now - this.lastSweep < this.windowMs) return;
        this.lastSweep = now;
        for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    }
}
