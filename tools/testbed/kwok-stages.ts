// KWOK stages for a member: what the fake kubelet and the fake KubeVirt do.
// The standalone kwok binary brings no stages of its own, so all of the
// behaviour of nodes, pods and VMs in the test bed is written down here.
// Templates are Go text/template producing YAML, as KWOK expects.

import yaml from 'js-yaml';

interface Expression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

interface Stage {
  apiVersion: 'kwok.x-k8s.io/v1alpha1';
  kind: 'Stage';
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup: string; kind: string };
    selector: { matchExpressions: Expression[] };
    delay?: { durationMilliseconds: number; jitterDurationMilliseconds?: number };
    next: {
      delete?: boolean;
      patches?: { subresource?: string; root?: string; type: 'merge' | 'json' | 'strategic'; template: string }[];
    };
  };
}

function stage(
  name: string,
  apiGroup: string,
  kind: string,
  match: Expression[],
  next: Stage['spec']['next'],
  delayMs?: number,
): Stage {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup, kind },
      selector: { matchExpressions: match },
      ...(delayMs !== undefined ? { delay: { durationMilliseconds: delayMs } } : {}),
      next,
    },
  };
}

const notDeleting: Expression = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const readyIsNot = (status: string): Expression => ({
  key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
  operator: 'NotIn',
  values: [status],
});

// Node: report Ready with an address and node info. Capacity and
// allocatable stay as the test bed created them (the provider's figures).
// No heartbeat stage: no node-lifecycle controller runs, so nothing would
// mark a silent node NotReady, and heartbeats would only load the servers.
const nodeReadyTemplate = `{{ $now := Now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
addresses:
- address: {{ NodeIP | Quote }}
  type: InternalIP
- address: {{ NodeName | Quote }}
  type: Hostname
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  osImage: "zonekeeper test bed"
  machineID: ""
  bootID: ""
  systemUUID: ""
phase: Running
`;

// Pod: bound pods (KWOK only sees pods with a node) start at once, get a
// pod IP from the member's range and the node's IP as host IP.
const podRunningTemplate = `{{ $now := Now }}
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ range .spec.readinessGates }}
- {type: {{ .conditionType | Quote }}, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "kwok://%s" .image | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
{{ with NodeIPWith .spec.nodeName }}
hostIP: {{ . | Quote }}
hostIPs:
- ip: {{ . | Quote }}
{{ end }}
{{ with PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ . | Quote }}
podIPs:
- ip: {{ . | Quote }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

/**
 * The annotation a test sets on a pod or a VirtualMachine to make its
 * application exit with that code, as its kubelet (or KubeVirt's
 * virt-handler) would then report it. Pods: the pod-exit stages below;
 * VMs: the VMI stand-in (vmi-stand-in.ts).
 */
export const EXIT_CODE_ANNOTATION = 'testbed.zonekeeper.io/exit-code';
const exitCode = `.metadata.annotations["${EXIT_CODE_ANNOTATION}"]`;

// Pod: the application exited. Only where the kubelet would leave it so:
// any exit under restartPolicy Never, a successful one under OnFailure.
// (Under Always, and after a failure under OnFailure, the kubelet would
// start the container again; the test bed does not play that.) The phase
// is final, and the pod-running stage takes only Pending pods, so nothing
// turns the pod back to Running.
const podExitedTemplate = `{{ $now := Now }}
{{ $code := index .metadata.annotations "${EXIT_CODE_ANNOTATION}" }}
{{ $ok := eq $code "0" }}
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "kwok://%s" .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: {{ $code }}
      reason: {{ if $ok }}Completed{{ else }}Error{{ end }}
      finishedAt: {{ $now | Quote }}
{{ end }}
phase: {{ if $ok }}Succeeded{{ else }}Failed{{ end }}
`;

// VirtualMachine: the run strategy decides. `running: true|false` is the
// older spelling of Always|Halted. Manual VMs stay stopped: the test bed
// has no start/stop subresources.
const effectiveRunStrategy = '.spec.runStrategy // (if .spec.running == true then "Always" else "Halted" end)';
const RUNNING_STRATEGIES = ['Always', 'RerunOnFailure', 'Once'];

const vmStatus = (printable: string, ready: boolean, created: boolean, reason: string): string => `{{ $now := Now }}
printableStatus: ${printable}
ready: ${ready}
created: ${created}
conditions:
- type: Ready
  status: "${ready ? 'True' : 'False'}"
  reason: ${reason}
  message: ""
  lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
`;

export function memberStages(withVirtualMachines: boolean): Stage[] {
  const podAndNode = [
    stage('node-ready', 'v1', 'Node', [readyIsNot('True')], {
      patches: [{ subresource: 'status', type: 'merge', root: 'status', template: nodeReadyTemplate }],
    }),
    stage(
      'pod-running',
      'v1',
      'Pod',
      [notDeleting, { key: '.status.phase', operator: 'In', values: ['Pending'] }, readyIsNot('True')],
      { patches: [{ subresource: 'status', type: 'merge', root: 'status', template: podRunningTemplate }] },
    ),
    stage(
      'pod-exit-never',
      'v1',
      'Pod',
      [
        notDeleting,
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: '.spec.restartPolicy', operator: 'In', values: ['Never'] },
        { key: exitCode, operator: 'Exists' },
      ],
      { patches: [{ subresource: 'status', type: 'merge', root: 'status', template: podExitedTemplate }] },
    ),
    stage(
      'pod-exit-on-failure',
      'v1',
      'Pod',
      [
        notDeleting,
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: '.spec.restartPolicy', operator: 'In', values: ['OnFailure'] },
        { key: exitCode, operator: 'In', values: ['0'] },
      ],
      { patches: [{ subresource: 'status', type: 'merge', root: 'status', template: podExitedTemplate }] },
    ),
    // What the kubelet does once the containers are gone: the final delete.
    stage('pod-delete', 'v1', 'Pod', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], { delete: true }),
  ];
  // Container providers have no KubeVirt CRDs, and a stage for an unknown
  // kind would only make kwok log errors.
  if (!withVirtualMachines) return podAndNode;
  return [
    ...podAndNode,
    stage(
      'vm-starting',
      'kubevirt.io/v1',
      'VirtualMachine',
      [
        notDeleting,
        { key: effectiveRunStrategy, operator: 'In', values: ['Always'] },
        { key: '.status.printableStatus', operator: 'NotIn', values: ['Starting', 'Running'] },
      ],
      {
        patches: [
          {
            subresource: 'status',
            type: 'merge',
            root: 'status',
            template: vmStatus('Starting', false, true, 'Starting'),
          },
        ],
      },
    ),
    // Once and RerunOnFailure: a VM whose guest ended (the VMI stand-in
    // reports it Stopped) is not started again.
    stage(
      'vm-starting-until-done',
      'kubevirt.io/v1',
      'VirtualMachine',
      [
        notDeleting,
        { key: effectiveRunStrategy, operator: 'In', values: ['Once', 'RerunOnFailure'] },
        { key: '.status.printableStatus', operator: 'NotIn', values: ['Starting', 'Running', 'Stopped'] },
      ],
      {
        patches: [
          {
            subresource: 'status',
            type: 'merge',
            root: 'status',
            template: vmStatus('Starting', false, true, 'Starting'),
          },
        ],
      },
    ),
    stage(
      'vm-running',
      'kubevirt.io/v1',
      'VirtualMachine',
      [
        notDeleting,
        { key: effectiveRunStrategy, operator: 'In', values: RUNNING_STRATEGIES },
        { key: '.status.printableStatus', operator: 'In', values: ['Starting'] },
      ],
      {
        patches: [
          {
            subresource: 'status',
            type: 'merge',
            root: 'status',
            template: vmStatus('Running', true, true, 'Running'),
          },
        ],
      },
      // A short boot, so a client can see Starting before Running.
      300,
    ),
    stage(
      'vm-stopped',
      'kubevirt.io/v1',
      'VirtualMachine',
      [
        notDeleting,
        { key: effectiveRunStrategy, operator: 'NotIn', values: RUNNING_STRATEGIES },
        { key: '.status.printableStatus', operator: 'NotIn', values: ['Stopped'] },
      ],
      {
        patches: [
          {
            subresource: 'status',
            type: 'merge',
            root: 'status',
            template: vmStatus('Stopped', false, false, 'Stopped'),
          },
        ],
      },
    ),
  ];
}

/** The --config file of one member's kwok: all stages, multi-document YAML. */
export function kwokConfigText(withVirtualMachines: boolean): string {
  return memberStages(withVirtualMachines)
    .map((s) => yaml.dump(s, { lineWidth: -1 }))
    .join('---\n');
}
