/** Regenerates docs/keywords.md from the keyword table: `npm run docs`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keywordReferenceMarkdown } from '../src/config/keyword-docs.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
fs.writeFileSync(path.join(root, 'docs/keywords.md'), keywordReferenceMarkdown());
