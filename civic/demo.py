"""``flask --app wsgi seed-demo``: a believable contract on real Toulouse perimeters.

The perimeters are the real 2015 QPV geography of four Toulouse quartiers (ANCT,
« Quartiers prioritaires de la politique de la ville », Licence Ouverte, through the
Toulouse DataViz association's Hackaviz 2021 repository); see the credits page. The
people and addresses are invented and use the reserved domain example.org.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from civic.accounts import services as accounts
from civic.accounts.models import Role
from civic.budget import imports, pabulib, trustees
from civic.budget import services as budget
from civic.budget.models import Project, ProjectStatus
from civic.core import clock
from civic.core.db import session as db
from civic.permanence import services as permanences
from civic.territory import queries, services
from civic.territory.geo import read_qpv_features

QPV_FILE = Path(__file__).parent / "demo_data" / "qpv2015_toulouse_4.geojson"
#: The real 2022 participatory budget of Toulouse's district 17 (Mirail-Université,
#: Reynerie, Bellefontaine), from pabulib (pabulib.org), copied unchanged.
PB_FILE = Path(__file__).parent / "demo_data" / "toulouse_2022_mirail.pb"

FPH_PROJECTS = [
    ("Repas partagé de la rentrée",
     "Un grand repas sur la place, où chaque famille apporte un plat de chez elle.",
     [("Location de tables et de chaises", 35_000), ("Boissons et pain", 30_000),
      ("Affiches et invitations en 4 langues", 25_000)]),
    ("Atelier vélo au pied des immeubles",
     "Apprendre à réparer son vélo, un samedi par mois, avec un mécanicien bénévole.",
     [("Outils et pompe", 60_000), ("Pièces de rechange", 50_000),
      ("Caisse de rangement", 30_000)]),
    ("Fresque du city stade avec les enfants",
     "Les enfants du quartier dessinent et peignent le mur du city stade avec une artiste.",
     [("Peinture et pinceaux", 45_000), ("Intervention de l’artiste", 75_000)]),
    ("Sortie à la mer pour les familles",
     "Une journée à la mer en car pour 50 habitants qui ne partent pas en vacances.",
     [("Location du car", 110_000), ("Goûter", 15_000), ("Assurance", 25_000)]),
    ("Bacs de jardinage sur la place",
     "Six bacs pour cultiver herbes et tomates, entretenus par les voisins.",
     [("Bacs en bois", 45_000), ("Terre et plants", 30_000)]),
]

ORIENTATIONS = [
    ("Emploi et insertion",
     "Aller vers les personnes loin de l’emploi, soutenir la création d’activité."),
    ("Éducation et réussite",
     "Accompagner les enfants et les jeunes, de la crèche aux études."),
    ("Cadre de vie et renouvellement urbain",
     "Des logements, des rues et des espaces verts entretenus et agréables."),
    ("Santé et accès aux droits",
     "Se soigner près de chez soi, connaître et obtenir ses droits."),
    ("Lien social, culture et sport",
     "Se rencontrer, faire ensemble, accéder à la culture et au sport."),
    ("Tranquillité publique et prévention",
     "Se sentir en sécurité, prévenir les conflits et la délinquance."),
]

SIGNATORIES = [
    ("Ville de Toulouse", "commune", "Camille Martin"),
    ("Toulouse Métropole", "epci", "Karim Benali"),
    ("Préfecture de la Haute-Garonne", "state", "Sophie Garnier"),
    ("Conseil départemental de la Haute-Garonne", "departement", "Julien Roux"),
    ("Région Occitanie", "region", "Fatou Diallo"),
    ("CAF de la Haute-Garonne", "caf", "Nadia Haddad"),
    ("Toulouse Métropole Habitat", "landlord", "Thomas Lefèvre"),
    ("France Travail Occitanie", "france_travail", "Inès Moreau"),
]


def seed(*, echo: bool = True) -> dict[str, str]:
    """Create the demo contract and one account per role; returns {email: role}."""
    now = clock.now()
    contract = services.save_contract(db(), None, {
        "name": "Contrat de ville de Toulouse Métropole — Engagements Quartiers 2030",
        "start_year": 2024, "end_year": 2030}, actor=None, now=now)
    features, skipped = read_qpv_features(json.loads(QPV_FILE.read_text(encoding="utf-8")))
    services.import_qpv(db(), contract, features, skipped, actor=None, now=now)
    for position, (name, description) in enumerate(ORIENTATIONS):
        services.save_orientation(db(), contract, None, {
            "name": name, "description": description, "position": position},
            actor=None, now=now)
    signatories = []
    for name, kind, referent in SIGNATORIES:
        slug = referent.lower().replace(" ", ".").replace("è", "e").replace("é", "e")
        signatories.append(services.save_signatory(db(), contract, None, {
            "name": name, "kind": kind, "referent_name": referent,
            "referent_email": f"{slug}@example.org",
            "commitment": "Répondre aux idées transmises dans un délai de deux mois."},
            actor=None, now=now))
    mirail, empalot = (queries.quartier_by_code(db(), code) for code in ("QP031007", "QP031010"))
    assert mirail is not None and empalot is not None
    people: list[tuple[str, str, list[tuple[Role, int | None, int | None]]]] = [
        ("pilote@example.org", "Claire (pilote)", [(Role.PILOT, None, None)]),
        ("signataire@example.org", "Camille (Ville de Toulouse)",
         [(Role.SIGNATORY, None, signatories[0].id)]),
        ("moderateur@example.org", "Yacine (conseil citoyen)", [(Role.MODERATOR, mirail.id, None)]),
        ("animatrice@example.org", "Aïcha (animatrice)",
         [(Role.ANIMATOR, mirail.id, None), (Role.ANIMATOR, empalot.id, None)]),
        ("habitante@example.org", "Mireille", []),
    ]
    password = secrets.token_urlsafe(9)
    created: dict[str, str] = {}
    users = {}
    for email, name, grants in people:
        user = accounts.sign_up(db(), email=email, password=password, display_name=name,
                                language="fr", quartier_id=mirail.id, now=now).user
        user.email_confirmed_at = now
        for role, quartier_id, signatory_id in grants:
            accounts.grant_role(db(), user, role, quartier_id=quartier_id,
                                signatory_id=signatory_id, actor=None, now=now)
        created[email] = ", ".join(sorted({g[0].value for g in grants})) or "resident"
        users[email] = user
    db.flush()
    shares = _seed_fph(mirail, empalot, users, now)
    _seed_ideas(mirail, users, signatories, now)
    _seed_map(mirail, users, now)
    _seed_events(mirail, empalot, users, signatories, now)
    animator = users["animatrice@example.org"]
    today = clock.local_day(now, "Europe/Paris")
    for place, start, end in (("Maison de quartier de la Reynerie", 9, 12),
                              ("Centre social Bellefontaine", 14, 18)):
        permanences.open_permanence(
            db(), mirail, place,
            clock.to_utc(datetime.combine(today, time(start)), "Europe/Paris"),
            clock.to_utc(datetime.combine(today, time(end)), "Europe/Paris"),
            actor=animator, now=now)
    if echo:
        click.echo("Demo data created. Demo accounts (shown once), all with the password "
                   f"{password}:")
        for email, roles in created.items():
            click.echo(f"  {roles:<10} {email}")
        click.echo("Shares of the open FPH vote's trustees, to count it (a real server never "
                   "shows a share again):")
        for share in shares:
            click.echo(f"  {share}")
    return created


#: (orientation index, signatory index, commitment)
COMMITMENTS = [
    (0, 7, "Une conseillère France Travail tient une permanence chaque semaine au "
           "centre social."),
    (1, 3, "Accompagnement des collégiens exclus temporairement, avec les associations."),
    (2, 0, "Nettoyer les rues et réparer l’éclairage public signalé en moins d’un mois."),
    (2, 6, "Rénover les halls et les entrées d’immeubles d’ici 2027."),
    (3, 5, "Des rendez-vous pour les droits (allocations, logement) au centre social."),
    (4, 0, "Ouvrir les gymnases aux habitants le week-end."),
    (5, 2, "Des médiateurs de nuit, l’été, sur les places du quartier."),
]
#: (title, text, place, orientation index, author key, status, forwarded to signatory index)
IDEAS = [
    ("Des bancs à l’ombre près de l’école",
     "Les parents attendent la sortie de l’école en plein soleil. Quelques bancs sous les "
     "arbres, ce serait bien pour les personnes âgées aussi.",
     "Devant l’école Didier-Daurat", 2, "habitante@example.org", "forwarded", 0),
    ("Réparer l’éclairage du passage sous la dalle",
     "Le soir, le passage est noir. Les femmes et les enfants font un grand détour.",
     "Passage sous la dalle, Reynerie", 5, "Fatou", "forwarded", 6),
    ("Un atelier vélo le samedi",
     "Beaucoup de jeunes ont des vélos cassés. Un atelier pour apprendre à les réparer.",
     "", 4, "animatrice@example.org", "fph", None),
    ("Un composteur collectif",
     "Pour réduire les poubelles et faire de la terre pour les jardins partagés.",
     "Square Abbal", 2, "Nadia", "under_study", None),
    ("Plus de poubelles sur la place",
     "Les poubelles débordent le samedi après le marché.", "Place Abbal", 2, "Moussa",
     "new", None),
]


def _seed_ideas(mirail: Any, users: dict[str, Any], signatories: list[Any],
                now: datetime) -> None:
    """Ideas at every step of their life, so each page has something to show."""
    from civic.ideas import services as ideas
    from civic.ideas.kinds import CommentKind, IdeaKind
    from civic.moderation import services as moderation

    orientations = mirail.contract.orientations
    for o_index, s_index, text in COMMITMENTS:
        services.save_commitments(db(), signatories[s_index], {orientations[o_index].id: text},
                                  actor=None, now=now)
    moderator, pilot = users["moderateur@example.org"], users["pilote@example.org"]
    animator, resident = users["animatrice@example.org"], users["habitante@example.org"]
    start = now - timedelta(days=40)
    for n, (title, body, place, o_index, who, status, target) in enumerate(IDEAS):
        at = start + timedelta(days=4 * n)
        author = users.get(who)
        idea = ideas.post(db(), mirail, {
            "title": title, "body": body, "place": place,
            "orientation_id": orientations[o_index].id, "author_name": "" if author else who},
            author=author, entered_by=None if author else animator, now=at)
        moderation.decide(db(), IdeaKind(), idea, "publish", actor=moderator, now=at)
        supporters = (resident, animator, moderator, pilot)[: 4 - n % 3]
        for supporter in supporters:
            if supporter.id != idea.author_id:
                ideas.support(db(), idea, supporter, now=at)
        if status != "new":
            signatory = signatories[target] if target is not None else None
            answered = at + timedelta(days=3)
            ideas.answer(db(), idea, status, {
                "forwarded": "Transmise au service concerné, qui répondra ici.",
                "fph": "Une belle idée pour le FPH : proposez-la à la prochaine session.",
                "under_study": "",
            }[status], actor=pilot, now=answered, signatory=signatory,
                due_on=(answered + timedelta(days=45)).date() if signatory else None)
        if n == 1:
            forwarding = idea.forwardings[0]
            ideas.answer_forwarding(db(), forwarding,
                                    "Les lampes seront changées la semaine du 15. Nous "
                                    "ajoutons deux points lumineux.",
                                    actor=users["signataire@example.org"],
                                    now=forwarding.forwarded_at + timedelta(days=12))
        if n == 0:
            first = ideas.comment(db(), idea, "Oui ! Et un point d’eau aussi.",
                                  author=animator, now=at + timedelta(days=1))
            reply = ideas.comment(db(), idea, "Bonne idée, l’été il fait très chaud.",
                                  author=resident, parent=first, now=at + timedelta(days=2))
            for comment in (first, reply):
                moderation.decide(db(), CommentKind(), comment, "publish", actor=moderator,
                                  now=at + timedelta(days=2))
    ideas.post(db(), mirail, {
        "title": "Un terrain de basket pour les filles",
        "body": "Des créneaux réservés aux filles au city stade, le mercredi.",
        "orientation_id": orientations[4].id}, author=resident, now=now - timedelta(days=1))
    refused = ideas.post(db(), mirail, {
        "title": "Vends canapé très bon état", "body": "Appelez-moi, prix à débattre.",
        "orientation_id": None}, author=animator, now=now - timedelta(days=3))
    moderation.decide(db(), IdeaKind(), refused, "reject",
                      reason="Les publicités ne sont pas acceptées.", actor=moderator, now=now)


LANDMARKS = ["Métro Reynerie", "Place Abbal", "École Didier-Daurat", "Lac de la Reynerie",
             "Centre social Bellefontaine", "Métro Mirail-Université"]
#: (polarity, category, text)
POINTS = [
    ("negative", "cleanliness", "Dépôts sauvages au pied de l’immeuble, depuis deux semaines."),
    ("positive", "green", "Le parc est bien entretenu, les enfants adorent les jeux."),
    ("negative", "safety", "Le passage sous la dalle n’est pas éclairé le soir."),
    ("negative", "housing", "La porte d’entrée du bâtiment ne ferme plus."),
    ("positive", "social", "Le jardin partagé réunit les voisins le samedi."),
    ("negative", "mobility", "Le trottoir est trop étroit pour les poussettes."),
    ("positive", "shops", "Le marché du dimanche est très vivant."),
    ("negative", "facilities", "L’ascenseur est souvent en panne."),
    ("positive", "facilities", "La médiathèque a de nouveaux horaires le soir."),
    ("negative", "cleanliness", "Les poubelles débordent après le marché."),
]


def _inside(perimeter: dict[str, Any], n: int) -> list[tuple[float, float]]:
    """n positions spread over the perimeter, the same on every run."""
    import random

    from civic.map import geometry

    rng = random.Random(17)
    (south, west), (north, east) = geometry.bounds(perimeter)
    found: list[tuple[float, float]] = []
    while len(found) < n:
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if geometry.contains(perimeter, lat, lon):
            found.append((round(lat, 6), round(lon, 6)))
    return found


def _seed_map(mirail: Any, users: dict[str, Any], now: datetime) -> None:
    """Landmarks, residents' points (one still waiting) and a walk with its points."""
    from civic.map import services as map_services
    from civic.map.kinds import PointKind
    from civic.moderation import services as moderation

    pilot, moderator = users["pilote@example.org"], users["moderateur@example.org"]
    animator, resident = users["animatrice@example.org"], users["habitante@example.org"]
    places = _inside(mirail.perimeter, len(LANDMARKS) + 2 * len(POINTS))
    for name, (lat, lon) in zip(LANDMARKS, places, strict=False):
        map_services.add_landmark(db(), mirail, name, lat, lon, actor=pilot, now=now)
    spots = places[len(LANDMARKS):]
    for n, (polarity, category, text) in enumerate(POINTS):
        lat, lon = spots[n]
        point = map_services.add_point(db(), mirail, {
            "polarity": polarity, "category": category, "text": text, "latitude": lat,
            "longitude": lon}, author=resident if n % 2 else animator,
            now=now - timedelta(days=60 - 5 * n))
        if n < len(POINTS) - 1:
            moderation.decide(db(), PointKind(), point, "publish", actor=moderator, now=now)
    walk = map_services.save_walk(db(), mirail, None, {
        "title": "Diagnostic en marchant de la Reynerie",
        "starts_at": now - timedelta(days=7), "meeting_point": "Métro Reynerie",
        "route": "Métro Reynerie, place Abbal, le lac, la dalle, retour au métro.",
        "participants": 14}, actor=animator, now=now - timedelta(days=8))
    for n, (polarity, category, text) in enumerate(POINTS[:6]):
        lat, lon = spots[len(POINTS) + n]
        map_services.add_point(db(), mirail, {
            "polarity": polarity, "category": category, "text": text, "latitude": lat,
            "longitude": lon}, author=animator, walk=walk, now=now - timedelta(days=7))


#: (kind, title, place, days from now, start hour, hours, capacity, description)
EVENTS = [
    ("cafe", "Café des habitants", "Maison de quartier de la Reynerie", 3, 9, 2, 25,
     "Un café, des croissants et les nouvelles du quartier. Venez avec vos questions."),
    ("meal", "Repas partagé de la fin d’année", "Centre social Bellefontaine", 9, 12, 3, 6,
     "Chacun apporte un plat de chez lui. On mange ensemble et on fait connaissance."),
    ("workshop", "Atelier : réparer son vélo", "Place Abbal", 12, 14, 3, None,
     "Des outils et des bénévoles pour apprendre à réparer son vélo."),
    ("council_meeting", "Réunion du conseil citoyen", "Maison de quartier de la Reynerie",
     16, 18, 2, 40, "Ordre du jour : les idées reçues ce mois-ci et le vote FPH."),
    ("project_party", "Fête du jardin partagé", "Jardin partagé du lac", -20, 14, 4, 80,
     "Pour fêter le jardin financé par le FPH l’an dernier."),
]
#: (weekday, start, end, place, host, topics)
SLOTS = [
    (1, time(14), time(17), "Maison de quartier de la Reynerie", "Aïcha, animatrice",
     "Aide aux démarches, idées, vote FPH"),
    (4, time(9, 30), time(12), "Centre social Bellefontaine", "Aïcha, animatrice",
     "Questions sur le quartier, inscriptions aux événements"),
]


def _seed_events(mirail: Any, empalot: Any, users: dict[str, Any], signatories: list[Any],
                 now: datetime) -> None:
    """Coming and past events in both quartiers, a full one with a waiting list, the
    attendance of the past one, weekly permanence hours with the Christmas closure."""
    from civic.events import services as events
    from civic.permanence import slots

    animator, resident = users["animatrice@example.org"], users["habitante@example.org"]
    today = clock.local_day(now, "Europe/Paris")
    from civic.map import queries as map_queries

    spots = map_queries.landmarks(db(), mirail.id)
    guests = ["Fatou", "Moussa", "Nadia", "Karim", "Sofia", "Jean", "Leïla", "Omar"]
    for n, (kind, title, place, days, hour, hours, capacity, text) in enumerate(EVENTS):
        starts = clock.to_utc(datetime.combine(today + timedelta(days=days), time(hour)),
                              "Europe/Paris")
        created_at = min(now, starts) - timedelta(days=10)
        event = events.create(db(), empalot if n == 2 else mirail, {
            "kind": kind, "title": title, "description": text, "place": place,
            "address": "", "organiser": "Régie de quartier" if n == 2 else "",
            "signatory_id": signatories[0].id if n == 3 else None, "bring": (
                "Un plat à partager" if kind == "meal" else ""),
            "step_free": True, "childcare": n in (0, 1), "interpretation": (
                "arabe" if n in (0, 3) else ""), "capacity": capacity,
            "starts_at": starts, "ends_at": starts + timedelta(hours=hours),
            "latitude": spots[n].latitude if n != 2 and spots else None,
            "longitude": spots[n].longitude if n != 2 and spots else None},
            author=animator, proposed=False,
            now=created_at)
        for k, name in enumerate(guests[: 3 + 2 * n]):
            events.sign_up(db(), event, {
                "name": name, "phone": f"06 12 34 56 {k:02d}", "email": None,
                "party_size": 1 + k % 3, "childcare": k == 1, "consent": True,
                "interpretation": "arabe" if k == 2 else ""}, user=None, language="fr",
                now=created_at + timedelta(hours=k + 1))
        if n == 0:
            events.sign_up(db(), event, {"party_size": 2}, user=resident, language="fr",
                           now=created_at + timedelta(days=1))
        if days < 0:
            signed = events.live_signups(db(), event)
            events.take_attendance(db(), event, events.Attendance(
                present_ids=frozenset(s.id for s in signed[:-1]), walk_ins=9,
                walk_in_names=("Rachid", "Hélène"),
                figures={("gender", "woman"): 12, ("gender", "man"): 8,
                         ("age", "25_39"): 7, ("age", "40_54"): 6,
                         ("age", "65_plus"): 4}), actor=animator,
                now=starts + timedelta(hours=1))
    for weekday, start, end, place, host, topics in SLOTS:
        slots.add_slot(db(), mirail, weekday=weekday, starts=start, ends=end, place=place,
                       host=host, topics=topics, actor=animator, now=now)
    christmas = date(today.year, 12, 21)
    slots.add_closure(db(), mirail, first_day=christmas, last_day=christmas + timedelta(
        days=13), label="Vacances de Noël", actor=animator, now=now)


def _seed_fph(mirail: Any, empalot: Any, users: dict[str, Any], now: datetime) -> list[str]:
    """A vote open now in Grand Mirail, proposals open in Empalot, and the real 2022
    participatory budget of the district, imported and published. Returns the shares of
    the open vote's trustees (the pilot and the conseil citoyen member)."""
    day = timedelta(days=1)
    resident = users["habitante@example.org"]
    rules = {"min_project_cents": 20_000, "min_age": 16, "vote_method": "approval",
             "approval_min": 1, "approval_max": 3, "points_total": 0, "points_max": 0,
             "tally_rule": "greedy", "min_score": 0,
             "rules_text": "Le projet se passe dans le quartier, il est ouvert à tous et "
                           "il ne rapporte d’argent à personne."}
    fund = budget.save_fund(db(), mirail, None, {
        "year": now.year, "envelope_cents": 500_000, "cap_cents": 150_000, **rules},
        actor=None, now=now)
    voting = budget.save_round(db(), fund, None, {
        "title": f"Appel à projets {now.year}", "submission_starts_at": now - 40 * day,
        "review_starts_at": now - 20 * day, "vote_starts_at": now - 2 * day,
        "vote_ends_at": now + 12 * day, "follow_up_starts_at": now + 60 * day},
        actor=None, now=now - 41 * day)
    for title, summary, lines in FPH_PROJECTS:
        amount = sum(cents for _, cents in lines)
        project = Project(
            round=voting, author_id=resident.id, title=title, summary=summary,
            description=summary + " Le collectif s’occupe de tout et rend compte au "
                                  "conseil citoyen.",
            amount_cents=amount,
            budget_lines=[{"label": label, "amount_cents": cents} for label, cents in lines],
            carrier_kind="residents", carrier_name="Collectif des voisins", contact="—",
            place="Place Abbal", status=ProjectStatus.ADMITTED.value,
            checklist=dict.fromkeys(budget.CHECKLIST, True), created_at=now - 30 * day,
            updated_at=now - 10 * day)
        db.add(project)
    bureau = [users["pilote@example.org"], users["moderateur@example.org"]]
    trustees.name(db(), voting, bureau, 2, actor=bureau[0], now=now - 3 * day)
    shares = [trustees.hand_share(db(), voting, person, now=now - 3 * day) for person in bureau]
    other = budget.save_fund(db(), empalot, None, {
        "year": now.year, "envelope_cents": 300_000, "cap_cents": 100_000, **rules},
        actor=None, now=now)
    budget.save_round(db(), other, None, {
        "title": f"Appel à projets {now.year}", "submission_starts_at": now - 5 * day,
        "review_starts_at": now + 25 * day, "vote_starts_at": now + 40 * day,
        "vote_ends_at": now + 55 * day, "follow_up_starts_at": now + 90 * day},
        actor=None, now=now - 6 * day)
    imports.import_instance(db(), mirail, pabulib.read(PB_FILE.read_text(encoding="utf-8")),
                            now=now, title="Budget participatif 2022 (Toulouse)")
    return shares


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a contract already exists.")
@click.option("--size", type=click.Choice(["small", "large"]), default="small",
              show_default=True,
              help="large: three years of a ten-quartier contract, for scale tests.")
@with_appcontext
def seed_demo_command(if_empty: bool, size: str) -> None:
    """Fill the database with the demo contract on real Toulouse perimeters."""
    with db.begin():
        if queries.current_contract(db()) is not None:
            if if_empty:
                return
            raise click.ClickException("The database already holds a contract.")
        if size == "large":
            from civic.demo_large import seed_large

            seed_large()
        else:
            seed()
