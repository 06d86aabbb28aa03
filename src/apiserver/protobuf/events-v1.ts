// events/v1 (k8s.io/api/events/v1/generated.proto): the events.k8s.io Event.
// Notation: schema.ts.

import { defineMessages } from './schema.js';

export const EVENTS_V1 = defineMessages('events', {
  Event: `
    1 metadata meta.ObjectMeta
    2 eventTime MicroTime
    3 series EventSeries
    4 reportingController string
    5 reportingInstance string
    6 action string
    7 reason string
    8 regarding core.ObjectReference
    9 related core.ObjectReference
    10 note string
    11 type string
    12 deprecatedSource core.EventSource
    13 deprecatedFirstTimestamp Time
    14 deprecatedLastTimestamp Time
    15 deprecatedCount int32`,
  EventSeries: '1 count *int32; 2 lastObservedTime MicroTime',
});
