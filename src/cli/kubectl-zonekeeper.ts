#!/usr/bin/env node
// The kubectl plugin: kubectl runs the executable named kubectl-zonekeeper
// on its PATH for `kubectl zonekeeper …` (krew's naming), with the words
// after `zonekeeper`. It is zonectl under the plugin's name.

import { runProcess } from './main.js';

runProcess('kubectl zonekeeper');
