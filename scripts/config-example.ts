// `npm run config:example`: writes config.example.yaml at the repository root from config/schema.ts.
// Run it after changing a setting or its description; test/unit/config-example.test.ts fails until then.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigExample } from '../config/example.ts';

const file = join(import.meta.dirname, '..', 'config.example.yaml');
writeFileSync(file, renderConfigExample());
process.stdout.write(`wrote ${file}\n`);
