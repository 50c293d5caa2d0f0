/**
 * The plan part of the preview, shaped like `pulumi preview` of a new stack:
 * every resource is a create, counted by type, with the resource tree on demand.
 */
import type { RegisteredResource } from "../harness/run";

export interface PlanSummary {
    /** Resources to create (a brand-new stack creates all of them). */
    readonly create: number;
    /** Resource count per type, largest first, then by type. */
    readonly byType: ReadonlyArray<{ readonly type: string; readonly count: number }>;
}

export function summarizePlan(resources: readonly RegisteredResource[]): PlanSummary {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const byType = [...counts]
        .map(([type, count]) => ({ type, count }))
        .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
    return { create: resources.length, byType };
}

export function renderPlanSummary(plan: PlanSummary): string {
    const width = String(Math.max(0, ...plan.byType.map((t) => t.count))).length;
    return [
        "Resources by type:",
        ...plan.byType.map((t) => `    + ${String(t.count).padStart(width)}  ${t.type}`),
        "Resources:",
        `    + ${plan.create} to create`,
    ].join("\n");
}

/** The resource tree by parent, as in `pulumi preview`'s Type / Name / Plan table. */
export function renderResourceTree(resources: readonly RegisteredResource[]): string {
    const children = new Map<string | undefined, RegisteredResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        // A parent that was never registered (should not happen) puts the resource at the top.
        const parent = r.parent !== undefined && urns.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const rows: Array<{ type: string; name: string }> = [];
    const walk = (parent: string | undefined, prefix: string) => {
        const kids = children.get(parent) ?? [];
        kids.forEach((r, i) => {
            const last = i === kids.length - 1;
            const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
            rows.push({ type: `${prefix}${branch}${r.type}`, name: r.name });
            walk(r.urn, parent === undefined ? prefix : `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    const typeWidth = Math.max(4, ...rows.map((r) => r.type.length));
    const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
    const line = (mark: string, type: string, name: string, op: string) =>
        `${mark}   ${type.padEnd(typeWidth)}  ${name.padEnd(nameWidth)}  ${op}`.trimEnd();
    return [line(" ", "Type", "Name", "Plan"), ...rows.map((r) => line("+", r.type, r.name, "create"))].join("\n");
}
