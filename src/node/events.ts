// The node agent's events, written through the shared recorder (which
// aggregates repeats into count/lastTimestamp as client-go's does).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KObject } from '../client/types.js';
import type { EventType, Recorder } from '../controllers/events.js';

export class PodEvents {
  constructor(private readonly recorder: Recorder) {}

  pod(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const obj = { ...(pod as KObject), kind: 'Pod', apiVersion: 'v1' };
    this.recorder.event(obj, type, reason, message, fieldPath ? { fieldPath } : {});
  }
}

export const containerFieldPath = (name: string, init = false) => `spec.${init ? 'initContainers' : 'containers'}{${name}}`;
