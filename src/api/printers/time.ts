// Age cells: elapsed time in apimachinery's HumanDuration form ("0s", "95s", "3m20s",
// "45m", "5h12m", "30h", "3d4h", "200d", "2y30d").

/** Milliseconds since the epoch for a metav1.Time / MicroTime value, or undefined when unset (Go's zero time). */
export function timeOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(ms)) return undefined;
  // The zero time serialised by Go clients ("0001-01-01T00:00:00Z") also counts as unset.
  if (ms <= -62135596800000) return undefined;
  return ms;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** apimachinery duration.HumanDuration: about 2 to 3 significant figures. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  // Up to 2s into the future is clock skew and reads as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** The printers' translateTimestampSince: "<unknown>" for an unset time. */
export function since(value: unknown, now: Date): string {
  const t = timeOf(value);
  if (t === undefined) return '<unknown>';
  return humanDuration(now.getTime() - t);
}
