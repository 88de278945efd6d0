/**
 * Remembers, for every object the loader builds, which file and YAML path it came from, and
 * answers the core's `LocateFn` with `file:line:col` of a field inside that object.
 */
import type { FieldPath, LocateFn, Origin } from '../../core/index.js';
import { positionInSource, type DialplanSource } from './yaml-source.js';

interface SourceRef {
  readonly src: DialplanSource;
  readonly path: FieldPath;
}

export class SourceLocator {
  private readonly refs = new WeakMap<object, SourceRef>();

  /** Records that `obj` was built from the node at `path` of `src`; returns `obj`. */
  register<T extends object>(obj: T, src: DialplanSource, path: FieldPath): T {
    this.refs.set(obj, { src, path });
    return obj;
  }

  /** Origin of the node at `path` (file and line of its first token). */
  origin(src: DialplanSource, path: FieldPath): Origin {
    return { kind: 'file', file: src.file, line: positionInSource(src, path).line };
  }

  /** The core's position callback. */
  readonly locate: LocateFn = (obj, path) => {
    const ref = this.refs.get(obj);
    return ref ? positionInSource(ref.src, [...ref.path, ...path]) : undefined;
  };
}
