/** Retention tiers, finest first. "Tier" always means a retention tier in restorable. */
export const TIERS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** A retention tier. */
export type Tier = (typeof TIERS)[number];

/**
 * How many restore points to keep per tier (grandfather-father-son). Each tier with a count above
 * zero becomes one Velero Schedule; see README "Retention tiers" for the cron and TTL of each.
 */
export type Retention = { readonly [T in Tier]?: number };

/**
 * Retention presets, built with the same public types as hand-written retention.
 */
export const retention = {
  /**
   * 24 hourly, 7 daily, 4 weekly and 12 monthly restore points: a year of history.
   * @example backupPolicy('ledger', { ..., retention: retention.standard() })
   */
  standard(): Retention {
    return { hourly: 24, daily: 7, weekly: 4, monthly: 12 };
  },
  /**
   * Daily, weekly and monthly restore points (grandfather-father-son).
   * @default 7 daily, 4 weekly, 12 monthly
   * @example retention.gfs({ monthly: 24 })
   */
  gfs(counts: { readonly daily?: number; readonly weekly?: number; readonly monthly?: number } = {}): Retention {
    return { daily: counts.daily ?? 7, weekly: counts.weekly ?? 4, monthly: counts.monthly ?? 12 };
  },
  /**
   * Only the last `days` daily restore points, for data that is easy to rebuild.
   * @example retention.days(14)
   */
  days(days: number): Retention {
    return { daily: days };
  },
};
