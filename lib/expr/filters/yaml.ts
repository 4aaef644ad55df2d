// YAML conversions: the `yaml` filter prints a value as YAML (Kestra's YamlFilter), the yaml() and
// fromYaml() functions parse YAML text into plain data.
import { parse, stringify } from 'yaml';
import type { CallContext, FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { describe, typeName } from '../values';

/** Parses YAML text (the core schema; aliases bounded so a small text cannot expand without end). */
export function parseYamlText(input: unknown, cx: CallContext, what: string): unknown {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') throw hardFailure(`${what} needs a YAML string, got a ${typeName(input)}`);
  cx.charge(input.length >> 6);
  try {
    return parse(input, { schema: 'core', maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    throw hardFailure(`${what}: invalid YAML ${describe(input)}: ${(e as Error).message.split('\n')[0]}`);
  }
}

export const YAML_FILTERS: Readonly<Record<string, FilterDef>> = {
  yaml: {
    params: null,
    apply(input, _args, cx) {
      if (input === undefined) return cx.str('null\n');
      return cx.str(stringify(input, { aliasDuplicateObjects: false, lineWidth: 0 }));
    },
  },
};
