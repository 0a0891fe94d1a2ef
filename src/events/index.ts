/** The live events stream behind GET /api/v1/events. See docs/api.md "Live events". */
export { EventHub, type EventHubOptions, type ResumePlan, type StreamSink } from './hub.js';
export { startEvents, type EventsDeps, type EventsOptions, type EventsService } from './service.js';
export { DoctorSummaries, type DoctorSummary } from './change-sources.js';
export { EVENTS_CHANNEL, eventFromNotify } from './db-source.js';
export { visibleTo, type Audience, type EventType, type PlatformEvent, type Viewer } from './types.js';
