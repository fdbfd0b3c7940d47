// Short names that widely installed add-ons give their CRDs. A hub rarely runs
// none of them, and kubectl resolves a short name to one resource only, so
// zonekeeper's short names must stay clear of these as well as of the
// built-ins (which the integration test reads from a real hub's discovery).

export const COMMON_CRD_SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  'Argo CD': ['app', 'apps', 'appproj', 'appprojs', 'appset', 'appsets'],
  'Argo Rollouts': ['ro'],
  'Argo Workflows': ['wf', 'cwf', 'wftmpl', 'cwftmpl', 'wfeb', 'wftsk', 'wfts'],
  'cert-manager': ['cert', 'certs', 'cr', 'crs', 'ciss'],
  Tekton: ['pr', 'prs', 'tr', 'trs', 'p', 'ct'],
  'Prometheus operator': ['prom', 'am', 'smon', 'pmon', 'promrule', 'amcfg'],
  Istio: ['vs', 'gw', 'dr', 'se', 'pa', 'ra', 'ap', 'we', 'wg'],
  Flux: ['ks', 'hr', 'gitrepo', 'hc', 'ocirepo'],
  KubeVirt: ['vm', 'vms', 'vmi', 'vmis', 'vmim', 'vmims', 'dv', 'dvs'],
  'Cluster API': ['cl', 'md', 'ma', 'ms', 'mhc', 'kcp', 'mp'],
  Cilium: ['cnp', 'ccnp', 'cep', 'ciliumid'],
  'Gateway API': ['gc'],
  Knative: ['ksvc', 'kcfg', 'rt'],
  Velero: ['bsl', 'vsl'],
  'Open Cluster Management': ['mcl', 'mclset'],
  Karmada: ['pp', 'cpp', 'rb', 'crb'],
};
