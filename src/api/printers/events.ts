// Events, both core/v1 and events.k8s.io/v1. The apiserver prints both through the same
// internal Event, so an events.k8s.io/v1 Event is first read as its core/v1 equivalent.
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import { DOC, col } from './common.js';
import { since, timeOf } from './time.js';
import type { ResourcePrinter } from './types.js';

/** The core/v1 view of an events.k8s.io/v1 Event (the field renames of the API conversion). */
export function coreEventOf(ev: EventsEvent): CoreEvent {
  return {
    metadata: ev.metadata ?? {},
    involvedObject: ev.regarding ?? {},
    related: ev.related,
    reason: ev.reason,
    message: ev.note,
    type: ev.type,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    eventTime: ev.eventTime,
    series: ev.series ? { count: ev.series.count, lastObservedTime: ev.series.lastObservedTime } : undefined,
    action: ev.action,
    reportingComponent: ev.reportingController ?? '',
    reportingInstance: ev.reportingInstance ?? '',
  };
}

function eventSource(ev: CoreEvent): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

const columns = [
  col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'The object that this event is about.'),
  col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
  col('Source', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  col('Message', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  col('Count', 'The number of times this event has occurred.', { priority: 1 }),
  col('Name', DOC.name, { format: 'name', priority: 1 }),
];

function coreEventCells(ev: CoreEvent, now: Date): unknown[] {
  const firstSeen = timeOf(ev.firstTimestamp) === undefined ? since(ev.eventTime, now) : since(ev.firstTimestamp, now);
  let lastSeen = timeOf(ev.lastTimestamp) === undefined ? firstSeen : since(ev.lastTimestamp, now);
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  const io = ev.involvedObject ?? {};
  const kind = (io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  return [
    lastSeen,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    io.fieldPath ?? '',
    eventSource(ev),
    (ev.message ?? '').trim(),
    firstSeen,
    count,
    ev.metadata?.name ?? '',
  ];
}

export const eventPrinter: ResourcePrinter = { columns, cells: coreEventCells };

export const eventsK8sIoEventPrinter: ResourcePrinter = {
  columns,
  cells: (ev: EventsEvent, now: Date) => coreEventCells(coreEventOf(ev), now),
};
