"""asyncio_streams: the URLs fetched by one asyncio event loop with the
standard library's streams (open_connection), a coroutine per URL: chapter
10's coroutines on chapter 07's reactor, in Python. Nothing to install.
Left out: chunked bodies and redirects (the slow server sends neither)."""
import asyncio
import sys
import urllib.parse

import peer


async def load(url, timeout):
    u = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(u.hostname, u.port or 80), timeout)
    try:
        path = u.path + ("?" + u.query if u.query else "")
        writer.write(f"GET {path or '/'} HTTP/1.0\r\nHost: {u.netloc}\r\n\r\n".encode())
        answer = await asyncio.wait_for(reader.read(), timeout)   # to the server's close
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1] if head.count(b" ") >= 1 else b"?"
    if status != b"200":
        raise OSError(f"status {status.decode(errors='replace')}")
    return body


async def fetch_all(urls, timeout):
    return await asyncio.gather(*(load(u, timeout) for u in urls), return_exceptions=True)


def main():
    args, urls, t0 = peer.start("asyncio", "Fetch with asyncio streams, a coroutine per URL.")
    results = asyncio.run(fetch_all(urls, args.timeout))
    return peer.finish("asyncio", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
