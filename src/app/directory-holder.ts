/**
 * Holds the effective Directory: the last good dialplan-file parts merged with the store's parts,
 * validated as a whole and swapped in atomically. A rebuild that fails (broken edit, conflicting AXL
 * write) is logged and the previous snapshot stays live — nothing is lost.
 */
import {
  buildDirectory,
  composeDirectory,
  formatDialplanError,
  type DialplanError,
  type Directory,
  type DirectoryParts,
  type LocateFn,
} from '../core/index.js';
import type { Logger } from './logger.js';

export type DirectoryListener = (directory: Directory) => void;

export class DirectoryHolder {
  private fileParts: DirectoryParts;
  private locate: LocateFn | undefined;
  private current: Directory;
  private readonly listeners: DirectoryListener[] = [];

  /** Throws when the initial merge is invalid: the gateway must not start on a broken directory. */
  constructor(
    fileParts: DirectoryParts,
    private readonly loadStoreParts: () => DirectoryParts,
    private readonly logger: Logger,
    locate?: LocateFn,
  ) {
    this.fileParts = fileParts;
    this.locate = locate;
    const result = composeDirectory(fileParts, loadStoreParts(), locate);
    if (!result.ok) throw new Error(`directory is invalid:\n${result.errors.map(formatDialplanError).join('\n')}`);
    this.current = buildDirectory(result.parts, 1);
  }

  get directory(): Directory {
    return this.current;
  }

  onReplaced(listener: DirectoryListener): void {
    this.listeners.push(listener);
  }

  /** New dialplan-file parts arrived (hot reload). Returns the errors, empty when applied. */
  replaceFileParts(parts: DirectoryParts, locate?: LocateFn): readonly DialplanError[] {
    const errors = this.swap(parts, locate);
    if (errors.length === 0) {
      this.fileParts = parts;
      this.locate = locate;
    }
    return errors;
  }

  /** The store changed (AXL write, import, sync). Returns the errors, empty when applied. */
  storeChanged(): readonly DialplanError[] {
    return this.swap(this.fileParts, this.locate);
  }

  private swap(fileParts: DirectoryParts, locate: LocateFn | undefined): readonly DialplanError[] {
    const result = composeDirectory(fileParts, this.loadStoreParts(), locate);
    if (!result.ok) {
      this.logger.error('directory change rejected; the last good directory stays live', {
        errors: result.errors.map(formatDialplanError),
      });
      return result.errors;
    }
    this.current = buildDirectory(result.parts, this.current.generation + 1);
    this.logger.info('directory replaced', { generation: this.current.generation });
    for (const listener of this.listeners) listener(this.current);
    return [];
  }
}
