"""twisted_agent: the URLs fetched by Twisted's Agent on its reactor, a
Deferred per URL (chapters 07 and 08, the originals). The Agent's default
pool keeps no connection open and sets no cap. Needs python3-twisted.
Left out: retries, redirects."""
import sys
import warnings

from twisted.internet import defer, task
from twisted.web.client import Agent, readBody

import peer

# Twisted 22.4 warns that its own HTTP/1.0 transport lacks abortConnection.
warnings.filterwarnings("ignore", message="Using readBody with a transport")


def load(agent, url, timeout):
    d = agent.request(b"GET", url.encode())

    def body(answer):
        if answer.code != 200:
            raise OSError(f"status {answer.code}")
        return readBody(answer)

    d.addCallback(body)
    return d


@defer.inlineCallbacks
def fetch_all(reactor, args, urls, out):
    agent = Agent(reactor, connectTimeout=args.timeout)
    ds = [load(agent, u, args.timeout) for u in urls]
    for d in ds:
        d.addTimeout(args.timeout, reactor)
    results = yield defer.DeferredList(ds, consumeErrors=True)
    out.extend(value if ok else value.value for ok, value in results)


def main():
    args, urls, t0 = peer.start("twisted", "Fetch with Twisted's Agent, a Deferred per URL.")
    results = []
    try:
        task.react(fetch_all, (args, urls, results))
    except SystemExit as e:
        if e.code:
            return e.code
    return peer.finish("twisted", args, urls, results, t0)


if __name__ == "__main__":
    sys.exit(main())
