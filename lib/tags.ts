/**
 * Stack-wide tagging: every taggable AWS resource gets the environment, service
 * and managed-by tags (plus the stack's extra tags) from one stack
 * transformation, so no component has to remember them.
 */
import * as pulumi from "@pulumi/pulumi";

export const SERVICE_TAG = "credlink";

export function standardTags(environment: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { ...extra, environment, service: SERVICE_TAG, "managed-by": "pulumi" };
}

const taggable = new Map<string, boolean>();

/**
 * Whether a resource's class accepts a `tags` input. @pulumi/aws classes copy each
 * supported input into `resourceInputs`, so the constructor names `tags` exactly
 * when the AWS resource is taggable.
 */
export function acceptsTags(resource: pulumi.Resource, type: string): boolean {
    let known = taggable.get(type);
    if (known === undefined) {
        known = Function.prototype.toString.call(resource.constructor).includes('resourceInputs["tags"]');
        taggable.set(type, known);
    }
    return known;
}

/**
 * Register the tagging transformation on the stack. It uses the in-process
 * transformation API because it behaves the same under `pulumi up` and under the
 * test mocks; resources inside remote components (awsx) get tags through their
 * own `tags` argument instead.
 */
export function registerTagging(tags: Record<string, string>): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!args.type.startsWith("aws:") || !acceptsTags(args.resource, args.type)) return undefined;
        const own = (args.props.tags ?? {}) as Record<string, string>;
        return { props: { ...args.props, tags: { ...tags, ...own } }, opts: args.opts };
    });
}
