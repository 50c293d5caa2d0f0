/**
 * Custom performance metrics (the original stack's "response time tracking,
 * request size monitoring") derived from the API's JSON request log lines by
 * CloudWatch Logs metric filters, so the app needs no CloudWatch SDK or rights.
 *
 * The app must write one JSON object per completed request to stdout, e.g.
 *
 *   {"msg":"request completed","method":"POST","path":"/sign","status":200,
 *    "response_time_ms":182,"request_size_bytes":48213,"operation":"sign"}
 *
 * `response_time_ms` and `request_size_bytes` must be JSON numbers (not strings);
 * `operation` is "sign" on /sign requests. Lines without these fields are ignored.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const PERFORMANCE_NAMESPACE = "CredLink/Performance";

/** Example of the log line the metric filters understand (documented in docs/scaling-service.md). */
export const EXAMPLE_REQUEST_LOG_LINE = {
    msg: "request completed",
    method: "POST",
    path: "/sign",
    status: 200,
    response_time_ms: 182,
    request_size_bytes: 48213,
    operation: "sign",
} as const;

export interface CustomMetricSpec {
    /** Suffix of the filter's logical name. */
    readonly id: string;
    readonly metricName: string;
    readonly pattern: string;
    readonly value: string;
    readonly unit: string;
    /** Emitted for log events that do not match; only for counts, where 0 is true. */
    readonly defaultValue?: string;
}

export const CUSTOM_METRICS: readonly CustomMetricSpec[] = [
    // A numeric comparison matches only numeric fields, so a malformed value never becomes a data point.
    {
        id: "response-time",
        metricName: "ResponseTime",
        pattern: "{ $.response_time_ms >= 0 }",
        value: "$.response_time_ms",
        unit: "Milliseconds",
    },
    {
        id: "request-size",
        metricName: "RequestSize",
        pattern: "{ $.request_size_bytes >= 0 }",
        value: "$.request_size_bytes",
        unit: "Bytes",
    },
    // Successful signatures only; 0 for every other line keeps the series continuous for Sum charts and alarms.
    {
        id: "sign-operations",
        metricName: "SignOperations",
        pattern: '{ ($.operation = "sign") && ($.status = 200) }',
        value: "1",
        unit: "Count",
        defaultValue: "0",
    },
];

export function createLogMetricFilters(
    prefix: string,
    logGroupName: pulumi.Input<string>,
    parent: pulumi.Resource,
): aws.cloudwatch.LogMetricFilter[] {
    return CUSTOM_METRICS.map(
        (m) =>
            new aws.cloudwatch.LogMetricFilter(
                `${prefix}-${m.id}`,
                {
                    logGroupName,
                    pattern: m.pattern,
                    metricTransformation: {
                        namespace: PERFORMANCE_NAMESPACE,
                        name: m.metricName,
                        value: m.value,
                        unit: m.unit,
                        ...(m.defaultValue === undefined ? {} : { defaultValue: m.defaultValue }),
                    },
                },
                { parent },
            ),
    );
}
