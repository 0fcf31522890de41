"""gevent_fetch: the URLs fetched by urllib under gevent: monkey-patching
makes the blocking socket calls switch greenlets, a greenlet per URL, on one
thread and gevent's event loop (libev): chapter 09's cooperative tasks with
the yields hidden in the library. Needs python3-gevent.
Left out: retries."""
from gevent import monkey

monkey.patch_all()   # before anything imports socket

import sys              # noqa: E402
import urllib.request   # noqa: E402

import gevent           # noqa: E402

import peer             # noqa: E402


def load(url, timeout):
    """The body, or the exception (returned: a greenlet that raises prints it)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.read()
    except Exception as e:
        return e


def main():
    args, urls, t0 = peer.start("gevent", "Fetch with gevent, a greenlet per URL.")
    greenlets = [gevent.spawn(load, u, args.timeout) for u in urls]
    gevent.joinall(greenlets)
    results = [g.value for g in greenlets]
    return peer.finish("gevent", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
