// Loads Terraform files through @cdktf/hcl2json and expands resources into instances (for_each and
// count) with variables at their defaults, so checks can read each deployed object's attributes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { evalValue, isRef, isUnknown, unknown, show, type Ref, type Scope, type Value } from './hcl-expr';

export interface TfFile { name: string; text: string }

interface Block { name: string; body: Record<string, unknown>; file: string }
export interface Resource extends Block { type: string }

export interface Config {
  variables: Block[];
  locals: Map<string, { raw: unknown; file: string }>;
  resources: Resource[];
  outputs: Block[];
  /** `terraform { ... }` blocks: required_version, required_providers. */
  settings: Record<string, unknown>[];
}

export interface Instance {
  resource: Resource;
  /** The for_each key or count index; undefined for a single instance. */
  key?: string | number;
  /** Terraform's address, as in a plan: type.name["key"]. */
  address: string;
  scope: Scope;
}

/** Parses every file; a syntax error names its file and position. */
export async function loadFiles(files: readonly TfFile[]): Promise<Config> {
  const config: Config = { variables: [], locals: new Map(), resources: [], outputs: [], settings: [] };
  for (const file of files) {
    const json = (await parse(file.name, file.text)) as Record<string, any>;
    for (const [name, bodies] of Object.entries(json.variable ?? {})) {
      for (const body of bodies as Record<string, unknown>[]) config.variables.push({ name, body, file: file.name });
    }
    for (const block of (json.locals ?? []) as Record<string, unknown>[]) {
      for (const [name, raw] of Object.entries(block)) config.locals.set(name, { raw, file: file.name });
    }
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, bodies] of Object.entries(byName as Record<string, Record<string, unknown>[]>)) {
        for (const body of bodies) config.resources.push({ type, name, body, file: file.name });
      }
    }
    config.settings.push(...((json.terraform ?? []) as Record<string, unknown>[]));
    for (const [name, bodies] of Object.entries(json.output ?? {})) {
      for (const body of bodies as Record<string, unknown>[]) config.outputs.push({ name, body, file: file.name });
    }
  }
  return config;
}

/** Every *.tf file of a folder (not its subfolders), like `terraform plan` reads them. */
export function readTfDir(dir: string): TfFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tf')).sort().map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** The configuration evaluated with variable defaults plus `values`. */
export class Model {
  private readonly vars = new Map<string, Value>();
  private readonly localCache = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  /** Resources whose for_each or count could not be evaluated. */
  readonly unexpandable: string[] = [];
  readonly instances: Instance[];

  constructor(readonly config: Config, values: Record<string, Value> = {}) {
    for (const v of config.variables) {
      this.vars.set(v.name, v.name in values ? values[v.name] : 'default' in v.body ? (v.body.default as Value) : unknown(`var.${v.name}`));
    }
    this.instances = config.resources.flatMap((r) => this.expand(r));
  }

  scope(extra: Partial<Scope> = {}): Scope {
    return {
      variable: (name) => (this.vars.has(name) ? this.vars.get(name)! : unknown(`var.${name} (undeclared)`)),
      local: (name) => this.local(name),
      ...extra,
    };
  }

  private local(name: string): Value {
    if (this.localCache.has(name)) return this.localCache.get(name)!;
    const entry = this.config.locals.get(name);
    if (!entry || this.evaluating.has(name)) return unknown(`local.${name}`);
    this.evaluating.add(name);
    const value = evalValue(entry.raw, this.scope());
    this.evaluating.delete(name);
    this.localCache.set(name, value);
    return value;
  }

  private expand(resource: Resource): Instance[] {
    const base = `${resource.type}.${resource.name}`;
    const { for_each: forEach, count } = resource.body;
    if (forEach !== undefined) {
      const value = evalValue(forEach, this.scope());
      let entries: [string, Value][] | undefined;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) entries = (value as string[]).map((v) => [v, v]);
      else if (value && typeof value === 'object' && !Array.isArray(value) && !isRef(value) && !isUnknown(value)) entries = Object.entries(value);
      if (!entries) { this.unexpandable.push(`${base}: for_each = ${show(value)}`); return []; }
      return entries.map(([key, v]) => ({ resource, key, address: `${base}["${key}"]`, scope: this.scope({ each: { key, value: v } }) }));
    }
    if (count !== undefined) {
      const n = evalValue(count, this.scope());
      if (typeof n !== 'number') { this.unexpandable.push(`${base}: count = ${show(n)}`); return []; }
      return Array.from({ length: n }, (_, index) => ({ resource, key: index, address: `${base}[${index}]`, scope: this.scope({ count: { index } }) }));
    }
    return [{ resource, address: base, scope: this.scope() }];
  }

  of(type: string): Instance[] {
    return this.instances.filter((i) => i.resource.type === type);
  }

  /** The raw value at a path of nested blocks (blocks are arrays in hcl2json), evaluated for the instance. */
  attr(instance: Instance, ...path: (string | number)[]): Value | undefined {
    let raw: unknown = instance.resource.body;
    for (const step of path) {
      if (raw === null || typeof raw !== 'object') return undefined;
      raw = (raw as Record<string | number, unknown>)[step];
      if (raw === undefined) return undefined;
    }
    return evalValue(raw, instance.scope);
  }

  /** The instance a reference points at, and the attribute path after it. */
  resolve(r: Ref): { instance: Instance; rest: (string | number)[] } | undefined {
    const resources = this.config.resources.filter((x) => x.type === r.type && x.name === r.name);
    if (resources.length !== 1) return undefined;
    const [resource] = resources;
    const keyed = resource.body.for_each !== undefined || resource.body.count !== undefined;
    const [key, ...rest] = r.path;
    const instance = this.instances.find((i) => i.resource === resource && (!keyed || i.key === key));
    if (!instance) return undefined;
    return { instance, rest: keyed ? rest : r.path };
  }

  /** The variable's value in this model. */
  variable(name: string): Value {
    return this.scope().variable(name);
  }
}
