/** `blfgw validate [DIR]`: exit 0 when the dialplan is valid, else 1 with `file:line:col: message` lines. */
import { loadDialplan, formatDialplanError } from '../../adapters/dialplan-files/index.js';

export async function runValidate(args: string[]): Promise<number> {
  const dir = args.find((a) => !a.startsWith('-')) ?? 'dialplans';
  const result = await loadDialplan(dir);
  if (!result.ok) {
    for (const error of result.errors) console.error(formatDialplanError(error));
    console.error(`${dir}: ${result.errors.length} error(s)`);
    return 1;
  }
  const p = result.parts;
  console.log(
    `${dir}: ok (${result.files.length} files; ${p.partitions?.length ?? 0} partitions, ` +
      `${p.callingSearchSpaces?.length ?? 0} CSSs, ${p.devices?.length ?? 0} devices, ${p.lines?.length ?? 0} lines, ` +
      `${p.routePatterns?.length ?? 0} route patterns, ${p.trunks?.length ?? 0} trunks)`,
  );
  return 0;
}
