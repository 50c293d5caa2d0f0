/**
 * CloudWatch metric math, as far as the pack can evaluate it soundly.
 *
 * Alarms may compare a math expression rather than a metric, so a threshold is only
 * meaningful once the expression is known: `100 * errors / requests` at 5 is 5 %,
 * `errors / requests` at 5 is 500 %. The rules parse the expression and evaluate it
 * on probe values (see alarm-model.ts), which reads the unit and scale off the
 * expression itself instead of guessing from its text.
 *
 * Supported: numbers, metric IDs, + - * / ^, parentheses, unary minus, and the
 * functions below. Everything else (SEARCH, IF, METRICS(), RATE, ...) is reported
 * as "cannot read this expression" by the rule that needed it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 *
 * No imports, so the pack stays publishable on its own.
 */

export type MathNode =
    | { readonly kind: "number"; readonly value: number }
    | { readonly kind: "ref"; readonly id: string }
    | { readonly kind: "keyword"; readonly name: string }
    | { readonly kind: "string"; readonly value: string }
    | { readonly kind: "negate"; readonly operand: MathNode }
    | {
          readonly kind: "binary";
          readonly op: "+" | "-" | "*" | "/" | "^";
          readonly left: MathNode;
          readonly right: MathNode;
      }
    | { readonly kind: "call"; readonly name: string; readonly args: readonly MathNode[] }
    | { readonly kind: "list"; readonly items: readonly MathNode[] };

export class MathError extends Error {}

type Token =
    | { readonly t: "num"; readonly value: number }
    | { readonly t: "id"; readonly name: string }
    | { readonly t: "str"; readonly value: string }
    | { readonly t: "op"; readonly op: string };

/** Metric and expression IDs start with a lower-case letter (CloudWatch's own rule). */
const ID = /^[a-z][A-Za-z0-9_]*$/;

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
        if (number) {
            tokens.push({ t: "num", value: Number(number[0]) });
            i += number[0].length;
            continue;
        }
        const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
        if (word) {
            tokens.push({ t: "id", name: word[0] });
            i += word[0].length;
            continue;
        }
        if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) throw new MathError(`unterminated string at position ${i}`);
            tokens.push({ t: "str", value: text.slice(i + 1, end) });
            i = end + 1;
            continue;
        }
        if ("+-*/^()[],".includes(c)) {
            tokens.push({ t: "op", op: c });
            i++;
            continue;
        }
        throw new MathError(`unexpected "${c}" at position ${i}`);
    }
    return tokens;
}

/** Parses an expression; throws MathError naming what it could not read. */
export function parseMetricMath(text: string): MathNode {
    const tokens = tokenize(text);
    let pos = 0;
    const peek = () => tokens[pos];
    const isOp = (op: string) => {
        const t = peek();
        return t !== undefined && t.t === "op" && t.op === op;
    };
    const expect = (op: string) => {
        if (!isOp(op)) throw new MathError(`expected "${op}"${peek() ? "" : " before the end"}`);
        pos++;
    };

    const sum = (): MathNode => {
        let left = product();
        while (isOp("+") || isOp("-")) {
            const op = (tokens[pos++] as { op: "+" | "-" }).op;
            left = { kind: "binary", op, left, right: product() };
        }
        return left;
    };
    const product = (): MathNode => {
        let left = unary();
        while (isOp("*") || isOp("/")) {
            const op = (tokens[pos++] as { op: "*" | "/" }).op;
            left = { kind: "binary", op, left, right: unary() };
        }
        return left;
    };
    const unary = (): MathNode => {
        if (isOp("-")) {
            pos++;
            return { kind: "negate", operand: unary() };
        }
        if (isOp("+")) {
            pos++;
            return unary();
        }
        return power();
    };
    const power = (): MathNode => {
        const base = primary();
        if (isOp("^")) {
            pos++;
            return { kind: "binary", op: "^", left: base, right: unary() };
        }
        return base;
    };
    const list = (close: string): MathNode[] => {
        const items: MathNode[] = [];
        if (isOp(close)) {
            pos++;
            return items;
        }
        for (;;) {
            items.push(sum());
            if (isOp(",")) {
                pos++;
                continue;
            }
            expect(close);
            return items;
        }
    };
    const primary = (): MathNode => {
        const t = peek();
        if (t === undefined) throw new MathError("the expression ends too early");
        pos++;
        if (t.t === "num") return { kind: "number", value: t.value };
        if (t.t === "str") return { kind: "string", value: t.value };
        if (t.t === "id") {
            if (isOp("(")) {
                pos++;
                return { kind: "call", name: t.name, args: list(")") };
            }
            return ID.test(t.name) ? { kind: "ref", id: t.name } : { kind: "keyword", name: t.name };
        }
        if (t.op === "(") {
            const inner = sum();
            expect(")");
            return inner;
        }
        if (t.op === "[") return { kind: "list", items: list("]") };
        throw new MathError(`unexpected "${t.op}"`);
    };

    if (tokens.length === 0) throw new MathError("the expression is empty");
    const node = sum();
    if (pos < tokens.length) throw new MathError(`unexpected text after position ${pos} of the expression`);
    return node;
}

/** The metric/expression IDs an expression reads, in order of appearance (each once). */
export function referencedIds(node: MathNode): string[] {
    const out = new Set<string>();
    const walk = (n: MathNode): void => {
        switch (n.kind) {
            case "ref":
                out.add(n.id);
                return;
            case "negate":
                return walk(n.operand);
            case "binary":
                walk(n.left);
                return walk(n.right);
            case "call":
                return n.args.forEach(walk);
            case "list":
                return n.items.forEach(walk);
            default:
                return;
        }
    };
    walk(node);
    return [...out];
}

/** How an evaluation resolves what the expression names. */
export interface MathScope {
    /** The value of a metric or expression ID; throws MathError when it cannot be given. */
    value(id: string): number;
    /** The period, seconds, of the metric an ID names (PERIOD(id)); throws MathError when unknown. */
    period(id: string): number;
}

/** Functions over a list of series, evaluated point by point (CloudWatch's array form). */
const LIST_FUNCTIONS: Readonly<Record<string, (xs: number[]) => number>> = {
    SUM: (xs) => xs.reduce((a, b) => a + b, 0),
    AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
    MIN: (xs) => Math.min(...xs),
    MAX: (xs) => Math.max(...xs),
};

/**
 * Evaluates an expression at one point in time, each series replaced by one value.
 * Sound for what the rules ask (the unit and scale of the returned series): every
 * supported function works point by point. FILL(m, c) is m, because the probe
 * values are present; SUM/AVG/MIN/MAX only in their list form `SUM([m1, m2])`,
 * since on a single series they collapse the whole time range into one number.
 */
export function evaluateMetricMath(node: MathNode, scope: MathScope): number {
    const ev = (n: MathNode): number => {
        switch (n.kind) {
            case "number":
                return n.value;
            case "ref":
                return scope.value(n.id);
            case "negate":
                return -ev(n.operand);
            case "binary": {
                const a = ev(n.left);
                const b = ev(n.right);
                switch (n.op) {
                    case "+":
                        return a + b;
                    case "-":
                        return a - b;
                    case "*":
                        return a * b;
                    case "/":
                        return a / b;
                    case "^":
                        return a ** b;
                }
                break;
            }
            case "call":
                return call(n.name, n.args);
            case "keyword":
                throw new MathError(`${n.name} is not a value`);
            case "string":
                throw new MathError(`a string ("${n.value}") is not a value`);
            case "list":
                throw new MathError("a list of series is not a single value");
        }
        throw new MathError("unreadable expression");
    };
    const call = (name: string, args: readonly MathNode[]): number => {
        const listFn = LIST_FUNCTIONS[name];
        if (listFn) {
            const arg = args[0];
            if (args.length !== 1 || arg.kind !== "list" || arg.items.length === 0)
                throw new MathError(`${name} is only read in its list form, ${name}([m1, m2, ...])`);
            return listFn(arg.items.map(ev));
        }
        switch (name) {
            case "FILL": {
                if (args.length !== 2) throw new MathError("FILL takes a series and a fill value");
                const fill = args[1];
                if (fill.kind === "keyword" && fill.name !== "REPEAT" && fill.name !== "LINEAR")
                    throw new MathError(`FILL's second argument ${fill.name} is not a number, REPEAT or LINEAR`);
                if (fill.kind !== "keyword") ev(fill);
                return ev(args[0]);
            }
            case "ABS":
                if (args.length !== 1) throw new MathError("ABS takes one series");
                return Math.abs(ev(args[0]));
            case "PERIOD": {
                const arg = args[0];
                if (args.length !== 1 || arg.kind !== "ref") throw new MathError("PERIOD takes one metric ID");
                return scope.period(arg.id);
            }
            default:
                throw new MathError(`the pack does not evaluate ${name}()`);
        }
    };
    return ev(node);
}

/** `ANOMALY_DETECTION_BAND(id)` or `ANOMALY_DETECTION_BAND(id, width)`: the ID the band follows. */
export function anomalyBandOf(node: MathNode): { readonly of: string; readonly width?: number } | undefined {
    if (node.kind !== "call" || node.name !== "ANOMALY_DETECTION_BAND") return undefined;
    const [series, width, ...rest] = node.args;
    if (series?.kind !== "ref" || rest.length > 0) return undefined;
    if (width === undefined) return { of: series.id };
    return width.kind === "number" ? { of: series.id, width: width.value } : undefined;
}
