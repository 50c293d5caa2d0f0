/**
 * Alarm action rules: an alarm that fires must reach someone. Its actions are
 * enabled, it notifies an SNS topic of this stack in the alarm's own region
 * (CloudWatch notifies no other), that topic has a subscriber, and nothing in the
 * stack silences alarms (mute rules, composite-alarm action suppressors).
 *
 * At a new-stack preview the topic ARNs are unknown: an action then reaches a topic
 * when that topic is among the property dependencies of `alarmActions`. Once ARNs
 * are known (an update), an action reaches a topic only when it is that topic's ARN,
 * so a value picked through an Output from a decoy fails there.
 */
import type { PolicyResource } from "@pulumi/policy";
import { known, readText, regionOf } from "./alarm-model";
import { type Res, resourcePolicy, type StackView, stackPolicy } from "./rule";
import { type CompositeAlarmProps, type MetricAlarmProps, TYPES } from "./types";
import { plain, type Read, readArray, readBoolean, readObject, readString, show } from "./values";

/** Types the alarm rules look at beyond ./types (kept here so the shared list stays short). */
export const ALARM_TYPES = {
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    alarmMuteRule: "aws:cloudwatch/alarmMuteRule:AlarmMuteRule",
    ec2ScalingPolicy: "aws:autoscaling/policy:Policy",
} as const;

const SNS_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
/** Application and EC2 Auto Scaling policy ARNs both use the `autoscaling` service. */
const SCALING_ARN = /^arn:aws[a-z-]*:autoscaling:/;

/** A resource's region, read from its props and its provider's. */
export function regionOfResource(stack: StackView, r: PolicyResource): Read<string> {
    const provider = r.provider ? plain<Record<string, unknown>>(r.provider.props) : undefined;
    return regionOf(stack.props(r), provider);
}

export interface Topic {
    readonly r: PolicyResource;
    readonly arn: Read<string>;
    readonly name: Read<string>;
    readonly region: Read<string>;
}

/** The stack's SNS topics, indexed once per check. */
export class Topics {
    readonly all: Topic[];
    private readonly byUrn = new Map<string, Topic>();

    constructor(private readonly stack: StackView) {
        this.all = stack.ofType(ALARM_TYPES.topic).map((r) => {
            const p = stack.props<{ arn?: unknown; name?: unknown }>(r);
            return { r, arn: readText(p.arn), name: readText(p.name), region: regionOfResource(stack, r) };
        });
        for (const t of this.all) this.byUrn.set(t.r.urn, t);
    }

    /** The topic a literal ARN names: its known ARN, or (ARN unknown yet) its literal name and region. */
    byArn(arn: string): Topic | undefined {
        const exact = this.all.find((t) => t.arn.state === "known" && t.arn.value === arn);
        if (exact) return exact;
        const m = SNS_ARN.exec(arn);
        if (!m) return undefined;
        return this.all.find((t) => t.arn.state !== "known" && known(t.name) === m[3] && known(t.region) === m[1]);
    }

    /** Topics whose outputs flowed into `property` of `r`. */
    referencedBy(r: PolicyResource, property: string): Topic[] {
        return this.stack.referencedBy(r, property).flatMap((d) => this.byUrn.get(d.urn) ?? []);
    }
}

/** Where an alarm's ALARM actions go. */
export interface Reach {
    /** The alarm's region. */
    readonly region: Read<string>;
    /** Topics of this stack in the alarm's region that an action reaches. */
    readonly topics: Topic[];
    /** Per action that does not reach such a topic: why (a foreign topic, another region, ...). */
    readonly misses: { readonly property: string; readonly found: string; readonly why: string }[];
    /** Every action is a scaling policy: an alarm that drives scaling, not one that pages. */
    readonly scalingOnly: boolean;
    /** The action list itself is known and holds something. */
    readonly listKnown: boolean;
}

export function reachOf(stack: StackView, topics: Topics, alarm: PolicyResource): Reach {
    const region = regionOfResource(stack, alarm);
    const props = stack.props<{ alarmActions?: unknown }>(alarm);
    const list = readArray(props.alarmActions);
    const out: Reach = { region, topics: [], misses: [], scalingOnly: false, listKnown: false };
    if (list.state !== "known" || list.value.length === 0) return out;
    const fromDeps = topics.referencedBy(alarm, "alarmActions");
    const scalingDeps = stack
        .referencedBy(alarm, "alarmActions")
        .filter((d) => d.type === TYPES.scalingPolicy || d.type === ALARM_TYPES.ec2ScalingPolicy);
    let scaling = 0;
    const add = (t: Topic, property: string, shown: string) => {
        if (region.state === "known" && known(t.region) === region.value) {
            if (!out.topics.includes(t)) out.topics.push(t);
        } else {
            out.misses.push({
                property,
                found: shown,
                why: `topic "${t.r.name}" is in ${show(t.region)}, the alarm in ${show(region)}`,
            });
        }
    };
    list.value.forEach((v, i) => {
        const property = `alarmActions[${i}]`;
        const value = readString(v);
        if (value.state === "known") {
            if (value.value.trim() === "") {
                out.misses.push({ property, found: '""', why: "an empty action reaches no one" });
                return;
            }
            if (SCALING_ARN.test(value.value)) {
                scaling++;
                return;
            }
            const t = topics.byArn(value.value);
            if (t) return add(t, property, `"${value.value}"`);
            out.misses.push({
                property,
                found: `"${value.value}"`,
                why: SNS_ARN.test(value.value)
                    ? "an SNS topic this stack does not manage (the pack cannot see who receives it)"
                    : "not an SNS topic of this stack",
            });
            return;
        }
        // Unknown at preview: a topic of this stack the list was built from (the update preview checks the ARN).
        const inRegion = fromDeps.filter((t) => region.state === "known" && known(t.region) === region.value);
        if (inRegion.length > 0) inRegion.forEach((t) => add(t, property, show(value)));
        else if (fromDeps.length > 0) add(fromDeps[0], property, show(value));
        else if (scalingDeps.length > 0) scaling++;
        else out.misses.push({ property, found: show(value), why: "it comes from no SNS topic of this stack" });
    });
    return { ...out, listKnown: true, scalingOnly: scaling === list.value.length };
}

export const actions = resourcePolicy<Record<string, never>>({
    id: "alarm-actions",
    description: "Every alarm has actions enabled and at least one ALARM action (the alerts topic).",
    severity: "high",
    remediationSteps:
        "Pass alarmActions: [alerts.topicArn] (and okActions) and leave actionsEnabled at true; the " +
        "list itself must be literal even if the ARNs are outputs.",
    types: [TYPES.metricAlarm, TYPES.compositeAlarm],
    check(r, _config, report) {
        const a = r.props as MetricAlarmProps & CompositeAlarmProps;
        const enabled = readBoolean(a.actionsEnabled);
        if (enabled.state === "unknown" || (enabled.state === "known" && !enabled.value)) {
            report(r, {
                property: "actionsEnabled",
                found: show(enabled),
                allowed: "true (or not set)",
                fix: "remove actionsEnabled: false so the alarm notifies",
            });
        }
        const alarmActions = readArray(a.alarmActions);
        // An empty string is no action.
        const real = (v: unknown) => readText(v).state !== "absent" || (v !== null && typeof v === "object");
        if (alarmActions.state === "known" && alarmActions.value.some(real)) return;
        report(r, {
            property: "alarmActions",
            found:
                alarmActions.state === "unknown"
                    ? "a list computed at preview (its length is unknown)"
                    : show(alarmActions, "not set"),
            allowed: "at least one action (e.g. the alerts topic ARN)",
            fix: "set alarmActions: [alertsTopicArn]",
        });
    },
});

const ALARMS = [TYPES.metricAlarm, TYPES.compositeAlarm];

export const notifies = stackPolicy<Record<string, never>>({
    id: "alarm-notifies",
    description:
        "Every alarm's ALARM actions notify an SNS topic of this stack in the alarm's own region (CloudWatch " +
        "notifies no other region), and no action goes to a topic the stack does not manage. Alarms whose " +
        "actions are all scaling policies drive scaling and are exempt.",
    severity: "high",
    remediationSteps:
        "Pass the alerts topic's arn output in alarmActions (a topic in the alarm's region: us-east-1 for " +
        "CloudFront alarms); a shared topic outside the stack needs a waiver naming who receives it.",
    check(stack, _config, report) {
        const topics = new Topics(stack);
        for (const alarm of stack.ofType(...ALARMS)) {
            const reach = reachOf(stack, topics, alarm);
            // alarm-actions reports an unknown or empty list.
            if (!reach.listKnown) continue;
            const res: Res = stack.res(alarm);
            if (reach.region.state !== "known") {
                report(res, {
                    property: "region",
                    found: show(reach.region),
                    allowed: "a literal region (the alarm's own or its provider's)",
                    fix: "set the alarm's region (or its provider's) as a literal",
                });
                continue;
            }
            for (const miss of reach.misses) {
                report(res, {
                    property: miss.property,
                    found: `${miss.found} (${miss.why})`,
                    allowed: `an SNS topic of this stack in ${reach.region.value}, or a scaling policy`,
                    fix:
                        "notify the alerts topic of the alarm's region through its arn output, or waive the " +
                        "action with the team that receives it",
                });
            }
            if (reach.topics.length === 0 && reach.misses.length === 0 && !reach.scalingOnly) {
                report(res, {
                    property: "alarmActions",
                    found: "no SNS topic of this stack",
                    allowed: `at least one SNS topic of this stack in ${reach.region.value}`,
                    fix: "add the alerts topic's arn to alarmActions",
                });
            }
        }
    },
});

/** Whether a subscription is to topic `t` and has an endpoint (an empty endpoint reaches no one). */
function subscribes(stack: StackView, topics: Topics, sub: PolicyResource, t: Topic): boolean {
    const p = stack.props<{ topic?: unknown; endpoint?: unknown }>(sub);
    if (readText(p.endpoint).state === "absent") return false;
    const topic = readText(p.topic);
    if (topic.state === "known") return topics.byArn(topic.value) === t;
    if (topic.state === "unknown") return topics.referencedBy(sub, "topic").includes(t);
    return false;
}

export const topicSubscribed = stackPolicy<Record<string, never>>({
    id: "alarm-topic-subscribed",
    description:
        "Every SNS topic that alarms notify has at least one subscription with an endpoint, so an alarm " +
        "reaches a person or a pager.",
    severity: "high",
    remediationSteps:
        "Subscribe the alerts topic: set credlink:alerts.emails (each address confirms the subscription) " +
        "or credlink:alerts.httpsEndpoint in the stack file.",
    check(stack, _config, report) {
        const topics = new Topics(stack);
        const notified = new Map<Topic, number>();
        for (const alarm of stack.ofType(...ALARMS))
            for (const t of reachOf(stack, topics, alarm).topics) notified.set(t, (notified.get(t) ?? 0) + 1);
        const subs = stack.ofType(ALARM_TYPES.topicSubscription);
        for (const [t, alarms] of notified) {
            if (subs.some((s) => subscribes(stack, topics, s, t))) continue;
            report(stack.res(t.r), {
                property: "subscriptions",
                found: `none (${alarms} alarm${alarms === 1 ? "" : "s"} notify this topic)`,
                allowed: "at least one aws:sns/topicSubscription to this topic with an endpoint",
                fix: "set credlink:alerts.emails or credlink:alerts.httpsEndpoint so someone receives the alarms",
            });
        }
    },
});

export const notSilenced = resourcePolicy<Record<string, never>>({
    id: "alarm-not-silenced",
    description:
        "Nothing silences the alarms: no CloudWatch alarm mute rules and no composite alarm with an " +
        "actions suppressor.",
    severity: "high",
    remediationSteps:
        "Remove the mute rule or the actionsSuppressor; a planned silence (maintenance) gets a waiver with " +
        "a reason and an expiry date instead.",
    types: [ALARM_TYPES.alarmMuteRule, TYPES.compositeAlarm],
    check(r, _config, report) {
        if (r.type === ALARM_TYPES.alarmMuteRule) {
            report(r, {
                property: "rule",
                found: show(readObject(r.props.rule), "a mute rule"),
                allowed: "no alarm mute rules (they silence alarms)",
                fix: "remove the mute rule, or waive it for the maintenance window with an expiry date",
            });
            return;
        }
        const suppressor = readObject((r.props as CompositeAlarmProps).actionsSuppressor);
        const silences =
            suppressor.state === "unknown" ||
            (suppressor.state === "known" && Object.values(suppressor.value).some((v) => v !== null && v !== ""));
        if (!silences) return;
        report(r, {
            property: "actionsSuppressor",
            found: show(suppressor),
            allowed: "not set (a suppressor keeps this alarm's actions from running)",
            fix: "remove actionsSuppressor, or waive it with a reason and an expiry date",
        });
    },
});
