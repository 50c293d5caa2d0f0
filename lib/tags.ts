/**
 * Stack-wide tagging: every taggable AWS resource gets the environment, service
 * and managed-by tags (plus the stack's extra tags) from one stack
 * transformation, so no component has to remember them.
 */
import * as pulumi from "@pulumi/pulumi";
import taggableTypes from "./aws-taggable-types.json";

export const SERVICE_TAG = "credlink";

export function standardTags(
    environment: string,
    extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
    return { ...extra, environment, service: SERVICE_TAG, "managed-by": "pulumi" };
}

/** Built once at start-up from the list generated from @pulumi/aws's declarations. */
const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggableTypes.types);

/**
 * Whether an AWS resource type takes a `tags` map, per lib/aws-taggable-types.json
 * (`npm run taggable:sync` regenerates it; test/tags.test.ts fails while it is stale).
 */
export function takesTags(type: string): boolean {
    return TAGGABLE_TYPES.has(type);
}

/**
 * Register the tagging transformation on the stack. It uses the in-process
 * transformation API because it behaves the same under `pulumi up` and under the
 * test mocks; resources inside remote components (awsx) get tags through their
 * own `tags` argument instead.
 */
export function registerTagging(tags: Record<string, string>): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!takesTags(args.type)) return undefined;
        const own = (args.props.tags ?? {}) as Record<string, string>;
        return { props: { ...args.props, tags: { ...tags, ...own } }, opts: args.opts };
    });
}
