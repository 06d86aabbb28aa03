// discovery/v1 (k8s.io/api/discovery/v1/generated.proto): EndpointSlice.
// Notation: schema.ts.

import { defineMessages } from './schema.js';

export const DISCOVERY_V1 = defineMessages('discovery', {
  Endpoint: `
    1 addresses []string
    2 conditions EndpointConditions
    3 hostname *string
    4 targetRef core.ObjectReference
    5 deprecatedTopology map[string]string
    6 nodeName *string
    7 zone *string
    8 hints EndpointHints`,
  EndpointConditions: '1 ready *bool; 2 serving *bool; 3 terminating *bool',
  EndpointHints: '1 forZones []ForZone; 2 forNodes []ForNode',
  EndpointPort: '1 name *string; 2 protocol *string; 3 port *int32; 4 appProtocol *string',
  EndpointSlice: '1 metadata meta.ObjectMeta; 4 addressType *string; 2 endpoints []Endpoint; 3 ports []EndpointPort',
  ForNode: '1 name *string',
  ForZone: '1 name *string',
});
