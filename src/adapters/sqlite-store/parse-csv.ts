/**
 * RFC 4180 CSV parsing: comma separated, `"` quoting with `""` escapes, CRLF or LF line ends,
 * quoted fields may span lines. Each row keeps the 1-based file line it starts on, for error reports.
 */
export interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Parses `text` into rows; blank lines are skipped. Throws on an unterminated quote (bad file). */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (cell += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else {
        if (ch === '\n') line++;
        cell += ch;
        i++;
      }
      continue;
    }
    if (ch === '"' && cell === '') (quoted = true), i++;
    else if (ch === ',') cells.push(cell), (cell = ''), i++;
    else if (ch === '\r' && s[i + 1] === '\n') i++;
    else if (ch === '\n') endRow(), line++, (rowLine = line), i++;
    else (cell += ch), i++;
  }
  if (quoted) throw new Error(`unterminated quoted field starting on line ${rowLine}`);
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}
