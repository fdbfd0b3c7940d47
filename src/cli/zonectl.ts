#!/usr/bin/env node
// zonectl: the command-line face of the core, on files (`plan`) and on the
// live hub (`get`, `why`, `plan --hub`). Commands and exit codes: main.ts.

import { runProcess } from './main.js';

export { EXIT } from './main.js';

runProcess('zonectl');
