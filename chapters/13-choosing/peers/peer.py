"""peer: what the Python peers share. The command line (the URLs on stdin,
one a line; --save DIR; --timeout S; --workers N for the pools) and the
summary line of the book's fetchers, "NAME: N fetched, F failed, B bytes in
T s", so that ../compare reads a peer as it reads chapters/*/fetch.
Left out: the result table and the timeline of the book's fetchers."""
import argparse
import os
import sys
import time


def start(name, about, workers=False):
    """Parses the command line; returns (args, urls, t0)."""
    p = argparse.ArgumentParser(prog=name, description=about + " URLs on stdin, one a line.")
    p.add_argument("--save", metavar="DIR", help="write the bodies to DIR/1, DIR/2, ... (URL order)")
    p.add_argument("--timeout", type=float, default=60, metavar="S", help="per page (default 60)")
    if workers:
        p.add_argument("--workers", type=int, default=0, metavar="N",
                       help="threads in the pool (default: one per URL)")
    args = p.parse_args()
    urls = [line.strip() for line in sys.stdin if line.strip()]
    return args, urls, time.monotonic()


def finish(name, args, urls, results, t0):
    """results[i]: the body (bytes) of urls[i], or an Exception. Prints the
    failures on stderr and the summary on stdout; returns the exit status."""
    wall = time.monotonic() - t0
    failed = 0
    for i, (url, r) in enumerate(zip(urls, results), 1):
        if isinstance(r, BaseException) or r is None:
            failed += 1
            print(f"{name}: {url}: {r!r}", file=sys.stderr)
        elif args.save:
            with open(os.path.join(args.save, str(i)), "wb") as f:
                f.write(r)
    size = sum(len(r) for r in results if isinstance(r, bytes))
    print(f"{name}: {len(urls) - failed} fetched, {failed} failed, {size} bytes in {wall:.3f} s")
    return 1 if failed else 0
