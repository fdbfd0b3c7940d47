// The gateway writes a tenant's zones as that tenant: every hub request it
// makes for a message carries impersonation headers, so the hub's RBAC
// decides and its audit log names the tenant, not the gateway.
//
// The hub checks these with constrained impersonation (Kubernetes 1.36+,
// KEP-5284): a ServiceAccount is impersonated in the `serviceaccount` mode,
// which takes the user name alone (the hub derives its groups); anyone else
// in the `user-info` mode with groups, uid and extras as the TokenReview
// returned them. The gateway's roles (tools/codegen/rbac.ts) allow both
// modes only for the verbs on zones and releases a message needs, and the
// hub refuses system:masters in either mode, so a leaked gateway token
// cannot become a cluster administrator.

import type { Viewer } from './viewer-auth.js';

const SERVICE_ACCOUNT = /^system:serviceaccount:[^:]+:[^:]+$/;

export type ImpersonationHeaders = Record<string, string | string[]>;

export function impersonationHeaders(tenant: Viewer): ImpersonationHeaders {
  if (SERVICE_ACCOUNT.test(tenant.user)) return { 'Impersonate-User': tenant.user };
  const headers: ImpersonationHeaders = { 'Impersonate-User': tenant.user };
  if (tenant.groups.length > 0) headers['Impersonate-Group'] = tenant.groups;
  if (tenant.uid) headers['Impersonate-Uid'] = tenant.uid;
  for (const [key, values] of Object.entries(tenant.extra ?? {})) {
    // Header names cannot carry every character of an extra's key: percent-encoded, lower case (the API's rule).
    if (values.length > 0) headers[`Impersonate-Extra-${encodeURIComponent(key.toLowerCase())}`] = values;
  }
  return headers;
}
