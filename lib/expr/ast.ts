// The syntax tree of a compiled template. Every expression node carries its source span (`s`..`e`,
// offsets into the template) for error messages, and its depth `d`, which the parser bounds so that
// evaluation can never overflow the stack.

export type Key = string | number;

interface Span {
  s: number;
  e: number;
  d: number;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '~' | '..'
  | '==' | '!=' | '<' | '>' | '<=' | '>='
  | 'and' | 'or' | 'in' | 'not in' | 'contains';

/** How the right side of a coalescing operator is chosen. */
export type CoalesceMode = '??' | '???' | '?:';

export type Expr =
  | (Span & { k: 'lit'; v: string | number | boolean | null })
  /** A root variable followed by static keys: `outputs.t['a a'][0]`. `keys` is empty for a bare variable. */
  | (Span & { k: 'path'; root: string; keys: Key[] })
  /** A subscript whose key is computed: `outputs.t[taskrun.value]`. */
  | (Span & { k: 'get'; obj: Expr; key: Expr })
  | (Span & { k: 'list'; items: Expr[] })
  | (Span & { k: 'map'; entries: [Expr, Expr][] })
  | (Span & { k: 'unary'; op: 'not' | '-' | '+'; arg: Expr })
  | (Span & { k: 'bin'; op: BinaryOp; l: Expr; r: Expr })
  | (Span & { k: 'coalesce'; mode: CoalesceMode; l: Expr; r: Expr })
  | (Span & { k: 'cond'; test: Expr; then: Expr; else: Expr })
  /** `x is name(args)` / `x is not name`. */
  | (Span & { k: 'test'; arg: Expr; name: string; args: Args; negate: boolean })
  | (Span & { k: 'filter'; input: Expr; name: string; args: Args })
  | (Span & { k: 'call'; name: string; args: Args });

/** Arguments resolved at parse time to the callee's parameter order; a hole is an omitted argument. */
export type Args = (Expr | undefined)[];

/** Where a tag sits in the template, to quote it in errors. */
export interface TagSpan {
  start: number;
  end: number;
}

export type Node =
  | { k: 'text'; v: string }
  | { k: 'print'; e: Expr; tag: TagSpan }
  | { k: 'if'; branches: { test: Expr; body: Node[]; tag: TagSpan }[]; otherwise?: Node[] }
  | { k: 'for'; name: string; iter: Expr; body: Node[]; otherwise?: Node[]; tag: TagSpan }
  | { k: 'set'; name: string; e: Expr; tag: TagSpan };

export interface Template {
  source: string;
  nodes: Node[];
  /** Set when the template is exactly one `{{ expr }}` with only whitespace around it: it keeps its type. */
  single?: { e: Expr; tag: TagSpan };
}

/** The direct sub-expressions of an expression. */
export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'lit':
    case 'path':
      return [];
    case 'get':
      return [e.obj, e.key];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flat();
    case 'unary':
      return [e.arg];
    case 'bin':
    case 'coalesce':
      return [e.l, e.r];
    case 'cond':
      return [e.test, e.then, e.else];
    case 'test':
      return [e.arg, ...present(e.args)];
    case 'filter':
      return [e.input, ...present(e.args)];
    case 'call':
      return present(e.args);
  }
}

function present(args: Args): Expr[] {
  return args.filter((a): a is Expr => a !== undefined);
}
