import { readFile, writeFile } from 'node:fs/promises';

const MiB = 1024 * 1024;

/**
 * Sets `mcpServers.<server>.memoryBudgetMb` in .mcp.json text. The file is JSON (no comments to
 * keep), so it is parsed and written back with its own indentation; other keys keep their order.
 * Throws when the server is not in the file: the plan named a server that is gone.
 */
export function editMcpBudget(text: string, server: string, memoryBytes: number): string {
  const doc = JSON.parse(text) as { mcpServers?: Record<string, Record<string, unknown>> };
  const entry = doc.mcpServers?.[server];
  if (!entry || typeof entry !== 'object') throw new Error(`MCP server ${server} is not in the file`);
  entry.memoryBudgetMb = Math.ceil(memoryBytes / MiB);
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  return `${JSON.stringify(doc, null, indent)}\n`;
}

export async function editMcpBudgetInFile(file: string, server: string, memoryBytes: number): Promise<void> {
  await writeFile(file, editMcpBudget(await readFile(file, 'utf8'), server, memoryBytes));
}
