"""Reads from several threads while one thread writes see whole updates only."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

import identigraph as ig


def _frame(start: int, n: int) -> pd.DataFrame:
    ids = np.arange(start, start + n)
    return pd.DataFrame(
        {
            "rid": ids,
            "email": [f"user{i}@mail.com" for i in ids],
            "cookie_id": [f"ck{i // 2}" for i in ids],
        }
    )


def test_readers_see_every_existing_record_while_a_writer_grows_the_indexes() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    g.add(_frame(0, 2_000), source="web", id="rid")
    expected = {i: g.person_of("web", i) for i in range(0, 2_000, 97)}
    emails = {i: f"USER{i}@mail.com " for i in expected}
    wrong: list[str] = []
    reads = [0]
    done = threading.Event()

    def writer() -> None:
        # 70,000 new values push the value indexes past a 65,536-key shard.
        for start in range(2_000, 37_000, 5_000):
            g.add(_frame(start, 5_000), source="web", id="rid")
        done.set()

    def reader() -> None:
        while not done.is_set() or reads[0] < 200:
            for i, person in expected.items():
                # Persons only grow here: an old record's id may change by a merge
                # only if a new record shares its values, which none does.
                if g.lookup(email=emails[i]) != person:
                    wrong.append(f"lookup {i}")
                if g.person_of("web", i) != person:
                    wrong.append(f"person_of {i}")
                reads[0] += 1

    threads = [
        threading.Thread(target=writer),
        *(threading.Thread(target=reader) for _ in range(3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reads[0] >= 200
    assert wrong == []
    assert len(g) == 37_000
    g.check_invariants()


def test_readers_starting_on_a_staged_bulk_load_agree_with_one_resolution() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    g.add(_frame(0, 20_000), source="web", id="rid")  # staged: the first read resolves
    answers: list[int] = []
    lock = threading.Lock()

    def reader() -> None:
        found = [g.person_of("web", i) for i in range(0, 20_000, 1_000)]
        with lock:
            answers.append(hash(tuple(found)))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1
    reference = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    reference.add(_frame(0, 20_000), source="web", id="rid")
    assert hash(tuple(reference.person_of("web", i) for i in range(0, 20_000, 1_000))) == answers[0]
