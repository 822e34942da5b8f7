/**
 * Read-only tables built once per key and shared between runs: a sweep or robustness study
 * builds the same machine and working set hundreds of times in one process (issue 24). The
 * last `kept` keys are kept, the oldest built dropped first. A table must never be written
 * once built: every run that asks for its key gets the same object.
 */
export function keptTables<T>(kept: number): (key: string, build: () => T) => T {
  const tables = new Map<string, T>();
  return (key, build) => {
    const hit = tables.get(key);
    if (hit !== undefined) return hit;
    const table = build();
    if (tables.size >= kept) tables.delete(tables.keys().next().value!);
    tables.set(key, table);
    return table;
  };
}
