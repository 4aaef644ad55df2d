// Discovery's catalog with `streamsConfigurations` applied, as Kestra's SelectedService: each
// configuration (all streams when it names none) sets `selected` on the metadata its
// `propertiesPattern` matches, and the replication method and keys on the stream's own entry.
import { AloftError, ErrorCode } from '../../model/errors';
import type { z } from 'zod';
import type { StreamsConfiguration } from './properties';

type StreamsConfig = z.infer<typeof StreamsConfiguration>;

interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

interface CatalogStream {
  stream?: string;
  tap_stream_id?: string;
  metadata?: MetadataEntry[];
  [k: string]: unknown;
}

export interface Catalog {
  streams: CatalogStream[];
  [k: string]: unknown;
}

const nameOf = (s: CatalogStream): string | undefined => s.stream ?? s.tap_stream_id;

/** Throws when a configuration names a stream discovery did not find (Kestra ignores it silently). */
export function applyStreamsConfigurations(catalog: unknown, configs: readonly StreamsConfig[]): Catalog {
  if (!catalog || typeof catalog !== 'object' || !Array.isArray((catalog as Catalog).streams)) {
    throw new AloftError(ErrorCode.TASK_FAILED, 'the tap\'s discovery (--discover) did not print a catalog with a "streams" list');
  }
  const c = catalog as Catalog;
  const known = c.streams.map(nameOf).filter((n): n is string => !!n);
  configs.forEach((cfg, i) => {
    if (cfg.stream !== undefined && !known.includes(cfg.stream)) {
      throw new AloftError(
        ErrorCode.FLOW_INVALID,
        `streamsConfigurations[${i}] names the stream '${cfg.stream}', which the tap does not have; its streams are: ${known.join(', ') || 'none'}`,
        { property: `streamsConfigurations[${i}].stream` },
      );
    }
  });
  return {
    ...c,
    streams: c.streams.map((s) => {
      let metadata = s.metadata ?? [];
      for (const cfg of configs) {
        if (cfg.stream === undefined || cfg.stream === nameOf(s)) metadata = metadata.map((m) => select(m, cfg));
      }
      return { ...s, metadata };
    }),
  };
}

function select(m: MetadataEntry, cfg: StreamsConfig): MetadataEntry {
  const crumb = (m.breadcrumb ?? []).join('.');
  // As Kestra: a pattern is a regular expression matched against the whole breadcrumb.
  if (cfg.propertiesPattern?.length && !cfg.propertiesPattern.some((p) => new RegExp(`^(?:${p})$`).test(crumb))) return m;
  const metadata: Record<string, unknown> = { ...m.metadata, selected: cfg.selected };
  if ((m.breadcrumb ?? []).length === 0) {
    metadata['replication-method'] = cfg.replicationMethod;
    metadata['replication-key'] = cfg.replicationKeys;
  }
  // JSON leaves out what is undefined, as Jackson's NON_NULL does.
  return { ...m, metadata: JSON.parse(JSON.stringify(metadata)) as Record<string, unknown> };
}
