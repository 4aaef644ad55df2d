// Date filters from Kestra: date, dateAdd and the timestamp family. Inputs are ISO strings, epoch
// seconds or dates; the zone defaults to UTC.

import type { FilterDef } from '../callables';
import { addToDate, formatDate, toDateTime, zoneOf } from '../dates';

const DATE_PARAMS = ['format', 'timeZone', 'existingFormat', 'locale'] as const;

function epoch(scale: 'seconds' | 'millis' | 'micros' | 'nanos'): FilterDef {
  return {
    params: ['timeZone', 'existingFormat'],
    apply(input, [timeZone, existingFormat]) {
      if (input === null || input === undefined) return null;
      const ms = toDateTime(input, zoneOf(timeZone), existingFormat).toMillis();
      switch (scale) {
        case 'seconds':
          return Math.floor(ms / 1000);
        case 'millis':
          return ms;
        // Strings, as Kestra returns them, since they exceed JavaScript's exact integer range.
        case 'micros':
          return (BigInt(ms) * 1000n).toString();
        default:
          return (BigInt(ms) * 1_000_000n).toString();
      }
    },
  };
}

export const DATE_FILTERS: Readonly<Record<string, FilterDef>> = {
  date: {
    params: DATE_PARAMS,
    apply(input, [format, timeZone, existingFormat, locale]) {
      if (input === null || input === undefined) return null;
      const zone = zoneOf(timeZone);
      return formatDate(toDateTime(input, zone, existingFormat).setZone(zone), format, locale);
    },
  },
  dateAdd: {
    params: ['amount', 'unit', ...DATE_PARAMS],
    apply(input, [amount, unit, format, timeZone, existingFormat, locale]) {
      if (input === null || input === undefined) return null;
      const zone = zoneOf(timeZone);
      // Added in the zone the input was read in (as ZonedDateTime.plus does), then shown in `zone`.
      const dt = addToDate(toDateTime(input, zone, existingFormat), amount, unit);
      return formatDate(dt.setZone(zone), format, locale);
    },
  },
  timestamp: epoch('seconds'),
  timestampMilli: epoch('millis'),
  timestampMicro: epoch('micros'),
  timestampNano: epoch('nanos'),
};
