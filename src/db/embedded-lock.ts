// PGlite is PostgreSQL in one process: two processes opening the same data folder would corrupt it.
// A lock file beside the folder (`<dataDir>.lock`, holding the owner's pid) makes the second one stop
// with a clear message instead. A lock left by a process that died is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { StartupError } from "../errors.ts";

/** Another live process holds the data folder (a running hub, most likely). */
export class DataDirInUseError extends StartupError {
  readonly holderPid: number;
  constructor(message: string, holderPid: number) {
    super(message);
    this.holderPid = holderPid;
  }
}

export interface EmbeddedLock {
  release(): void;
}

export function lockDataDir(dataDir: string): EmbeddedLock {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(lockPath, { force: true });
      process.once("exit", release);
      return {
        release() {
          process.off("exit", release);
          release();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `The embedded database in ${dataDir} is in use by process ${holder}: stop that process first, or set DATABASE_URL to share a PostgreSQL database between processes.`,
          holder,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new StartupError(`Could not take the lock ${lockPath}: remove it if no CX Hub process is running.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
