import { useEffect, useRef, type RefObject } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { timeAxisLabels } from '../lib/format.js';

/** Theme colours a chart reads from the page's CSS variables, with fallbacks. */
export function chartColours(el: HTMLElement): { accent: string; muted: string; bad: string } {
  const css = getComputedStyle(el);
  const pick = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    accent: pick('--accent', '#2f6fdf'),
    muted: pick('--muted', '#666'),
    bad: pick('--bad', '#c0392b'),
  };
}

/**
 * The shared time axis of our charts: no grid, local 24-hour clock labels, as fine as the ticks'
 * spacing needs (timeAxisLabels).
 */
export function timeAxis(stroke: string, clock: Intl.DateTimeFormatOptions = {}): uPlot.Axis {
  return {
    stroke,
    grid: { show: false },
    values: (_u, vals, _axis, _space, incr) => timeAxisLabels(vals, incr, clock),
  };
}

/**
 * One uPlot in `box`: built by `options` (re-built when `deps` change), as wide as its box
 * (followed on resize), fed `data` whenever it changes, destroyed on unmount.
 */
export function useUplot(
  box: RefObject<HTMLDivElement | null>,
  options: (el: HTMLDivElement, width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  deps: readonly unknown[],
): void {
  const plot = useRef<uPlot | null>(null);
  const build = useRef(options);
  build.current = options;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(200, el.clientWidth);
    const opts = build.current(el, width());
    const u = new uPlot(opts, opts.series.map(() => []) as unknown as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: width(), height: opts.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, deps);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
}
