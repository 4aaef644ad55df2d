import { createCatalog } from '../../../../lib/plugins/catalog';
import { serdesTasks } from '../../../../lib/plugins/serdes';

describe('serdesTasks', () => {
  it('define the Kestra 0.4 JSON, CSV and Avro readers and writers in the serdes group, with their later names as aliases', () => {
    const catalog = createCatalog(serdesTasks, []);
    for (const [kind, reader, writer] of [['json', 'Json', 'Json'], ['csv', 'Csv', 'Csv'], ['avro', 'Avro', 'Avro']]) {
      expect(catalog.runnable(`io.kestra.plugin.serdes.${kind}.${reader}Reader`)?.group).toBe('serdes');
      expect(catalog.runnable(`io.kestra.plugin.serdes.${kind}.${writer}Writer`)?.group).toBe('serdes');
      expect(catalog.runnable(`io.kestra.plugin.serdes.${kind}.${reader}ToIon`)?.type).toBe(`io.kestra.plugin.serdes.${kind}.${reader}Reader`);
      expect(catalog.runnable(`io.kestra.plugin.serdes.${kind}.IonTo${writer}`)?.type).toBe(`io.kestra.plugin.serdes.${kind}.${writer}Writer`);
    }
  });
});
