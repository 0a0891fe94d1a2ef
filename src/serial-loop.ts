/**
 * A background loop that runs one job per interval and never two at once: the next wait starts
 * when a run ends, so a slow run delays the next instead of stacking. A failing run goes to
 * `onError` and the loop goes on. States: waiting → running → waiting; stop() → stopped (timer
 * cleared, the run in flight awaited). Timers are unref'd: the loop never keeps a process alive.
 */
export interface SerialLoopOptions {
  intervalMs: number;
  run: () => Promise<unknown>;
  onError: (err: unknown) => void;
  /** Awaited before the first wait (its errors are the caller's to handle); none: wait at once. */
  first?: Promise<unknown>;
}

export interface SerialLoop {
  /** Idempotent: clears the timer and waits for the run in flight. */
  stop(): Promise<void>;
}

export function startSerialLoop(options: SerialLoopOptions): SerialLoop {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = options
        .run()
        .catch(options.onError)
        .finally(() => {
          inFlight = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };
  if (options.first)
    inFlight = options.first.finally(() => {
      inFlight = undefined;
      schedule();
    });
  else schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
