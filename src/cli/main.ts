// zonectl's commands and exit codes, shared by the `zonectl` executable
// and the kubectl plugin (`kubectl zonekeeper …`), which differ only in
// the name the usage text gives them.

import { FileError } from './load-files.js';
import { UsageError } from './args.js';
import { runGet, parseGetArgs } from './get-command.js';
import { HubError } from './cli-errors.js';
import type { Hub, HubOptions } from './hub.js';
import { loadPlanMessages, parsePlanHubArgs, runPlanHub } from './plan-hub.js';
import { formatPlan, parsePlanArgs } from './plan-command.js';
import { parseWhyArgs, runWhy } from './why-command.js';
import { parseOnboardArgs, runOnboard } from './onboard-command.js';

/**
 * 0 done; 1 a bug in zonectl; 2 bad input: usage, an unreadable or invalid
 * file, no kubeconfig, the hub unreachable or refusing, an object that is
 * not there; 3 messages rejected (`plan`; the result for the others is
 * still printed, and --keep-going makes it 0).
 */
export const EXIT = { ok: 0, bug: 1, badInput: 2, rejected: 3 } as const;

export function usage(program: string): string {
  const pad = ' '.repeat(program.length + 13);
  return `usage: ${program} get zones [-n NAMESPACE | -A] [-o table|json|yaml]
       ${program} get providers [-o table|json|yaml]
       ${program} why ZONE [-n NAMESPACE] [--all] [-o table|json|yaml]
       ${program} plan --hub -f MESSAGES.json [-o json|yaml|table] [--keep-going] [--all-reasons]
       ${program} plan --providers FILE --messages FILE [--strategy NAME] [--format json|yaml|svg|p4]
${pad}[--until N] [--global-id HEX] [--vlan-range MIN-MAX] [--title TEXT] [--keep-going] [--all-reasons]
       ${program} onboard PROVIDER --member-context NAME [--member-kubeconfig FILE] [--token-duration 24h]
${pad}[--secret NAME] [--namespace zonekeeper-system] [--manifest FILE] [--server URL]
hub commands take --kubeconfig FILE (else KUBECONFIG, else ~/.kube/config) and --context NAME;
-n defaults to the context's namespace. Only onboard writes: the member manifest to the member,
and the member's kubeconfig Secret (with a token the operator renews) to the hub.
exit codes: 0 done; 1 a bug; 2 usage error, unreadable or invalid file, no kubeconfig or context,
            hub unreachable or refusing, zone not found; 3 messages rejected by plan (the result
            for the others is still printed; --keep-going makes that 0)`;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  debug: boolean;
}

export async function run(argv: readonly string[], program: string, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  const help = usage(program);
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      (command === undefined ? io.err : io.out)(`${help}\n`);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${help}\n`);
      return EXIT.ok;
    }
    if (command === 'plan' && !rest.includes('--hub')) {
      const options = parsePlanArgs(rest);
      const { text, rejected } = formatPlan(options);
      io.out(text);
      return finishPlan(rejected, options.keepGoing === true, io, program);
    }
    if (command === 'plan') {
      const options = parsePlanHubArgs(rest, help);
      const messages = loadPlanMessages(options);
      return await withHub(options, async (hub) => {
        const { text, rejected } = await runPlanHub(options, messages, hub);
        io.out(text);
        return finishPlan(rejected, options.keepGoing, io, program);
      });
    }
    if (command === 'get') {
      const options = parseGetArgs(rest, help);
      return await withHub(options, async (hub) => {
        const { text, note } = await runGet(options, hub);
        io.out(text);
        if (note) io.err(`${program}: ${note}\n`);
        return EXIT.ok;
      });
    }
    if (command === 'why') {
      const options = parseWhyArgs(rest, help);
      return await withHub(options, async (hub) => {
        io.out(await runWhy(options, hub));
        return EXIT.ok;
      });
    }
    if (command === 'onboard') {
      io.out(await runOnboard(parseOnboardArgs(rest, help)));
      return EXIT.ok;
    }
    throw new UsageError(`unknown command "${command}"; use get, why, plan or onboard\n${help}`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof FileError || e instanceof HubError) {
      io.err(`${program}: ${e.message}\n`);
      return EXIT.badInput;
    }
    // A bug: one line, without a stack trace unless asked for.
    io.err(
      `${program}: internal error: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown'} (set ZONECTL_DEBUG=1 for details)\n`,
    );
    if (io.debug) io.err(`${e instanceof Error ? e.stack : String(e)}\n`);
    return EXIT.bug;
  }
}

/** The Kubernetes client is loaded only for the commands that talk to the hub: it costs a second of CPU. */
async function withHub<T>(options: HubOptions, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const { Hub } = await import('./hub.js');
  const hub = await Hub.connect(options);
  try {
    return await fn(hub);
  } finally {
    hub.close();
  }
}

function finishPlan(rejected: readonly string[], keepGoing: boolean, io: Io, program: string): number {
  for (const line of rejected) io.err(`${program}: ${line}\n`);
  if (rejected.length === 0 || keepGoing) return EXIT.ok;
  io.err(
    `${program}: ${rejected.length} problem(s) in rejected messages; the result above holds every other message (--keep-going exits 0)\n`,
  );
  return EXIT.rejected;
}

/** The executable's entry: runs, then sets the exit code once stdout has drained. */
export function runProcess(program: string): void {
  void run(process.argv.slice(2), program, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    debug: Boolean(process.env['ZONECTL_DEBUG']),
  }).then((code) => {
    process.exitCode = code;
  });
}
