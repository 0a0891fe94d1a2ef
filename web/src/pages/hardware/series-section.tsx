import { useMemo, useState } from 'react';
import type { Forecast, History, SeriesInfo } from '../../api/optimizer-types.js';
import { useApi } from '../../api/use-api.js';
import { ForecastChart } from '../../components/forecast-chart.js';
import { StateView } from '../../components/state-view.js';
import { TimeAgo } from '../../components/time-ago.js';
import {
  RANGES,
  chartColumns,
  chartTimeRange,
  defaultSeries,
  forecastSummary,
  formatMetric,
  groupSeries,
  limitOf,
  metricOf,
  seriesLabel,
} from './hardware-data.js';

function SeriesChart({
  name,
  series,
  rangeIndex,
}: {
  name: string;
  series: SeriesInfo[];
  rangeIndex: number;
}) {
  const range = RANGES[rangeIndex] ?? RANGES[0];
  const path = encodeURIComponent(name);
  // The window is fixed when the choice changes (not on every render); Refresh moves it forward.
  const [tick, setTick] = useState(0);
  const from = useMemo(() => Math.floor((Date.now() - range.ms) / 1000), [range.ms, name, tick]);
  const history = useApi<History>(`/api/v1/resources/${path}/history?from=${from}&step=${range.step}`);
  const forecast = useApi<Forecast>(`/api/v1/resources/${path}/forecast`);
  const metric = metricOf(name);
  const limit = limitOf(name, series, forecast.data);
  const columns = useMemo(
    () => (history.data ? chartColumns(history.data, forecast.data, limit) : undefined),
    [history.data, forecast.data, limit],
  );
  const info = series.find((s) => s.name === name);
  return (
    <figure className="hw-chart" data-testid="hw-chart" data-series={name}>
      <StateView
        state={history}
        empty={`No samples of ${seriesLabel(name)} in the last ${range.label}.`}
        isEmpty={(h) => h.points.length === 0}
      >
        {() =>
          columns && (
            <ForecastChart
              label={seriesLabel(name)}
              columns={columns}
              format={(v) => formatMetric(metric, v)}
              timeRange={chartTimeRange(columns, from, from + range.ms / 1000)}
            />
          )
        }
      </StateView>
      <figcaption>
        <strong>{seriesLabel(name)}</strong>: latest {formatMetric(metric, info?.lastValue)} (
        <TimeAgo at={info?.lastAt} />){limit !== null && <> · limit {formatMetric(metric, limit)}</>}
        {history.data && (
          <>
            {' '}
            · {history.data.points.length} points ({history.data.source})
          </>
        )}
        <br />
        <span className="muted small" data-testid="hw-forecast">
          {forecast.error
            ? `Forecast unavailable: ${forecast.error.message}`
            : forecastSummary(metric, forecast.data)}
        </span>{' '}
        <button type="button" className="link-button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </figcaption>
    </figure>
  );
}

/** Pick a series (grouped by container, MCP server, model, host) and a range; see its chart. */
export function SeriesSection() {
  const list = useApi<{ series: SeriesInfo[] }>('/api/v1/resources');
  const [chosen, setChosen] = useState<string | undefined>();
  const [rangeIndex, setRangeIndex] = useState(0);
  return (
    <section className="card hw-series" aria-labelledby="hw-series-title">
      <h2 id="hw-series-title">History and forecast</h2>
      <StateView
        state={list}
        empty="No resource series recorded yet: the sampler stores its first samples within one interval of start."
        isEmpty={(d) => defaultSeries(d.series) === undefined}
      >
        {(d) => {
          const name = chosen ?? defaultSeries(d.series)!;
          return (
            <>
              <div className="hw-controls">
                <label>
                  Series{' '}
                  <select value={name} onChange={(e) => setChosen(e.target.value)}>
                    {groupSeries(d.series).map((g) => (
                      <optgroup key={g.kind} label={g.label}>
                        {g.series.map((s) => (
                          <option key={s.name} value={s.name}>
                            {seriesLabel(s.name)}
                          </option>
                        ))}
                      </optgroup>
                    ))}
                  </select>
                </label>
                <label>
                  Range{' '}
                  <select value={rangeIndex} onChange={(e) => setRangeIndex(Number(e.target.value))}>
                    {RANGES.map((r, i) => (
                      <option key={r.label} value={i}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <SeriesChart key={name} name={name} series={d.series} rangeIndex={rangeIndex} />
            </>
          );
        }}
      </StateView>
    </section>
  );
}
