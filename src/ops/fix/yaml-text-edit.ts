import { isMap, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml';

/**
 * Sets `services.<service>.<path…>` in compose text by editing the text itself, guided by the
 * parsed node ranges: an existing scalar is replaced where it stands, missing keys are inserted as
 * new lines after the deepest existing block mapping. Everything else — comments, alignment, flow
 * sequences, quoting, blank lines — stays byte-identical (re-stringifying the document did not).
 * Returns changed: false when the service is not in the text or the path runs into something
 * that is not a block mapping (a flow map, a scalar); callers then leave the file alone.
 */
export function setInService(
  text: string,
  service: string,
  path: readonly string[],
  valueText: string,
): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { text, changed: false };
  const services: unknown = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (!isBlockMap(services)) return { text, changed: false };
  const svc: unknown = services.get(service, true);
  if (!isBlockMap(svc)) return { text, changed: false };
  let node: YAMLMap<unknown, unknown> = svc;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const step = indentStep(text, services, node);
  let i = 0;
  for (; i < path.length; i++) {
    const next = node.get(path[i], true) as Node | null | undefined;
    if (next === undefined) break;
    if (i === path.length - 1) {
      // The last key exists: replace its scalar value in place (keeps a trailing comment).
      if (!isScalar(next) || !next.range) return { text, changed: false };
      const [start, end] = next.range;
      if (text.slice(start, end) === valueText) return { text, changed: false };
      return { text: text.slice(0, start) + valueText + text.slice(end), changed: true };
    }
    if (!isBlockMap(next)) return { text, changed: false };
    node = next;
  }
  // Insert the missing keys after the last line of `node`'s content, one level deeper each.
  const first = node.items[0]!;
  const col = columnOf(text, first.key as Node);
  const lines = path.slice(i).map((key, j) => {
    const pad = ' '.repeat(col + j * step);
    return j === path.length - i - 1 ? `${pad}${key}: ${valueText}` : `${pad}${key}:`;
  });
  const at = endOfLine(text, lastContentEnd(node));
  const insert = (at === text.length && !text.endsWith('\n') ? eol : '') + lines.join(eol) + eol;
  return { text: text.slice(0, at) + insert + text.slice(at), changed: true };
}

function isBlockMap(node: unknown): node is YAMLMap<unknown, unknown> {
  return isMap(node) && !node.flow && node.items.length > 0 && !!(node.items[0]!.key as Node | null)?.range;
}

function columnOf(text: string, node: Node): number {
  const start = node.range![0];
  return start - (text.lastIndexOf('\n', start - 1) + 1);
}

/** The file's own indentation step: the service's keys against `services:`'s keys. */
function indentStep(
  text: string,
  services: YAMLMap<unknown, unknown>,
  service: YAMLMap<unknown, unknown>,
): number {
  const step = columnOf(text, service.items[0]!.key as Node) - columnOf(text, services.items[0]!.key as Node);
  return step > 0 ? step : 2;
}

/** Where the last value of a block mapping ends (its last nested value, not trailing comments). */
function lastContentEnd(map: YAMLMap<unknown, unknown>): number {
  const last = map.items[map.items.length - 1]!;
  const value = last.value as Node | null;
  if (isBlockMap(value)) return lastContentEnd(value);
  return value?.range ? value.range[1] : (last.key as Node).range![1];
}

function endOfLine(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}
