"""Cancel a slow query with psycopg2's conn.cancel() (a CancelRequest on its own connection), from another thread.

Usage: cancel_slow_query.py PORT SLOW_SQL. Prints one JSON object: the slow query's outcome (SQLSTATE and message,
or 'finished'), the order of events ('second answered' must come before 'slow done': a second connection is
served while the slow query runs), how many cancels were sent, and what `SELECT 1` on the same connection
answers afterwards. Cancels are repeated until the slow query ends, so one that arrives before the statement
starts (which PostgreSQL semantics ignore) does not make the run flaky; all have been delivered before SELECT 1.
"""
import json
import sys
import threading
import time

import psycopg2

port = int(sys.argv[1])
slow_sql = sys.argv[2]


def connect():
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="root", dbname="dev", sslmode="disable")
    conn.autocommit = True
    return conn


conn = connect()
other = connect()
events = []
lock = threading.Lock()
outcome = {}
done = threading.Event()


def note(event):
    with lock:
        events.append(event)


def run_slow():
    cur = conn.cursor()
    try:
        cur.execute(slow_sql)
        outcome["result"] = "finished"
    except psycopg2.Error as e:
        outcome["code"] = e.pgcode
        outcome["message"] = e.diag.message_primary
    note("slow done")
    done.set()


slow = threading.Thread(target=run_slow)
slow.start()
time.sleep(0.3)  # let the slow query reach the server; not an assertion
cur2 = other.cursor()
cur2.execute("SELECT 42")
answer = cur2.fetchone()[0]
note("second answered")
cancels = 0
while not done.is_set():
    conn.cancel()  # returns once the server has read the CancelRequest
    cancels += 1
    done.wait(0.2)
slow.join()
cur = conn.cursor()
cur.execute("SELECT 1")
after = cur.fetchone()[0]
print(json.dumps({**outcome, "events": events, "second_answer": answer, "cancels": cancels, "after": after}))
