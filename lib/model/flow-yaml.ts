// YAML with positions: parses a flow's source and maps document paths back to line:column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Node } from 'yaml';
import type { DocPath } from './flow-diagnostics';

export interface Position {
  line: number;
  column: number;
}

export interface YamlProblem extends Position {
  message: string;
}

export interface YamlSource {
  /** The document as plain data, or undefined when the YAML did not parse. */
  value: unknown;
  errors: YamlProblem[];
  warnings: YamlProblem[];
  /**
   * Where `path` is written: its value (or its key with `atKey`), else its nearest written ancestor.
   * `offset` points inside a string value (single-line and block scalars are exact).
   */
  locate(path: DocPath, opts?: { atKey?: boolean; offset?: number }): Position;
  /** Whether `path` is written in the document (false for values that come from taskDefaults). */
  has(path: DocPath): boolean;
}

// Aliases are expanded by toJS; the cap stops "billion laughs" documents.
const MAX_ALIAS_COUNT = 100;

export function parseYaml(source: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, source.length)));
    return { line: p.line, column: p.col };
  };
  const problem = (e: { message: string; pos: [number, number] }): YamlProblem => ({ message: firstLine(e.message), ...pos(e.pos[0]) });
  const errors = doc.errors.map(problem);
  const warnings = doc.warnings.map(problem);
  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      errors.push({ message: (err as Error).message, line: 1, column: 1 });
    }
  }

  const find = (path: DocPath): { node?: Node; key?: Node; depth: number } => {
    let node: unknown = doc.contents;
    let key: Node | undefined;
    let depth = 0;
    for (const part of path) {
      let next: unknown;
      let nextKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(part));
        if (pair) {
          next = pair.value ?? pair.key;
          nextKey = pair.key as Node;
        }
      } else if (isSeq(node) && typeof part === 'number') {
        next = node.items[part];
      }
      if (next === undefined || next === null) break;
      node = next;
      key = nextKey;
      depth++;
    }
    return { node: node as Node | undefined, key, depth };
  };

  return {
    value,
    errors,
    warnings,
    has: (path) => find(path).depth === path.length,
    locate(path, opts = {}) {
      const found = find(path);
      const complete = found.depth === path.length;
      if (complete && opts.atKey && found.key?.range) return pos(found.key.range[0]);
      const node = found.node;
      if (!node?.range) return { line: 1, column: 1 };
      if (complete && opts.offset !== undefined && isScalar(node)) return scalarOffset(source, node, opts.offset, pos);
      return pos(node.range[0]);
    },
  };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The position of character `offset` of a scalar's value in the source. */
function scalarOffset(source: string, node: Scalar, offset: number, pos: (o: number) => Position): Position {
  const [start, end] = node.range as [number, number, number];
  const text = source.slice(start, end);
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const value = String(node.value);
    const before = value.slice(0, offset);
    const lineIndex = before.split('\n').length - 1;
    const column = before.length - (before.lastIndexOf('\n') + 1);
    // Content starts on the line after the `|` / `>` header, indented like its first line.
    const contentStart = source.indexOf('\n', start) + 1;
    const lines = source.slice(contentStart).split('\n');
    const indent = /^ */.exec(lines.find((l) => l.trim() !== '') ?? '')?.[0].length ?? 0;
    const first = pos(contentStart).line;
    return { line: first + lineIndex, column: indent + column + 1 };
  }
  if (!text.includes('\n')) {
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    return pos(start + (quoted ? 1 : 0) + offset);
  }
  return pos(start);
}
