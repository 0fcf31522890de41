"""threadpool: the URLs fetched by concurrent.futures.ThreadPoolExecutor and
urllib (the pool of chapter 03, as in the talk that opens the book). Its
default max_workers, min(32, cores + 4) since Python 3.8, would make 1000
pages of 1 s take 1000 / 32 s: --workers sets it, one per URL by default.
Left out: retries."""
import concurrent.futures
import sys
import urllib.request

import peer


def load(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


def main():
    args, urls, t0 = peer.start("threadpool", "Fetch with a ThreadPoolExecutor.", workers=True)
    results = [None] * len(urls)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers or max(1, len(urls))) as pool:
        futures = {pool.submit(load, url, args.timeout): i for i, url in enumerate(urls)}
        for future in concurrent.futures.as_completed(futures):
            try:
                results[futures[future]] = future.result()
            except Exception as e:        # each failure is reported, none stops the rest
                results[futures[future]] = e
    return peer.finish("threadpool", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
