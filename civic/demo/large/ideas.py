"""The large demo's idea box: residents' ideas, those animators type for someone at a
permanence, those a moderator makes of a map point; the answers of the project team and
the forwardings to the signatories, with their answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from civic.demo.large.moderation import moderate
from civic.demo.large.people import FIRST_NAMES, slots_of
from civic.demo.large.run import DAY, Post, Run, dt, local_day
from civic.ideas.models import Forwarding, Idea, Status
from civic.ideas.search import normalise
from civic.moderation.models import State

#: (title, body, orientation index)
IDEAS = [
    ("Un forum de l’emploi dans le quartier", "Rencontrer les employeurs ici, sans prendre "
     "deux bus. Avec des ateliers CV le même jour.", 0),
    ("Accompagner la création d’activité", "Beaucoup ont une idée de commerce ou de service. "
     "Un accompagnement près de chez nous aiderait à se lancer.", 0),
    ("Des stages pour les collégiens", "Trouver un stage de 3e est difficile quand on ne "
     "connaît personne. Les entreprises partenaires pourraient en proposer.", 0),
    ("Un atelier numérique pour les démarches", "Apprendre à utiliser les sites de France "
     "Travail et de la CAF, avec quelqu’un pour aider.", 0),
    ("Aide aux devoirs le soir", "Les parents ne peuvent pas toujours aider. Un soutien "
     "scolaire gratuit au centre social, deux soirs par semaine.", 1),
    ("Une ludothèque pour les familles", "Un lieu pour jouer avec les enfants et emprunter "
     "des jeux, le mercredi et le samedi.", 1),
    ("Des cours de français pour les parents", "Pour comprendre l’école, remplir les papiers "
     "et parler avec les enseignants.", 1),
    ("Ouvrir la cour de l’école le samedi", "Les enfants n’ont pas d’endroit sûr pour jouer "
     "le week-end.", 1),
    ("Des bancs à l’ombre", "Les parents attendent en plein soleil. Quelques bancs sous les "
     "arbres, ce serait bien pour les personnes âgées aussi.", 2),
    ("Réparer les ascenseurs plus vite", "L’ascenseur est en panne plusieurs semaines par "
     "an. Les personnes âgées restent bloquées chez elles.", 2),
    ("Un ramassage des poubelles le samedi", "Les poubelles débordent le week-end. Un "
     "passage de plus le samedi matin changerait tout.", 2),
    ("Des jardins partagés au pied des immeubles", "Cultiver des légumes ensemble sur les "
     "pelouses qui ne servent à rien.", 2),
    ("Planter des arbres sur le parking", "L’été, le parking est une fournaise. Des arbres "
     "donneraient de l’ombre.", 2),
    ("Un composteur collectif", "Pour réduire les poubelles et faire de la terre pour les "
     "jardins partagés.", 2),
    ("Refaire les trottoirs abîmés", "Les trottoirs sont pleins de trous, c’est dangereux "
     "avec une poussette ou un fauteuil.", 2),
    ("Une fontaine à eau dans le square", "Les enfants jouent tout l’après-midi et il n’y "
     "a pas d’eau.", 2),
    ("Un médecin généraliste dans le quartier", "Le plus proche est loin et ne prend plus "
     "de nouveaux patients.", 3),
    ("Des permanences d’accès aux droits", "Être aidé pour les dossiers de la CAF, de "
     "l’Assurance maladie et du logement.", 3),
    ("Un parcours sportif pour tous", "Des agrès dans le parc pour bouger gratuitement, à "
     "tout âge.", 3),
    ("Un stand santé au marché", "Dépistage et prévention le jour du marché, avec des "
     "infirmières.", 3),
    ("Une fête des voisins dans chaque résidence", "Pour se connaître entre voisins, avec "
     "un peu d’aide pour les tables et la musique.", 4),
    ("Un local pour les associations", "Les associations n’ont pas de salle pour se "
     "réunir le soir.", 4),
    ("Des sorties culturelles pour les familles", "Théâtre, musée, concerts : des places à "
     "petit prix et un car.", 4),
    ("Des créneaux pour les filles au city stade", "Des créneaux réservés aux filles, le "
     "mercredi après-midi.", 4),
    ("Un café solidaire", "Un lieu pour boire un café à petit prix et discuter.", 4),
    ("Du sport pour les seniors", "Gym douce et marche nordique, deux fois par semaine.", 4),
    ("Éclairer le passage le soir", "Le soir, le passage est noir. Les femmes et les "
     "enfants font un grand détour.", 5),
    ("Des médiateurs le soir en été", "Pour calmer les tensions et discuter avec les "
     "jeunes.", 5),
    ("Ralentir les voitures devant l’école", "Des ralentisseurs et un passage piéton "
     "protégé.", 5),
    ("Sécuriser le parking souterrain", "Il y a des dépôts et des squats, on n’ose plus y "
     "descendre.", 5),
]
RESPONSES = {
    Status.UNDER_STUDY: ["Votre idée est à l’étude avec les services concernés.",
                         "Nous regardons ce qui est possible et revenons vers vous.", ""],
    Status.FPH: ["Une belle idée pour le FPH : proposez-la à la prochaine session, le "
                 "conseil citoyen peut vous aider à monter le projet."],
    Status.FORWARDED: ["Transmise au service concerné, qui répondra ici.",
                       "Transmise au partenaire du contrat qui en a la charge."],
    Status.PLANNED: ["C’est prévu : l’intervention est programmée dans les prochains mois.",
                     "Le projet est inscrit au budget de l’an prochain."],
    Status.NOT_FEASIBLE: ["Ce n’est pas possible à cet endroit : le terrain n’appartient pas "
                          "à la ville. Nous cherchons une autre solution.",
                          "Le coût est trop élevé cette année ; l’idée reste notée pour le "
                          "prochain programme."],
    Status.DONE: ["C’est fait ! Merci pour votre idée.",
                  "Réalisé ce mois-ci : venez voir et dites-nous ce que vous en pensez."],
}
#: Answered statuses, with their weights.
OUTCOMES = [(Status.UNDER_STUDY, 19), (Status.FPH, 7), (Status.FORWARDED, 11),
            (Status.PLANNED, 21), (Status.NOT_FEASIBLE, 21), (Status.DONE, 21)]
#: Orientation index → signatory index (the order of ``civic.demo.small.territory``'s
#: SIGNATORIES).
FORWARD_TO = {0: [7, 1], 1: [3, 0], 2: [0, 6, 1], 3: [5, 2], 4: [0, 3], 5: [2, 0]}
FORWARD_ANSWERS = [
    "Nous avons programmé une intervention dans les six semaines.",
    "Le service a pris contact avec le conseil citoyen pour en parler.",
    "Ce n’est pas de notre compétence : nous avons relayé à la métropole.",
    "Budget prévu l’an prochain, nous vous tiendrons informés.",
    "C’est en cours, une réunion publique aura lieu le mois prochain.",
    "Nous ne pouvons pas donner suite cette année, faute de crédits.",
]
#: The title a moderator gives a point turned into an idea.
POINT_IDEA_TITLES = {
    "cleanliness": "Plus de propreté autour des conteneurs", "safety": "Sécuriser ce passage",
    "facilities": "Réparer cet équipement", "green": "Entretenir les espaces verts",
    "mobility": "Des trottoirs et des passages sûrs", "shops": "Garder des commerces",
    "housing": "Réparer les parties communes", "social": "Un lieu pour se retrouver",
    "other": "Un point signalé sur la carte",
}


# --- Ideas ------------------------------------------------------------------------------


def plan_ideas(run: Run) -> None:
    """Residents' ideas, those typed by animators, and those made of map points."""
    rng = run.rng
    for t, user in slots_of(run, "idea"):
        qi = run.where(user)
        idea(run, qi, user, t, entered_by=None)
        run.touched(user, t)
    for _ in range(round(0.08 * run.n("ideas"))):
        qi = rng.choices(range(len(run.quartiers)), run.q_weights)[0]
        t = run.moment(run.start + 7 * DAY, run.end)
        idea(run, qi, -1, t, entered_by=rng.choice(run.quartiers[qi].animators))
    # A moderator turns some published points into ideas, to answer and forward them.
    for point in run.points:
        if point.published is None or rng.random() >= 0.025:
            continue
        at = point.published + run.delay(8, 0.8, 60)
        if at >= run.end or not point.open_at(at):
            continue
        from_point(run, point, at)


def idea(run: Run, qi: int, user: int, t: float, *, entered_by: int | None) -> Post:
    rng = run.rng
    q = run.quartiers[qi]
    title, body, orientation = rng.choice(IDEAS)
    place = rng.choice(q.places + [name for _, name, _, _ in q.landmarks]) if (
        rng.random() < 0.4) else ""
    row = {"quartier_id": q.id,
           "orientation_id": run.orientations[orientation] if rng.random() < 0.85
           else None,
           "author_id": None, "author_name": rng.choice(FIRST_NAMES) if entered_by else "",
           "entered_by_id": entered_by, "title": title, "body": body, "place": place,
           "latitude": None, "longitude": None, "photo": None,
           "search_text": normalise(f"{title} {body} {place}")}
    post = Post(qi, user, t, row)
    post.appeal = min(1.0, 0.12 * rng.paretovariate(1.1))
    moderate(run, post, q, reject=0.07, hide=0.015)
    run.ideas.append(post)
    if entered_by is not None:
        run.audit(t, entered_by, "ideas.entered_for", "idea", post,
                  author_name=row["author_name"])
    return post


def from_point(run: Run, point: Post, at: float) -> None:
    q = run.quartiers[point.q]
    landmark = next((name for i, name, _, _ in q.landmarks
                     if i == point.row["landmark_id"]), "")
    title = POINT_IDEA_TITLES[point.row["category"]]
    author = point.author
    row = {"quartier_id": q.id, "orientation_id": None,
           "author_id": point.row["author_id"], "author_name": "", "entered_by_id": None,
           "title": title, "body": point.row["text"], "place": landmark,
           "latitude": point.row["latitude"], "longitude": point.row["longitude"],
           "photo": None,
           "search_text": normalise(f"{title} {point.row['text']} {landmark}")}
    post = Post(point.q, author, at, row)
    moderator = run.rng.choice(q.moderators)
    post.state, post.published, post.moderated_at, post.moderator = (
        State.PUBLISHED.value, at, at, moderator)
    post.appeal = min(1.0, 0.12 * run.rng.paretovariate(1.1))
    run.ideas.append(post)
    run.from_points.add(id(post))
    point.row["idea_id"] = post
    run.audit(at, moderator, "map.to_idea", "point", point, idea=post)


def write_ideas(run: Run) -> None:
    """The ideas, before the points that link to the ideas they became."""
    for post in run.ideas:
        if post.author >= 0:
            post.row["author_id"] = run.u_id[post.author]
    rows: list[dict[str, Any]] = []
    for post in run.ideas:
        rows.append({**post.row, **post.moderation(), "created_at": dt(post.created)})
    for post, idea_id in zip(run.ideas, run.insert(Idea, rows, ids=True), strict=True):
        post.id = idea_id


# --- Answers of the institutions ---------------------------------------------------------


def plan_answers(run: Run) -> None:
    """Under study, then an outcome; a forwarded idea waits for the signatory, who
    answers most of the time, and the project team sometimes closes it afterwards."""
    statuses = [s for s, _ in OUTCOMES]
    weights = [w for _, w in OUTCOMES]
    for post in run.ideas:
        row = post.row
        row.update(status=Status.NEW.value, response="", responded_at=None,
                   responded_by_id=None)
        if post.published is None:
            continue
        closes = min(run.now, post.hidden or run.now)
        first = post.published + run.delay(15, 0.8, 200)
        if first >= closes:
            continue
        outcome = run.rng.choices(statuses, weights)[0]
        pilot = run.rng.choice(run.pilots)
        if outcome == Status.UNDER_STUDY or run.rng.random() < 0.4:
            answer(run, post, Status.UNDER_STUDY, first, pilot)
            first += run.delay(20, 0.7, 200)
            if outcome == Status.UNDER_STUDY or first >= closes:
                continue
        if outcome == Status.FORWARDED:
            forward(run, post, first, pilot, closes)
        else:
            answer(run, post, outcome, first, pilot)


def answer(run: Run, post: Post, status: Status, at: float, pilot: int,
           signatory: int | None = None, due_on: str | None = None) -> None:
    row = post.row
    before = row["status"]
    row.update(status=status.value, response=run.rng.choice(RESPONSES[status]),
               responded_at=dt(at), responded_by_id=pilot)
    run.answer_audit.append((post, at, pilot, before, status.value, signatory, due_on))


def forward(run: Run, post: Post, at: float, pilot: int, closes: float) -> None:
    rng = run.rng
    orientation = run.orientations.index(post.row["orientation_id"]) if post.row[
        "orientation_id"] in run.orientations else 2
    signatory = run.signatories[rng.choice(FORWARD_TO[orientation])]
    due_on = local_day(at) + timedelta(days=rng.choice((30, 45, 60)))
    answer(run, post, Status.FORWARDED, at, pilot, signatory.id, due_on.isoformat())
    forwarding = {"signatory_id": signatory.id, "forwarded_at": dt(at),
                  "forwarded_by_id": pilot, "due_on": due_on,
                  "message": rng.choice(["", "Idée très soutenue dans le quartier.",
                                         "Pouvez-vous dire ce qui est prévu ?"]),
                  "answer": "", "answered_at": None, "answered_by_id": None}
    run.forwarding_rows.append((post, forwarding))
    answered = at + run.delay(22, 0.8, 300)
    if answered >= run.now or rng.random() >= 0.8:
        return
    forwarding.update(answer=rng.choice(FORWARD_ANSWERS), answered_at=dt(answered),
                      answered_by_id=run.signatory_users[signatory.id])
    closing = answered + run.delay(6, 0.6, 60)
    if closing < closes and rng.random() < 0.4:
        answer(run, post, rng.choice([Status.PLANNED, Status.DONE, Status.NOT_FEASIBLE]),
               closing, pilot)


def write_answers(run: Run) -> None:
    rows: list[dict[str, Any]] = []
    for post, forwarding in run.forwarding_rows:
        rows.append({**forwarding, "idea_id": post.id})
        if forwarding["answered_at"] is not None:
            delay = (forwarding["answered_at"] - forwarding["forwarded_at"]).days
            run.audit(forwarding["answered_at"].timestamp(),
                      forwarding["answered_by_id"], "ideas.forwarding_answered", "idea",
                      post.id, signatory=forwarding["signatory_id"], delay_days=delay)
    run.insert(Forwarding, rows)
    for post, at, pilot, before, after, signatory, due_on in run.answer_audit:
        run.audit(at, pilot, "ideas.answer", "idea", post.id, before=before, after=after,
                  signatory=signatory, due_on=due_on)
