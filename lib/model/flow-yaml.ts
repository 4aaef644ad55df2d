// YAML with positions: parses a flow's source and maps document paths back to line:column.
import { isMap, isNode, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, Scalar, visit } from 'yaml';
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

/**
 * Flows are written by hand and nest a few levels; the YAML composer recurses (several frames per
 * level), so its bound is well below the JSON one, with room to spare on a small stack.
 */
export const MAX_YAML_NESTING = 200;

// Tags of YAML's core schema. Others (!!binary, !!timestamp, !!set, !!omap...) would become a
// Buffer, a Date, a Set or a Map that no flow property expects, and fail late and far from the line.
const CORE_TAGS: ReadonlySet<string> = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export function parseYaml(source: string): YamlSource {
  const lineCounter = new LineCounter();

  // Composing a document nested a few thousand levels deep exhausts the process: its depth is bounded first.
  const deep = firstTooDeep(source, MAX_YAML_NESTING);
  if (deep !== undefined) {
    const before = source.slice(0, deep);
    const line = before.split('\n').length;
    return refused({ message: `the document is nested deeper than ${MAX_YAML_NESTING} levels`, line, column: deep - before.lastIndexOf('\n') });
  }
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true, resolveKnownTags: false });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, source.length)));
    return { line: p.line, column: p.col };
  };
  const problem = (e: { message: string; pos: [number, number] }): YamlProblem => ({ message: firstLine(e.message), ...pos(e.pos[0]) });
  const errors = doc.errors.map(problem);
  visit(doc, (_key, node) => {
    if (isNode(node) && node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      errors.push({ message: `the YAML tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported`, ...pos(node.range?.[0] ?? 0) });
    }
    // An unquoted `{{ x }}` is a map whose key is a map: refused here, with the likely cause, rather
    // than turned into the text "{ x }" with a warning on the server's stderr.
    if (isPair(node) && (isMap(node.key) || isSeq(node.key))) {
      errors.push({ message: 'a list or a map is used as a key: quote an expression such as "{{ x }}" where it is a whole value', ...pos((node.key as Node).range?.[0] ?? 0) });
    }
  });
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

function refused(problem: YamlProblem): YamlSource {
  return { value: undefined, errors: [problem], warnings: [], has: () => false, locate: () => ({ line: problem.line, column: problem.column }) };
}

/**
 * Where the document may nest deeper than `max`, or undefined. The YAML parser is slow on deep
 * documents, so this reads the lexer's tokens instead: the depth at a token is at most the line's
 * indentation, plus the `-` and `?` indicators before it on the line, plus the open brackets.
 * Every nesting level needs one of these, so a document within the bound is never refused.
 */
function firstTooDeep(source: string, max: number): number | undefined {
  if (quickBound(source) <= max) return undefined;
  let offset = 0;
  let indent = 0;
  let indicators = 0;
  let flow = 0;
  let lineStart = true;
  for (const token of new Lexer().lex(source)) {
    const at = offset;
    offset += token.length;
    if (token === '\n' || token === '\r\n') { lineStart = true; indent = 0; indicators = 0; continue; }
    if (lineStart && /^[ \t]+$/.test(token)) { indent = token.length; lineStart = false; continue; }
    lineStart = false;
    if (token === '-' || token === '?') indicators++;
    else if (token === '[' || token === '{') flow++;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else continue;
    if (indent + indicators + flow > max) return at;
  }
  return undefined;
}

/** A cheaper, looser bound from characters alone: most flows pass it and are never lexed. */
function quickBound(source: string): number {
  let deepestLine = 0;
  let brackets = 0;
  let line = 0;
  let leading = true;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x0a) { line = 0; leading = true; continue; }
    if (leading && c === 0x20) line++;
    else leading = false;
    if (c === 0x2d || c === 0x3f) line++; // - ?
    else if (c === 0x5b || c === 0x7b) brackets++; // [ {
    if (line > deepestLine) deepestLine = line;
  }
  return deepestLine + brackets;
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
