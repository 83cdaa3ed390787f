/** Units a duration string may use: seconds, minutes, hours, days, weeks. */
export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w';

/**
 * A duration written as a number and one unit, checked by the type system: `'15m'`, `'1h'`, `'7d'`, `'2w'`.
 *
 * @example
 * backupPolicy('ledger', { rpo: '1h', ... })
 */
export type DurationString = `${number}${DurationUnit}`;

/** How often something recurs, in words; used for drills. */
export type Frequency = 'day' | 'week' | 'month' | 'quarter';
