/**
 * Znode path rules, as ZooKeeper's PathUtils and PrepRequestProcessor apply
 * them. JS strings are UTF-16 like Java's, so the character ranges below are
 * the same code units PathUtils checks.
 */

/**
 * PathUtils.validatePath: the IllegalArgumentException message ZooKeeper
 * would throw, or null when the path is valid. A sequential create validates
 * `path + "1"` because the server appends the counter (PathUtils.validatePath(String, boolean)).
 */
export function validatePath(path: string, isSequential: boolean): string | null {
  return validateFullPath(isSequential ? `${path}1` : path);
}

function validateFullPath(path: string): string | null {
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  const reason = invalidCharacterReason(path);
  return reason === null ? null : `Invalid path string "${path}" caused by ${reason}`;
}

function invalidCharacterReason(path: string): string | null {
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    const atEnd = i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f;
    if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && atEnd) return `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && atEnd) return `relative paths not allowed @${i}`;
    } else if (
      (c > 0 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

/**
 * The name PrepRequestProcessor gives a sequential node:
 * `path + String.format(Locale.ENGLISH, "%010d", parentCVersion)`, where the
 * counter is the parent's persisted cversion (creates only) and, being a Java
 * int, goes negative after 2^31 creates ("-000000001").
 */
export function sequentialName(path: string, counter: number): string {
  const value = counter | 0;
  if (value < 0) {
    const digits = String(-value);
    return `${path}-${digits.padStart(9, '0')}`;
  }
  return `${path}${String(value).padStart(10, '0')}`;
}

/** Parent of a valid non-root path ("/a/b" → "/a", "/a" → "/"). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Last component of a valid non-root path. */
export function childName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Full path of `name` under `parent`. */
export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
