/** The run id lives in contracts/ now, where control/ can reach it too; the trigger's importers keep this path. */
export { runIdFor } from '../contracts/run-id.js';
