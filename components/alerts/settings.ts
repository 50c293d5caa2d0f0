/**
 * AlertsTopic's settings, declared once and import-free of the AWS SDK, so the stack config
 * (lib/config.ts) and the tools that read a stack file do not load @pulumi/aws for them.
 */
import { z } from "zod";
import { group, listOf, setting, type ValuesOfGroup } from "../../lib/settings";

/** Who is told about alarms (`credlink:alerts.*` in the stack), declared once. */
export const ALERTS_SETTINGS = group({
    emails: setting(
        "array",
        "E-mail addresses subscribed to the alerts topic (each must confirm).",
        listOf(z.email(), "e-mail address"),
        {
            default: [] as string[],
        },
    ),
    httpsEndpoint: setting(
        "string",
        "Optional HTTPS endpoint (e.g. a chat webhook) subscribed to the alerts topic. Secret.",
        z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
        { secret: true },
    ),
});
export type AlertsSettings = ValuesOfGroup<typeof ALERTS_SETTINGS>;
