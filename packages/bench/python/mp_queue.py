"""Baseline for channel.python: multiprocessing.Queue moving N small items from one
process to another (the same traffic as the multitask channel case). Prints items/s."""
import json
import multiprocessing as mp
import sys
import time

SENTINEL = None


def producer(q, start, n):
    start.wait()
    for i in range(n):
        q.put({"i": i, "tag": "bench"})
    q.put(SENTINEL)


def consumer(q, done):
    count = 0
    while q.get() is not SENTINEL:
        count += 1
    done.put(count)


def main():
    n = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rates = []
    for _ in range(rounds):
        q, done, start = mp.Queue(), mp.Queue(), mp.Event()
        procs = [mp.Process(target=producer, args=(q, start, n)), mp.Process(target=consumer, args=(q, done))]
        for p in procs:
            p.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        start.set()
        count = done.get()
        rates.append(count / (time.perf_counter() - t0))
        for p in procs:
            p.join()
    print(json.dumps({"rates": rates}))


if __name__ == "__main__":
    main()
