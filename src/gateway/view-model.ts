// What the web view shows: the projections of src/core/render/federation-view.ts
// (shared with zonectl), filtered by what the viewer may see.

import type { ProviderView, ZoneView } from '../core/render/federation-view.js';

export * from '../core/render/federation-view.js';

/** Which namespaces a viewer may see: every one, or the listed ones. */
export type NamespaceScope = { all: true } | { all: false; namespaces: ReadonlySet<string> };

export const visible = (scope: NamespaceScope, namespace: string): boolean =>
  scope.all || scope.namespaces.has(namespace);

export interface ViewSnapshot {
  viewer: { user: string; all: boolean; namespaces: string[] };
  providers: ProviderView[];
  zones: ZoneView[];
}

export function snapshot(
  user: string,
  scope: NamespaceScope,
  providers: readonly ProviderView[],
  zones: Iterable<ZoneView>,
): ViewSnapshot {
  const shown = [...zones].filter((z) => visible(scope, z.namespace)).sort((a, b) => a.key.localeCompare(b.key));
  return {
    viewer: {
      user,
      all: scope.all,
      namespaces: scope.all ? [...new Set(shown.map((z) => z.namespace))].sort() : [...scope.namespaces].sort(),
    },
    providers: [...providers].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name)),
    zones: shown,
  };
}
