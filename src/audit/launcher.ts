/** Who started this process, for the Application Launcher participant of audit messages. */
import os from 'node:os';

export function launcherName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
