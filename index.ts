/**
 * CredLink performance stack. Composes the components for the selected stack
 * from its configuration alone: environment differences live in the stack
 * files, not in code.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlertsTopic } from "./components/alerts";
import { Network } from "./components/network";
import { loadStackConfig } from "./lib/config";
import { registerTagging, standardTags } from "./lib/tags";

export default async function main() {
    const config = loadStackConfig();
    const tags = standardTags(config.environment, config.tags);
    registerTagging(tags);

    const alerts = new AlertsTopic("alerts", {
        emails: config.alerts.emails, httpsEndpoint: config.alerts.httpsEndpoint === undefined ? undefined : pulumi.secret(config.alerts.httpsEndpoint),
    });
    const network = new Network("network", { ...config.network, tags });

    return {
        region: config.region,
        alertsTopicArn: alerts.topicArn,
        vpcId: network.vpcId,
    };
}
