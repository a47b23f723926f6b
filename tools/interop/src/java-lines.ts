/** Parses the "name<TAB>value" lines the Java check programs print. */
export function parseTabLines(stdout: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) entries[line.slice(0, tab)] = line.slice(tab + 1);
  }
  return entries;
}
