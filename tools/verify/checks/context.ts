import type { StackOutputs } from "../../../lib/outputs";
import type { Clients } from "../aws";
import type { Expected } from "../expected";
import type { Recorder } from "../types";

/** Everything a check needs: what the stack says, what it should be, and how to ask AWS. */
export interface CheckContext {
    readonly outputs: StackOutputs;
    readonly expected: Expected;
    readonly clients: Clients;
    readonly rec: Recorder;
    /** Addresses a host name resolves to (the API origin may be a DNS name for the ALB). */
    readonly resolveHost: (host: string) => Promise<readonly string[]>;
}

export const yesNo = (b: boolean | undefined): string => (b === undefined ? "unset" : b ? "on" : "off");
