/** The hardware optimizer: resource sampling, history, roll-ups and forecasts (docs/optimizer.md). */
export * from './types.js';
export { Collector, type CollectorOptions, type CollectResult, type SourceName } from './collector.js';
export {
  startResourceSampler,
  type ResourceSampler,
  type SamplerOptions,
  type PassResult,
} from './sampler.js';
export { SampleWriter } from './store/write.js';
export { rollUp, enforceRetention, bucketStart, RESOLUTIONS, RETENTION_MS } from './store/rollup.js';
export { listSeries, readHistory, chooseSource, type History, type SeriesInfo } from './store/history.js';
export { leastSquares, theilSen, predict, predictionHalfWidth, median, type Fit } from './forecast/fit.js';
export {
  forecastSeries,
  fmtDuration,
  type Forecast,
  type Ceiling,
  type ForecastOptions,
} from './forecast/forecast.js';
export { backtest, type BacktestResult } from './forecast/backtest.js';
export {
  seriesHistory,
  seriesForecast,
  seriesBacktest,
  ceilingOf,
  MAX_HISTORY_POINTS,
  type HistoryQuery,
} from './service.js';
export { optimizerCollector, optimizerPlanDeps } from './wiring.js';
export * from './plan-schema.js';
export {
  buildPlan,
  publicPlan,
  memoryRecommendations,
  type PlanDeps,
  type BuiltPlan,
  type PlannedChange,
} from './plan/build.js';
export { applyChanges, rollbackChanges, type ApplyDeps } from './plan/apply.js';
export { readSeriesEvidence, weightedQuantile, type SeriesEvidence } from './plan/evidence.js';
export { decideMemory, decideCpus, decideOllama } from './plan/decide.js';
export { lastSteps, recordStep } from './plan/step-log.js';
export { renderPlan } from './plan/render.js';
export { parseTime, parseStep } from './time-input.js';
export { renderSeriesList, renderHistory, renderForecast, renderBacktest } from './render.js';
export { formatValue } from './format-value.js';
export {
  readTopology,
  parseCpuList,
  formatCpuList,
  suggestCpusets,
  type Topology,
  type PhysicalCore,
} from './topology.js';
export { recommend, stepwise, MEMORY_FLOORS, type Recommendation, type Step } from './recommend.js';
export * from './placement/index.js';
export { runAutoTick, autoCandidates, type AutoTickDeps, type AutoTickResult } from './auto/tick.js';
export { createOptimizerAuto, startOptimizerAuto, AUTO_OUTBOX, type OptimizerAuto } from './auto/loop.js';
export { autoPaused, setAutoSwitch, recentSteps } from './auto/rows.js';
export { autoStatus } from './auto/status.js';
export { stepReport, type AutoStep, type AutoOutcome } from './auto/report.js';
