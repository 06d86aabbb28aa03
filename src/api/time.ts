// metav1.Time as it travels: RFC 3339 in UTC, to the second.
export function rfc3339(t: Date | number): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** metav1.MicroTime as Go writes it: RFC 3339 in UTC with six fractional digits. */
export function rfc3339Micro(t: Date | number): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString().replace(/Z$/, '000Z');
}
