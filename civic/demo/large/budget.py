"""The large demo's FPH: one fund and round per quartier and year, saved by
``budget.services``, with the proposals reviewed by the committee as far as the date
allows; rounds whose vote has begun get their register and box (``vote``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from civic.budget import services as budget
from civic.budget.models import Fund, Project, ProjectStatus, Round
from civic.budget.phases import Phase
from civic.demo.large.run import DAY, FIRST_YEAR, HOUR, LAST_YEAR, QuartierPlan, Run, dt, local_ts
from civic.demo.large.vote import bureau, count, vote
from civic.demo.small import budget as small_budget

FPH_PROJECTS = [*small_budget.FPH_PROJECTS, *[
    ("Tournoi de foot inter-quartiers",
     "Un tournoi d’une journée pour les 10-16 ans, filles et garçons.",
     [("Location des minibus", 40_000), ("Coupes et médailles", 20_000), ("Goûter", 15_000)]),
    ("Atelier couture solidaire", "Des machines à coudre pour réparer et créer ensemble.",
     [("Trois machines à coudre", 60_000), ("Tissus et fils", 20_000)]),
    ("Cinéma en plein air", "Une soirée cinéma sur la place, avec un film choisi ensemble.",
     [("Écran et projecteur", 70_000), ("Droits de diffusion", 25_000),
      ("Communication", 10_000)]),
    ("Boîte à livres", "Une boîte à livres en bois fabriquée avec les jeunes du quartier.",
     [("Bois et quincaillerie", 25_000), ("Premiers livres", 10_000)]),
    ("Sortie au musée pour les aînés",
     "Une visite guidée et un déjeuner pour 30 personnes âgées isolées.",
     [("Car", 50_000), ("Entrées et guide", 20_000), ("Déjeuner", 30_000)]),
    ("Cours de cuisine du monde",
     "Chaque mois, une habitante fait découvrir une recette de son pays.",
     [("Ingrédients", 30_000), ("Location de la cuisine", 15_000)]),
    ("Fête de fin d’année des enfants", "Un spectacle et un goûter pour les enfants.",
     [("Spectacle", 60_000), ("Goûter", 20_000), ("Décoration", 10_000)]),
    ("Potager pédagogique à l’école", "Des bacs et des outils pour un potager d’école.",
     [("Bacs et terre", 35_000), ("Outils pour enfants", 15_000), ("Plants", 8_000)]),
    ("Nettoyage citoyen du quartier", "Une matinée de ramassage, suivie d’un pique-nique.",
     [("Gants, pinces et sacs", 12_000), ("Pique-nique", 18_000)]),
    ("Ateliers de théâtre pour les ados",
     "Dix séances avec une compagnie, et une représentation.",
     [("Intervention de la compagnie", 90_000), ("Costumes", 15_000)]),
]]
CARRIERS = [("residents", "Collectif des voisins"), ("association", "Association des parents"),
            ("residents", "Les jardiniers du quartier"), ("association", "Club de foot"),
            ("association", "Femmes relais"), ("residents", "Collectif jeunesse"),
            ("association", "Amicale des locataires")]
REVIEW_MESSAGES = {
    "rejected": "Le projet ne se passe pas dans le quartier, ce que demande le règlement.",
    "changes_requested": "Merci de détailler le budget ligne par ligne.",
}
#: The audit action of each review decision.
REVIEW_ACTIONS = {"admitted": "admit", "rejected": "reject", "merged": "merge",
                  "changes_requested": "changes", "withdrawn": ""}


def fph(run: Run) -> None:
    """One fund and round per quartier and year; rounds whose vote has begun get their
    register and box; the count runs when the vote has been over a few days."""
    rounds: list[tuple[Round, QuartierPlan, float]] = []
    existing = {(f.quartier_id, f.year) for f in run.db.scalars(select(Fund))}
    for q in run.quartiers:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if (q.id, year) in existing:
                continue
            made = fund_and_round(run, q, year)
            if made is not None:
                rounds.append((made, q, q.weight))
    # Demo rounds whose vote is open get voters too.
    for round_ in run.db.scalars(select(Round)):
        if round_.phase(dt(run.now)) == Phase.VOTE and not any(
                r is round_ for r, _, _ in rounds):
            qi = run.index_of(round_.fund.quartier_id)
            rounds.append((round_, run.quartiers[qi], run.quartiers[qi].weight))
    voting = [(r, q, w * vote_share(run, r)) for r, q, w in rounds if vote_share(run, r)]
    total = sum(w for _, _, w in voting) or 1.0
    largest = max(voting, key=lambda v: v[2])[0] if voting else None
    for round_, q, weight in voting:
        voters = max(4, round(run.n("participations") * weight / total))
        if round_.box_key is None:
            bureau(run, round_, q)
        vote(run, round_, q, voters, forced=round_ is largest)
        count(run, round_, q)


def vote_share(run: Run, round_: Round) -> float:
    """The part of the vote period already past."""
    begins, ends = round_.vote_starts_at.timestamp(), round_.vote_ends_at.timestamp()
    if begins >= run.now:
        return 0.0
    return (min(ends, run.now) - begins) / (ends - begins)


def fund_and_round(run: Run, q: QuartierPlan, year: int) -> Round | None:
    """The quartier's fund and round of the year, opening in February or September;
    None when it was not set up yet."""
    rng = run.rng
    autumn = rng.random() < 0.3
    opens = local_ts(date(year, 9 if autumn else 2, 1) + timedelta(
        days=rng.randint(0, 20)), 9)
    dates = [opens, opens + rng.randint(35, 45) * DAY]
    dates.append(dates[-1] + rng.randint(20, 30) * DAY)
    dates.append(dates[-1] + rng.randint(14, 24) * DAY + 11 * HOUR)
    dates.append(dates[-1] + rng.randint(30, 45) * DAY)
    created = opens - rng.uniform(15, 30) * DAY
    if created >= run.now:
        return None
    population = q.obj.population or 2_000
    envelope = max(5_000, min(15_000, int(round(population * 0.4, -3)))) * 100
    method = rng.choices(["approval", "knapsack", "cumulative"], (60, 20, 20))[0]
    fund = budget.save_fund(run.db, q.obj, None, {
        "year": year, "envelope_cents": envelope, "cap_cents": 150_000,
        "min_project_cents": 20_000, "min_age": rng.choice((11, 16)),
        "rules_text": small_budget.RULES_TEXT,
        "vote_method": method, "approval_min": 1,
        "approval_max": rng.choice((3, 5, None)) if method == "approval" else None,
        "points_total": 10 if method == "cumulative" else 0,
        "points_max": 5 if method == "cumulative" else 0,
        "tally_rule": rng.choices(["greedy", "equal-shares"], (70, 30))[0],
        "min_score": 1}, actor=run.pilot, now=dt(created))
    round_ = budget.save_round(run.db, fund, None, {
        "title": f"Appel à projets {year}", **dict(zip(budget.ROUND_DATES,
                                                       map(dt, dates), strict=True))},
        actor=run.pilot, now=dt(created))
    projects(run, round_, q)
    return round_


def projects(run: Run, round_: Round, q: QuartierPlan) -> None:
    """The proposals of a round, reviewed by the committee as far as the date allows."""
    rng = run.rng
    sub, review_at, vote_at = (round_.submission_starts_at.timestamp(),
                               round_.review_starts_at.timestamp(),
                               round_.vote_starts_at.timestamp())
    if sub >= run.now:
        return
    proposals = rng.randint(12, 18)
    rows: list[dict[str, Any]] = []
    for _ in range(proposals):
        created = rng.uniform(sub, review_at - DAY)
        if created >= run.now:
            continue
        rows.append(_proposal(run, round_, q, created))
    reviews = review(run, rows, review_at, vote_at)
    ids = run.insert(Project, rows, ids=True)
    for project_id, into in zip(ids, reviews, strict=True):
        if into is not None:
            run.db.execute(update(Project).where(Project.id == project_id)
                           .values(merged_into_id=ids[into]))
    for row, project_id, target in zip(rows, ids, reviews, strict=True):
        if row["status"] == ProjectStatus.SUBMITTED:
            continue
        action = REVIEW_ACTIONS[row["status"]]
        if action:
            run.audit(row["updated_at"].timestamp(), rng.choice(q.moderators),
                      f"budget.project_{action}", "project", project_id,
                      message=row["review_message"],
                      merged_into=None if target is None else ids[target])


def _proposal(run: Run, round_: Round, q: QuartierPlan, created: float) -> dict[str, Any]:
    """One proposal: a project of the list at another scale, by a resident of the
    quartier (or typed by its animator) for a collective or an association."""
    rng = run.rng
    title, summary, lines = rng.choice(FPH_PROJECTS)
    factor = rng.uniform(0.5, 1.3)
    amounts = [max(100, int(round(cents * factor, -2))) for _, cents in lines]
    if sum(amounts) > 150_000:
        amounts = [max(100, int(round(a * 140_000 / sum(amounts), -2)))
                   for a in amounts]
    if sum(amounts) < 20_000:
        amounts[0] += 20_000 - sum(amounts)
    amount = sum(amounts)
    budget_lines = [{"label": label, "amount_cents": cents}
                    for (label, _), cents in zip(lines, amounts, strict=True)]
    author = run.resident(run.quartiers.index(q), created)
    kind, carrier = rng.choice(CARRIERS)
    if author is not None:
        run.touched(author, created)
    return {
        "round_id": round_.id, "author_id": run.u_id[author] if author is not None
        else rng.choice(q.animators), "title": title, "summary": summary,
        "description": small_budget.description(summary),
        "amount_cents": amount, "budget_lines": budget_lines,
        "orientation_id": rng.choice(run.orientations) if rng.random() < 0.8
        else None,
        "carrier_kind": kind, "carrier_name": carrier,
        "contact": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                   f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
        "place": rng.choice(q.places), "latitude": None, "longitude": None,
        "photo": None, "status": ProjectStatus.SUBMITTED.value, "review_message": "",
        "checklist": {}, "merged_into_id": None, "follow_up": None,
        "spent_cents": None, "created_at": dt(created), "updated_at": dt(created)}


def review(run: Run, rows: list[dict[str, Any]], review_at: float,
           vote_at: float) -> list[int | None]:
    """Decide each proposal; returns, per row, the index of the project it was merged
    into. A round that reaches its vote has at least two projects on the ballot."""
    rng = run.rng
    merged: list[int | None] = [None] * len(rows)
    for row in rows:
        status = rng.choices(["admitted", "rejected", "merged", "withdrawn",
                              "changes_requested"], (68, 12, 6, 6, 8))[0]
        # Withdrawing and asking for changes happen while proposals are open.
        at = rng.uniform(row["created_at"].timestamp(), review_at) if status in (
            "withdrawn", "changes_requested") else rng.uniform(review_at, vote_at - HOUR)
        if at >= run.now:
            continue
        row.update(status=status, updated_at=dt(at),
                   review_message=REVIEW_MESSAGES.get(status, ""),
                   checklist=dict.fromkeys(budget.CHECKLIST, status == "admitted")
                   if status != "withdrawn" else {})
    admitted = [i for i, r in enumerate(rows) if r["status"] == "admitted"]
    if vote_at < run.now:
        for row in rows:
            if len(admitted) >= 2:
                break
            if row["status"] != "admitted":
                row.update(status="admitted", review_message="",
                           checklist=dict.fromkeys(budget.CHECKLIST, True),
                           updated_at=dt(rng.uniform(review_at, vote_at - HOUR)))
                admitted.append(rows.index(row))
    for index, row in enumerate(rows):
        if row["status"] == "merged":
            if admitted:
                merged[index] = rng.choice(admitted)
                row["review_message"] = "Réuni avec un projet très proche."
            else:
                row["status"] = "rejected"
    return merged
