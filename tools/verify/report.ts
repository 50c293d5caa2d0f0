/**
 * The verification report: Markdown (for PRs and chat) and a self-contained
 * HTML page (no external CSS, scripts or fonts), plus the raw results as JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SYMBOL, type CheckResult, type Status } from "./types";

export interface ReportData {
    readonly stack: string;
    readonly generatedAt: Date;
    readonly account: string;
    readonly region: string;
    readonly outputsSource: string;
    readonly configFile: string;
    readonly dashboardName: string;
    readonly dashboardUrl: string;
    readonly probed: boolean;
    readonly results: readonly CheckResult[];
}

export interface Summary {
    readonly pass: number;
    readonly fail: number;
    readonly warn: number;
    /** "PASS" when nothing failed: warnings never fail a run. */
    readonly verdict: "PASS" | "DRIFT";
}

/** "4 passed, 1 failed, 1 warning". */
export function summaryLine(s: Summary): string {
    return `${s.pass} passed, ${s.fail} failed, ${s.warn} warning${s.warn === 1 ? "" : "s"}`;
}

export function summarize(results: readonly CheckResult[]): Summary {
    const count = (s: Status) => results.filter((r) => r.status === s).length;
    const fail = count("fail");
    return { pass: count("pass"), fail, warn: count("warn"), verdict: fail === 0 ? "PASS" : "DRIFT" };
}

/** reports/verify-<stack>-<UTC timestamp>, with a file-system-safe stack name. */
export function reportDirName(stack: string, at: Date): string {
    const stamp = at.toISOString().slice(0, 19).replace(/:/g, "-");
    return `verify-${stack.replace(/[^\w.-]+/g, "_")}-${stamp}Z`;
}

const areas = (results: readonly CheckResult[]) => [...new Set(results.map((r) => r.area))];

const isHttpsUrl = (u: string) => /^https:\/\/[^\s"'<>]+$/.test(u);

export function renderMarkdown(d: ReportData): string {
    const s = summarize(d.results);
    const cell = (v: string | undefined) => (v ?? "").replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
    const dashboard = isHttpsUrl(d.dashboardUrl) ? `[${d.dashboardName}](${d.dashboardUrl})` : cell(d.dashboardUrl);
    const lines = [
        `# CredLink post-deploy verification: ${d.stack}`,
        "",
        `**${s.verdict}**: ${summaryLine(s)}.`,
        "",
        `- Generated: ${d.generatedAt.toISOString()}`,
        `- Account / region: ${d.account} / ${d.region}`,
        `- Expected values: ${d.configFile}`,
        `- Outputs: ${cell(d.outputsSource)}`,
        `- Dashboard: ${dashboard}`,
        `- Live probes: ${d.probed ? "run" : "not run (pass --probe)"}`,
        "",
        "Legend: ✓ matches the config · ✗ drift, or the check could not run · ! worth a look, not drift.",
    ];
    for (const area of areas(d.results)) {
        lines.push("", `## ${area}`, "", "| | Check | Found | Expected | Note |", "|---|---|---|---|---|");
        for (const r of d.results.filter((x) => x.area === area)) {
            lines.push(
                `| ${SYMBOL[r.status]} | ${cell(r.name)} | ${cell(r.found)} | ${cell(r.expected)} | ${cell(r.note)} |`,
            );
        }
    }
    return `${lines.join("\n")}\n`;
}

const esc = (v: string | undefined) =>
    (v ?? "").replace(
        /[&<>"']/g,
        (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
    );

export function renderHtml(d: ReportData): string {
    const s = summarize(d.results);
    const dashboard = isHttpsUrl(d.dashboardUrl)
        ? `<a href="${esc(d.dashboardUrl)}">${esc(d.dashboardName)}</a>`
        : esc(d.dashboardUrl);
    const sections = areas(d.results)
        .map((area) => {
            const rows = d.results
                .filter((r) => r.area === area)
                .map(
                    (r) =>
                        `<tr class="${r.status}"><td class="st" title="${r.status}">${SYMBOL[r.status]}</td>` +
                        [r.name, r.found, r.expected, r.note].map((cell) => `<td>${esc(cell)}</td>`).join("") +
                        "</tr>",
                )
                .join("\n");
            const head = "<thead><tr><th></th><th>Check</th><th>Found</th><th>Expected</th><th>Note</th></tr></thead>";
            return `<h2>${esc(area)}</h2>\n<table>\n${head}\n<tbody>\n${rows}\n</tbody>\n</table>`;
        })
        .join("\n");
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CredLink verification: ${esc(d.stack)} ${s.verdict}</title>
<style>
body{
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
  margin:2rem auto;
  max-width:72rem;
  padding:0 1rem;
  color:#1b1f24
}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
.verdict{display:inline-block;padding:.2rem .6rem;border-radius:.3rem;font-weight:700;color:#fff}
.verdict.PASS{background:#1a7f37}.verdict.DRIFT{background:#cf222e}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.st{width:1.5rem;text-align:center;font-weight:700}
tr.pass td.st{color:#1a7f37}
tr.fail td.st{color:#cf222e}
tr.fail{background:#fff5f5}
tr.warn td.st{color:#9a6700}
tr.warn{background:#fffbea}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
</style>
</head>
<body>
<h1>CredLink post-deploy verification: ${esc(d.stack)}</h1>
<p><span class="verdict ${s.verdict}">${s.verdict}</span> ${summaryLine(s)}.</p>
<dl>
<dt>Generated</dt><dd>${esc(d.generatedAt.toISOString())}</dd>
<dt>Account / region</dt><dd>${esc(d.account)} / ${esc(d.region)}</dd>
<dt>Expected values</dt><dd>${esc(d.configFile)}</dd>
<dt>Outputs</dt><dd>${esc(d.outputsSource)}</dd>
<dt>Dashboard</dt><dd>${dashboard}</dd>
<dt>Live probes</dt><dd>${d.probed ? "run" : "not run (pass --probe)"}</dd>
</dl>
<p>✓ matches the config · ✗ drift, or the check could not run · ! worth a look, not drift.</p>
${sections}
</body>
</html>
`;
}

export interface WrittenReport {
    readonly dir: string;
    readonly markdown: string;
    readonly html: string;
    readonly json: string;
}

export function writeReport(baseDir: string, d: ReportData): WrittenReport {
    const dir = path.join(baseDir, reportDirName(d.stack, d.generatedAt));
    fs.mkdirSync(dir, { recursive: true });
    const files = {
        markdown: path.join(dir, "report.md"),
        html: path.join(dir, "report.html"),
        json: path.join(dir, "results.json"),
    };
    fs.writeFileSync(files.markdown, renderMarkdown(d));
    fs.writeFileSync(files.html, renderHtml(d));
    const json = { ...d, generatedAt: d.generatedAt.toISOString(), summary: summarize(d.results) };
    fs.writeFileSync(files.json, `${JSON.stringify(json, null, 2)}\n`);
    return { dir, ...files };
}
