// How zonectl reaches the hub: the kubeconfig kubectl would use
// (--kubeconfig, else the files KUBECONFIG lists, else ~/.kube/config),
// the context --context names or the current one, and the project's own
// REST client. Every failure (no kubeconfig, no such context, the hub does
// not answer, refuses the credentials, does not serve the CRDs, has no
// such object) becomes a HubError with a one-line message that names what
// was asked for.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, KubeError, type KubeList, type Query } from '../runtime/kube-client.js';
import { resourcePath, type ResourceRef } from '../core/api/resources.js';

import { HubError } from './cli-errors.js';

export { HubError };

export interface HubOptions {
  kubeconfig?: string;
  context?: string;
}

/** How long zonectl waits for one answer of the hub. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The kubeconfig files to read, in kubectl's order of precedence, and what chose them. */
export function kubeconfigFiles(
  o: HubOptions,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  exists: (file: string) => boolean = existsSync,
): { files: string[]; source: string } {
  if (o.kubeconfig !== undefined) {
    if (!exists(o.kubeconfig)) throw new HubError(`--kubeconfig ${o.kubeconfig}: no such file`);
    return { files: [o.kubeconfig], source: '--kubeconfig' };
  }
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (listed.length > 0) {
    // kubectl skips the files of the list that do not exist.
    const files = listed.filter((f) => exists(f));
    if (files.length === 0) throw new HubError(`KUBECONFIG names no file that exists (${listed.join(delimiter)})`);
    return { files, source: 'KUBECONFIG' };
  }
  const fallback = join(home, '.kube', 'config');
  if (exists(fallback)) return { files: [fallback], source: fallback };
  throw new HubError(`no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or write ${fallback}`);
}

export function loadKubeConfig(o: HubOptions, env = process.env, home = homedir()): KubeConfig {
  const { files, source } = kubeconfigFiles(o, env, home);
  const kc = new KubeConfig();
  files.forEach((file, i) => {
    const one = i === 0 ? kc : new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (e) {
      throw new HubError(`${file}: not a readable kubeconfig (${firstLine(e)})`);
    }
    if (one !== kc) kc.mergeConfig(one);
  });
  if (o.context !== undefined) {
    if (!kc.getContextObject(o.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new HubError(
        `--context: no context "${o.context}" in ${source}${known.length ? ` (it has ${known.join(', ')})` : ''}`,
      );
    }
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentContext()) throw new HubError(`${source}: no current context; pass --context NAME`);
  if (!kc.getCurrentCluster())
    throw new HubError(`${source}: context "${kc.getCurrentContext()}" names no cluster that the kubeconfig defines`);
  return kc;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}

/** The hub as zonectl reads it: LIST and GET, with errors that say what failed. */
export class Hub {
  private constructor(
    private readonly client: KubeClient,
    readonly contextName: string,
    /** The namespace of the context (kubectl's default for -n). */
    readonly defaultNamespace: string,
  ) {}

  static async connect(o: HubOptions): Promise<Hub> {
    const kc = loadKubeConfig(o);
    let client: KubeClient;
    try {
      client = await KubeClient.fromKubeConfig(kc);
    } catch (e) {
      throw new HubError(`context "${kc.getCurrentContext()}": cannot use its credentials (${firstLine(e)})`);
    }
    const ns = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
    return new Hub(client, kc.getCurrentContext(), ns);
  }

  get server(): string {
    return this.client.server.origin;
  }

  close(): void {
    this.client.close();
  }

  async list<T>(r: ResourceRef, namespace?: string, query?: Query): Promise<T[]> {
    const path = resourcePath(r, namespace);
    const what = `${r.plural}${r.namespaced ? (namespace ? ` in namespace ${namespace}` : ' in all namespaces') : ''}`;
    const got = await this.call(
      () => this.client.request<KubeList<T>>('GET', path, { query, timeoutMs: REQUEST_TIMEOUT_MS }),
      what,
      r,
    );
    return got.items ?? [];
  }

  /** One object, or undefined when the hub has none of that name. */
  async get<T>(r: ResourceRef, name: string, namespace?: string): Promise<T | undefined> {
    const path = resourcePath(r, namespace, name);
    try {
      return await this.client.request<T>('GET', path, { timeoutMs: REQUEST_TIMEOUT_MS });
    } catch (e) {
      if (e instanceof KubeError && e.code === 404) {
        // Is it the object that is missing, or the kind? The list tells.
        await this.list(r, namespace, { limit: 1 });
        return undefined;
      }
      return this.call(() => Promise.reject(e as Error), `${r.plural} ${name}`, r);
    }
  }

  private async call<T>(fn: () => Promise<T>, what: string, r: ResourceRef): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof KubeError) {
        const detail = e.message.replace(/^\S+ \S+: /, '');
        if (e.code === 401)
          throw new HubError(`the hub ${this.server} refused the credentials of context "${this.contextName}" (401)`);
        if (e.code === 403) throw new HubError(`not allowed to read ${what}: ${detail}`);
        if (e.code === 404)
          throw new HubError(
            `the hub ${this.server} does not serve ${r.group}/${r.version} ${r.plural}: are zonekeeper's CRDs installed?`,
          );
        throw new HubError(`reading ${what} from ${this.server} failed: ${detail.slice(0, 300)}`);
      }
      throw new HubError(`cannot reach the hub ${this.server} (context "${this.contextName}"): ${firstLine(e)}`);
    }
  }
}
