"""aiohttp_fetch: the URLs fetched by aiohttp on one asyncio event loop, a
coroutine per URL. aiohttp's connector holds at most 100 connections at
once by default (TCPConnector(limit=100)): here limit=0, no cap, so that
1000 pages of 1 s are not 10 waves. Needs python3-aiohttp.
Left out: retries."""
import asyncio
import sys

import aiohttp

import peer


async def load(session, url):
    async with session.get(url) as answer:
        if answer.status != 200:
            raise OSError(f"status {answer.status}")
        return await answer.read()


async def fetch_all(urls, timeout):
    connector = aiohttp.TCPConnector(limit=0)
    limits = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=limits) as session:
        return await asyncio.gather(*(load(session, u) for u in urls), return_exceptions=True)


def main():
    args, urls, t0 = peer.start("aiohttp", "Fetch with aiohttp, a coroutine per URL.")
    results = asyncio.run(fetch_all(urls, args.timeout))
    return peer.finish("aiohttp", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
