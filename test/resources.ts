/**
 * Typed reads of the resources a program registered under the mocks.
 *
 * A resource's inputs are its args as the engine received them, every Input resolved:
 * `inputsOf<aws.cloudfront.DistributionArgs>(r)` is `pulumi.Unwrap<DistributionArgs>`, so
 * a misspelt property is a compile error rather than an `undefined` that a test compares.
 * Outputs are typed by the resource's state (`aws.s3.BucketState`): every property optional.
 *
 * The types describe a deployed value. Under the mocks a computed value is the engine's
 * UNKNOWN sentinel in preview, and a secret arrives in the engine's secret envelope; tests
 * that look at either read the value as `unknown`.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { RegisteredResource } from "../tools/harness/run";

/** A resource's inputs as the engine receives them, e.g. `InputsOf<aws.s3.BucketArgs>`. */
export type InputsOf<Args extends object> = pulumi.Unwrap<Args>;

/** The inputs of `r`, typed by its resource's args, e.g. `inputsOf<aws.s3.BucketArgs>(r)`. */
export const inputsOf = <Args extends object>(r: Pick<RegisteredResource, "inputs">): InputsOf<Args> =>
    r.inputs as InputsOf<Args>;

/** The outputs of `r`, typed by its resource's state, e.g. `outputsOf<aws.s3.BucketState>(r)`. */
export const outputsOf = <State extends object>(r: Pick<RegisteredResource, "outputs">): pulumi.Unwrap<State> =>
    r.outputs as pulumi.Unwrap<State>;

/** An IAM policy document, as JSON.parse reads the JSON a policy input holds. */
export type PolicyDocument = pulumi.Unwrap<aws.iam.PolicyDocument>;

/** The IAM policy document in the JSON input `key` of `r` (a bucket, key, topic or role policy). */
export const policyOf = (r: Pick<RegisteredResource, "inputs">, key = "policy"): PolicyDocument =>
    JSON.parse(r.inputs[key] as string) as PolicyDocument;

/** One container of a task definition, as the JSON in its `containerDefinitions` input holds it. */
export interface ContainerDefinition {
    readonly name: string;
    readonly image: string;
    readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    readonly secrets: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
    readonly [key: string]: unknown;
}

/** The containers of a task definition resource. */
export const containersOf = (r: Pick<RegisteredResource, "inputs">): ContainerDefinition[] =>
    JSON.parse(r.inputs.containerDefinitions as string) as ContainerDefinition[];
