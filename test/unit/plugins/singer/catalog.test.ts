import { applyStreamsConfigurations } from '../../../../lib/plugins/singer/catalog';

const discovered = () => ({
  streams: ['commits', 'projects'].map((stream) => ({
    stream,
    tap_stream_id: stream,
    metadata: [
      { breadcrumb: [], metadata: { 'table-key-properties': ['id'] } },
      { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
      { breadcrumb: ['properties', 'description'], metadata: { inclusion: 'available' } },
    ],
  })),
});

describe('applyStreamsConfigurations', () => {
  it('applies a configuration without stream to every stream, then the named ones, as Kestra', () => {
    const c = applyStreamsConfigurations(discovered(), [
      { replicationMethod: 'INCREMENTAL', replicationKeys: 'updated_at', selected: true },
      { stream: 'projects', selected: false },
    ]);
    const top = (i: number) => c.streams[i].metadata![0].metadata;
    expect(top(0)).toEqual({ 'table-key-properties': ['id'], selected: true, 'replication-method': 'INCREMENTAL', 'replication-key': 'updated_at' });
    expect(top(1)).toEqual({ 'table-key-properties': ['id'], selected: false });
    expect(c.streams[0].metadata![1].metadata).toEqual({ inclusion: 'automatic', selected: true });
  });

  it('selects only the properties a pattern matches, as a whole breadcrumb', () => {
    const c = applyStreamsConfigurations(discovered(), [{ stream: 'commits', propertiesPattern: ['properties\\.desc.*'], selected: false }]);
    expect(c.streams[0].metadata!.map((m) => m.metadata.selected)).toEqual([undefined, undefined, false]);
  });

  it('names an unknown stream and the streams the tap has', () => {
    expect(() => applyStreamsConfigurations(discovered(), [{ selected: true }, { stream: 'comits', selected: true }]))
      .toThrow("streamsConfigurations[1] names the stream 'comits', which the tap does not have; its streams are: commits, projects");
  });

  it('says so when discovery printed no catalog', () => {
    expect(() => applyStreamsConfigurations({ nope: 1 }, [])).toThrow('did not print a catalog with a "streams" list');
  });
});
