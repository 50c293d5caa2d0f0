/**
 * Edits a Pulumi.<stack>.yaml in place through the `yaml` package's Document API, so every
 * comment, blank line, quoting style and key order the file has survives: values of existing
 * keys are replaced inside their nodes (an inline comment stays), new keys go after the
 * file's last `scaling.*` key (or where the removed ones were), and a removed key hands the
 * comment above it to the key below.
 */
import { isMap, isScalar, Pair, parseDocument, Scalar } from "yaml";
import { PROJECT } from "../../lib/config";

export interface StackFileEdit {
    /** Keys without the namespace (`scaling.taskCapacityRps`) and their new values. */
    readonly set: Readonly<Record<string, string | number>>;
    /** Keys without the namespace to remove when present. */
    readonly remove: readonly string[];
}

/** The key of a pair as written (`credlink:scaling.maxTasks` or `scaling.maxTasks`). */
const keyOf = (pair: Pair): unknown => (isScalar(pair.key) ? pair.key.value : pair.key);

/** A stack file's text with the edit applied; throws with one line when it has no `config:` map. */
export function editStackFileText(text: string, edit: StackFileEdit): string {
    const doc = parseDocument(text);
    const config = doc.get("config", true);
    if (!isMap(config)) throw new Error(`has no "config:" map to write to`);
    const items = config.items;
    const indexOf = (key: string) => items.findIndex((p) => keyOf(p) === key || keyOf(p) === `${PROJECT}:${key}`);

    let removedAt: number | undefined;
    for (const key of edit.remove) {
        const i = indexOf(key);
        if (i < 0) continue;
        removedAt = Math.min(removedAt ?? i, i);
        const [removed] = items.splice(i, 1);
        const comment = isScalar(removed.key) ? removed.key.commentBefore : undefined;
        if (!comment) continue;
        const next = items[i];
        if (next && isScalar(next.key)) {
            next.key.commentBefore = next.key.commentBefore ? `${comment}\n${next.key.commentBefore}` : comment;
        } else config.comment = config.comment ? `${comment}\n${config.comment}` : comment;
    }

    // New keys follow the file's own style: namespaced when its other project keys are.
    const namespaced = items.some((p) => String(keyOf(p)).startsWith(`${PROJECT}:`));
    for (const [key, value] of Object.entries(edit.set)) {
        const i = indexOf(key);
        if (i >= 0) {
            const node = items[i].value;
            if (isScalar(node)) {
                node.value = value;
                // A number written as a string ("12") would read back as a string.
                if (typeof value === "number") node.type = Scalar.PLAIN;
            } else items[i].value = doc.createNode(value);
            continue;
        }
        const lastScaling = items.reduce(
            (last, p, j) => (String(keyOf(p)).replace(`${PROJECT}:`, "").startsWith("scaling.") ? j : last),
            -1,
        );
        const pair = new Pair(doc.createNode(namespaced ? `${PROJECT}:${key}` : key), doc.createNode(value));
        const at = lastScaling >= 0 ? lastScaling + 1 : (removedAt ?? items.length);
        items.splice(at, 0, pair);
    }
    return doc.toString({ lineWidth: 0 });
}
