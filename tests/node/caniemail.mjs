// Prints what caniemail's data says about an email, as JSON: node caniemail.mjs FILE CLIENT_GLOB...
import { readFileSync } from 'node:fs';
import { doIUseEmail } from '@jsx-email/doiuse-email';

const [file, ...clients] = process.argv.slice(2);
const result = doIUseEmail(readFileSync(file, 'utf8'), { emailClients: clients });
process.stdout.write(JSON.stringify(result));
