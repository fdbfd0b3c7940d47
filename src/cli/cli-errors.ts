// The two failures zonectl reports as bad input (exit 2), in a module of
// their own so that catching them loads no Kubernetes client.

/** The command line is wrong: a flag, a value, a missing argument. */
export class UsageError extends Error {}

/** The hub cannot be asked (no kubeconfig, unreachable, refusing) or has no such object. */
export class HubError extends Error {}
