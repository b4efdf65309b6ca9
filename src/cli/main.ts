/** The `hie` command. */
import { ConfigError } from '../server/config/load.ts';
import { UsageError } from './args.ts';
import { audit } from './audit.ts';
import { certs } from './certs.ts';
import { consent } from './consent.ts';
import { consoleUser } from './consoleUser.ts';
import { demoRegions } from './demoRegions.ts';
import { disaster } from './disaster.ts';
import { ingest } from './ingest.ts';
import { ssmix } from './ssmix.ts';
import { pixReview, pixReviewHelp } from './pixReview.ts';
import { send } from './send.ts';
import { serve } from './serve.ts';
import { token } from './token.ts';
import { xds } from './xds.ts';

const help = `hie: a regional health information exchange (IHE PIX/PDQ, XDS.b, XCA, ATNA)

Usage: hie COMMAND [options]

Commands:
  serve              run every actor on this machine (hie serve --help)
  send FILE --to H:P send HL7 v2 messages over MLLP and print the acknowledgements
  ingest ssmix2 ROOT read an SS-MIX2 storage tree: patients (ITI-8) and documents (ITI-41)
  ssmix generate     write synthetic SS-MIX2 storage trees
  token issue        derive medical-field tokens from individual numbers read on stdin (demo issuer)
  pix review         list, accept or reject the links demographic matching proposed
  xds find PATIENT   list a patient's documents at a running HIE (ITI-18)
  xds get UNIQUEID   retrieve one document's bytes from a running HIE (ITI-43) into --out FILE
  audit patient ID   who has seen a patient's records: the patient access report (ATNA)
  consent ACTION P   a patient's consent given at a desk: show, set, withhold, revoke, history
  console-user add N a local account of the web console (/console); the password on stdin
  disaster ACTION    declare, list or end a disaster (emergency access for an area)
  certs [NODE...]    make a demo CA and node certificates for TLS with client certificates
  demo-regions       three regional servers on loopback that reach each other through XCA

Run 'hie COMMAND --help' for the options of a command.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'send':
      return send(rest);
    case 'ingest':
      return ingest(rest);
    case 'ssmix':
      return ssmix(rest);
    case 'token':
      return token(rest);
    case 'audit':
      return audit(rest);
    case 'certs':
      return certs(rest);
    case 'consent':
      return consent(rest);
    case 'console-user':
      return consoleUser(rest);
    case 'disaster':
      return disaster(rest);
    case 'demo-regions':
      return demoRegions(rest);
    case 'xds':
      return xds(rest);
    case 'pix':
      if (rest[0] === 'review') return pixReview(rest.slice(1));
      process.stdout.write(pixReviewHelp);
      return rest[0] === '--help' || rest[0] === '-h' ? 0 : 2;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(help);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`hie: unknown command '${command}'\n\n${help}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`hie: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`hie: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
