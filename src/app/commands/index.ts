/** Command table of the `blfgw` CLI. Each command module parses its own flags. */
import { runValidate } from './validate-command.js';
import { runExplain } from './explain-command.js';
import { runStart } from './start-command.js';
import { runImport } from './import-command.js';
import { runSync } from './sync-command.js';

export const USAGE = `usage:
  blfgw start [--dialplan DIR] [--db FILE] [--sip-port N] [--sccp-port N] [--axl-port N]
              [--ws-port N] [--http-port N] [--log-level L] [--bind HOST]
  blfgw validate [DIR]
  blfgw explain --dialplan DIR --watcher NAME --target DN_OR_URI [--call-list]
  blfgw import users.csv|phones.csv [--kind users|phones] [--db FILE] [--dialplan DIR]
  blfgw sync --from https://HOST:PORT/axl/ --user U --password P [--db FILE] [--follow] [--insecure]
             [--dialplan DIR] [--poll-ms N]`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: runStart,
  validate: runValidate,
  explain: runExplain,
  import: runImport,
  sync: runSync,
};

/** Runs one command; unknown command → usage, exit 2. */
export async function runCommand(name: string, args: string[]): Promise<number> {
  const command = COMMANDS[name];
  if (!command) {
    console.error(`blfgw: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return command(args);
}

