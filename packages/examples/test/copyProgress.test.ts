// multitask-copy's progress: the line it draws, and how often it draws it.
import { describe, expect, it } from 'vitest';
import { formatProgress } from '../src/copy/progress.js';
import { Screen } from '../src/copy/screen.js';

const MB = 1024 * 1024;

describe('the progress of multitask-copy', () => {
  it('formats progress: files and bytes of the totals, rate and time left', () => {
    expect(formatProgress({ files: 10, bytes: 5 * MB, skipped: 0, passedBytes: 0, totalFiles: 20, totalBytes: 10 * MB }, 2)).toBe(
      '[##########----------]  50% 10/20 files, 5.0 MB/10.0 MB, 2.5 MB/s, ETA 2s',
    );
  });

  it('counts skipped files as done but not as copied: the rate is that of the bytes copied', () => {
    expect(formatProgress({ files: 10, bytes: 1 * MB, skipped: 8, passedBytes: 4 * MB, totalFiles: 20, totalBytes: 10 * MB }, 2)).toBe(
      '[##########----------]  50% 10/20 files (8 skipped), 5.0 MB/10.0 MB, 512.0 KB/s, ETA 10s',
    );
    expect(formatProgress({ files: 2, bytes: 0, skipped: 2, passedBytes: 10 * MB, totalFiles: 2, totalBytes: 10 * MB }, 1)).toMatch(/ 100% 2\/2 files \(2 skipped\), .*, ETA 0s$/);
  });

  it('draws a state at once, then at most once a second in a log and every 100 ms on a terminal', () => {
    let now = 0;
    const written: string[] = [];
    const log = new Screen('lines', (text) => written.push(text), () => now);
    log.update('a');
    now = 999;
    log.update('b');
    now = 1000;
    log.update('c');
    log.show('c'); // the same state: not twice
    log.show('d');
    log.say('done');
    expect(written).toEqual(['a\n', 'c\n', 'd\n', 'done\n']);

    written.length = 0;
    const terminal = new Screen('bar', (text) => written.push(text), () => now);
    terminal.update('a');
    now += 50;
    terminal.update('b');
    now += 50;
    terminal.update('c');
    terminal.end();
    terminal.say('done');
    expect(written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kc', '\n', '\r\x1b[2Kdone\n']);

    const quiet = new Screen('none', (text) => written.push(text), () => now);
    quiet.show('x');
    quiet.say('y');
    expect(written).toHaveLength(4);
  });
});
