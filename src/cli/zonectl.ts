#!/usr/bin/env node
// zonectl: the command-line face of the core. Exit codes: 0 done, 2 bad
// input (usage, unreadable or invalid files), 1 a bug.

import { FileError } from './load-files.js';
import { formatPlan, parsePlanArgs, UsageError } from './plan-command.js';

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'plan') {
      process.stdout.write(formatPlan(parsePlanArgs(rest)));
      return 0;
    }
    if (command === undefined || command === '--help' || command === 'help') {
      const usage = 'usage: zonectl plan --providers FILE --messages FILE [--strategy NAME] [--format json|yaml|svg]\n';
      (command === undefined ? process.stderr : process.stdout).write(usage);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"; try "zonectl plan"`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof FileError) {
      process.stderr.write(`zonectl: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
