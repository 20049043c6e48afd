import { userInfo } from 'node:os';

/** Who runs this CLI, as the OS says, else $USER: the name in `cli:<user>` and in the Temporal identity. */
export function osUserName(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers).
  }
  return user || process.env.USER || 'unknown';
}
