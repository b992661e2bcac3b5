"""MariaDB goes away and comes back. The database_outage fixture (conftest.py) starts it again
and waits for it whatever happens, so this module may run anywhere in the suite.

/healthz says so with a 503, pages that need no database still answer, and when the server is
back the same workers reconnect by themselves."""

import requests

from helpers import BASE_URL, TIMEOUT, wait_until, worker_pids


def healthz():
    try:
        r = requests.get(BASE_URL + "/healthz", verify=False, timeout=TIMEOUT)
    except requests.RequestException as e:
        return None, str(e)
    try:
        body = r.json()
    except ValueError:
        body = r.text[:200]
    return r.status_code, body


def test_database_gone_and_back(session, workers, database_outage):
    database_outage.stop()

    def reports_down():
        status, body = healthz()
        return status == 503 and isinstance(body, dict) and body.get("database") is False \
            and (status, body)
    status, body = wait_until(reports_down, timeout=20, what="/healthz 503 without database")
    assert body.get("status") != "ok"

    r = session.get("/")
    assert r.status_code == 200, "the landing page needs no database"
    r = session.get("/no-such-page")
    assert r.status_code == 404
    database_outage.start()

    def reports_up():
        status, body = healthz()
        return status == 200 and isinstance(body, dict) and body.get("database") is True
    wait_until(reports_up, timeout=30, what="/healthz 200 after the database came back")
    # Every worker answers again: more requests than workers, all 200.
    for _ in range(3 * len(workers)):
        assert healthz()[0] == 200
    assert worker_pids() == workers, "workers must reconnect, not die"
