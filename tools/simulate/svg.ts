/**
 * The simulation as a self-contained SVG chart: offered load against the capacity of the
 * running tasks (overload shaded) on top, running and desired tasks below, one time axis.
 * Every line is labelled where it ends, and scaling activities are marked where they happen,
 * so nothing needs a legend. Deterministic output: the same run gives the same bytes.
 */
import { formatClock, formatCount } from "../../policies/simulation";
import { describeActivity, type StackSimulation } from "./report";

const WIDTH = 1000;
const HEIGHT = 590;
const LEFT = 70;
const RIGHT = 270; // room for the line labels
const PLOT_W = WIDTH - LEFT - RIGHT;
const LOAD = { top: 80, height: 260 };
const TASKS = { top: 390, height: 120 };
const COLORS = {
    offered: "#1f2937",
    capacity: "#2563eb",
    overload: "#dc2626",
    tasks: "#059669",
    desired: "#d97706",
    grid: "#e5e7eb",
    axis: "#6b7280",
};

const f1 = (n: number) => (Math.round(n * 10) / 10).toFixed(1);

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A round step for about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
    const raw = Math.max(max, 1) / count;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
    return Math.max(step, 1);
}

/** Drops points that lie on the straight line between their neighbours. */
function simplify(points: Array<[number, number]>): Array<[number, number]> {
    return points.filter((p, i) => {
        if (i === 0 || i === points.length - 1) return true;
        const [a, b] = [points[i - 1], points[i + 1]];
        return Math.abs((p[0] - a[0]) * (b[1] - a[1]) - (p[1] - a[1]) * (b[0] - a[0])) > 1e-6;
    });
}

const path = (points: Array<[number, number]>) =>
    simplify(points)
        .map(([x, y], i) => `${i === 0 ? "M" : "L"}${f1(x)} ${f1(y)}`)
        .join(" ");

/** Points of a value held for each whole second (a step line). */
function steps(values: readonly number[]): Array<[number, number]> {
    return values.flatMap((v, t): Array<[number, number]> => [
        [t, v],
        [t + 1, v],
    ]);
}

/** Label positions near `wanted` y values, pushed apart so that none overlap. */
function spread(wanted: number[], gap = 15): number[] {
    const order = wanted.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
    for (let k = 1; k < order.length; k++) order[k].y = Math.max(order[k].y, order[k - 1].y + gap);
    const out: number[] = [];
    for (const o of order) out[o.i] = o.y;
    return out;
}

export function renderSvg(sim: StackSimulation): string {
    const r = sim.run.result;
    const tl = r.timeline;
    const duration = Math.max(1, r.durationSeconds);
    const x = (t: number) => LEFT + (t / duration) * PLOT_W;

    const rpsMax = tl.reduce((max, p) => Math.max(max, p.offeredRps, p.capacityRps), 1) * 1.08;
    const rpsStep = niceStep(rpsMax, 5);
    const rpsTop = Math.ceil(rpsMax / rpsStep) * rpsStep;
    const yLoad = (v: number) => LOAD.top + LOAD.height - (v / rpsTop) * LOAD.height;

    const taskMax = tl.reduce((max, p) => Math.max(max, p.desiredTasks), Math.max(1, sim.setup.minTasks)) * 1.15;
    const taskStep = niceStep(taskMax, 4);
    const taskTop = Math.ceil(taskMax / taskStep) * taskStep;
    const yTasks = (v: number) => TASKS.top + TASKS.height - (v / taskTop) * TASKS.height;

    const out: string[] = [];
    const text = (tx: number, ty: number, body: string, attrs = "") =>
        out.push(`<text x="${f1(tx)}" y="${f1(ty)}"${attrs ? ` ${attrs}` : ""}>${escape(body)}</text>`);

    out.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
            `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    );
    out.push(
        `<title>${escape(
            `Scaling simulation: stack ${sim.stack}, ${sim.run.profile} profile, ` + `overload ${r.overloadSeconds} s`,
        )}</title>`,
    );
    out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
    text(
        LEFT,
        28,
        `Stack ${sim.stack}: ${sim.run.profile} profile, peak ${formatCount(r.peakOfferedRps)} req/s`,
        `font-size="16" font-weight="bold"`,
    );
    const overload =
        r.overloadSeconds === 0
            ? "no overload"
            : `overloaded ${r.overloadSeconds} s (${formatClock(r.firstOverloadAt!)} to ` +
              `${formatClock(r.lastOverloadAt! + 1)}), ${formatCount(r.requestsOverCapacity)} requests over capacity`;
    text(
        LEFT,
        48,
        `${sim.setup.minTasks}..${sim.setup.maxTasks} tasks at ${f1(r.taskCapacityRps)} req/s each, ` +
            `start-up ${r.startupSeconds} s: ${overload}`,
        `fill="${COLORS.axis}"`,
    );

    // Grids and axes.
    for (let v = 0; v <= rpsTop + 1e-9; v += rpsStep) {
        out.push(
            `<line x1="${LEFT}" y1="${f1(yLoad(v))}" x2="${LEFT + PLOT_W}" y2="${f1(yLoad(v))}" ` +
                `stroke="${COLORS.grid}"/>`,
        );
        text(LEFT - 6, yLoad(v) + 4, formatCount(v), `text-anchor="end" fill="${COLORS.axis}"`);
    }
    for (let v = 0; v <= taskTop + 1e-9; v += taskStep) {
        out.push(
            `<line x1="${LEFT}" y1="${f1(yTasks(v))}" x2="${LEFT + PLOT_W}" y2="${f1(yTasks(v))}" ` +
                `stroke="${COLORS.grid}"/>`,
        );
        text(LEFT - 6, yTasks(v) + 4, String(v), `text-anchor="end" fill="${COLORS.axis}"`);
    }
    text(LEFT, LOAD.top - 10, "requests per second", `fill="${COLORS.axis}"`);
    text(LEFT, TASKS.top - 10, "tasks", `fill="${COLORS.axis}"`);
    const timeStep = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => duration / s <= 10) ?? 7200;
    for (let t = 0; t <= duration; t += timeStep) {
        out.push(
            `<line x1="${f1(x(t))}" y1="${TASKS.top + TASKS.height}" x2="${f1(x(t))}" ` +
                `y2="${TASKS.top + TASKS.height + 5}" stroke="${COLORS.axis}"/>`,
        );
        text(x(t), TASKS.top + TASKS.height + 18, formatClock(t), `text-anchor="middle" fill="${COLORS.axis}"`);
    }
    text(LEFT + PLOT_W, TASKS.top + TASKS.height + 36, "time (m:ss)", `text-anchor="end" fill="${COLORS.axis}"`);

    // Overload: the area between offered load and capacity where the load is higher.
    const offered = tl.map((p): [number, number] => [p.t + 0.5, p.offeredRps]);
    const capacity = steps(tl.map((p) => p.capacityRps));
    const over = tl.map((p) => Math.max(p.offeredRps, p.capacityRps));
    if (r.overloadSeconds > 0) {
        const upper = steps(over).map(([t, v]): [number, number] => [x(t), yLoad(v)]);
        const lower = capacity.map(([t, v]): [number, number] => [x(t), yLoad(v)]).reverse();
        out.push(
            `<path d="${path(upper)} ${path(lower).replace(/^M/, "L")} Z" fill="${COLORS.overload}" ` +
                `fill-opacity="0.18" stroke="none"/>`,
        );
        // Label the overload in the middle of its span, inside the plot.
        const mid = Math.round((r.firstOverloadAt! + r.lastOverloadAt!) / 2);
        const at = tl[mid].overloadRps > 0 ? tl[mid] : tl.reduce((a, p) => (p.overloadRps > a.overloadRps ? p : a));
        text(
            Math.min(Math.max(x(at.t + 0.5), LEFT + 70), LEFT + PLOT_W - 70),
            yLoad((at.offeredRps + at.capacityRps) / 2) + 4,
            `overload ${r.overloadSeconds} s`,
            `text-anchor="middle" fill="${COLORS.overload}" font-weight="bold"`,
        );
    }
    const line = (points: Array<[number, number]>, color: string, extra = "") =>
        out.push(
            `<path d="${path(points)}" fill="none" stroke="${color}" stroke-width="2"` +
                `${extra ? ` ${extra}` : ""}/>`,
        );
    line(
        offered.map(([t, v]) => [x(t), yLoad(v)]),
        COLORS.offered,
    );
    line(
        capacity.map(([t, v]) => [x(t), yLoad(v)]),
        COLORS.capacity,
    );
    const desired = steps(tl.map((p) => p.desiredTasks));
    const running = steps(tl.map((p) => p.tasks));
    line(
        desired.map(([t, v]) => [x(t), yTasks(v)]),
        COLORS.desired,
        `stroke-dasharray="6 4"`,
    );
    line(
        running.map(([t, v]) => [x(t), yTasks(v)]),
        COLORS.tasks,
    );

    // maxTasks, when it fits the panel.
    if (sim.setup.maxTasks <= taskTop) {
        const y = yTasks(sim.setup.maxTasks);
        out.push(
            `<line x1="${LEFT}" y1="${f1(y)}" x2="${LEFT + PLOT_W}" y2="${f1(y)}" stroke="${COLORS.axis}" ` +
                `stroke-dasharray="2 3"/>`,
        );
        text(LEFT + 4, y - 4, `maxTasks ${sim.setup.maxTasks}`, `fill="${COLORS.axis}"`);
    }

    // Scaling activities.
    for (const a of r.activities) {
        out.push(
            `<line x1="${f1(x(a.t))}" y1="${LOAD.top}" x2="${f1(x(a.t))}" y2="${TASKS.top + TASKS.height}" ` +
                `stroke="${COLORS.desired}" stroke-dasharray="1 3"/>`,
        );
    }
    const events = r.activities.slice(0, 4).map(describeActivity);
    if (r.activities.length > 4) events.push(`and ${r.activities.length - 4} more (see --json)`);
    text(
        LEFT,
        HEIGHT - 14,
        `Scaling: ${events.length === 0 ? "none within the run" : events.join("; ")}`,
        `fill="${COLORS.desired}"`,
    );

    // Line labels at the right end of each line.
    const last = tl[tl.length - 1];
    const labelX = LEFT + PLOT_W + 8;
    const [yOffered, yCapacity] = spread([yLoad(last?.offeredRps ?? 0) + 4, yLoad(last?.capacityRps ?? 0) + 4]);
    text(labelX, yOffered, "offered load (k6 profile)", `fill="${COLORS.offered}" font-weight="bold"`);
    text(
        labelX,
        yCapacity,
        `capacity: running tasks x ${f1(r.taskCapacityRps)} req/s`,
        `fill="${COLORS.capacity}" font-weight="bold"`,
    );
    const [yRunning, yDesired] = spread([yTasks(last?.tasks ?? 0) + 4, yTasks(last?.desiredTasks ?? 0) + 4]);
    text(labelX, yRunning, "running tasks", `fill="${COLORS.tasks}" font-weight="bold"`);
    text(labelX, yDesired, "desired tasks (starting included)", `fill="${COLORS.desired}" font-weight="bold"`);

    out.push("</svg>");
    return `${out.join("\n")}\n`;
}
