/** Outbound connections made on a user's behalf: one guard, pinned connections. */
export {
  createOutboundGuard,
  isBlockedAddress,
  OutboundRefusedError,
  type LookupAll,
  type OutboundGuard,
  type OutboundGuardOptions,
  type Requester,
  type ResolvedTarget,
} from './outbound-guard.js';
export { guardedRequest, type GuardedRequestOptions, type GuardedResponse } from './guarded-request.js';
