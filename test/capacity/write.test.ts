/**
 * `--write`'s edit of a stack file: only the planned keys change, everything else (comments,
 * blank lines, quoting, key order) stays byte for byte.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFileText } from "../../tools/capacity/write";
import { REPO_ROOT, stackNames } from "../../tools/stack-file";

const PLAN = {
    set: { "scaling.taskCapacityRps": 31.5, "scaling.taskCapacitySource": "measurement: k6, reports/r/capacity.json" },
    remove: ["scaling.maxTasks", "scaling.requestsPerTarget"],
};

describe("editStackFileText", () => {
    it.each(stackNames())("leaves Pulumi.%s.yaml byte for byte as it is when nothing changes", (stack) => {
        const text = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
        expect(editStackFileText(text, { set: {}, remove: [] })).toBe(text);
    });

    it("replaces values in place, keeping the comment above and the one beside them", () => {
        const before = [
            "# top",
            "config:",
            "  aws:region: us-east-1 # the region",
            "  # why this rate",
            "  credlink:scaling.taskCapacityRps: 23.81 # per task",
            '  credlink:scaling.taskCapacitySource: "planning assumption: x"',
            "",
            "  # databases",
            '  credlink:database.engineVersion: "17"',
            "",
        ].join("\n");
        expect(editStackFileText(before, PLAN)).toBe(
            [
                "# top",
                "config:",
                "  aws:region: us-east-1 # the region",
                "  # why this rate",
                "  credlink:scaling.taskCapacityRps: 31.5 # per task",
                '  credlink:scaling.taskCapacitySource: "measurement: k6, reports/r/capacity.json"',
                "",
                "  # databases",
                '  credlink:database.engineVersion: "17"',
                "",
            ].join("\n"),
        );
    });

    it("removes the derived keys, hands their comment to the next key and adds new keys after the scaling keys", () => {
        const before = [
            "config:",
            "  credlink:scaling.minTasks: 1",
            "  # an explicit range",
            "  credlink:scaling.maxTasks: 3",
            "  credlink:scaling.requestsPerTarget: 1000",
            "  credlink:scaling.peakRequestsPerSecond: 20",
            "  credlink:cdn.wafEnabled: false",
            "",
        ].join("\n");
        expect(editStackFileText(before, PLAN)).toBe(
            [
                "config:",
                "  credlink:scaling.minTasks: 1",
                "  # an explicit range",
                "  credlink:scaling.peakRequestsPerSecond: 20",
                "  credlink:scaling.taskCapacityRps: 31.5",
                '  credlink:scaling.taskCapacitySource: "measurement: k6, reports/r/capacity.json"',
                "  credlink:cdn.wafEnabled: false",
                "",
            ].join("\n"),
        );
    });

    it("follows a file that writes project keys without the namespace", () => {
        const before = "config:\n  aws:region: eu-west-1\n  scaling.maxTasks: 30\n  service.image: x:1\n";
        expect(editStackFileText(before, PLAN)).toBe(
            "config:\n  aws:region: eu-west-1\n  scaling.taskCapacityRps: 31.5\n" +
                '  scaling.taskCapacitySource: "measurement: k6, reports/r/capacity.json"\n  service.image: x:1\n',
        );
    });

    it("writes a number as a number even where the file had a quoted string", () => {
        const before = 'config:\n  credlink:scaling.taskCapacityRps: "20"\n';
        expect(editStackFileText(before, { set: { "scaling.taskCapacityRps": 31.5 }, remove: [] })).toBe(
            "config:\n  credlink:scaling.taskCapacityRps: 31.5\n",
        );
    });

    it("refuses a file without a config map", () => {
        expect(() => editStackFileText("encryptionsalt: abc\n", PLAN)).toThrow('has no "config:" map to write to');
    });
});
