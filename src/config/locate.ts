/** Where a path of the options was written in the YAML file, for "config.yaml:12: <problem>". */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

const startOf = (node: unknown): number | undefined => (node as Partial<Node> | null)?.range?.[0];

/**
 * The line of the node at path: of the key for a mapping field, of the item for a list entry. A path that is not
 * in the file (a missing field) gives the line of the deepest part that is: the mapping it belongs in.
 */
export function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (pair === undefined) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = startOf(node) ?? offset;
      if (node === undefined) break;
    } else {
      break;
    }
  }
  return lines.linePos(offset).line;
}
