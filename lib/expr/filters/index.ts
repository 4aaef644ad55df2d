// Every filter a template may use, by name. A name not in this table fails at compile time.

import { table, type FilterDef } from '../callables';
import { COLLECTION_FILTERS } from './collections';
import { DATE_FILTERS } from './dates';
import { ION_FILTERS } from './ion';
import { jq } from './jq';
import { JSON_FILTERS } from './json';
import { NUMBER_FILTERS } from './numbers';
import { STRING_FILTERS } from './strings';
import { YAML_FILTERS } from './yaml';

export const FILTERS: ReadonlyMap<string, FilterDef> = table({
  ...STRING_FILTERS,
  ...COLLECTION_FILTERS,
  ...NUMBER_FILTERS,
  ...JSON_FILTERS,
  ...DATE_FILTERS,
  jq,
  ...YAML_FILTERS,
  ...ION_FILTERS,
});
