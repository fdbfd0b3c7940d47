#!/usr/bin/env node
// zonectl: the command-line face of the core. Exit codes: 0 done, 2 bad
// input (usage, unreadable or invalid files), 3 messages rejected (the
// result for the other messages is still printed; --keep-going makes that
// 0), 1 a bug.

import { FileError } from './load-files.js';
import { formatPlan, parsePlanArgs, USAGE, UsageError } from './plan-command.js';

export const EXIT = { ok: 0, bug: 1, badInput: 2, rejected: 3 } as const;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'plan') {
      const options = parsePlanArgs(rest);
      const { text, rejected } = formatPlan(options);
      process.stdout.write(text);
      for (const line of rejected) process.stderr.write(`zonectl: ${line}\n`);
      if (rejected.length === 0 || options.keepGoing) return EXIT.ok;
      process.stderr.write(
        `zonectl: ${rejected.length} problem(s) in rejected messages; the result above holds every other message (--keep-going exits 0)\n`,
      );
      return EXIT.rejected;
    }
    if (command === undefined || command === '--help' || command === 'help') {
      (command === undefined ? process.stderr : process.stdout).write(`${USAGE}\n`);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    }
    throw new UsageError(`unknown command "${command}"; try "zonectl plan"`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof FileError) {
      process.stderr.write(`zonectl: ${e.message}\n`);
      return EXIT.badInput;
    }
    // A bug: say so in one line, without a stack trace unless asked for.
    process.stderr.write(
      `zonectl: internal error: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown'} (set ZONECTL_DEBUG=1 for details)\n`,
    );
    if (process.env.ZONECTL_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    return EXIT.bug;
  }
}

process.exitCode = main(process.argv.slice(2));
