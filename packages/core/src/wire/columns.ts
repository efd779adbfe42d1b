/**
 * Rows of one shape as columns: what a run of like tells (frames.ts) and a table in the
 * cluster codec (msgpackValues.ts) carry instead of one object per row.
 * @internal
 * @packageDocumentation
 */

/** Most keys a row written as columns has. */
const COLUMN_KEYS = 32;

/** A plain object (its prototype `Object.prototype`). @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * The rows as columns, when every one is a plain object with the same keys in the same
 * order (at most 32, no `__proto__`) and primitive values (else `undefined`). A column
 * whose values are all the same (`Object.is`) is that one value in an array of one.
 * @internal
 */
export function columnsOf(rows: readonly unknown[]): { keys: string[]; values: unknown[][] } | undefined {
  const first = rows[0];
  if (!isPlainObject(first)) return undefined;
  const keys = Object.keys(first);
  if (keys.length === 0 || keys.length > COLUMN_KEYS || keys.includes('__proto__')) return undefined;
  const values: unknown[][] = keys.map(() => new Array<unknown>(rows.length));
  for (let row = 0; row < rows.length; row++) {
    const item = rows[row];
    if (!isPlainObject(item)) return undefined;
    let k = 0;
    for (const key in item) {
      if (key !== keys[k]) return undefined;
      const value = item[key];
      if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'symbol') return undefined;
      (values[k++] as unknown[])[row] = value;
    }
    if (k !== keys.length) return undefined;
  }
  for (let k = 0; k < values.length; k++) if (allSame(values[k] as unknown[])) values[k] = [(values[k] as unknown[])[0]];
  return { keys, values };
}

function allSame(column: readonly unknown[]): boolean {
  const one = column[0];
  for (let i = 1; i < column.length; i++) if (!Object.is(column[i], one)) return false;
  return true;
}

/** Row `row` of `columns` (as {@link columnsOf} wrote them): its keys in their order. @internal */
export function rowOf(keys: readonly string[], values: readonly (readonly unknown[])[], row: number): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let k = 0; k < keys.length; k++) {
    const column = values[k] as readonly unknown[];
    record[keys[k] as string] = column.length === 1 ? column[0] : column[row];
  }
  return record;
}

/** The `count` rows that `columns` hold (as {@link columnsOf} wrote them). @internal */
export function rowsOf(keys: readonly string[], values: readonly (readonly unknown[])[], count: number): Array<Record<string, unknown>> {
  const rows = new Array<Record<string, unknown>>(count);
  for (let row = 0; row < count; row++) rows[row] = rowOf(keys, values, row);
  return rows;
}
