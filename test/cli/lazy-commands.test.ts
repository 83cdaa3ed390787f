import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';

const names = async (argv?: readonly string[]): Promise<string[]> => (await buildProgram(argv)).commands.map((c) => c.name());

describe('the CLI loads only the command it runs', () => {
  it('GIVEN restorable commit WHEN the program is built THEN only the commit command is loaded', async () => {
    expect(await names(['commit', '--message', 'x'])).toEqual(['commit']);
    expect(await names(['--verbose', 'synth'])).toEqual(['synth']);
  });

  it('GIVEN no command, an unknown word or an option value first WHEN the program is built THEN every command is loaded for help and usage errors', async () => {
    const all = ['synth', 'validate', 'seal', 'commit', 'inventory', 'diff', 'explain'];
    expect(await names([])).toEqual(all);
    expect(await names(['nosuch'])).toEqual(all);
    expect(await names(['--now', '2026-01-01T00:00:00Z', 'synth'])).toEqual(all);
    expect(await names()).toEqual(all);
  });
});
