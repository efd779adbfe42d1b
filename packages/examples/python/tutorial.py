"""The Python side of the "Coming from Python" guide: the seed tutorial's APIs, one region each."""
import multiprocessing as mp
import os
import queue


def greet(greeting):
    print(greeting, os.getpid())


def square(x):
    return x * x


def main():
    #region process
    p = mp.Process(target=greet, args=("Hello",))
    p.start()
    p.join()
    #endregion process

    #region queue
    q = mp.Queue(maxsize=2)
    q.put(1)
    q.put(2)
    full = q.full()
    size = q.qsize()  # not implemented on macOS
    try:
        q.put_nowait(3)
    except queue.Full:
        pass
    first = q.get()
    try:
        second = q.get_nowait()
    except queue.Empty:  # possible even now: put() returns before a feeder thread writes the item
        second = q.get()
    empty = q.empty()
    #endregion queue

    #region manager
    with mp.Manager() as manager:
        shared = manager.Queue()
        shared.put("Hello, queue!")
        received = shared.get()
    #endregion manager

    #region pool
    pool = mp.Pool(3)
    later = pool.apply_async(square, (4,))
    mapped = pool.map(square, [1, 2, 3])
    pool.close()
    pool.join()
    #endregion pool
    return full, size, first, second, empty, received, later.get(), mapped


if __name__ == "__main__":
    print(main())
