import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

/**
 * Watches the directory of `.mcp.json` (the file may not exist yet, and editors replace files by
 * rename), debounced. A missing directory means no watching, not an error.
 */
export function watchConfig(file: string, debounceMs: number, onChange: () => void): ConfigWatcher {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(abs), { persistent: false }, (_event, name) => {
      if (name !== null && name !== base) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => {});
  } catch {
    watcher = undefined;
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
