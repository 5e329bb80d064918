#!/usr/bin/env node
'use strict';
// The `five9` command. Runs the compiled CLI (npm ci builds it through the prepare script).
const { main } = require('../dist/src/cli/index.js');
main(process.argv).then((code) => {
  process.exitCode = code;
});
