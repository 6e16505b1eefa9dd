"""Background execution of approved requests on huey, a durable job queue.

Why huey: it is small, well kept, and has both brokers we need behind one API: SQLite for the
embedded default (a file in the data directory, so a job survives a restart) and Redis for
production, where N ``dataskydd worker`` processes on N machines take jobs from one queue.
The queue only carries request ids: everything a request needs lives in the app store, so a
request that waits weeks for approval depends on no cache and no message's expiry.
"""
