/**
 * What the component knows about RDS for PostgreSQL instance classes: memory
 * (to size the FreeableMemory and DatabaseConnections alarms) and whether
 * Performance Insights can be turned on.
 *
 * Performance Insights: AWS's engine/class support table lists class
 * restrictions only for RDS for MySQL and MariaDB (db.t2/t3/t4g .micro and
 * .small); for RDS for PostgreSQL it says "N/A", i.e. every class RDS for
 * PostgreSQL offers supports it, db.t4g.micro included.
 * (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html)
 * The classes it cannot be enabled on are therefore the previous-generation
 * families that RDS for PostgreSQL 14+ no longer offers at all.
 *
 * max_connections: the default parameter group sets
 * LEAST({DBInstanceClassMemory/9531392}, 5000). DBInstanceClassMemory is the
 * class memory minus what the OS and RDS agents reserve, which AWS does not
 * publish; see estimateMaxConnections.
 */

const GIB = 1024 ** 3;

/** Bytes of DBInstanceClassMemory per connection in RDS for PostgreSQL's default max_connections formula. */
export const BYTES_PER_CONNECTION = 9_531_392;
/** Upper bound in the default max_connections formula. */
export const MAX_CONNECTIONS_CAP = 5000;

export interface InstanceFamily {
    /** Memory of the family's sizes, GiB by size name (burstable) or per vCPU (fixed-performance). */
    readonly memory: { readonly perVcpuGib: number } | { readonly bySizeGib: Readonly<Record<string, number>> };
    /** Current generation: offered for RDS for PostgreSQL 14+ and supports Performance Insights. */
    readonly current: boolean;
}

const BURSTABLE_SIZES = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 } as const;
const general = { memory: { perVcpuGib: 4 }, current: true } as const;
const memoryOptimized = { memory: { perVcpuGib: 8 }, current: true } as const;
const previous = (bySizeGib: Record<string, number>) => ({ memory: { bySizeGib }, current: false }) as const;

/**
 * Families by name (`db.<family>.<size>`). Add a family here when AWS launches
 * one: the component rejects classes it cannot size alarms for.
 */
export const INSTANCE_FAMILIES: Readonly<Record<string, InstanceFamily>> = {
    // Burstable.
    t3: { memory: { bySizeGib: BURSTABLE_SIZES }, current: true },
    t4g: { memory: { bySizeGib: BURSTABLE_SIZES }, current: true },
    // General purpose: 4 GiB per vCPU.
    m5: general,
    m5d: general,
    m6g: general,
    m6gd: general,
    m6i: general,
    m6id: general,
    m6idn: general,
    m6in: general,
    m7g: general,
    m7i: general,
    m8g: general,
    // Memory optimized: 8 GiB per vCPU (x2g: 16).
    r5: memoryOptimized,
    r5b: memoryOptimized,
    r5d: memoryOptimized,
    r6g: memoryOptimized,
    r6gd: memoryOptimized,
    r6i: memoryOptimized,
    r6id: memoryOptimized,
    r6idn: memoryOptimized,
    r6in: memoryOptimized,
    r7g: memoryOptimized,
    r7i: memoryOptimized,
    r8g: memoryOptimized,
    x2g: { memory: { perVcpuGib: 16 }, current: true },
    // Previous generation: RDS for PostgreSQL 14+ does not offer these (db.t2 stopped at PostgreSQL 12).
    t2: previous(BURSTABLE_SIZES),
    t1: previous({ micro: 0.613 }),
    m1: previous({ small: 1.7, medium: 3.75, large: 7.5, xlarge: 15 }),
    m2: previous({ xlarge: 17.1, "2xlarge": 34.2, "4xlarge": 68.4 }),
    m3: previous({ medium: 3.75, large: 7.5, xlarge: 15, "2xlarge": 30 }),
    r3: previous({ large: 15.25, xlarge: 30.5, "2xlarge": 61, "4xlarge": 122, "8xlarge": 244 }),
};

export interface InstanceClassInfo {
    readonly instanceClass: string;
    readonly family: string;
    readonly size: string;
    readonly memoryGib: number;
    readonly current: boolean;
}

/** vCPUs of a fixed-performance size: large = 2, xlarge = 4, Nxlarge = 4N. */
function vcpus(size: string): number | undefined {
    if (size === "large") return 2;
    if (size === "xlarge") return 4;
    const m = /^(\d+)xlarge$/.exec(size);
    return m ? 4 * Number(m[1]) : undefined;
}

/** Parse and look up a class such as `db.r6g.large`; undefined when the family or size is not in the table. */
export function describeInstanceClass(instanceClass: string): InstanceClassInfo | undefined {
    const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
    if (!m) return undefined;
    const [, family, size] = m;
    const spec = INSTANCE_FAMILIES[family];
    if (!spec) return undefined;
    const memoryGib =
        "bySizeGib" in spec.memory ? spec.memory.bySizeGib[size] : (vcpus(size) ?? NaN) * spec.memory.perVcpuGib;
    if (memoryGib === undefined || !Number.isFinite(memoryGib)) return undefined;
    return { instanceClass, family, size, memoryGib, current: spec.current };
}

/** Nominal class memory in bytes. */
export function memoryBytes(info: InstanceClassInfo): number {
    return Math.round(info.memoryGib * GIB);
}

/**
 * The default max_connections of a class. DBInstanceClassMemory is estimated
 * as the class memory minus the larger of 0.35 GiB and 6 %, which stays at or
 * just below the values RDS reports (2 GiB: 198, 4 GiB: 413, 8 GiB: 856,
 * 15.25 GiB: 1660), so an alarm at a share of it fires before the real limit.
 */
export function estimateMaxConnections(info: InstanceClassInfo): number {
    const nominal = info.memoryGib * GIB;
    const usable = nominal - Math.max(0.35 * GIB, 0.06 * nominal);
    return Math.min(Math.floor(usable / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}
