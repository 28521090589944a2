"""How the large demo's posts go through moderation: by the workflow's transitions
(pending → published or rejected, published → hidden), each decision by a moderator of
the quartier with its reason; a quartier moderated afterwards publishes at once."""

from __future__ import annotations

from civic.demo.large.run import HOUR, Post, QuartierPlan, Run
from civic.moderation.models import State

REJECT_REASONS = [
    "Les publicités ne sont pas acceptées.",
    "Une idée très proche existe déjà. Soutenez-la et ajoutez un commentaire : elle aura "
    "plus de poids.",
    "Ce message ne concerne pas la vie du quartier.",
    "Ce message cite une personne ou donne des informations personnelles. Vous pouvez le "
    "reposter sans nom ni adresse.",
    "Nous n’avons pas compris la proposition. Vous pouvez la réécrire plus simplement, ou "
    "venir en parler à une permanence.",
]
HIDE_REASONS = [
    "Ce message ne respecte pas les règles de respect : pas d’insulte, pas d’attaque "
    "contre une personne ou un groupe.",
    "Masqué après signalement : ce message donne des informations personnelles.",
    "Information fausse, signalée par plusieurs habitants.",
]


def moderate(run: Run, post: Post, q: QuartierPlan, *, reject: float, hide: float,
             at_once: bool = False) -> None:
    """Take the post through the moderation its quartier uses."""
    rng = run.rng
    if at_once or not q.pre:
        post.state, post.published, post.moderated_at = (
            State.PUBLISHED.value, post.created, post.created)
    else:
        at = post.created + run.delay(0.7, 1.0, 12)
        if at >= run.now:
            return
        moderator = rng.choice(q.moderators)
        post.moderated_at, post.moderator = at, moderator
        if rng.random() < reject:
            post.state, post.reason = State.REJECTED.value, rng.choice(REJECT_REASONS)
            post.decisions.append((at, "reject", moderator, "pending", post.state,
                                   post.reason))
            return
        post.state, post.published = State.PUBLISHED.value, at
        post.decisions.append((at, "publish", moderator, "pending", post.state, ""))
    if rng.random() < hide:
        hide_post(run, post, q)


def hide_post(run: Run, post: Post, q: QuartierPlan) -> bool:
    assert post.published is not None
    at = post.published + run.delay(6, 1.2, 120)
    if at >= run.now:
        return False
    moderator = run.rng.choice(q.moderators)
    post.hidden, post.moderated_at, post.moderator = at, at, moderator
    post.state, post.reason = State.HIDDEN.value, run.rng.choice(HIDE_REASONS)
    post.decisions.append((at, "hide", moderator, "published", post.state, post.reason))
    return True


def guarantee_states(run: Run) -> None:
    """Every moderation state appears for ideas and points, however small the scale:
    the most recent resident's post of a pre-moderated quartier still waits, the one
    before was rejected, the oldest that can be was hidden."""
    for posts in (run.ideas, run.points):
        states = {p.state for p in posts}
        pre = [p for p in posts if run.quartiers[p.q].pre and p.author >= 0
               and p.row.get("idea_id") is None and id(p) not in run.from_points]
        pre.sort(key=lambda p: p.created)
        if State.PENDING not in states and pre:
            _undecide(pre[-1])
        if State.REJECTED not in states and len(pre) > 1:
            post = pre[-2]
            moderator = run.rng.choice(run.quartiers[post.q].moderators)
            _reject(post, post.created + HOUR, moderator, REJECT_REASONS[0])
        if State.HIDDEN not in states:
            for post in sorted(posts, key=lambda p: p.created):
                if post.state == State.PUBLISHED and post.row.get("idea_id") is None \
                        and hide_post(run, post, run.quartiers[post.q]):
                    break


def force(run: Run, posts: list[Post], state: State) -> None:
    """Give one post the state none has (only at small scales): a reply-less one."""
    parents = {id(p.row.get("parent")) for p in posts}
    for post in sorted(posts, key=lambda p: -p.created):
        if id(post) in parents or post.state != State.PUBLISHED or not run.quartiers[
                post.q].pre:
            continue
        if state == State.HIDDEN:
            if hide_post(run, post, run.quartiers[post.q]):
                return
            continue
        _undecide(post)
        post.state = state.value
        if state == State.REJECTED:
            moderator = run.rng.choice(run.quartiers[post.q].moderators)
            _reject(post, min(run.now, post.created + HOUR), moderator, REJECT_REASONS[2])
        return


def _undecide(post: Post) -> None:
    """Back to waiting for a moderator, as if no one had looked at it yet."""
    post.state, post.published, post.hidden = State.PENDING.value, None, None
    post.moderated_at, post.moderator, post.reason = None, None, ""
    post.decisions.clear()


def _reject(post: Post, at: float, moderator: int, reason: str) -> None:
    """Rejected by ``moderator`` at ``at``: its only decision."""
    post.state, post.published, post.hidden = State.REJECTED.value, None, None
    post.moderated_at, post.moderator, post.reason = at, moderator, reason
    post.decisions[:] = [(at, "reject", moderator, "pending", post.state, reason)]
