// The event's home: accepting, storing and raising events (the service), the posted item's
// schema, and the one rule for an event's payload at each stage.
export { createEventService, type AcceptResult, type EventService, type EventServiceDeps } from './service.ts';
export { newEventId } from './event-id.ts';
export { EVENT_INPUT_SCHEMA, type CheckedItem, type EventInput } from './input.ts';
export { payloadAt, payloadChanged, payloadForMode, wasFiltered, type PayloadStage } from './payload.ts';
export type { DispatchPort, FilterChainOutput, OutboxPort, RaisedEvent } from './ports.ts';
