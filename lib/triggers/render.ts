// What triggers need from lib/expr: render a template, or every template inside a value.
// Injected, so trigger logic is tested with the real renderer and wired once by the runtime.

export type Vars = Readonly<Record<string, unknown>>;

export interface Renderer {
  /** One template to its text. Throws EXPRESSION (undefined variable, syntax...). */
  render(template: string, vars: Vars): Promise<string> | string;
  /** Every string inside `value` (maps and lists keep their shape). */
  renderValue(value: unknown, vars: Vars): Promise<unknown> | unknown;
}
