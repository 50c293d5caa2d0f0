/**
 * Alarms (each declared alarm exists in its region with actions; its state is
 * reported), the dashboard, and the alerts topic's confirmed subscriptions.
 */
import { DescribeAlarmsCommand, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { ListSubscriptionsByTopicCommand, type Subscription } from "@aws-sdk/client-sns";
import { arnRegion } from "../../../lib/arn";
import { call, describeError, isNotFound } from "../aws";
import type { CheckContext } from "./context";

/** DescribeAlarms accepts at most 100 names per call. */
const ALARM_NAMES_PER_CALL = 100;
const MAX_PAGES = 10;
const PENDING = "PendingConfirmation";

interface AlarmState {
    readonly actionsEnabled: boolean;
    readonly actions: number;
    readonly state: string;
    readonly reason?: string;
}

export async function checkAlarms(ctx: CheckContext): Promise<void> {
    const { outputs, clients, rec } = ctx;
    if (outputs.alarms.length === 0) {
        rec.expect("Alarms", "declared alarms", false, "the outputs list no alarms", "the stack's SLO alarms");
        return;
    }
    const byRegion = new Map<string, string[]>();
    for (const a of outputs.alarms) byRegion.set(a.region, [...(byRegion.get(a.region) ?? []), a.name]);

    for (const [region, names] of byRegion) {
        const found = new Map<string, AlarmState>();
        let problem: string | undefined;
        try {
            for (let i = 0; i < names.length; i += ALARM_NAMES_PER_CALL) {
                const out = await call(clients.timeoutMs, (o) =>
                    clients.cloudwatch(region).send(
                        new DescribeAlarmsCommand({
                            AlarmNames: names.slice(i, i + ALARM_NAMES_PER_CALL),
                            AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
                            MaxRecords: ALARM_NAMES_PER_CALL,
                        }),
                        o,
                    ),
                );
                for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
                    if (a.AlarmName)
                        found.set(a.AlarmName, {
                            actionsEnabled: a.ActionsEnabled === true,
                            actions: a.AlarmActions?.length ?? 0,
                            state: a.StateValue ?? "unknown",
                            reason: a.StateReason,
                        });
                }
            }
        } catch (e) {
            problem = describeError(e);
        }
        for (const name of names) checkAlarm(ctx, name, region, problem ?? found.get(name));
    }
}

function checkAlarm(ctx: CheckContext, name: string, region: string, alarm: AlarmState | string | undefined): void {
    const title = `${name} (${region})`;
    const expected = "exists, actions enabled, at least one action";
    if (alarm === undefined || typeof alarm === "string") {
        ctx.rec.expect("Alarms", title, false, alarm ?? `no such alarm in ${region}`, expected);
        return;
    }
    const found =
        `state ${alarm.state}, actions ${alarm.actionsEnabled ? "enabled" : "disabled"}, ` +
        `${alarm.actions} alarm action${alarm.actions === 1 ? "" : "s"}`;
    if (!alarm.actionsEnabled || alarm.actions === 0) {
        ctx.rec.expect("Alarms", title, false, found, expected, "nobody is notified when it fires");
    } else if (alarm.state !== "OK") {
        const note =
            alarm.state === "INSUFFICIENT_DATA"
                ? "no data yet (normal right after deploy or without traffic)"
                : alarm.reason?.split("\n")[0];
        ctx.rec.add({ area: "Alarms", name: title, status: "warn", found, expected: "state OK", note });
    } else {
        ctx.rec.pass("Alarms", title, found);
    }
}

export async function checkDashboard(ctx: CheckContext): Promise<void> {
    const { outputs, clients, rec } = ctx;
    try {
        await call(clients.timeoutMs, (o) =>
            clients
                .cloudwatch(outputs.region)
                .send(new GetDashboardCommand({ DashboardName: outputs.dashboardName }), o),
        );
        rec.pass("Alarms", `dashboard ${outputs.dashboardName}`, "exists");
    } catch (e) {
        rec.expect(
            "Alarms",
            `dashboard ${outputs.dashboardName}`,
            false,
            isNotFound(e) ? `no such dashboard in ${outputs.region}` : describeError(e),
            "exists",
        );
    }
}

export async function checkAlertsTopic(ctx: CheckContext): Promise<void> {
    const { outputs, expected, clients, rec } = ctx;
    const arn = outputs.alertsTopicArn;
    const region = arnRegion(arn) || outputs.region;
    const subs: Subscription[] = [];
    try {
        let token: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
            const out = await call(clients.timeoutMs, (o) =>
                clients.sns(region).send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: token }), o),
            );
            subs.push(...(out.Subscriptions ?? []));
            token = out.NextToken;
            if (!token) break;
        }
    } catch (e) {
        rec.expect(
            "Alerts",
            "alerts topic has a confirmed subscription",
            false,
            isNotFound(e) ? `topic ${arn} not found` : describeError(e),
            "at least 1 confirmed",
        );
        return;
    }
    const pending = subs.filter((s) => s.SubscriptionArn === PENDING);
    const confirmed = subs.filter((s) => s.SubscriptionArn !== PENDING && s.SubscriptionArn?.startsWith("arn:"));
    const counts = `${confirmed.length} confirmed, ${pending.length} pending confirmation`;
    const configured = expected.alerts.emails.length + (expected.alerts.httpsEndpoint ? 1 : 0);
    if (confirmed.length === 0 && configured === 0) {
        // Nothing drifted: the stack file subscribes nobody. Still worth saying out loud.
        rec.add({
            area: "Alerts",
            name: "alerts topic has a confirmed subscription",
            status: "warn",
            found: counts,
            expected: "at least 1 confirmed",
            note: "the stack file sets no alerts.emails or alerts.httpsEndpoint: alarms notify nobody",
        });
    } else {
        rec.expect(
            "Alerts",
            "alerts topic has a confirmed subscription",
            confirmed.length >= 1,
            counts,
            "at least 1 confirmed",
        );
    }

    const wanted = [
        ...expected.alerts.emails.map((email) => ({
            name: `e-mail ${email}`,
            match: (s: Subscription) =>
                /^email(-json)?$/.test(s.Protocol ?? "") && s.Endpoint?.toLowerCase() === email.toLowerCase(),
        })),
        // The endpoint is a secret: only its protocol can be matched.
        ...(expected.alerts.httpsEndpoint
            ? [{ name: "HTTPS endpoint", match: (s: Subscription) => s.Protocol === "https" }]
            : []),
    ];
    for (const w of wanted) {
        const mine = subs.filter(w.match);
        const ok = mine.some((s) => confirmed.includes(s));
        const found = mine.length === 0 ? "not subscribed" : ok ? "confirmed" : "pending confirmation";
        const note =
            mine.length > 0 && !ok
                ? "the subscriber must follow the link in the AWS Notifications message; until then it gets no alerts"
                : undefined;
        rec.expect("Alerts", `subscription ${w.name}`, ok, found, "confirmed", note);
    }
}
