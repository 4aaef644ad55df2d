// The dialects no server here can test still load their real drivers and report a refused connection
// clearly, as a failed task on `url`, never as a retryable infrastructure error.
import { createServer } from 'node:net';
import { fakeTaskContext } from '../../../../../lib/worker/testing';
import { jdbcTasks } from '../../../../../lib/plugins/jdbc';

jest.setTimeout(60_000);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cases = [
  { vendor: 'sqlserver', label: 'SQL Server', url: (p: number) => `jdbc:sqlserver://127.0.0.1:${p};databaseName=db;trustServerCertificate=true` },
  { vendor: 'clickhouse', label: 'ClickHouse', url: (p: number) => `jdbc:clickhouse://127.0.0.1:${p}/default` },
  { vendor: 'oracle', label: 'Oracle', url: (p: number) => `jdbc:oracle:thin:@127.0.0.1:${p}/FREEPDB1` },
  { vendor: 'redshift', label: 'Redshift', url: (p: number) => `jdbc:redshift://127.0.0.1:${p}/dev` },
];

describe.each(cases)('$label', ({ vendor, label, url }) => {
  it('fails a Query on a closed port with a connection error naming the address', async () => {
    const world = await fakeTaskContext();
    try {
      const port = await closedPort();
      const def = jdbcTasks.find((t) => t.type === `io.kestra.plugin.jdbc.${vendor}.Query`)!;
      const props = def.properties.parse({ url: url(port), username: 'u', password: 'secret-pw', sql: 'select 1', fetchOne: true });
      const err = await def.run(world.ctx, props).then(() => undefined, (e) => e);
      expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'url' } });
      expect(err.message).toMatch(new RegExp(`^cannot connect to ${label} at 127\\.0\\.0\\.1:${port} as u: `));
      expect(err.message).not.toContain('secret-pw');
    } finally {
      await world.cleanup();
    }
  });
});
