// The shape of filters, functions and tests. The parser resolves named arguments against `params`
// at compile time, so a misspelt argument or an unknown filter fails before anything runs.

/** What a filter, function or test may use while running: never the clock, env or I/O. */
export interface CallContext {
  readonly now: Date;
  readonly secrets: Readonly<Record<string, string>> | undefined;
  /** Key-value entries read before rendering, for kv(); undefined when the caller read none. */
  readonly kv?: KvValues;
  /** Files read before rendering, for read(): argument -> text, or the reason it could not be read. */
  readonly files?: ReadonlyMap<string, FileText>;
  /** Files looked up before rendering, for fileSize(), fileExists() and isFileEmpty(). */
  readonly fileStats?: ReadonlyMap<string, FileStat>;
  /**
   * Given, a path fileStats lacks is recorded here and answered with a stand-in, for the caller to
   * look it up and render again (paths are often computed: `fileSize(outputs.download.uri)`).
   */
  readonly wantedFiles?: Set<string>;
  /** The execution's ERROR log lines, read before rendering, for errorLogs(). */
  readonly errorLogs?: readonly Readonly<Record<string, unknown>>[];
  /** Charges `n` steps against the evaluation budget (for work proportional to a value's size). */
  charge(n: number): void;
  /** Checks a freshly built string against the size limit and charges for it; returns it. */
  str(s: string): string;
  /** Fails before building a string of `length` characters that would exceed the size limit. */
  fits(length: number): void;
  /** Random bytes, given by the caller (uuid(), randomInt()); undefined where rendering must be repeatable. */
  readonly randomBytes?: (n: number) => Uint8Array;
  /** The root variables of the current render (printContext()). */
  variables?(): Readonly<Record<string, unknown>>;
  /** Renders `template` with the variables of the current render, within its budget (render()). */
  renderText?(template: string): string;
}

/**
 * What kv() may answer, read by the caller before rendering (rendering does no I/O): `namespace`
 * is the execution's, the default of kv(); `entries` maps `{namespace}/{key}` to the entry's value,
 * or to null when the key does not exist.
 */
export interface KvValues {
  readonly namespace: string;
  readonly entries: ReadonlyMap<string, { value: unknown } | null>;
}

/** A file read for read(): its text, or why it could not be read (missing, forbidden). */
export type FileText = { text: string } | { error: string };

/**
 * A file looked up for fileSize()/fileExists()/isFileEmpty(): its size, absent (`missing`, with the
 * reason), or why it may not be looked up (forbidden, a bad path).
 */
export type FileStat = { size: number } | { missing: string } | { error: string };

/** The `entries` key of a namespace's key (a namespace holds no `/`). */
export const kvEntryKey = (namespace: string, key: string): string => `${namespace}/${key}`;

interface Callable {
  /** Parameter names in positional order; `null` takes any number of positional arguments. */
  readonly params: readonly string[] | null;
}

export interface FilterDef extends Callable {
  /** When true, an undefined input (missing variable or key) arrives as `undefined` instead of failing. */
  readonly tolerant?: boolean;
  apply(input: unknown, args: readonly unknown[], cx: CallContext): unknown;
}

export interface FunctionDef extends Callable {
  apply(args: readonly unknown[], cx: CallContext): unknown;
}

export interface TestDef extends Callable {
  readonly tolerant?: boolean;
  apply(input: unknown, args: readonly unknown[], cx: CallContext): boolean;
}

/** Builds a lookup table that only answers for its own keys (no `constructor`, no `toString`). */
export function table<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}
