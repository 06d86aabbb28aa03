export function serverSideApply(_resourceKey: string, _current: any, _applied: any, _fieldManager: string, _force: boolean, _now: Date): any {
  throw new Error('not implemented');
}
export function recordUpdate(_resourceKey: string, _old: any, _updated: any, _fieldManager: string, _now: Date): void {}
