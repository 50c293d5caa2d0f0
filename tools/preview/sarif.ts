/**
 * SARIF 2.1.0 for GitHub code scanning: the pack's policies become
 * tool.driver.rules (from GetAnalyzerInfo), each violation one result located
 * at the stack file that produced it, with the resource URN as its logical
 * location. See docs/preview.md for how the upload blocks a merge.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as sarif from "sarif";
import { REPO_ROOT } from "../stack-file";
import { onlyIn, sortViolations, violationTarget } from "./report";
import {
    type EnforcementLevel,
    type PolicyMetadata,
    type PolicyPackMetadata,
    REPORTED_LEVELS,
    type Severity,
    type StackPreview,
} from "./types";

/** The tool name GitHub shows on alerts; stable whatever the pack is called. */
export const SARIF_TOOL_NAME = "credlink-preview";
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
/** Our own fingerprint key; the upload action adds its line hash next to it. */
export const FINGERPRINT_KEY = "credlinkPolicyViolation/v1";

const LEVEL: Record<EnforcementLevel, sarif.ReportingConfiguration.level> = {
    mandatory: "error",
    remediate: "error",
    advisory: "warning",
    disabled: "none",
};

/**
 * GitHub's problem.severity for alerts that are not security alerts. No `security-severity`:
 * with it GitHub grades alerts by the rule's severity and ignores each result's level, so an
 * advisory finding on a high-severity rule would block a merge and a mandatory one on a
 * medium rule would not. Without it the merge gate follows the enforcement level.
 */
const PROBLEM_SEVERITY: Record<Severity, string> = {
    critical: "error",
    high: "error",
    medium: "warning",
    low: "recommendation",
};

function rule(policy: PolicyMetadata, levelsSeen: ReadonlySet<EnforcementLevel>): sarif.ReportingDescriptor {
    // The strictest level any stack's config gave the policy.
    const level = [...REPORTED_LEVELS, "disabled" as const].find((l) => levelsSeen.has(l)) ?? policy.enforcementLevel;
    const help = policy.remediationSteps ?? policy.description;
    return {
        id: policy.name,
        name: policy.name,
        shortDescription: { text: policy.displayName ?? policy.description },
        fullDescription: { text: policy.description },
        help: { text: help, markdown: help },
        ...(policy.url ? { helpUri: policy.url } : {}),
        defaultConfiguration: { level: LEVEL[level] },
        properties: {
            tags: [...(policy.tags ?? []), "pulumi-policy"],
            ...(policy.severity
                ? { severity: policy.severity, "problem.severity": PROBLEM_SEVERITY[policy.severity] }
                : {}),
            precision: "very-high",
        },
    };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentions = (message: string, token: string) =>
    new RegExp(`(^|[^A-Za-z0-9_.:])${escapeRegExp(token)}($|[^A-Za-z0-9_])`).exec(message)?.index;

/**
 * The stack file line a violation is about (1-based): the line of the config key
 * the message names first (full `credlink:scaling.maxTasks` or short
 * `scaling.maxTasks`), else the `config:` line.
 */
export function lineForMessage(stackFileText: string, message: string): number {
    const lines = stackFileText.split(/\r?\n/);
    let best: { line: number; at: number } | undefined;
    lines.forEach((text, i) => {
        const key = /^\s*([A-Za-z0-9_-]+:[A-Za-z0-9_.-]+)\s*:/.exec(text)?.[1];
        if (!key) return;
        for (const k of [key, key.slice(key.indexOf(":") + 1)]) {
            const at = mentions(message, k);
            if (at !== undefined && (!best || at < best.at)) best = { line: i + 1, at };
        }
    });
    if (best) return best.line;
    const configLine = lines.findIndex((l) => /^config:\s*$/.test(l));
    return configLine >= 0 ? configLine + 1 : 1;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function readStackFileText(stackFile: string): string {
    try {
        return fs.readFileSync(path.resolve(REPO_ROOT, stackFile), "utf8");
    } catch {
        return "";
    }
}

export function buildSarif(previews: readonly StackPreview[]): sarif.Log {
    const packs = new Map<string, PolicyPackMetadata>();
    const levels = new Map<string, Set<EnforcementLevel>>();
    for (const p of previews) {
        if (!p.evaluation) continue;
        packs.set(p.evaluation.pack.name, p.evaluation.pack);
        for (const pol of p.evaluation.pack.policies)
            levels.set(pol.name, (levels.get(pol.name) ?? new Set()).add(pol.enforcementLevel));
    }
    const policies = new Map<string, PolicyMetadata>();
    for (const pack of packs.values())
        for (const pol of pack.policies) if (!policies.has(pol.name)) policies.set(pol.name, pol);
    const rules = [...policies.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((pol) => rule(pol, levels.get(pol.name) ?? new Set()));
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));

    const results: sarif.Result[] = [];
    const notifications: sarif.Notification[] = [];
    for (const p of previews) {
        const text = readStackFileText(p.stackFile);
        const physical = (message: string): sarif.PhysicalLocation => ({
            artifactLocation: { uri: p.stackFile },
            region: { startLine: lineForMessage(text, message) },
        });
        if (p.error !== undefined) {
            notifications.push({
                level: "error",
                message: { text: `stack ${p.stack}: ${p.error}` },
                locations: [{ physicalLocation: physical(p.error) }],
            });
            continue;
        }
        const occurrences = new Map<string, number>();
        for (const v of sortViolations(p.evaluation?.violations ?? [])) {
            if (v.enforcementLevel === "disabled") continue;
            const t = violationTarget(v, p.resources);
            const urn = t.urn ?? p.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? `stack:${p.stack}`;
            const identity = [p.stack, v.policyName, urn].join("\n");
            const n = occurrences.get(identity) ?? 0;
            occurrences.set(identity, n + 1);
            results.push({
                ruleId: v.policyName,
                ...(ruleIndex.has(v.policyName) ? { ruleIndex: ruleIndex.get(v.policyName) } : {}),
                level: LEVEL[v.enforcementLevel],
                kind: "fail",
                message: {
                    text:
                        `[${p.stack}] ${t.name !== undefined ? `${t.name} (${t.type}): ` : ""}${v.message}` +
                        (onlyIn(v) ? ` (${onlyIn(v)})` : ""),
                },
                locations: [
                    {
                        physicalLocation: physical(v.message),
                        logicalLocations: [
                            {
                                fullyQualifiedName: urn,
                                ...(t.name !== undefined ? { name: t.name } : {}),
                                kind: "resource",
                            },
                        ],
                    },
                ],
                partialFingerprints: { [FINGERPRINT_KEY]: sha256(`${identity}\n${n}`) },
                properties: {
                    stack: p.stack,
                    enforcementLevel: v.enforcementLevel,
                    policyPack: `${v.policyPackName}@${v.policyPackVersion}`,
                    ...(t.type ? { resourceType: t.type } : {}),
                },
            });
        }
    }

    const pack = [...packs.values()][0];
    return {
        $schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: SARIF_TOOL_NAME,
                        ...(pack
                            ? {
                                  version: pack.version,
                                  fullName: `${SARIF_TOOL_NAME} with policy pack ${pack.name}@${pack.version}`,
                              }
                            : {}),
                        informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                        rules,
                    },
                },
                invocations: [
                    { executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications },
                ],
                results,
                columnKind: "unicodeCodePoints",
            },
        ],
    };
}
