import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A small uPlot line chart of (unix seconds, value) samples; re-draws when they change. */
export function LineChart({
  label,
  unit,
  samples,
  height = 140,
}: {
  label: string;
  unit: string;
  samples: ReadonlyArray<readonly [number, number]>;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const stroke = getComputedStyle(el).getPropertyValue('--accent').trim() || '#2f6fdf';
    const axis = getComputedStyle(el).getPropertyValue('--muted').trim() || '#666';
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        axes: [
          {
            stroke: axis,
            grid: { show: false },
            values: (_u, vals) =>
              vals.map((v) => new Date(v * 1000).toLocaleTimeString('en-GB', { hour12: false })),
          },
          { stroke: axis, size: 64, values: (_u, vals) => vals.map((v) => `${v} ${unit}`) },
        ],
        series: [{}, { label, stroke, width: 2, fill: stroke + '22' }],
      },
      [[], []],
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [label, unit, height]);

  useEffect(() => {
    plot.current?.setData([samples.map((s) => s[0]), samples.map((s) => s[1])]);
  }, [samples]);

  return (
    <figure className="chart">
      <div
        ref={box}
        role="img"
        aria-label={`${label} over time, latest ${samples.at(-1)?.[1] ?? 'none'} ${unit}`}
      />
      <figcaption className="muted">
        {label} ({unit})
      </figcaption>
    </figure>
  );
}
