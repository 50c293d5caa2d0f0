/** Report rendering: escaping, links and the directory name. */
import { describe, expect, it } from "vitest";
import { renderHtml, renderMarkdown, reportDirName, summarize, type ReportData } from "../../tools/verify/report";
import { progressLine } from "../../tools/verify/types";

const data = (over: Partial<ReportData> = {}): ReportData => ({
    stack: "production",
    generatedAt: new Date("2025-06-01T12:00:00.000Z"),
    account: "123456789012",
    region: "us-east-1",
    outputsSource: "outputs.json",
    configFile: "Pulumi.production.yaml",
    dashboardName: "credlink-production-slo",
    dashboardUrl:
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1" +
        "#dashboards:name=credlink-production-slo",
    probed: true,
    results: [
        {
            area: "Alarms",
            name: "a|b <alarm>",
            status: "warn",
            found: "state ALARM",
            expected: "state OK",
            note: 'reason: "x" > <img src=x onerror=alert(1)>',
        },
        { area: "RDS", name: "Multi-AZ", status: "pass", found: "on", expected: "on" },
    ],
    ...over,
});

describe("report rendering", () => {
    it("escapes every value in HTML and links only an https dashboard URL", () => {
        const html = renderHtml(data());
        expect(html).toContain("<td>a|b &lt;alarm&gt;</td>");
        expect(html).toContain("<td>reason: &quot;x&quot; &gt; &lt;img src=x onerror=alert(1)&gt;</td>");
        expect(html).not.toContain("<img");
        const hostile = renderHtml(data({ dashboardUrl: "javascript:alert(1)" }));
        expect(hostile).not.toContain("href=");
        expect(hostile).toContain("<dt>Dashboard</dt><dd>javascript:alert(1)</dd>");
    });

    it("keeps Markdown tables intact when a value contains a pipe or a newline", () => {
        const md = renderMarkdown(
            data({ results: [{ area: "Alarms", name: "a|b", status: "fail", found: "line1\nline2", expected: "x" }] }),
        );
        expect(md).toContain("| ✗ | a\\|b | line1 line2 | x |  |");
        expect(md).toContain("**DRIFT**: 0 passed, 1 failed, 0 warnings.");
    });

    it("a warning alone is PASS, with a singular count", () => {
        const s = summarize(data().results);
        expect(s).toEqual({ pass: 1, fail: 0, warn: 1, verdict: "PASS" });
        expect(renderMarkdown(data())).toContain("**PASS**: 1 passed, 0 failed, 1 warning.");
    });

    it("names the directory after the stack and the UTC second, safe for any file system", () => {
        expect(reportDirName("production", new Date("2025-06-01T12:00:00.999Z"))).toBe(
            "verify-production-2025-06-01T12-00-00Z",
        );
        expect(reportDirName("acme/credlink/production", new Date("2025-06-01T12:00:00Z"))).toBe(
            "verify-acme_credlink_production-2025-06-01T12-00-00Z",
        );
    });

    it("progress lines: found alone on success; found, expected and note otherwise", () => {
        expect(progressLine({ area: "RDS", name: "Multi-AZ", status: "pass", found: "on", expected: "on" })).toBe(
            "✓ RDS: Multi-AZ (on)",
        );
        expect(
            progressLine({ area: "RDS", name: "Multi-AZ", status: "fail", found: "off", expected: "on", note: "n" }),
        ).toBe("✗ RDS: Multi-AZ: found off; expected on; n");
        expect(progressLine({ area: "Probe", name: "x", status: "warn" })).toBe("! Probe: x");
    });
});
