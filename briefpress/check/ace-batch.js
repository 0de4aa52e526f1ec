// DAISY Ace on several EPUBs in one Node process and one headless Chromium; run by check/validate.py:
//   NODE_PATH=tools/node_modules node ace-batch.js EPUB REPORT [EPUB REPORT ...]
// Each EPUB's report is the JSON `ace-cli` prints for it alone, written to REPORT. An EPUB Ace
// cannot check here gets no REPORT (its error goes to stderr, on a line starting with the EPUB), and
// validate.py checks it again through ace-cli alone.
// Ace 1.4.6 starts and closes the browser for every EPUB (ace-core's checker-chromium.js calls the
// runner's launch() and close()); the runner handed to it here launches once and closes at the end.
'use strict';

const fs = require('fs');
const ace = require('@daisy/ace-core');
const logger = require('@daisy/ace-logger');
const runner = require('@daisy/ace-axe-runner-puppeteer');

let launched = null; // the one launch, shared by every EPUB

const sharedRunner = {
  concurrency: runner.concurrency,
  setTimeout: ms => runner.setTimeout(ms),
  launch: () => {
    launched = launched || runner.launch();
    return launched;
  },
  close: async () => {},
  run: (url, scripts, scriptContents, basedir) => runner.run(url, scripts, scriptContents, basedir),
};

async function check(epub, report) {
  try {
    const [, json] = await ace(epub, { cwd: process.cwd(), silent: true, jobId: '' }, sharedRunner);
    fs.writeFileSync(report, `${JSON.stringify(json, null, '  ')}\n`, 'utf8');
  } catch (err) {
    const message = (err && err.message ? err.message : String(err)) || 'no report';
    process.stderr.write(`${epub}: ${message.split('\n').join(' ')}\n`);
  }
}

async function main(args) {
  logger.initLogger({ verbose: false, silent: true, fileName: 'ace-cli.log' }); // as ace-cli -s does
  const pairs = [];
  for (let i = 0; i + 1 < args.length; i += 2) pairs.push([args[i], args[i + 1]]);
  // Two EPUBs at a time: much of an Ace run is waiting (for a page to load, for a report to be
  // written), and two overlap it for no more work; the reports are those of one at a time.
  let next = 0;
  const lane = async () => {
    while (next < pairs.length) await check(...pairs[next++]);
  };
  await Promise.all([lane(), lane()]);
  if (launched) {
    await launched;
    await runner.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  err => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
