// A page of query results (jobs.getQueryResults, tabledata.list) read as it arrives, so that a page of
// any size (BigQuery sends up to 10 MB) costs one network chunk of memory, not the page twice over
// (its text, then its objects). The members around `rows` are parsed whole (they are small); the rows
// are cut at element boundaries and parsed a chunk's worth at a time.

/** What a page holds besides its rows. */
export interface PageMembers {
  schema?: { fields?: Array<{ name: string; type: string; mode?: string; fields?: unknown[] }> };
  pageToken?: string;
  totalRows?: string;
  jobComplete?: boolean;
  [member: string]: unknown;
}

export type RawRow = { f?: Array<{ v?: unknown }> };

export type PageEvent = { members: PageMembers } | { rows: RawRow[] };

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Where the reader is in the page: before `rows`, inside it, after it. */
const Mode = { Head: 0, Rows: 1, Tail: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** Whether the quote at `at` is escaped (preceded by an odd number of backslashes). */
function escaped(text: string, at: number): boolean {
  let n = 0;
  for (let k = at - 1; k >= 0 && text.charCodeAt(k) === BACKSLASH; k--) n++;
  return n % 2 === 1;
}

/**
 * Splits a page's JSON text, pushed in pieces, into its members (once the head before `rows`, once the
 * tail after it) and batches of raw rows. Throws a SyntaxError on text that is not a JSON object.
 */
export class PageReader {
  private mode: Mode = Mode.Head;
  /** Text not handed on yet: the head, the rows since the last cut, or the tail. */
  private text = '';
  /** Where scanning resumes in `text`, and the scanner's state there. */
  private at = 0;
  private depth = 0;
  private inString = false;
  /** In the head: the last string closed at depth 1, and where it started and ended. */
  private lastString = { start: -1, end: -1 };

  push(piece: string): PageEvent[] {
    this.text += piece;
    const events: PageEvent[] = [];
    if (this.mode === Mode.Head) this.scanHead(events);
    if (this.mode === Mode.Rows) this.scanRows(events);
    return events;
  }

  /** The members after `rows` (or the whole object when it had no rows). */
  end(): PageEvent[] {
    if (this.mode === Mode.Rows) throw new SyntaxError('the page ended inside its rows');
    if (this.mode === Mode.Head) return [{ members: JSON.parse(this.text) as PageMembers }];
    const tail = this.text.trimStart();
    return [{ members: JSON.parse(`{${tail.startsWith(',') ? tail.slice(1) : tail}`) as PageMembers }];
  }

  private scanHead(events: PageEvent[]): void {
    const text = this.text;
    let i = this.at;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        const q = text.indexOf('"', i);
        if (q < 0) { i = text.length; break; }
        i = q + 1;
        if (!escaped(text, q)) {
          this.inString = false;
          if (this.depth === 1) this.lastString.end = i;
        }
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1) this.lastString = { start: i, end: -1 };
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (c === OPEN_BRACKET && this.depth === 1 && this.isRowsKey(i)) {
          // The head is the object up to the `rows` key: parsed now, so that the schema is known before the rows.
          const head = text.slice(0, this.lastString.start).trimEnd();
          events.push({ members: JSON.parse(`${head.endsWith(',') ? head.slice(0, -1) : head}}`) as PageMembers });
          this.mode = Mode.Rows;
          this.text = text.slice(i + 1);
          this.at = 0;
          this.depth = 2;
          return;
        }
        this.depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
      }
      i++;
    }
    this.at = i;
  }

  /** Whether the `[` at `i` opens the value of the member `rows`. */
  private isRowsKey(i: number): boolean {
    const { start, end } = this.lastString;
    return start >= 0 && end > start && this.text.slice(start, end) === '"rows"' && this.text.slice(end, i).trim() === ':';
  }

  private scanRows(events: PageEvent[]): void {
    const text = this.text;
    const n = text.length;
    // The hot loop of a large result: state in locals, strings skipped with indexOf.
    let i = this.at;
    let depth = this.depth;
    let inString = this.inString;
    // The end of the last whole row seen in this text (everything before it is parsed at once), and of the rows.
    let cut = -1;
    let closed = -1;
    while (i < n) {
      if (inString) {
        const q = text.indexOf('"', i);
        if (q < 0) { i = n; break; }
        i = q + 1;
        if (text.charCodeAt(q - 1) !== BACKSLASH || !escaped(text, q)) inString = false;
        continue;
      }
      const c = text.charCodeAt(i++);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 2) cut = i;
        else if (depth === 1) { closed = i - 1; break; }
      }
    }
    this.depth = depth;
    this.inString = inString;
    const last = closed >= 0 ? closed : cut;
    if (last >= 0) {
      const batch = text.slice(0, last).trim();
      const body = batch.startsWith(',') ? batch.slice(1) : batch;
      if (body !== '') events.push({ rows: JSON.parse(`[${body}]`) as RawRow[] });
    }
    if (closed >= 0) {
      this.mode = Mode.Tail;
      this.text = text.slice(closed + 1);
      this.at = 0;
    } else if (cut >= 0) {
      this.text = text.slice(cut);
      this.at = i - cut;
    } else {
      this.at = i;
    }
  }
}
