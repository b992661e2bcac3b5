"""The core's verifiable lottery (core/commerce/lottery.c, docs/lottery.md) against the live
database: a draw with 500 entries is drawn by the job core.lottery at its close, `madoguchi
lottery verify` recomputes it and matches, an independent recomputation in Python
(scripts/lottery_recompute.py) gives the same results, the revealed seed hashes to the published
commitment, changing one stored entry (or one result) makes verify fail, and a win not confirmed
by its deadline (the job's clock moved past it) lapses and frees its item."""
import hashlib
import os
import random
import re
import subprocess
import time
import uuid

from helpers import ROOT, madoguchi, new_client, sql

ITEMS = 60


def utc_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def make_draw(tmp_path, entries=500):
    slug = f"lot-{uuid.uuid4().hex[:10]}"
    done = madoguchi("tenant", "create", "--slug", slug, "--name", "抽選テスト", "--modules", "tickets")
    assert done.returncode == 0, done.stderr
    done = madoguchi("lottery", "create", "--tenant", slug, "--owner", "rentals", "--kind", "rentals.block",
                     "--title", "大会議室 2027年2月分", "--items", str(ITEMS), "--period", "3600",
                     "--confirm-days", "7", "--max-choices", "3", "--max-wins", "2")
    assert done.returncode == 0, done.stderr
    draw = int(re.search(r"draw (\d+)", done.stdout).group(1))
    rng = random.Random(20261204)
    lines = []
    for i in range(entries):
        choices = []
        for _ in range(rng.randint(1, 3)):
            first = rng.randint(1, ITEMS)
            # a third of the choices are bundles of consecutive blocks (午後+夜間)
            bundle = [first, first + 1] if first < ITEMS and rng.random() < 0.33 else [first]
            choices.append(",".join(map(str, bundle)))
        # lessons-style family members: every tenth applicant also enters a child
        applicant, member = 5000 + i - i % 10 // 9, 1 if i % 10 == 9 else 0
        lines.append(f"{applicant} {member} {rng.randint(1, 2)} {';'.join(choices)}")
    path = tmp_path / "entries.txt"
    path.write_text("\n".join(lines) + "\n")
    done = madoguchi("lottery", "enter", "--tenant", slug, "--draw", str(draw), str(path))
    assert done.returncode == 0, done.stderr
    assert f"{entries} entries" in done.stdout
    return slug, draw


def closes_at(draw):
    return int(sql(f"SELECT UNIX_TIMESTAMP(closes_at) FROM lottery_draw WHERE id = {draw}").strip())


def results(draw):
    return sql(f"SELECT id, state, won FROM lottery_entry WHERE draw_id = {draw} ORDER BY id")


def test_a_draw_of_500_entries_is_verifiable_and_tampering_is_found(tmp_path):
    slug, draw = make_draw(tmp_path)
    # before the close: the commitment is public, the seed is not; staff cannot draw yet
    shown = madoguchi("lottery", "show", "--tenant", slug, "--draw", str(draw))
    assert shown.returncode == 0, shown.stderr
    commitment = re.search(r"sha256\(seed\) = ([0-9a-f]{64})", shown.stdout).group(1)
    assert re.search(r"^seed ", shown.stdout, re.M) is None and "revealed at the draw" in shown.stdout
    page = new_client().get(f"/{slug}/lottery/{draw}")
    assert page.status_code == 200
    assert commitment in page.text and "抽選時に公開します。" in page.text and 'id="lottery-results"' not in page.text
    early = madoguchi("lottery", "run", "--tenant", slug, "--draw", str(draw))
    assert early.returncode == 1 and "has not closed" in early.stderr
    # an applicant key enters once
    again = tmp_path / "again.txt"
    again.write_text("5000 0 1 1\n")
    twice = madoguchi("lottery", "enter", "--tenant", slug, "--draw", str(draw), str(again))
    assert twice.returncode == 1, twice.stdout

    # the job draws it at its close, once
    at = closes_at(draw) + 60
    run = madoguchi("jobs", "run", "core.lottery", "--now", utc_iso(at))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "drew 1 lottery" in run.stdout, run.stdout
    first = results(draw)
    rerun = madoguchi("jobs", "run", "core.lottery", "--now", utc_iso(at + 60))
    assert "drew 0 lotteries" in rerun.stdout, rerun.stdout
    assert results(draw) == first
    staff = madoguchi("lottery", "run", "--tenant", slug, "--draw", str(draw))
    assert staff.returncode == 0 and "already drawn" in staff.stdout
    assert sql(f"SELECT drawn_by FROM lottery_draw WHERE id = {draw}").strip() == "job"
    states = sql(f"SELECT state, COUNT(*) FROM lottery_entry WHERE draw_id = {draw} GROUP BY state")
    assert "won" in states and "lost" in states and "entered" not in states, states
    # no item is awarded beyond its capacity (1), bundles are whole
    over = sql(f"SELECT item_id FROM lottery_award WHERE draw_id = {draw} GROUP BY item_id HAVING COUNT(*) > 1")
    assert over.strip() == ""

    verify = madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw))
    print(verify.stdout)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert re.search(r"^entries\s+500, \d+ won$", verify.stdout, re.M) and "\nverified:" in verify.stdout
    # the revealed seed is the committed one, by SQL and by Python
    hashed, published = sql(f"SELECT SHA2(seed, 256), commitment FROM lottery_draw WHERE id = {draw}").split()
    assert hashed == published == commitment
    seed = re.search(r"^seed\s+([0-9a-f]{64})$", verify.stdout, re.M).group(1)
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment
    entries_hash = re.search(r"^entries hash ([0-9a-f]{64})$", verify.stdout, re.M).group(1)

    # the public page, in Japanese and in English: seed, hashes and results by entry number only
    page = new_client().get(f"/{slug}/lottery/{draw}")
    assert page.status_code == 200
    html = page.text
    for value in (commitment, seed, entries_hash, "申込500件", "申込番号", "当選", "落選", "大会議室 2027年2月分"):
        assert value in html, value
    numbers = re.findall(r"<tr>\s*<td>(\d+)</td>", html)
    assert len(numbers) == 500
    assert sorted(map(int, numbers)) == sorted(int(r.split("\t")[0]) for r in first.splitlines())
    assert "5000.0" not in html and "5009.1" not in html  # no applicant key, only entry numbers
    english = new_client().get(f"/{slug}/lottery/{draw}", headers={"Cookie": "lang=en"}).text
    assert "Entry number" in english and "500 entries" in english and seed in english
    assert "申込番号" not in english
    # another tenant's address does not show it
    assert new_client().get(f"/demo/lottery/{draw}").status_code == 404
    assert new_client().get(f"/{slug}/lottery/0{draw}").status_code == 400

    # an independent recomputation from the published document gives the same result
    doc = madoguchi("lottery", "document", "--tenant", slug, "--draw", str(draw))
    assert doc.returncode == 0, doc.stderr
    path = tmp_path / "document.txt"
    path.write_bytes(doc.stdout.encode("ascii"))
    py = subprocess.run(["python3", os.path.join(ROOT, "scripts", "lottery_recompute.py"), seed, str(path),
                         commitment], capture_output=True, text=True, timeout=60)
    assert py.returncode == 0, py.stderr
    assert f"entries hash {entries_hash}" in py.stdout and "commitment matches" in py.stdout
    recomputed = dict(line.split(" ") for line in py.stdout.splitlines()[2:])
    stored = {}
    for row in sql(f"SELECT applicant_id, member, won FROM lottery_entry WHERE draw_id = {draw}").splitlines():
        applicant, member, *won = row.split("\t")
        stored[f"{applicant}.{member}"] = won[0] if won and won[0] else "-"
    assert recomputed == stored

    # one entry changed after the close: verify fails, and passes again once it is put back
    victim, choices = sql(f"SELECT id, choices FROM lottery_entry WHERE draw_id = {draw} AND state = 'lost'"
                          " ORDER BY id LIMIT 1").split()
    other = "1" if choices != "1" else "2"
    sql(f"UPDATE lottery_entry SET choices = '{other}' WHERE id = {victim}")
    bad = madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw))
    assert bad.returncode == 1, bad.stdout
    assert "entries match the entries hash:  NO" in bad.stdout and "NOT verified" in bad.stdout
    sql(f"UPDATE lottery_entry SET choices = '{choices}' WHERE id = {victim}")
    assert madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw)).returncode == 0
    # a result changed (a loser made a winner): verify fails too
    sql(f"UPDATE lottery_entry SET won = '1' WHERE id = {victim}")
    bad = madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw))
    assert bad.returncode == 1 and "results match the recomputation: NO" in bad.stdout, bad.stdout
    sql(f"UPDATE lottery_entry SET won = '' WHERE id = {victim}")
    # and the seed: a revealed seed that is not the committed one
    sql(f"UPDATE lottery_draw SET seed = UNHEX(SHA2('another', 256)) WHERE id = {draw}")
    bad = madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw))
    assert bad.returncode == 1 and "seed matches the commitment:     NO" in bad.stdout, bad.stdout


def test_a_win_not_confirmed_in_time_lapses_and_frees_its_item(tmp_path):
    slug, draw = make_draw(tmp_path, entries=120)
    at = closes_at(draw) + 60
    assert madoguchi("jobs", "run", "core.lottery", "--now", utc_iso(at)).returncode == 0
    # two winners of single blocks: one confirms (当選確認), the other does not
    rows = sql(f"SELECT a.entry_id, MIN(a.item_id) FROM lottery_award a WHERE a.draw_id = {draw}"
               f" GROUP BY a.entry_id HAVING COUNT(*) = 1 ORDER BY a.entry_id LIMIT 2").splitlines()
    (kept, kept_item), (lapsing, lapsing_item) = (r.split("\t") for r in rows)
    done = madoguchi("lottery", "confirm", "--tenant", slug, "--entry", kept)
    assert done.returncode == 0 and "confirmed" in done.stdout, done.stderr

    def free(item):
        shown = madoguchi("lottery", "show", "--tenant", slug, "--draw", str(draw)).stdout
        return int(re.search(rf"^item {item} .* free (\d+)$", shown, re.M).group(1))

    assert free(kept_item) == 0 and free(lapsing_item) == 0
    deadline = int(sql(f"SELECT UNIX_TIMESTAMP(confirm_by) FROM lottery_entry WHERE id = {lapsing}").strip())
    assert deadline == at + 7 * 86400
    # each win is held provisionally (core/commerce/hold.h) until that deadline
    hold = sql(f"SELECT h.state, UNIX_TIMESTAMP(h.expires_at) FROM provisional_hold h JOIN lottery_entry e"
               f" ON e.tenant_id = h.tenant_id AND e.hold_id = h.id WHERE e.id = {lapsing}"
               f" AND h.owner_kind = 'core.lottery' AND h.owner_id = {lapsing}").split()
    assert hold == ["held", f"{deadline}.000"], hold
    holds = sql(f"SELECT COUNT(*) FROM provisional_hold h JOIN lottery_entry e ON e.hold_id = h.id"
                f" WHERE e.draw_id = {draw}").strip()
    assert int(holds) == int(sql(f"SELECT COUNT(*) FROM lottery_entry WHERE draw_id = {draw} AND won <> ''"))
    # the day before the deadline nothing lapses; after it, the unconfirmed win does
    run = madoguchi("jobs", "run", "core.lottery", "--now", utc_iso(deadline - 86400))
    assert "lapsed 0" in run.stdout, run.stdout
    run = madoguchi("jobs", "run", "core.lottery", "--now", utc_iso(deadline + 60))
    assert run.returncode == 0 and "lapsed" in run.stdout and "lapsed 0" not in run.stdout, run.stdout
    assert sql(f"SELECT state FROM lottery_entry WHERE id = {lapsing}").strip() == "lapsed"
    assert sql(f"SELECT state FROM lottery_entry WHERE id = {kept}").strip() == "confirmed"
    assert free(lapsing_item) == 1 and free(kept_item) == 0
    sweep = madoguchi("jobs", "run", "core.hold_sweep", "--now", utc_iso(deadline + 60))
    assert sweep.returncode == 0, sweep.stdout + sweep.stderr
    assert sql(f"SELECT h.state FROM provisional_hold h JOIN lottery_entry e ON e.hold_id = h.id"
               f" WHERE e.id = {lapsing}").strip() == "lapsed"
    late = madoguchi("lottery", "confirm", "--tenant", slug, "--entry", lapsing)
    assert late.returncode == 1 and "deadline has passed" in late.stderr
    # a lapse does not change what was drawn: verify still matches
    assert madoguchi("lottery", "verify", "--tenant", slug, "--draw", str(draw)).returncode == 0
