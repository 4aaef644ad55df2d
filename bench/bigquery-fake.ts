// The fake BigQuery (wire protocol) for bench:bigquery, in a process of its own so that its memory
// is not counted with the task's. Serves `SELECT * FROM bench` with ROWS generated rows, paged as
// BigQuery pages them (PAGE rows per page), written as JSON text in advance unless PRESERIALIZE=0,
// and prints its endpoint on stdout.
import { startFakeBigQuery } from '../test/helpers/fake-bigquery';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const PAGE = Number(process.env.PAGE ?? 100_000);

async function main(): Promise<void> {
  const fake = await startFakeBigQuery();
  fake.pageSize = PAGE;
  const created = Date.parse('2024-01-01T00:00:00Z');
  fake.queries.set('SELECT * FROM bench', {
    fields: [
      { name: 'id', type: 'INTEGER' }, { name: 'name', type: 'STRING' }, { name: 'email', type: 'STRING' }, { name: 'amount', type: 'NUMERIC' },
      { name: 'created', type: 'TIMESTAMP' }, { name: 'active', type: 'BOOLEAN' }, { name: 'note', type: 'STRING' },
    ],
    count: ROWS,
    row: (i) => ({
      id: i + 1, name: `user-${i + 1}`, email: `user${i + 1}@example.com`, amount: (i + 1) * 1.25,
      created: created + i * 1000, active: i % 2 === 1, note: i % 3 === 2 ? null : 'some note text',
    }),
  });
  // Pages are written as JSON text before the endpoint is printed, so the timed run measures the task, not
  // the fake's serialising (which, on a shared 2-core machine, took about as much CPU as the task).
  if (process.env.PRESERIALIZE !== '0') fake.preserialize('SELECT * FROM bench');
  console.log(fake.endpoint);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

void main();
