/**
 * The promise forms of the `node:fs` calls the copy makes, made from fs's callback functions.
 * `node:fs/promises` is the usual home of these, but requiring it loads the file-handle
 * machinery behind it (readline, the watchers, directory handles): ~0.5 ms of a command
 * whose whole run, for a few large files, is ~150 ms. The calls are the same system calls.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

/** `fs.promises.copyFile`. */
export const copyFile = promisify(fs.copyFile);
/** `fs.promises.chmod`. */
export const chmod = promisify(fs.chmod);
/** `fs.promises.lstat`. */
export const lstat = promisify(fs.lstat);
/** `fs.promises.lutimes`. */
export const lutimes = promisify(fs.lutimes);
/** `fs.promises.mkdir`. */
export const mkdir = promisify(fs.mkdir);
/** `fs.promises.readdir`. */
export const readdir = promisify(fs.readdir);
/** `fs.promises.readlink`. */
export const readlink = promisify(fs.readlink);
/** `fs.promises.realpath`: one `realpath(3)` call, as there (`fs.realpath` itself walks the path in JavaScript). */
export const realpath = promisify(fs.realpath.native);
/** `fs.promises.rename`. */
export const rename = promisify(fs.rename);
/** `fs.promises.stat`. */
export const stat = promisify(fs.stat);
/** `fs.promises.symlink`. */
export const symlink = promisify(fs.symlink);
/** `fs.promises.unlink`. */
export const unlink = promisify(fs.unlink);
/** `fs.promises.utimes`. */
export const utimes = promisify(fs.utimes);
