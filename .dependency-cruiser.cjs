/**
 * The direction of dependencies in src/ (../shared/design/ARCHITECTURE.md), checked in `npm test`
 * (test/architecture.test.ts) and by `npm run lint:deps`:
 *
 *   cli -> server -> profiles and edges (pix, pdq, xds transactions, xca, atna, ingest, ssmix, mhd,
 *   iua, console) -> services
 *   (identity, consent, audit, xds registry and repository) -> store; codecs and transports (hl7v2,
 *   soap, ebxml, xml, fhir) and the shared kernel depend on nothing above them, but for the protocol
 *   edges (EDGES), which may use the consent, audit and identity services.
 */
const CODECS = '^src/(hl7v2|soap|ebxml|xml|fhir)/';
/**
 * The protocol edges inside the codec folders (HL7 v2 endpoint, the FHIR faces' src/fhir/edge): where a request's context is made and checked, and
 * typed errors (AccessDenied, the services' errors) become the protocol's answer and are audited.
 */
const EDGES = '^src/(hl7v2/(endpoint|transaction)\\.ts$|fhir/edge/)';
const SERVICES = '^src/(identity|consent|audit|xds/registry|xds/repository)/';
const PROFILES = '^src/(pix|pdq|xds|xca|atna|ingest|ssmix|mhd|iua|console)/';

module.exports = {
  forbidden: [
    {
      name: 'kernel-is-the-bottom',
      comment: 'src/kernel is what every layer may use: it uses nothing of the project but itself',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'codecs-use-only-codecs-and-kernel',
      comment: 'codecs and transports never import services, profiles, the store or the server',
      severity: 'error',
      from: { path: CODECS, pathNot: ['\\.test\\.ts$', EDGES] },
      to: { path: '^src/', pathNot: [CODECS, '^src/kernel/'] },
    },
    {
      name: 'edges-use-services-not-profiles',
      comment: 'a protocol edge may use the consent, audit and identity services, never a profile, the store or the server',
      severity: 'error',
      from: { path: EDGES },
      to: { path: '^src/', pathNot: [CODECS, '^src/kernel/', '^src/(consent|audit|identity)/'] },
    },
    {
      name: 'only-cli-imports-server',
      comment: 'src/server is the top: assembled by the cli, imported by nothing else',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server/', '^src/cli/', '\\.test\\.ts$'] },
      to: { path: '^src/server/' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'services-do-not-import-profiles',
      comment: 'services (identity, consent, audit, registry, repository) know no transaction, socket or wire format',
      severity: 'error',
      from: { path: SERVICES, pathNot: '\\.test\\.ts$' },
      // The exceptions are data and codecs that live beside their profile: the XDS profile table, and
      // the DICOM audit message reader and syslog formatter the Secure Node shares with the repository.
      to: { path: PROFILES, pathNot: ['^src/xds/(registry|repository)/', '^src/xds/transactions\\.ts$', '^src/atna/(dicom|syslog)/', '^src/atna/asciiDigits\\.ts$'] },
    },
    {
      name: 'store-is-below-services',
      comment: 'the store speaks the domain: it may use domain types, never services, profiles or codecs',
      severity: 'error',
      from: { path: '^src/store/', pathNot: '\\.(test|suite)\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/store/', '^src/kernel/', '^src/identity/types\\.ts$', '^src/consent/model\\.ts$', '^src/xds/registry/(entries|metadata)\\.ts$', '^src/ebxml/rim\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|var)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs'] },
  },
};
