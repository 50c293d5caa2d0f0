/**
 * The project's name and the offline stand-in for secrets: what the stack-file reader needs
 * without loading @pulumi/pulumi, so the preview can start its policy pack before the SDK loads.
 */

/** Pulumi.yaml's `name`, and the namespace of the program's own stack settings. */
export const PROJECT = "credlink";

/**
 * What the offline tools pass for a `secure:` value: its plaintext is known only to
 * the stack's secrets provider, so the value is taken as set but not validated.
 */
export const SECRET_PLACEHOLDER = "[secret: decrypted by the Pulumi CLI]";
