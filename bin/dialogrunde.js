#!/usr/bin/env node
// Plain JavaScript on purpose: it must run (and explain itself) on an old Node
// before loading the TypeScript sources, which Node >= 22.13 runs directly.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `dialogrunde needs Node.js 22.13 or newer (24 LTS recommended); this is ${process.version}.\n`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
