#!/usr/bin/env python3
"""Recomputes a Madoguchi lottery from its revealed seed and its canonical entries document
(docs/lottery.md), independently of the C implementation: Python's hashlib and hmac only.

    scripts/lottery_recompute.py SEED_HEX DOCUMENT_FILE [COMMITMENT]

prints the document's SHA-256 (the entries hash), whether SHA-256(seed) equals COMMITMENT when
given, and one line per entry: "<applicant>.<member> <ranks won, comma-separated, or ->".
`madoguchi lottery document --tenant SLUG --draw ID` writes the document of a draw."""
import hashlib
import hmac
import sys


def parse(doc):
    lines = doc.split("\n")
    assert lines[0] == "madoguchi-lottery-v1" and lines[-1] == "", "not a lottery document"
    items, entries = {}, []
    for line in lines[2:-1]:
        word = line.split(" ")
        if word[0] == "item":
            items[int(word[1])] = int(word[2])
        elif word[0] == "entry":
            applicant, member = (int(x) for x in word[1].split("."))
            choices = [[int(i) for i in c.split(",")] for c in word[3].split(";")]
            entries.append({"key": f"{applicant}.{member}", "max": int(word[2]), "choices": choices,
                            "won": [False] * len(choices)})
    return items, entries


def draw(seed, items, entries):
    left = dict(items)
    wins = [0] * len(entries)
    for rank in range(1, 11):
        having = [i for i, e in enumerate(entries) if len(e["choices"]) >= rank]
        if not having:
            break
        prio = {i: hmac.new(seed, f"{rank}:{entries[i]['key']}".encode(), hashlib.sha256).hexdigest()
                for i in having}
        for i in sorted(having, key=lambda i: (prio[i], i)):
            e = entries[i]
            if wins[i] >= e["max"]:
                continue
            bundle = e["choices"][rank - 1]
            already = {it for r in range(rank - 1) if e["won"][r] for it in e["choices"][r]}
            if all(left[it] > 0 and it not in already for it in bundle):
                for it in bundle:
                    left[it] -= 1
                e["won"][rank - 1] = True
                wins[i] += 1
    return entries


def main():
    seed = bytes.fromhex(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    print("entries hash", hashlib.sha256(raw).hexdigest())
    if len(sys.argv) > 3:
        print("commitment", "matches" if hashlib.sha256(seed).hexdigest() == sys.argv[3] else "DOES NOT MATCH")
    items, entries = parse(raw.decode("ascii"))
    for e in draw(seed, items, entries):
        ranks = ",".join(str(r + 1) for r, w in enumerate(e["won"]) if w)
        print(e["key"], ranks or "-")


if __name__ == "__main__":
    main()
