/**
 * `blfgw` command line: start | validate | explain | import | sync | rig.
 * Exit codes: 0 ok, 1 the command's check failed (e.g. invalid dialplan), 2 usage error.
 */
import { runCommand, USAGE } from './commands/index.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    return await runCommand(command, rest);
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`blfgw ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
