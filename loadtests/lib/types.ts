/**
 * The vocabulary shared by the k6 scripts, the wrapper's validator and the reports.
 * Pure: no k6 or Node imports, so k6, tsx and vitest all load it.
 */

/** Test types, one k6 entry script each (`loadtests/<type>.ts`). */
export const TEST_TYPES = ["smoke", "load", "stress", "spike", "soak", "throughput", "capacity"] as const;
export type TestType = (typeof TEST_TYPES)[number];

/** The API surfaces a scenario can exercise; each is one k6 scenario with its own `exec` function. */
export const ENDPOINTS = ["health", "sign", "verify", "proofs"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** What a run exercises: one endpoint alone, or all of them in parallel with the mixed weights. */
export const WORKLOADS = [...ENDPOINTS, "mixed"] as const;
export type Workload = (typeof WORKLOADS)[number];

export function isTestType(value: string): value is TestType {
    return (TEST_TYPES as readonly string[]).includes(value);
}

export function isWorkload(value: string): value is Workload {
    return (WORKLOADS as readonly string[]).includes(value);
}
