// Run by `npm test` before the suite: makes sure the system programs the tests drive are
// there. As root with apt-get it installs what is missing; otherwise it stops and prints the
// exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Requirement { debianPackage: string; binaries: string[]; why: string }

const REQUIREMENTS: Requirement[] = [
  { debianPackage: 'ffmpeg', binaries: ['/usr/bin/ffmpeg', '/usr/bin/ffprobe'], why: 'publishers, transcoding and ffprobe checks' },
  { debianPackage: 'chromium', binaries: ['/usr/bin/chromium'], why: 'browser end-to-end tests (playwright-core)' },
  { debianPackage: 'prosody', binaries: ['/usr/bin/prosody'], why: 'XMPP chat bridge tests' },
];

function missingPackages(): Requirement[] {
  return REQUIREMENTS.filter((requirement) => !requirement.binaries.every((binary) => existsSync(binary)));
}

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

const missing = missingPackages();
if (missing.length > 0) {
  const names = missing.map((requirement) => requirement.debianPackage);
  const installLine = `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;
  for (const requirement of missing) console.log(`test prerequisite missing: ${requirement.debianPackage} (${requirement.why})`);
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`\nInstall them first, as root:\n  ${installLine}\n`);
    process.exit(1);
  }
  console.log(`installing: ${names.join(' ')}`);
  // --no-install-recommends keeps the download small; chromium still pulls its fonts.
  const ok = run('apt-get', ['update', '-qq']) &&
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names]);
  const stillMissing = missingPackages();
  if (!ok || stillMissing.length > 0) {
    console.error(`\ncould not install ${stillMissing.map((r) => r.debianPackage).join(' ')}; run:\n  ${installLine}\n`);
    process.exit(1);
  }
}
