// JDBC `?` placeholders: found outside string literals, quoted names and comments, renumbered for
// each driver ($1 for pg, @p1 for SQL Server, :1 for Oracle), and an INSERT ... VALUES (?, ?)
// statement repeated over many rows in one statement (what JDBC drivers call rewriting a batch).

export const PlaceholderStyle = { question: 'question', dollar: 'dollar', at: 'at', colon: 'colon' } as const;
export type PlaceholderStyle = (typeof PlaceholderStyle)[keyof typeof PlaceholderStyle];

export interface SqlSyntax {
  /** MySQL: backslash escapes inside strings and `backtick` names. */
  backslashEscapes?: boolean;
  /** PostgreSQL: $tag$ ... $tag$ strings. */
  dollarQuotes?: boolean;
  /** SQL Server: [bracketed names]. */
  brackets?: boolean;
}

export interface ParsedSql {
  /** Literal text between placeholders; `parts.length === count + 1`. `??` already unescaped to `?`. */
  parts: string[];
  count: number;
  /** Set when the statement is an INSERT whose only placeholders sit in one VALUES (...) group. */
  values?: { prefix: string; group: string[]; suffix: string };
}

/** Blanks out literals and comments (same length), so that code can be searched safely. */
function codeView(sql: string, syntax: SqlSyntax): string {
  const out = sql.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) out[k] = ' ';
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || (c === '`' && syntax.backslashEscapes)) {
      let j = i + 1;
      while (j < sql.length) {
        if (syntax.backslashEscapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      blank(i, j + 1);
      i = j + 1;
    } else if (c === '[' && syntax.brackets) {
      const end = sql.indexOf(']', i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      blank(i, stop);
      i = stop;
    } else if (c === '$' && syntax.dollarQuotes && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (!tag) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      const stop = end < 0 ? sql.length : end + tag[0].length;
      blank(i, stop);
      i = stop;
    } else i++;
  }
  return out.join('');
}

export function parseSql(sql: string, syntax: SqlSyntax = {}): ParsedSql {
  const code = codeView(sql, syntax);
  const positions: number[] = [];
  const escaped: number[] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] !== '?') continue;
    if (code[i + 1] === '?') {
      escaped.push(i);
      i++;
    } else positions.push(i);
  }
  const slice = (from: number, to: number): string => {
    let text = '';
    let at = from;
    for (const e of escaped) {
      if (e < from || e >= to) continue;
      text += sql.slice(at, e + 1);
      at = e + 2;
    }
    return text + sql.slice(at, to);
  };
  const cut = (from: number, to: number, marks: number[]): string[] => {
    const parts: string[] = [];
    let at = from;
    for (const p of marks) {
      parts.push(slice(at, p));
      at = p + 1;
    }
    parts.push(slice(at, to));
    return parts;
  };
  const parsed: ParsedSql = { parts: cut(0, sql.length, positions), count: positions.length };
  const group = valuesGroup(code, positions);
  if (group) {
    parsed.values = {
      prefix: slice(0, group.open),
      group: cut(group.open, group.close + 1, positions),
      suffix: slice(group.close + 1, sql.length).replace(/;\s*$/, ''),
    };
  }
  return parsed;
}

/** The `( ... )` after the last VALUES of an INSERT, when it holds every placeholder. */
function valuesGroup(code: string, positions: number[]): { open: number; close: number } | undefined {
  if (positions.length === 0 || !/^\s*(insert|replace|upsert)\b/i.test(code)) return undefined;
  const re = /\bvalues\s*\(/gi;
  let match: RegExpExecArray | null;
  let last: RegExpExecArray | undefined;
  while ((match = re.exec(code))) last = match;
  if (!last) return undefined;
  const open = last.index + last[0].length - 1;
  let depth = 0;
  let close = -1;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0 || positions[0] < open || positions[positions.length - 1] > close) return undefined;
  // A second statement after the group (`; delete ...`) must not be repeated or reordered.
  if (code.slice(close + 1).replace(/;\s*$/, '').includes(';')) return undefined;
  return { open, close };
}

function marker(style: PlaceholderStyle, n: number): string {
  switch (style) {
    case 'dollar': return `$${n}`;
    case 'at': return `@p${n}`;
    case 'colon': return `:${n}`;
    default: return '?';
  }
}

/** The statement with its placeholders renumbered for the driver. */
export function numbered(parsed: ParsedSql, style: PlaceholderStyle): string {
  let text = parsed.parts[0];
  for (let i = 1; i < parsed.parts.length; i++) text += marker(style, i) + parsed.parts[i];
  return text;
}

/** One INSERT for `rows` rows: the VALUES group repeated, placeholders numbered across all of them. */
export function multiRow(parsed: ParsedSql, rows: number, style: PlaceholderStyle): string {
  const v = parsed.values;
  if (!v) throw new Error('statement cannot be rewritten as a multi-row insert');
  const groups: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    let text = v.group[0];
    for (let i = 1; i < v.group.length; i++) text += marker(style, ++n) + v.group[i];
    groups.push(text);
  }
  return `${v.prefix}${groups.join(', ')}${v.suffix}`;
}
