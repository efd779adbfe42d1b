"""Baseline for pool.map.python: Pool(2).map of a tiny function over N integers with the
default chunksize, on a pool already started. Prints items/s per round as JSON."""
import json
import multiprocessing as mp
import sys
import time


def square(x):
    return x * x


def main():
    n = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rates = []
    with mp.Pool(2) as pool:
        pool.map(square, range(1000))  # warm
        for _ in range(rounds):
            t0 = time.perf_counter()
            result = pool.map(square, range(n))
            rates.append(len(result) / (time.perf_counter() - t0))
    print(json.dumps({"rates": rates}))


if __name__ == "__main__":
    main()
