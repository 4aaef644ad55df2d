import { multiRow, numbered, parseSql } from '../../../../lib/plugins/jdbc/placeholders';

describe('parseSql', () => {
  it('counts the placeholders of the seed statement', () => {
    const sql = `insert into users values( ${Array(23).fill('?').join(', ')} )`;
    expect(parseSql(sql).count).toBe(23);
  });

  it('ignores question marks in strings, quoted names and comments', () => {
    const sql = `insert into "t?" (a, b) values (?, '?''s') -- why?\n /* ? */`;
    expect(parseSql(sql).count).toBe(1);
  });

  it('honours MySQL backslash escapes and backticks only when asked', () => {
    const sql = "insert into `t?` values (?, 'it\\'s ?')";
    expect(parseSql(sql, { backslashEscapes: true }).count).toBe(1);
  });

  it('skips PostgreSQL dollar-quoted bodies', () => {
    expect(parseSql('select $$ a ? b $$, $tag$ ? $tag$, ?', { dollarQuotes: true }).count).toBe(1);
  });

  it('skips SQL Server bracketed names', () => {
    expect(parseSql('insert into [a?b] values (?)', { brackets: true }).count).toBe(1);
  });

  it('unescapes ?? to a literal question mark, as the PostgreSQL JDBC driver does', () => {
    const parsed = parseSql("select data ?? 'k' from t where id = ?", { dollarQuotes: true });
    expect(parsed.count).toBe(1);
    expect(numbered(parsed, 'dollar')).toBe("select data ? 'k' from t where id = $1");
  });
});

describe('numbered', () => {
  const parsed = parseSql('insert into t (a, b) values (?, ?)');

  it('renumbers placeholders for each driver', () => {
    expect(numbered(parsed, 'dollar')).toBe('insert into t (a, b) values ($1, $2)');
    expect(numbered(parsed, 'at')).toBe('insert into t (a, b) values (@p1, @p2)');
    expect(numbered(parsed, 'colon')).toBe('insert into t (a, b) values (:1, :2)');
    expect(numbered(parsed, 'question')).toBe('insert into t (a, b) values (?, ?)');
  });
});

describe('multiRow', () => {
  it('repeats the VALUES group with placeholders numbered across rows', () => {
    const parsed = parseSql('INSERT INTO t (a, b) VALUES (?, lower(?));');
    expect(multiRow(parsed, 3, 'dollar')).toBe('INSERT INTO t (a, b) VALUES ($1, lower($2)), ($3, lower($4)), ($5, lower($6))');
  });

  it('keeps what follows the VALUES group, such as ON CONFLICT', () => {
    const parsed = parseSql('insert into t values (?) on conflict do nothing');
    expect(multiRow(parsed, 2, 'question')).toBe('insert into t values (?), (?) on conflict do nothing');
  });

  it('does not rewrite statements that are not a single-group INSERT', () => {
    expect(parseSql('update t set a = ? where b = ?').values).toBeUndefined();
    expect(parseSql('insert into t select ? from dual').values).toBeUndefined();
    expect(parseSql('insert into t values (?); delete from t where a = ?').values).toBeUndefined();
    expect(() => multiRow(parseSql('update t set a = ?'), 2, 'dollar')).toThrow(/cannot be rewritten/);
  });
});
