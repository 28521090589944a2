"""How residents react in the large demo: supports and follows of ideas, supports of
map points, comments and replies, and reports (before each hiding, and a few still
open). Counters go in with their final value."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from civic.demo.large.moderation import force, moderate
from civic.demo.large.people import slot_kinds
from civic.demo.large.run import DAY, HOUR, Pool, Post, Reaction, Run, dt
from civic.ideas.models import Comment, Follow, Support
from civic.map.models import PointSupport
from civic.moderation.models import Report, State
from civic.moderation.reasons import REPORT_REASONS

COMMENTS = [
    "Je suis d’accord, c’est vraiment nécessaire.", "Très bonne idée, je soutiens !",
    "Il faudrait aussi penser aux personnes âgées.", "On en parle depuis des années.",
    "Pourquoi pas, mais qui va s’en occuper ?",
    "Je peux aider à organiser, j’ai du temps le samedi.",
    "Attention au bruit le soir pour les voisins.", "Oui, et pour les enfants aussi !",
    "C’est déjà fait dans le quartier d’à côté, ça marche bien.",
    "Il faut demander au bailleur, c’est son rôle.",
    "Je ne suis pas sûre que ce soit la priorité.",
    "Merci, j’en parlerai au conseil citoyen.", "On pourrait le proposer au FPH.",
    "Depuis que j’habite ici, rien n’a changé sur ce point.",
    "C’est une question de sécurité pour tout le monde.", "Ma voisine a le même problème.",
    "Il faudrait un horaire le soir pour ceux qui travaillent.",
    "Bonne idée, mais il faut l’entretenir ensuite.", "Les jeunes seraient partants.",
]
REPLIES = [
    "Tout à fait d’accord avec vous.", "Je ne suis pas d’accord, il y a plus urgent.",
    "On peut en parler à la prochaine réunion.", "Vous avez raison, merci.",
    "Je vous rejoins, on s’organise ?", "Le conseil citoyen en a parlé, c’est à l’étude.",
]


def target(run: Run, pool: Pool, qi: int, t: float, user: int) -> tuple[Post | None, float]:
    """A published post of the quartier to react to at ``t``, recent ones first; when
    there is none yet, the reaction waits for the first one."""
    times, items = pool.times[qi], pool.items[qi]
    known = bisect_right(times, t)
    if known == 0:
        if not times or times[0] >= run.end:
            return None, t
        t = min(run.end, times[0] + run.rng.uniform(1, 72) * HOUR)
        known = bisect_right(times, t)
    for _ in range(12):
        back = run.rng.expovariate(1 / (40 * DAY))
        index = bisect_right(times, t - back) - 1
        post = items[index if index >= 0 else run.rng.randrange(known)]
        if post.author == user or not post.open_at(t):
            continue
        if run.rng.random() <= post.appeal:
            return post, t
    return None, t


def plan(run: Run) -> None:
    """Every reaction, in the order residents have them planned."""
    by_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for slot, kind in zip(run.slots, slot_kinds(run), strict=True):
        by_kind[kind].append(slot)
    ideas = Pool(run.ideas, len(run.quartiers))
    points = Pool(run.points, len(run.quartiers))
    _supports(run, sorted(by_kind["support"]), ideas, run.support_rows, follows=True)
    _supports(run, sorted(by_kind["point_support"]), points, run.point_support_rows,
              follows=False)
    for post in run.ideas:
        post.row["support_count"] = post.row.get("support_count", 0)
    _comments(run, sorted(by_kind["comment"]), ideas)
    _reports(run)


def _supports(run: Run, moments: list[tuple[float, int]], pool: Pool, out: list[Reaction],
              *, follows: bool) -> None:
    """One support per resident and post; some who support an idea follow it too."""
    seen: set[tuple[int, int]] = set()
    for t, user in moments:
        post, at = target(run, pool, run.where(user), t, user)
        if post is None or (id(post), user) in seen:
            continue  # nothing to support yet, or supported already
        seen.add((id(post), user))
        out.append((post, user, at))
        post.row["support_count"] = post.row.get("support_count", 0) + 1
        run.touched(user, at)
        if follows and run.rng.random() < 0.15:
            run.follow_rows.append((post, user, at))


def _comments(run: Run, moments: list[tuple[float, int]], ideas: Pool) -> None:
    rng = run.rng
    threads: dict[int, list[Post]] = defaultdict(list)
    for t, user in moments:
        idea, at = target(run, ideas, run.where(user), t, user)
        if idea is None:
            continue
        parents = [c for c in threads[id(idea)] if c.open_at(at)]
        parent = rng.choice(parents) if parents and rng.random() < 0.3 else None
        row = {"idea": idea, "parent": parent,
               "body": rng.choice(REPLIES if parent else COMMENTS)}
        post = Post(idea.q, user, at, row)
        moderate(run, post, run.quartiers[idea.q], reject=0.03, hide=0.01)
        run.comments.append(post)
        if parent is None:
            threads[id(idea)].append(post)
        run.touched(user, at)
    states = {c.state for c in run.comments}
    for state in (State.PENDING, State.REJECTED, State.HIDDEN):
        if state not in states and run.comments:
            force(run, run.comments, state)


def _reports(run: Run) -> None:
    """Reports before each hiding (resolved by it), and a few still open."""
    for kind, posts in (("idea", run.ideas), ("comment", run.comments),
                        ("point", run.points)):
        for post in posts:
            if post.hidden is not None and post.published is not None:
                for _ in range(run.rng.randint(1, 3)):
                    at = run.rng.uniform(post.published, post.hidden)
                    _report(run, kind, post, at, post.hidden)
            elif post.published is not None and post.published > run.now - 60 * DAY \
                    and run.rng.random() < 0.01:
                _report(run, kind, post, run.rng.uniform(post.published, run.now), None)


def _report(run: Run, kind: str, post: Post, at: float, resolved: float | None) -> None:
    reporter = run.resident(post.q, at)
    if reporter is None or reporter == post.author or any(
            r[1] is post and r[2] == reporter for r in run.report_rows[-3:]):
        return
    run.report_rows.append((kind, post, reporter, at, resolved))
    run.touched(reporter, at)


def write(run: Run) -> None:
    """Supports, follows, comments (first-level ones before replies), moderation
    decisions and reports."""
    u_id = run.u_id
    run.insert(Support, [{"idea_id": p.id, "user_id": u_id[u], "created_at": dt(t)}
                         for p, u, t in run.support_rows])
    follows = {(p.id, p.row["author_id"]): p.created for p in run.ideas
               if p.row["author_id"] is not None}
    for post, user, at in run.follow_rows:
        follows.setdefault((post.id, u_id[user]), at)
    run.insert(Follow, [{"idea_id": i, "user_id": u, "created_at": dt(t)}
                        for (i, u), t in follows.items()])
    run.insert(PointSupport, [{"point_id": p.id, "user_id": u_id[u], "created_at": dt(t)}
                              for p, u, t in run.point_support_rows])
    for replies in (False, True):
        batch = [c for c in run.comments if (c.row["parent"] is not None) == replies]
        rows = [{"idea_id": c.row["idea"].id, "author_id": u_id[c.author],
                 "parent_id": c.row["parent"].id if replies else None,
                 "body": c.row["body"], "created_at": dt(c.created), **c.moderation()}
                for c in batch]
        for post, comment_id in zip(batch, run.insert(Comment, rows, ids=True), strict=True):
            post.id = comment_id
    for kind, posts in (("idea", run.ideas), ("comment", run.comments), ("point", run.points)):
        for post in posts:
            for at, action, moderator, before, after, reason in post.decisions:
                run.audit(at, moderator, f"moderation.{action}", kind, post.id,
                          before=before, after=after, reason=reason)
    run.insert(Report, [{
        "kind": kind, "item_id": post.id, "reporter_id": u_id[reporter],
        "reason": run.rng.choice(list(REPORT_REASONS)), "comment": "",
        "created_at": dt(at), "resolved_at": None if resolved is None else dt(resolved)}
        for kind, post, reporter, at, resolved in run.report_rows])
