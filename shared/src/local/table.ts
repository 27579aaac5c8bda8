/**
 * A table people can read in a terminal: a header, a rule under it, the first column left-aligned and the others
 * right-aligned (they hold figures). Returns the lines; the caller prints them with its own indent.
 */
export function formatTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  if (rows.length === 0) return [];
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    indent +
    widths
      .map((width, c) => (c === 0 ? (row[c] ?? '').padEnd(width) : (row[c] ?? '').padStart(width)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}
