/**
 * A table people can read in a terminal: a header, a rule under it, the first column left-aligned and the others
 * right-aligned (they hold figures), except the columns named in `textColumns` (left-aligned too). Returns the
 * lines; the caller prints them with its own indent.
 */
export function formatTable(
  rows: readonly (readonly string[])[],
  indent = '',
  textColumns: readonly number[] = [],
): string[] {
  if (rows.length === 0) return [];
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    indent +
    widths
      .map((width, c) =>
        c === 0 || textColumns.includes(c) ? (row[c] ?? '').padEnd(width) : (row[c] ?? '').padStart(width),
      )
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

const BAR = 24;

/** `[#########...............]  38%`: long work's progress, in a terminal. */
export function progressBar(done: number, total: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * BAR);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`;
}

/** Rows of named cells as a table (every column left-aligned), printed: the column names are the first row's keys. */
export function printTable(rows: readonly Record<string, string>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const lines = formatTable(
    [columns, ...rows.map((row) => columns.map((c) => row[c] ?? ''))],
    '',
    columns.map((_, i) => i),
  );
  for (const line of lines) console.log(line);
}
