import { readCustomerSheet } from './dist/sheet/index.js';
for (let k = 0; k < 20; k++) { let n = 0; for await (const item of readCustomerSheet('/tmp/sheetprobe/big.xlsx')) { if (++n > 5) break; } }
await new Promise(r => setTimeout(r, 200));
const fds = (await import('node:fs')).readdirSync('/proc/self/fd').length;
console.log('fds open', fds, 'handles', process._getActiveHandles().map(h => h.constructor.name));
