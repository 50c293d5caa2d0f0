/**
 * Where a command prints: the process's stdout and stderr in its scripts/ entry point, buffers in
 * tests that run the command in process. Every command of tools/ takes one.
 */
export interface CliIo {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

/** The process's own streams, for the scripts/ entry points. */
export const processIo: CliIo = {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
};
