/**
 * CredLink performance policy pack. Run it with the Pulumi CLI:
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/production.json
 *
 * Rules are grouped by file; each rule's ID is its policy name, its thresholds
 * are config keys whose defaults come from ./slo, and it is mandatory unless
 * the config (or, for capacity, the rule itself) says otherwise.
 */
import { PolicyPack } from "@pulumi/policy";
import { alarmThresholdPolicies } from "./alarm-threshold";
import { cacheTtlPolicies } from "./cache-ttl";
import { databaseMonitoringPolicies } from "./database-monitoring";
import { scalingRangePolicies } from "./scaling-range";
import { scalingSimulationPolicies } from "./scaling-simulation";
import { uncheckedResourceTypes } from "./unchecked-resource-types";
import { waiverPolicy } from "./waivers";

const rules = [
    ...cacheTtlPolicies,
    ...scalingRangePolicies,
    ...scalingSimulationPolicies,
    ...alarmThresholdPolicies,
    ...databaseMonitoringPolicies,
    uncheckedResourceTypes,
];

new PolicyPack("credlink-performance", {
    description:
        "CredLink SLO guardrails: CloudFront cache TTLs, ECS scaling, capacity and simulated scaling, alarm " +
        "thresholds, RDS monitoring, and no unchecked resource types.",
    displayName: "CredLink performance",
    // The waiver policy goes first: it publishes the waivers before the rules run (see waivers.ts).
    policies: [waiverPolicy(rules.map((r) => r.name)), ...rules],
});
