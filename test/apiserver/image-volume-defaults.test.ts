// An image volume's pullPolicy defaults as Kubernetes' SetDefaults_Volume does it (1.31,
// feature gate ImageVolume): Always for the `latest` tag or no tag, IfNotPresent
// otherwise, including a reference that does not parse; the container rule is the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../src/api/defaults/index.js';
import { defaultPullPolicy, pulledTag } from '../../src/api/defaults/pod.js';

function podWithImageVolume(image: Record<string, unknown>): any {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { volumes: [{ name: 'data', image }], containers: [{ name: 'c', image: 'busybox:1.36' }] },
  };
  applyDefaults('pods', pod);
  return pod.spec.volumes[0].image;
}

test('image volume pullPolicy: Always for :latest or no tag, IfNotPresent otherwise', () => {
  const cases: [string | undefined, string][] = [
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['registry.example:5000/tools/busybox', 'Always'],
    ['[::1]:5000/busybox:latest', 'Always'],
    ['busybox:1.36', 'IfNotPresent'],
    ['registry.example:5000/tools/busybox:1.36', 'IfNotPresent'],
    [`busybox@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    [`busybox:latest@sha256:${'a'.repeat(64)}`, 'Always'],
    // References the runtime's parser rejects have no tag: IfNotPresent.
    [undefined, 'IfNotPresent'],
    ['', 'IfNotPresent'],
    ['BusyBox', 'IfNotPresent'],
    ['busybox@sha256:abcd', 'IfNotPresent'],
  ];
  for (const [reference, want] of cases) {
    const image = reference === undefined ? {} : { reference };
    assert.deepEqual(podWithImageVolume(image), { ...image, pullPolicy: want }, String(reference));
  }
  // A pullPolicy given is kept, and templates default the same way.
  assert.equal(podWithImageVolume({ reference: 'busybox', pullPolicy: 'Never' }).pullPolicy, 'Never');
  const sts: any = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' },
    spec: { selector: {}, template: { spec: { volumes: [{ name: 'd', image: { reference: 'busybox:latest' } }], containers: [{ name: 'c' }] } } },
  };
  applyDefaults('statefulsets.apps', sts);
  assert.equal(sts.spec.template.spec.volumes[0].image.pullPolicy, 'Always');
  // A template's container may leave its image to be filled in later: no tag to pull yet.
  assert.equal(sts.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
});

test('the tag a reference pulls, as the runtime parses it', () => {
  assert.equal(pulledTag('nginx'), 'latest');
  assert.equal(pulledTag('localhost:5000/nginx:1.25'), '1.25');
  assert.equal(pulledTag(`nginx@sha256:${'0'.repeat(64)}`), '');
  assert.equal(pulledTag('a'.repeat(64)), undefined, 'an image ID is not a reference');
  assert.equal(pulledTag('nginx:'), undefined);
  assert.equal(defaultPullPolicy(42), 'IfNotPresent');
});
