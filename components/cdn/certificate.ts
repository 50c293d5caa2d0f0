import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";

/**
 * An ACM certificate in us-east-1 for `domains`, DNS-validated through records
 * in `hostedZoneId`. Returns the ARN once validation has finished, so the
 * distribution never references a pending certificate.
 */
export function createValidatedCertificate(
    name: string,
    domains: readonly string[],
    hostedZoneId: pulumi.Input<string>,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const certificate = new aws.acm.Certificate(
        `${name}-certificate`,
        {
            region: CLOUDFRONT_REGION,
            domainName: domains[0],
            subjectAlternativeNames: domains.slice(1),
            validationMethod: "DNS",
            keyAlgorithm: "RSA_2048",
        },
        { parent },
    );
    // A wildcard and its apex share one validation record.
    const toValidate = [...new Set(domains.map((d) => d.replace(/^\*\./, "")))];
    const records = toValidate.map((domain, i) => {
        const option = certificate.domainValidationOptions.apply((options) => {
            const found = options.find((o) => o.domainName === domain || o.domainName === `*.${domain}`);
            if (!found) throw new Error(`ACM returned no DNS validation record for ${domain}`);
            return found;
        });
        return new aws.route53.Record(
            `${name}-certificate-validation-${i}`,
            {
                zoneId: hostedZoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                allowOverwrite: true,
            },
            { parent },
        );
    });
    const validation = new aws.acm.CertificateValidation(
        `${name}-certificate-validation`,
        {
            region: CLOUDFRONT_REGION,
            certificateArn: certificate.arn,
            validationRecordFqdns: records.map((r) => r.fqdn),
        },
        { parent },
    );
    return validation.certificateArn;
}
