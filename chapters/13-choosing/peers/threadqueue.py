"""threadqueue: the URLs fetched the way the talk that opens the book does
it: a ThreadQueue that starts a thread per task (run) and joins it when
the result is wanted (get): chapter 02's thread per request, in Python.
Left out: a cap on the threads (there is none, as in the talk)."""
import sys
import threading
import urllib.request

import peer


class ThreadQueue:
    """run(name, fn, *args) starts fn in a new thread; get(name) waits for
    it and returns its result, or raises what it raised."""

    def __init__(self):
        self._threads, self._results = {}, {}

    def run(self, name, fn, *args):
        t = threading.Thread(target=self._call, args=(name, fn, args))
        self._threads[name] = t
        t.start()

    def get(self, name):
        self._threads.pop(name).join()
        result = self._results.pop(name)
        if isinstance(result, Exception):
            raise result
        return result

    def _call(self, name, fn, args):
        try:
            self._results[name] = fn(*args)
        except Exception as e:
            self._results[name] = e


def load(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


def main():
    args, urls, t0 = peer.start("threadqueue", "Fetch with a thread per URL (ThreadQueue).")
    tq = ThreadQueue()
    for i, url in enumerate(urls):
        tq.run(i, load, url, args.timeout)
    results = []
    for i in range(len(urls)):
        try:
            results.append(tq.get(i))
        except Exception as e:
            results.append(e)
    return peer.finish("threadqueue", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
