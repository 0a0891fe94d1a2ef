/** The CPU placement rule and cpuset suggestion (issue 12 item 5; docs/optimizer.md). */
export * from './types.js';
export { placementFindings } from './rules.js';
export { placementSuggestion } from './suggest.js';
export { readCpuUsage, summarize } from './usage.js';
export {
  buildPlacement,
  placementReport,
  readCpusets,
  MAX_INSPECTED_CONTAINERS,
  type PlacementDeps,
} from './report.js';
export { renderPlacement } from './render.js';
