import { createHash } from 'node:crypto';

/**
 * A stable number in [0, modulo) derived from a name. Used to spread schedules over the hour so
 * fifty policies do not all queue behind Velero's single backup worker at :00.
 */
export function stableSlot(name: string, salt: string, modulo: number): number {
  const digest = createHash('sha256').update(`${salt}\0${name}`).digest();
  return digest.readUInt32BE(0) % modulo;
}
