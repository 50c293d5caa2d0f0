/**
 * A TypeScript entry point started the way `npm run <script>` starts it (package.json):
 * `node --import tsx <script> <args>`, with no tsx CLI process in between.
 */
export function tsScript(script: string, ...args: string[]): [string, string[]] {
    return [process.execPath, ["--import", "tsx", script, ...args]];
}
