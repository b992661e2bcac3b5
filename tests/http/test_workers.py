"""The prefork master under load: a worker killed with SIGKILL is replaced, and SIGHUP replaces
every worker one by one without failing a request."""

import os
import signal
import threading
import time

import requests

from helpers import _ppid_and_state, configured_workers, master_pid, new_client, wait_until, worker_pids


PATHS = ("/", "/healthz")


class Load:
    """Threads sending GET requests through nginx, bounded in count and time.

    Each thread sends at least `min_requests`, then goes on until stop() (at most
    `max_requests`); every answer other than 200 or any transport error is a failure.
    """

    def __init__(self, threads=4, min_requests=150, max_requests=2000, time_limit=90):
        self.min_requests = min_requests
        self.max_requests = max_requests
        self.deadline = time.monotonic() + time_limit
        self.lock = threading.Lock()
        self.done = 0
        self.failures = []
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        with new_client() as client:
            for i in range(self.max_requests):
                if i >= self.min_requests and self._stop.is_set():
                    break
                if time.monotonic() > self.deadline:
                    break
                path = PATHS[i % len(PATHS)]
                try:
                    r = client.get(path)
                    failure = None if r.status_code == 200 else f"{path}: {r.status_code}"
                except requests.RequestException as e:
                    failure = f"{path}: {type(e).__name__}: {e}"
                with self.lock:
                    self.done += 1
                    if failure:
                        self.failures.append(failure)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()

    def join(self):
        self.stop()
        for t in self.threads:
            t.join(timeout=max(1.0, self.deadline - time.monotonic() + 5))
        assert not any(t.is_alive() for t in self.threads), "load threads did not finish"

    def wait_for(self, n):
        wait_until(lambda: self.done >= n, timeout=30, what=f"{n} requests done")


def all_succeed(n=20):
    with new_client() as client:
        return [client.get(PATHS[i % 2]).status_code for i in range(n)] == [200] * n


def test_killed_worker_is_replaced_under_load(workers):
    master = master_pid()
    victim = workers[0]
    load = Load(threads=4, min_requests=100).start()
    try:
        load.wait_for(40)
        os.kill(victim, signal.SIGKILL)
        # The master reaps the dead worker (no zombie left) and forks a new one.
        wait_until(lambda: _ppid_and_state(victim)[0] != master, timeout=10,
                   what=f"killed worker {victim} reaped")
        wait_until(lambda: len(worker_pids()) == configured_workers(), timeout=15,
                   what=f"{configured_workers()} workers again")
        load.wait_for(load.done + 40)
    finally:
        load.join()
    after = worker_pids()
    assert victim not in after
    assert set(workers) - {victim} <= set(after), "only the killed worker may be replaced"
    assert master_pid() == master
    # At most the requests the killed worker held (one, maybe two) may fail.
    assert len(load.failures) <= 2, load.failures
    assert all_succeed()


def test_sighup_replaces_every_worker_without_failing_a_request(workers):
    master = master_pid()
    load = Load(threads=4, min_requests=150).start()
    try:
        load.wait_for(40)
        os.kill(master, signal.SIGHUP)
        wait_until(lambda: (lambda now: len(now) == configured_workers()
                            and not set(now) & set(workers))(worker_pids()),
                   timeout=60, what="every worker replaced after SIGHUP")
        # Keep the load on a little past the last replacement.
        load.wait_for(load.done + 40)
    finally:
        load.join()
    assert load.failures == [], load.failures[:10]
    assert load.done >= 4 * 150
    assert master_pid() == master
    assert all_succeed()
