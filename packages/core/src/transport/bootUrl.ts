import { ownFile } from '../ownFile.js';

/**
 * The bootstrap every thread and process host starts with. It is plain JavaScript so that
 * Node can load it before any loader (such as tsx) is in place.
 * @internal
 */
export const bootUrl = ownFile(import.meta.url, 'boot.mjs', './dist/transport/boot.mjs');
