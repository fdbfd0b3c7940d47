import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '/work/main/dist/src/runtime/kube-client.js';
const kc = new KubeConfig(); kc.loadFromFile(process.argv[2]);
const c = await KubeClient.fromKubeConfig(kc);
const r = await c.get('/apis/zonekeeper.io/v1alpha1/executionzones');
const z = r.items.find((x) => x.status?.instances) ?? r.items[0];
if (!z) { console.log('none', r.items.length); process.exit(0); }
const s = JSON.stringify(z);
console.log('total', s.length, 'status', JSON.stringify(z.status).length, 'spec', JSON.stringify(z.spec).length, 'managedFields', JSON.stringify(z.metadata.managedFields).length);
for (const k of Object.keys(z.status)) console.log('  status.' + k, JSON.stringify(z.status[k]).length);
console.log(JSON.stringify(z, null, 1).slice(0, 6000));
process.exit(0);
