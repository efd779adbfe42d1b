import { describe, expect, it } from 'vitest';
import { fetchHorizon, RoundTrip, topUpBelow } from '../src/channel/linkWindow.js';

describe('channel windows sized to the link', () => {
  it('fetches for 2 ms of receiving between threads, and for two round trips to a distant owner', () => {
    expect(fetchHorizon(0.03)).toBe(2); // a thread: the fixed window covers it
    expect(fetchHorizon(25)).toBe(50); // another machine 25 ms away: the next batch is asked for in time
  });

  it('asks for credit at half the window, earlier when the last request took longer than half a window to come back, never past the window', () => {
    expect(topUpBelow(64, 0)).toBe(32);
    expect(topUpBelow(64, 30)).toBe(45);
    expect(topUpBelow(64, 500)).toBe(64);
  });

  it('follows the measured round trip as it changes, without one sample taking over', () => {
    const trip = new RoundTrip();
    expect(trip.ms).toBe(0);
    trip.sample(10);
    expect(trip.ms).toBe(10);
    trip.sample(20);
    expect(trip.ms).toBeCloseTo(12);
    trip.sample(Number.NaN);
    expect(trip.ms).toBeCloseTo(12);
  });
});
