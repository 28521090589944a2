"""``flask --app wsgi seed-demo --size large``: three years of a ten-quartier contract.

Made for scale tests and the steering-dashboard benchmark. It starts from the small demo
(``civic.demo.seed``: the contract on four real Toulouse perimeters, its orientations,
signatories and role accounts), dates the setting-up of the contract back to January
2024, adds six invented quartiers (codes QP031901…QP031906, small squares around
Toulouse) and three years of life (2024, 2025 and 2026 up to today): about 20 000
residents, the staff who moderate and animate every quartier, and about 100 000
contributions: ideas with their supports, comments, answers and forwardings, map points
and walks, events with their signups and attendance, and one FPH round per quartier and
year with its projects, register, ballot box, count and follow-up.

The volume goes in with bulk inserts, not through the services, but every row is one the
services could have written:

- moderation states are reached by the workflow's transitions (pending → published or
  rejected, published → hidden), each decision by a moderator of the quartier, with its
  reason and its audit entry; a quartier moderated afterwards publishes at once;
- counters equal their rows (``support_count``, ``seats_taken``), signups follow the
  capacity rule, the waiting list and its promotions, and the names of events ended more
  than ``EVENT_SIGNUP_RETENTION_DAYS`` ago are deleted as ``events.services.purge`` does;
- nothing is dated before what it depends on (the account, the publication, the event),
  nothing after now; times are aware UTC;
- the FPH goes through its services where they hold the rule: funds and rounds are
  saved by ``budget.services``; each ballot and register line is written as ``cast``
  writes it, the seal summed as ``cast`` sums it; the count is started, confirmed and
  published by ``budget.counting``, which checks the seal and freezes the results.

Residents and the added staff share the password of the demo's accounts (shown once by
the small demo), so that a benchmark can log in as anyone. Everything random comes from
``random.Random(seed)``, except what the services draw from ``secrets`` (ballot and
register ids, receipt codes, signup keys, the rounds' keys).
"""

from __future__ import annotations

import math
import random
import secrets
import time as timer
import unicodedata
import uuid
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from civic import demo
from civic.accounts import services as accounts
from civic.accounts.models import AGE_BRACKETS, GENDERS, Role, RoleGrant, User
from civic.budget import ballots as ballot_rules
from civic.budget import box as ballot_box
from civic.budget import counting, identity, trustees
from civic.budget import services as budget
from civic.budget.models import (
    Channel,
    FollowUp,
    Fund,
    Participation,
    Project,
    ProjectStatus,
    Round,
    SealedBallot,
)
from civic.budget.phases import Phase
from civic.core import clock
from civic.core.audit import AuditEntry
from civic.core.db import Base
from civic.core.db import session as scoped
from civic.events.models import KINDS, AttendanceFigure, Event, Signup, SignupStatus
from civic.ideas.models import Comment, Follow, Forwarding, Idea, Status, Support
from civic.ideas.search import normalise
from civic.map import geometry
from civic.map.models import CATEGORIES, Landmark, MapPoint, PointSupport, Walk
from civic.moderation.models import Mode, Report, State
from civic.moderation.reasons import REPORT_REASONS
from civic.permanence import codes, slots
from civic.permanence.models import Permanence, VoteCode, WeeklySlot
from civic.territory import queries
from civic.territory import services as territory
from civic.territory.models import Contract, Quartier

#: What one run writes at scale 1.0 (``scale`` multiplies every figure).
TARGETS = {
    "users": 20_000, "ideas": 8_000, "comments": 10_000, "supports": 25_000,
    "map_points": 12_000, "point_supports": 15_000, "walks": 60, "events": 900,
    "event_signups": 20_000, "participations": 10_000,
}
FIRST_YEAR, LAST_YEAR = 2024, 2026
CHUNK = 5_000
DAY = 86_400.0
HOUR = 3_600.0
PARIS = ZoneInfo("Europe/Paris")

#: Orders of magnitude for the four real quartiers (not the official INSEE figures).
POPULATIONS = {"QP031007": 31_000, "QP031010": 5_500, "QP031014": 3_400, "QP031019": 2_700}
#: (code, name, commune, centre latitude, centre longitude, half side in metres,
#: population, moderation mode): invented quartiers around Toulouse.
SYNTHETIC = [
    ("QP031901", "Les Violettes", "Toulouse", 43.6335, 1.4265, 420, 3_900, "pre"),
    ("QP031902", "Cité du Canal", "Toulouse", 43.5850, 1.4760, 350, 2_600, "post"),
    ("QP031903", "Les Hauts de Garonne", "Blagnac", 43.6420, 1.3830, 380, 3_100, "pre"),
    ("QP031904", "Les Tourterelles", "Colomiers", 43.6090, 1.3290, 450, 4_400, "post"),
    ("QP031905", "Le Moulin Vieux", "Cugnaux", 43.5400, 1.3480, 320, 2_100, "pre"),
    ("QP031906", "La Garrigue", "Balma", 43.6080, 1.5050, 300, 1_800, "post"),
]
#: « Maison de quartier … » for every quartier.
OF = {"QP031007": "du Grand Mirail", "QP031010": "d’Empalot", "QP031014": "de Soupetard",
      "QP031019": "de la Gloire", "QP031901": "des Violettes", "QP031902": "du Canal",
      "QP031903": "des Hauts de Garonne", "QP031904": "des Tourterelles",
      "QP031905": "du Moulin Vieux", "QP031906": "de la Garrigue"}
MIRAIL_PLACES = ["Maison de quartier de la Reynerie", "Centre social Bellefontaine",
                 "Place Abbal", "Médiathèque de la Reynerie", "Gymnase de Bellefontaine"]

FIRST_NAMES = [
    "Fatou", "Moussa", "Nadia", "Karim", "Sofia", "Jean", "Leïla", "Omar", "Mireille",
    "Yacine", "Aïcha", "Samir", "Inès", "Thomas", "Amina", "Mohamed", "Julie", "Rachid",
    "Hélène", "Bilal", "Camille", "Youssef", "Sarah", "Mamadou", "Chantal", "Ibrahim",
    "Lucie", "Nabil", "Awa", "Pierre", "Fatima", "Hugo", "Mariam", "Kevin", "Zohra", "Paul",
    "Salma", "Djamel", "Emma", "Issa", "Nathalie", "Hamza", "Léa", "Abdou", "Monique",
    "Rayan", "Khadija", "Louis", "Naïma", "Sékou", "Martine", "Ali", "Yasmine", "Bernard",
    "Aminata", "Mehdi", "Anaïs", "Souleymane", "Dominique", "Houria",
]
ARABIC_NAMES = ["فاطمة", "محمد", "خديجة", "يوسف", "مريم", "عمر", "سلمى", "كريم"]
SURNAMES = ["Diallo", "Martin", "Benali", "Traoré", "Garcia", "Haddad", "Bernard", "Nguyen",
            "Mendy", "Lefèvre", "Bouzid", "Moreau", "Camara", "Petit", "Ziani", "Roux",
            "Keita", "Durand", "Amrani", "Fournier", "Sow", "Lopez", "Cherif", "Blanc"]

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
#: Orientation index → signatory index (the order of demo.SIGNATORIES).
FORWARD_TO = {0: [7, 1], 1: [3, 0], 2: [0, 6, 1], 3: [5, 2], 4: [0, 3], 5: [2, 0]}
FORWARD_ANSWERS = [
    "Nous avons programmé une intervention dans les six semaines.",
    "Le service a pris contact avec le conseil citoyen pour en parler.",
    "Ce n’est pas de notre compétence : nous avons relayé à la métropole.",
    "Budget prévu l’an prochain, nous vous tiendrons informés.",
    "C’est en cours, une réunion publique aura lieu le mois prochain.",
    "Nous ne pouvons pas donner suite cette année, faute de crédits.",
]
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
POINT_TEXTS = {
    ("negative", "cleanliness"): ["Dépôts sauvages au pied de l’immeuble.",
                                  "Les poubelles débordent après le marché."],
    ("positive", "cleanliness"): ["La rue est propre depuis le passage de la régie.",
                                  "Nouveaux conteneurs de tri, très pratiques."],
    ("negative", "safety"): ["Le passage n’est pas éclairé le soir.",
                             "Des voitures roulent très vite devant l’école."],
    ("positive", "safety"): ["Les médiateurs passent le soir, on se sent mieux.",
                             "Le nouvel éclairage du square change tout."],
    ("negative", "facilities"): ["L’ascenseur est souvent en panne.",
                                 "Le grillage du city stade est cassé."],
    ("positive", "facilities"): ["La médiathèque a de nouveaux horaires le soir.",
                                 "Le gymnase est ouvert le week-end."],
    ("negative", "green"): ["Les arbres n’ont pas été taillés depuis longtemps.",
                            "La pelouse est pleine de déchets."],
    ("positive", "green"): ["Le parc est bien entretenu, les enfants adorent les jeux.",
                            "Le jardin partagé est magnifique au printemps."],
    ("negative", "mobility"): ["Le trottoir est trop étroit pour les poussettes.",
                               "Pas de passage piéton devant l’arrêt de bus."],
    ("positive", "mobility"): ["La nouvelle piste cyclable est très pratique.",
                               "L’arrêt de bus a enfin un abri."],
    ("negative", "shops"): ["La boulangerie a fermé, il n’y a plus de commerce.",
                            "Le distributeur de billets est toujours en panne."],
    ("positive", "shops"): ["Le marché du dimanche est très vivant.",
                            "La nouvelle épicerie solidaire est une chance."],
    ("negative", "housing"): ["La porte d’entrée du bâtiment ne ferme plus.",
                              "Humidité et moisissures dans les appartements."],
    ("positive", "housing"): ["Les halls rénovés sont beaux et lumineux.",
                              "Le bailleur a vite réparé les boîtes aux lettres."],
    ("negative", "social"): ["Plus aucun lieu pour se retrouver depuis la fermeture du local.",
                             "Les jeunes n’ont rien à faire le soir."],
    ("positive", "social"): ["Le jardin partagé réunit les voisins le samedi.",
                             "Le centre social organise de belles sorties."],
    ("negative", "other"): ["Bruit de scooters tard le soir.",
                            "Le panneau d’information est illisible."],
    ("positive", "other"): ["Une belle fresque sur le mur du gymnase.",
                            "Les voisins s’entraident beaucoup ici."],
}
#: Weights of the categories, for negative then positive points (order of CATEGORIES).
CATEGORY_WEIGHTS = {"negative": [22, 16, 14, 6, 14, 5, 15, 4, 4],
                    "positive": [5, 5, 15, 25, 8, 14, 5, 18, 5]}
#: The title a moderator gives a point turned into an idea.
POINT_IDEA_TITLES = {
    "cleanliness": "Plus de propreté autour des conteneurs", "safety": "Sécuriser ce passage",
    "facilities": "Réparer cet équipement", "green": "Entretenir les espaces verts",
    "mobility": "Des trottoirs et des passages sûrs", "shops": "Garder des commerces",
    "housing": "Réparer les parties communes", "social": "Un lieu pour se retrouver",
    "other": "Un point signalé sur la carte",
}
#: kind → (weight, capacity range or None, local start hours, hours, share contract-wide)
EVENT_KINDS: dict[str, tuple[int, tuple[int, int] | None, tuple[int, ...], int, float]] = {
    "cafe": (20, (20, 40), (9, 10), 2, 0.0),
    "meal": (11, (30, 80), (12, 19), 3, 0.0),
    "project_party": (6, (60, 200), (14, 15, 16), 4, 0.0),
    "permanence": (13, None, (9, 14), 3, 0.0),
    "assizes": (2, (150, 300), (9,), 7, 1.0),
    "elected_meeting": (5, (60, 120), (18,), 2, 0.3),
    "workshop": (18, (8, 20), (14, 15, 17), 2, 0.0),
    "council_meeting": (12, (30, 60), (18,), 2, 0.0),
    "training": (6, (12, 25), (9, 14), 3, 0.6),
}
EVENT_TITLES = {
    "cafe": ["Café des habitants", "Café des parents", "Petit déjeuner du quartier"],
    "meal": ["Repas partagé", "Repas de quartier", "Goûter partagé"],
    "project_party": ["Fête du jardin partagé", "Inauguration de la fresque",
                      "Fête des projets FPH"],
    "permanence": ["Permanence d’accès aux droits", "Permanence du conseil citoyen"],
    "walk": ["Diagnostic en marchant"],
    "assizes": ["Assises du contrat de ville", "Rencontre des conseils citoyens"],
    "elected_meeting": ["Rencontre avec les élus", "Réunion publique sur le quartier"],
    "workshop": ["Atelier vélo", "Atelier couture", "Atelier numérique",
                 "Atelier cuisine du monde", "Atelier CV"],
    "council_meeting": ["Réunion du conseil citoyen", "Conseil citoyen ouvert"],
    "training": ["Formation des conseillers citoyens", "Formation : monter un projet FPH",
                 "Formation aux premiers secours"],
}
EVENT_TEXTS = {
    "cafe": "Un café, des croissants et les nouvelles du quartier. Venez avec vos questions.",
    "meal": "Chacun apporte un plat de chez lui. On mange ensemble et on fait connaissance.",
    "project_party": "Pour fêter un projet financé par le FPH avec celles et ceux qui l’ont "
                     "porté.",
    "permanence": "Un animateur vous reçoit : démarches, idées, vote FPH.",
    "walk": "On marche ensemble dans le quartier pour noter ce qui va et ce qui ne va pas.",
    "assizes": "Une journée pour faire le point sur le contrat de ville avec les habitants, "
               "les signataires et les élus.",
    "elected_meeting": "Les élus répondent aux questions des habitants.",
    "workshop": "Un atelier pratique, ouvert à toutes et à tous.",
    "council_meeting": "Ordre du jour : les idées reçues ce mois-ci, le FPH et les "
                       "prochains événements.",
    "training": "Une formation courte pour les conseillers citoyens et les bénévoles.",
}
ORGANISERS = ["", "", "Régie de quartier", "Centre social", "Association des parents",
              "Collectif des voisins"]
CANCEL_REASONS = ["Salle indisponible, l’événement est reporté.",
                  "Alerte météo : nous préférons annuler.", "L’intervenant est malade."]
FPH_PROJECTS = [*demo.FPH_PROJECTS, *[
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
PROJECT_NEWS = ["Le matériel est commandé.", "Première séance avec 25 participants.",
                "Report de deux semaines à cause de la météo.",
                "Le projet est terminé, merci à toutes et à tous !"]
#: New residents by year: the launch brings the most, then word of mouth.
JOIN_WEIGHTS = {2024: 1.0, 2025: 0.75, 2026: 0.6}
MONTH_WEIGHTS = [0.9, 1.0, 1.15, 1.1, 1.1, 1.0, 0.6, 0.4, 1.15, 1.2, 1.05, 0.8]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.05, 1.0, 0.95, 0.8, 0.6]
#: Local hours of the day when residents post, with weights.
HOURS = [(7, 1), (8, 3), (9, 5), (10, 6), (11, 6), (12, 5), (13, 4), (14, 5), (15, 5),
         (16, 5), (17, 6), (18, 8), (19, 8), (20, 9), (21, 8), (22, 5), (23, 2)]
CHANNEL_WEIGHTS = [(Channel.ONLINE, 45), (Channel.KIOSK, 25), (Channel.PAPER, 20),
                   (Channel.CODE, 10)]


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _local_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, PARIS).date()


def _local_ts(day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).timestamp()


def _slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in bare if c.isascii() and c.isalnum()) or "habitant"


def _square(lat: float, lon: float, half_m: float) -> dict[str, Any]:
    """A GeoJSON Polygon (lon/lat), a square of 2 × ``half_m`` metres around the centre."""
    dlat = half_m / 111_320
    dlon = half_m / (111_320 * math.cos(math.radians(lat)))
    ring = [[round(lon - dlon, 6), round(lat - dlat, 6)], [round(lon + dlon, 6),
            round(lat - dlat, 6)], [round(lon + dlon, 6), round(lat + dlat, 6)],
            [round(lon - dlon, 6), round(lat + dlat, 6)], [round(lon - dlon, 6),
            round(lat - dlat, 6)]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class _Quartier:
    """What the generator needs to know of a quartier."""

    obj: Quartier
    weight: float
    of: str
    places: list[str]
    landmarks: list[tuple[int, str, float, float]] = field(default_factory=list)
    hotspots: list[tuple[float, float]] = field(default_factory=list)
    moderators: list[int] = field(default_factory=list)
    animators: list[int] = field(default_factory=list)
    #: Residents living here, in the order they joined, with cumulative activity weights.
    joins: list[float] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def pre(self) -> bool:
        return self.obj.moderation_mode == Mode.PRE


class _Post:
    """An idea, a comment or a map point as planned, before it has an id."""

    __slots__ = ("appeal", "author", "created", "decisions", "hidden", "id", "moderated_at",
                 "moderator", "published", "q", "reason", "row", "state")

    def __init__(self, q: int, author: int, created: float, row: dict[str, Any]) -> None:
        self.q, self.author, self.created, self.row = q, author, created, row
        self.state = State.PENDING.value
        self.published: float | None = None
        self.hidden: float | None = None
        self.moderated_at: float | None = None
        self.moderator: int | None = None
        self.reason = ""
        #: (time, action, moderator id, state before, state after, reason)
        self.decisions: list[tuple[float, str, int, str, str, str]] = []
        self.appeal = 1.0
        self.id = 0

    def open_at(self, t: float) -> bool:
        """Published at ``t`` (reactions are only possible then)."""
        return self.published is not None and self.published <= t and (
            self.hidden is None or t < self.hidden)

    def moderation(self) -> dict[str, Any]:
        return {"moderation": self.state, "moderation_reason": self.reason,
                "moderated_at": None if self.moderated_at is None else _dt(self.moderated_at),
                "moderated_by_id": self.moderator, "original_title": None}


class _Pool:
    """Published posts of each quartier in the order of publication, to react to."""

    def __init__(self, posts: Sequence[_Post], quartiers: int) -> None:
        by_q: list[list[_Post]] = [[] for _ in range(quartiers)]
        for post in posts:
            if post.published is not None:
                by_q[post.q].append(post)
        for items in by_q:
            items.sort(key=lambda p: p.published or 0.0)
        self.items = by_q
        self.times = [[p.published or 0.0 for p in items] for items in by_q]


class _Seeder:
    """One run of the large seed; methods are its steps, in order."""

    def __init__(self, db: Session, rng: random.Random, scale: float, now: datetime) -> None:
        self.db, self.rng, self.scale = db, rng, scale
        self.now = now.timestamp()
        self.start = _local_ts(date(FIRST_YEAR, 1, 8), 9)
        end_of_contract = _local_ts(date(LAST_YEAR, 12, 31), 23, 59)
        self.end = min(self.now, end_of_contract)
        if self.end < self.start + 60 * DAY:
            raise click.ClickException("The large demo needs a clock after March 2024.")
        self.audit_rows: list[dict[str, Any]] = []
        self.quartiers: list[_Quartier] = []
        self.hour_cumulative = [sum(w for _, w in HOURS[:k + 1]) for k in range(len(HOURS))]
        self.hour_total = self.hour_cumulative[-1]
        self._calendar(_local_day(self.start), _local_day(self.now + 60 * DAY))
        # Residents, by index: id, join time, end of activity, home quartier, weight.
        self.u_id: list[int] = []
        self.u_join: list[float] = []
        self.u_leave: list[float] = []
        self.u_home: list[int] = []
        self.u_weight: list[float] = []
        self.u_name: list[str] = []
        self.u_email: list[str] = []
        self.u_last: list[float] = []
        self.slots: list[tuple[float, int]] = []
        self.kinds: list[str] = []
        #: The trustees' shares by round: kept by the demo only, to run the count.
        self.shares: dict[int, list[str]] = {}
        self.from_points: set[int] = set()
        self.ideas: list[_Post] = []
        self.points: list[_Post] = []
        self.comments: list[_Post] = []

    # --- Time ----------------------------------------------------------------------------

    def _calendar(self, first: date, last: date) -> None:
        self.days: list[date] = []
        self.day_cumulative: list[float] = []
        total = 0.0
        day = first
        while day <= last:
            total += MONTH_WEIGHTS[day.month - 1] * WEEKDAY_WEIGHTS[day.weekday()]
            self.days.append(day)
            self.day_cumulative.append(total)
            day += timedelta(days=1)
        self.first_ordinal = first.toordinal()

    def day_between(self, a: float, b: float) -> date:
        """A local day between the times, weighted by season and weekday."""
        low = max(0, _local_day(a).toordinal() - self.first_ordinal)
        high = min(len(self.days) - 1, _local_day(b).toordinal() - self.first_ordinal)
        base = self.day_cumulative[low - 1] if low > 0 else 0.0
        index = bisect_left(self.day_cumulative, self.rng.uniform(base,
                                                                  self.day_cumulative[high]))
        return self.days[min(max(index, low), high)]

    def moment(self, a: float, b: float) -> float:
        """A time between ``a`` and ``b`` when people are awake, favouring busy seasons."""
        if b - a < 2 * DAY:
            return self.rng.uniform(a, b) if b > a else a
        day = self.day_between(a, b)
        hour = HOURS[bisect_left(self.hour_cumulative, self.rng.random() * self.hour_total)][0]
        ts = _local_ts(day, hour, self.rng.randrange(60))
        return ts if a <= ts <= b else self.rng.uniform(a, b)

    def delay(self, median_days: float, sigma: float = 0.9, most_days: float = 365) -> float:
        return min(self.rng.lognormvariate(math.log(median_days * DAY), sigma), most_days * DAY)

    def n(self, key: str, least: int = 1) -> int:
        return max(least, round(TARGETS[key] * self.scale))

    # --- Audit ---------------------------------------------------------------------------

    def audit(self, at: float, actor: int | None, action: str, target_type: str,
              target: Any, **details: Any) -> None:
        """An audit entry; ``target`` (and details) may be a post still without an id."""
        self.audit_rows.append({"at": _dt(at), "actor_id": actor, "action": action,
                                "target_type": target_type, "target_id": target,
                                "details": details})

    def write_audit(self) -> None:
        for entry in self.audit_rows:
            target = entry["target_id"]
            if isinstance(target, _Post):
                target = target.id
            entry["target_id"] = None if target is None else str(target)
            for key, value in entry["details"].items():
                if isinstance(value, _Post):
                    entry["details"][key] = value.id
        self.insert(AuditEntry, self.audit_rows)

    def insert(self, model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Bulk insert in chunks; with ``ids``, the rows get the next ids of the table
        (RETURNING in bulk is far slower), and PostgreSQL's sequence is moved past them."""
        if not rows:
            return []
        first = 0
        if ids:
            first = int(self.db.scalar(select(func.max(model.id))) or 0) + 1
            for offset, row in enumerate(rows):
                row["id"] = first + offset
        for k in range(0, len(rows), CHUNK):
            self.db.execute(insert(model).execution_options(render_nulls=True),
                            rows[k:k + CHUNK])
        if ids and self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                            {"table": model.__tablename__, "last": first + len(rows) - 1})
        return list(range(first, first + len(rows))) if ids else []

    def run(self) -> None:
        contract = queries.current_contract(self.db)
        assert contract is not None
        self.contract = contract
        self.signatories = sorted(contract.signatories, key=lambda s: s.id)
        self.orientations = [o.id for o in contract.orientations]
        self.setting_up()
        self.quartiers_of(contract)
        self.staff()
        self.weekly_hours()
        self.residents()
        self.landmarks()
        walks = self.walks()
        self.plan_points(walks)
        self.plan_ideas()
        self.guarantee_states()
        self.plan_reactions()
        self.plan_answers()
        self.write_ideas_and_points()
        self.reactions()
        self.answers()
        self.events(walks)
        self.fph()
        self.departures()
        self.write_audit()
        self.db.flush()

    # --- The contract and its quartiers ---------------------------------------------------

    def setting_up(self) -> None:
        """The contract, its quartiers and the demo's accounts were set up when the contract
        began, not today: date them (and their audit entries) back to its start."""
        at = _dt(self.start)
        self.contract.created_at = at
        for quartier in self.contract.quartiers:
            quartier.created_at = quartier.updated_at = at
        self.demo_users = {u.email: u for u in self.db.scalars(
            select(User).where(User.email.in_([
                "pilote@example.org", "signataire@example.org", "moderateur@example.org",
                "animatrice@example.org", "habitante@example.org"])))}
        for user in self.demo_users.values():
            user.created_at = user.email_confirmed_at = at
            for grant in user.roles:
                grant.granted_at = at
        self.db.execute(update(AuditEntry).where(AuditEntry.action.in_([
            "territory.contract_created", "territory.qpv_imported",
            "territory.orientation_created", "territory.signatory_created",
            "accounts.role_granted"])).values(at=at))
        self.pilot = self.demo_users["pilote@example.org"]
        self.password_hash = self.pilot.password_hash
        self.db.flush()

    def quartiers_of(self, contract: Contract) -> None:
        at = _dt(self.start)
        for quartier in sorted(contract.quartiers, key=lambda q: q.code):
            territory.save_quartier(self.db, contract, quartier, {
                "code": quartier.code, "population": POPULATIONS.get(quartier.code)},
                actor=None, now=at)
        for code, name, commune, lat, lon, half, population, mode in SYNTHETIC:
            territory.save_quartier(self.db, contract, None, {
                "code": code, "name": name, "commune": commune, "population": population,
                "perimeter": _square(lat, lon, half), "moderation_mode": mode},
                actor=self.pilot, now=at + timedelta(hours=1))
        for quartier in self.db.scalars(select(Quartier).order_by(Quartier.code)):
            of = OF.get(quartier.code, f"de {quartier.name}")
            places = MIRAIL_PLACES if quartier.code == "QP031007" else [
                f"Maison de quartier {of}", f"Centre social {of}", f"Médiathèque {of}",
                f"Gymnase {of}", f"Square {of}"]
            self.quartiers.append(_Quartier(
                obj=quartier, weight=(quartier.population or 2_000) ** 0.6, of=of,
                places=places))
        self.q_weights = [q.weight for q in self.quartiers]
        self.by_code = {q.obj.code: i for i, q in enumerate(self.quartiers)}

    def staff(self) -> None:
        """Two moderators (conseil citoyen) and an animator per quartier, a second pilot,
        and one account for each signatory's referent."""
        at = _dt(self.start + HOUR)
        demo_users = self.demo_users
        mirail, empalot = self.by_code["QP031007"], self.by_code["QP031010"]
        self.quartiers[mirail].moderators.append(demo_users["moderateur@example.org"].id)
        for qi in (mirail, empalot):
            self.quartiers[qi].animators.append(demo_users["animatrice@example.org"].id)
        self.signatory_users = {self.signatories[0].id: demo_users["signataire@example.org"].id}
        grants: list[tuple[User, Role, int | None, int | None]] = []

        def account(email: str, name: str, quartier_id: int | None) -> User:
            user = User(email=email, password_hash=self.password_hash, display_name=name,
                        language="fr", quartier_id=quartier_id, created_at=at,
                        email_confirmed_at=at)
            self.db.add(user)
            return user

        names = iter(self.rng.sample(FIRST_NAMES, len(FIRST_NAMES)))
        for q in self.quartiers:
            code = q.obj.code.lower()
            for k in range(2 - len(q.moderators)):
                user = account(f"conseil.{code}.{k + 1}@example.org",
                               f"{next(names)} (conseil citoyen)", q.id)
                grants.append((user, Role.MODERATOR, q.id, None))
            user = account(f"animation.{code}@example.org", f"{next(names)} (animation)", q.id)
            grants.append((user, Role.ANIMATOR, q.id, None))
        prefet = account("delegue.prefet@example.org", "Didier (délégué du préfet)", None)
        grants.append((prefet, Role.PILOT, None, None))
        for signatory in self.signatories[1:]:
            user = account(signatory.referent_email, f"{signatory.referent_name} "
                           f"({signatory.name})"[:80], None)
            grants.append((user, Role.SIGNATORY, None, signatory.id))
        self.db.flush()
        for user, role, quartier_id, signatory_id in grants:
            accounts.grant_role(self.db, user, role, quartier_id=quartier_id,
                                signatory_id=signatory_id, actor=self.pilot,
                                now=at + timedelta(hours=1))
            if role == Role.MODERATOR:
                self.quartiers[self.index_of(quartier_id)].moderators.append(user.id)
            elif role == Role.ANIMATOR:
                self.quartiers[self.index_of(quartier_id)].animators.append(user.id)
            elif role == Role.SIGNATORY and signatory_id is not None:
                self.signatory_users[signatory_id] = user.id
        self.pilots = [self.pilot.id, prefet.id]
        self.users_by_id = {u.id: u for u in [*demo_users.values(), *(g[0] for g in grants)]}

    def weekly_hours(self) -> None:
        """When the animators of the other quartiers can be met, every week."""
        taken = set(self.db.scalars(select(WeeklySlot.quartier_id)))
        for q in self.quartiers:
            if q.id in taken:
                continue
            animator = self.user(q.animators[-1])
            for weekday, starts, ends, topics in ((1, 14, 17, "Aide aux démarches, idées, "
                                                   "vote FPH"),
                                                  (3, 9, 12, "Questions sur le quartier")):
                slots.add_slot(self.db, q.obj, weekday=weekday, starts=time(starts),
                               ends=time(ends), place=q.places[0],
                               host=animator.display_name.split(" (")[0] + ", animation",
                               topics=topics, actor=animator, now=_dt(self.start + DAY))

    def index_of(self, quartier_id: int | None) -> int:
        """The position of a quartier in ``self.quartiers``."""
        return next(i for i, q in enumerate(self.quartiers) if q.id == quartier_id)

    # --- Residents -----------------------------------------------------------------------

    def activity_count(self) -> int:
        """How many things a resident does over the years: many do one, a few do a lot."""
        pick = self.rng.random()
        if pick < 0.52:
            return 1
        if pick < 0.80:
            return self.rng.randint(2, 3)
        if pick < 0.95:
            return self.rng.randint(4, 9)
        if pick < 0.995:
            return self.rng.randint(10, 30)
        return self.rng.randint(31, 120)

    def join_time(self) -> float:
        """When a resident opens an account: a year (weighted), then a day in it."""
        spans = []
        for year, weight in JOIN_WEIGHTS.items():
            a = max(self.start + DAY, _local_ts(date(year, 1, 1), 0))
            b = min(self.end - HOUR, _local_ts(date(year + 1, 1, 1), 0))
            if b > a:
                spans.append((a, b, weight * (b - a)))
        a, b, _ = self.rng.choices(spans, [w for _, _, w in spans])[0]
        return self.moment(a, b)

    def residents(self) -> None:
        rng = self.rng
        count = self.n("users")
        slot_total = sum(self.slot_targets().values())
        joins = sorted(self.join_time() for _ in range(count))
        counts = [self.activity_count() for _ in range(count)]
        # Adjust the activity so that the slots add up to the targets exactly (unless
        # there are fewer of them than residents, who all do something).
        total = sum(counts)
        while total != slot_total and (total < slot_total or total > count):
            index = rng.randrange(count)
            if total < slot_total:
                counts[index] += 1
                total += 1
            elif counts[index] > 1:
                counts[index] -= 1
                total -= 1
        rows: list[dict[str, Any]] = []
        for index, (join, activities) in enumerate(zip(joins, counts, strict=True)):
            span = 0.0 if activities == 1 else rng.expovariate(1 / (250 * DAY)) * (
                1 + math.log(activities))
            leave = min(self.end, join + span)
            first = join + rng.uniform(3, 90) * 60
            times = [first] + [self.moment(first, max(leave, first + HOUR))
                               for _ in range(activities - 1)]
            times = [min(t, self.end) for t in times]
            self.slots.extend((t, index) for t in times)
            home = rng.choices(range(len(self.quartiers)), self.q_weights)[0] if (
                rng.random() < 0.88) else -1
            arabic = rng.random() < 0.1
            first_name = rng.choice(ARABIC_NAMES if arabic and rng.random() < 0.4
                                    else FIRST_NAMES)
            name = first_name if rng.random() < 0.5 else (
                f"{first_name} {rng.choice(SURNAMES)[0]}.")
            email = f"{_slug(first_name)}.{index + 1}@example.org"
            declares = rng.random() < 0.4
            rows.append({
                "email": email, "password_hash": self.password_hash, "display_name": name,
                "language": "ar" if arabic else ("en" if rng.random() < 0.04 else "fr"),
                "quartier_id": self.quartiers[home].id if home >= 0 else None,
                "gender": rng.choices(GENDERS, (52, 45, 3))[0] if declares else None,
                "age_bracket": rng.choices(AGE_BRACKETS, (4, 12, 30, 27, 15, 12))[0]
                if declares or rng.random() < 0.03 else None,
                "created_at": _dt(join), "email_confirmed_at": _dt(first - 60),
                "last_login_at": _dt(max(times)), "deleted_at": None})
            self.u_join.append(join)
            self.u_leave.append(leave)
            self.u_home.append(home)
            self.u_weight.append(float(activities))
            self.u_name.append(name)
            self.u_email.append(email)
            self.u_last.append(max(times))
        self.u_id = self.insert(User, rows, ids=True)
        for index, home in enumerate(self.u_home):
            if home >= 0:
                q = self.quartiers[home]
                q.joins.append(self.u_join[index])
                q.members.append(index)
                q.cumulative.append((q.cumulative[-1] if q.cumulative else 0.0)
                                    + self.u_weight[index])

    def slot_targets(self) -> dict[str, int]:
        """What residents' own activity is made of (walk points, ideas typed by animators
        and ideas from map points come on top)."""
        walk_points = 12 * self.n("walks")
        return {"idea": round(0.9 * self.n("ideas")),
                "point": max(1, self.n("map_points") - walk_points),
                "support": self.n("supports"), "comment": self.n("comments"),
                "point_support": self.n("point_supports")}

    def resident(self, qi: int, t: float) -> int | None:
        """A resident of the quartier who had joined by ``t``, more likely an active one."""
        q = self.quartiers[qi]
        known = bisect_right(q.joins, t)
        if known == 0:
            return None
        for _ in range(6):
            index = bisect_right(q.cumulative, self.rng.random() * q.cumulative[known - 1])
            user = q.members[min(index, known - 1)]
            if self.u_leave[user] + 60 * DAY >= t:
                return user
        return q.members[self.rng.randrange(known)]

    def where(self, user: int) -> int:
        """The quartier a resident acts in: home, mostly."""
        home = self.u_home[user]
        if home >= 0 and self.rng.random() < 0.92:
            return home
        return self.rng.choices(range(len(self.quartiers)), self.q_weights)[0]

    def touched(self, user: int, t: float) -> None:
        if t > self.u_last[user]:
            self.u_last[user] = t

    # --- Map: landmarks, walks, points ----------------------------------------------------

    def inside(self, q: _Quartier, count: int) -> list[tuple[float, float]]:
        perimeter = q.obj.perimeter
        assert perimeter is not None
        (south, west), (north, east) = geometry.bounds(perimeter)
        found: list[tuple[float, float]] = []
        while len(found) < count:
            lat, lon = self.rng.uniform(south, north), self.rng.uniform(west, east)
            if geometry.contains(perimeter, lat, lon):
                found.append((round(lat, 6), round(lon, 6)))
        return found

    def landmarks(self) -> None:
        rows: list[dict[str, Any]] = []
        for q in self.quartiers:
            q.hotspots = self.inside(q, 40)
            existing = list(self.db.execute(select(
                Landmark.id, Landmark.name, Landmark.latitude, Landmark.longitude)
                .where(Landmark.quartier_id == q.id)).all())
            if existing:
                q.landmarks = [(i, n, lat, lon) for i, n, lat, lon in existing]
                continue
            for name, (lat, lon) in zip(
                    [f"École {q.of}", f"Arrêt de bus {q.obj.name}", f"Square {q.of}",
                     f"Centre commercial {q.of}", f"Maison de quartier {q.of}"],
                    self.inside(q, 5), strict=True):
                rows.append({"quartier_id": q.id, "name": name, "latitude": lat,
                             "longitude": lon})
        ids = self.insert(Landmark, rows, ids=True)
        for landmark_id, row in zip(ids, rows, strict=True):
            q = self.quartiers[self.index_of(row["quartier_id"])]
            q.landmarks.append((landmark_id, row["name"], row["latitude"], row["longitude"]))
            self.audit(self.start + 2 * HOUR, self.pilot.id, "map.landmark_added", "landmark",
                       landmark_id, name=row["name"])

    def position(self, q: _Quartier) -> tuple[float, float, int | None]:
        """Where a point is: a landmark picked from the list, or a tap near a hotspot."""
        if q.landmarks and self.rng.random() < 0.15:
            landmark_id, _, lat, lon = self.rng.choice(q.landmarks)
            return lat, lon, landmark_id
        lat, lon = self.rng.choice(q.hotspots)
        jittered = (round(lat + self.rng.gauss(0, 0.0007), 6),
                    round(lon + self.rng.gauss(0, 0.001), 6))
        perimeter = q.obj.perimeter
        assert perimeter is not None
        if geometry.contains(perimeter, *jittered):
            return jittered[0], jittered[1], None
        return lat, lon, None

    def walks(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for _ in range(self.n("walks")):
            qi = self.rng.choices(range(len(self.quartiers)), self.q_weights)[0]
            q = self.quartiers[qi]
            day = self.day_between(self.start + 20 * DAY, self.end - DAY)
            starts = _local_ts(day, self.rng.choice((10, 14, 17)))
            if starts >= self.end:
                starts = self.end - DAY
            meeting = self.rng.choice(q.landmarks)[1]
            rows.append({
                "quartier_id": q.id, "animator_id": self.rng.choice(q.animators),
                "title": f"Diagnostic en marchant {q.of}"[:120], "starts_at": _dt(starts),
                "meeting_point": meeting,
                "route": f"{meeting}, {', '.join(self.rng.sample(q.places, 3))}, retour.",
                "participants": self.rng.randint(6, 30),
                "created_at": _dt(max(self.start + DAY, starts - self.rng.uniform(7, 30) * DAY))})
        ids = self.insert(Walk, rows, ids=True)
        for walk_id, row in zip(ids, rows, strict=True):
            row["id"] = walk_id
            self.audit(row["created_at"].timestamp(), row["animator_id"], "map.walk_created",
                       "walk", walk_id)
        return rows

    def moderate(self, post: _Post, q: _Quartier, *, reject: float, hide: float,
                 at_once: bool = False) -> None:
        """Take the post through the moderation its quartier uses."""
        rng = self.rng
        if at_once or not q.pre:
            post.state, post.published, post.moderated_at = (
                State.PUBLISHED.value, post.created, post.created)
        else:
            at = post.created + self.delay(0.7, 1.0, 12)
            if at >= self.now:
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
            self.hide(post, q)

    def hide(self, post: _Post, q: _Quartier) -> bool:
        assert post.published is not None
        at = post.published + self.delay(6, 1.2, 120)
        if at >= self.now:
            return False
        moderator = self.rng.choice(q.moderators)
        post.hidden, post.moderated_at, post.moderator = at, at, moderator
        post.state, post.reason = State.HIDDEN.value, self.rng.choice(HIDE_REASONS)
        post.decisions.append((at, "hide", moderator, "published", post.state, post.reason))
        return True

    def plan_points(self, walks: list[dict[str, Any]]) -> None:
        rng = self.rng
        mine = sorted(s for s, kind in zip(self.slots, self.slot_kinds(), strict=True)
                      if kind == "point")
        for n, (t, user) in enumerate(mine):
            qi = self.where(user)
            polarity = "negative" if rng.random() < 0.6 else "positive"
            category = CATEGORIES[n] if n < len(CATEGORIES) else rng.choices(
                CATEGORIES, CATEGORY_WEIGHTS[polarity])[0]
            post = self.point(qi, user, t, polarity, category, None)
            self.moderate(post, self.quartiers[qi], reject=0.04, hide=0.01)
            self.touched(user, t)
        for walk in walks:
            qi = self.index_of(walk["quartier_id"])
            begins = walk["starts_at"].timestamp()
            for k in range(rng.randint(8, 16)):
                polarity = "negative" if rng.random() < 0.65 else "positive"
                category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS[polarity])[0]
                post = self.point(qi, -1, begins + (10 + 8 * k) * 60, polarity, category,
                                  walk)
                self.moderate(post, self.quartiers[qi], reject=0, hide=0.005, at_once=True)

    def point(self, qi: int, user: int, t: float, polarity: str, category: str,
              walk: dict[str, Any] | None) -> _Post:
        q = self.quartiers[qi]
        lat, lon, landmark_id = self.position(q)
        row = {"quartier_id": q.id, "author_id": walk["animator_id"] if walk else None,
               "polarity": polarity, "category": category,
               "text": self.rng.choice(POINT_TEXTS[(polarity, category)]),
               "latitude": lat, "longitude": lon, "landmark_id": landmark_id, "photo": None,
               "walk_id": walk["id"] if walk else None, "idea_id": None}
        post = _Post(qi, user, t, row)
        post.appeal = min(1.0, 0.12 * self.rng.paretovariate(1.2))
        self.points.append(post)
        return post

    def slot_kinds(self) -> list[str]:
        """The kind of each slot of ``self.slots``: drawn once, the same on every call."""
        if len(self.kinds) != len(self.slots):
            self.kinds = [kind for kind, count in self.slot_targets().items()
                          for _ in range(count)]
            self.rng.shuffle(self.kinds)
        return self.kinds

    # --- Ideas -----------------------------------------------------------------------------

    def plan_ideas(self) -> None:
        rng = self.rng
        mine = sorted(s for s, kind in zip(self.slots, self.slot_kinds(), strict=True)
                      if kind == "idea")
        for t, user in mine:
            qi = self.where(user)
            self.idea(qi, user, t, entered_by=None)
            self.touched(user, t)
        for _ in range(round(0.08 * self.n("ideas"))):
            qi = rng.choices(range(len(self.quartiers)), self.q_weights)[0]
            t = self.moment(self.start + 7 * DAY, self.end)
            self.idea(qi, -1, t, entered_by=rng.choice(self.quartiers[qi].animators))
        # A moderator turns some published points into ideas, to answer and forward them.
        for point in self.points:
            if point.published is None or rng.random() >= 0.025:
                continue
            at = point.published + self.delay(8, 0.8, 60)
            if at >= self.end or not point.open_at(at):
                continue
            self.from_point(point, at)

    def idea(self, qi: int, user: int, t: float, *, entered_by: int | None) -> _Post:
        rng = self.rng
        q = self.quartiers[qi]
        title, body, orientation = rng.choice(IDEAS)
        place = rng.choice(q.places + [name for _, name, _, _ in q.landmarks]) if (
            rng.random() < 0.4) else ""
        row = {"quartier_id": q.id,
               "orientation_id": self.orientations[orientation] if rng.random() < 0.85
               else None,
               "author_id": None, "author_name": rng.choice(FIRST_NAMES) if entered_by else "",
               "entered_by_id": entered_by, "title": title, "body": body, "place": place,
               "latitude": None, "longitude": None, "photo": None,
               "search_text": normalise(f"{title} {body} {place}")}
        post = _Post(qi, user, t, row)
        post.appeal = min(1.0, 0.12 * rng.paretovariate(1.1))
        self.moderate(post, q, reject=0.07, hide=0.015)
        self.ideas.append(post)
        if entered_by is not None:
            self.audit(t, entered_by, "ideas.entered_for", "idea", post,
                       author_name=row["author_name"])
        return post

    def from_point(self, point: _Post, at: float) -> None:
        q = self.quartiers[point.q]
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
        post = _Post(point.q, author, at, row)
        moderator = self.rng.choice(q.moderators)
        post.state, post.published, post.moderated_at, post.moderator = (
            State.PUBLISHED.value, at, at, moderator)
        post.appeal = min(1.0, 0.12 * self.rng.paretovariate(1.1))
        self.ideas.append(post)
        self.from_points.add(id(post))
        point.row["idea_id"] = post
        self.audit(at, moderator, "map.to_idea", "point", point, idea=post)

    def guarantee_states(self) -> None:
        """Every moderation state appears for ideas and points, however small the scale:
        the most recent resident's post of a pre-moderated quartier still waits, the one
        before was rejected, the oldest that can be was hidden."""
        for posts in (self.ideas, self.points):
            states = {p.state for p in posts}
            pre = [p for p in posts if self.quartiers[p.q].pre and p.author >= 0
                   and p.row.get("idea_id") is None and id(p) not in self.from_points]
            pre.sort(key=lambda p: p.created)
            if State.PENDING not in states and pre:
                post = pre[-1]
                post.state, post.published, post.hidden = State.PENDING.value, None, None
                post.moderated_at, post.moderator, post.reason = None, None, ""
                post.decisions.clear()
            if State.REJECTED not in states and len(pre) > 1:
                post = pre[-2]
                at = post.created + HOUR
                moderator = self.rng.choice(self.quartiers[post.q].moderators)
                post.state, post.published, post.hidden = State.REJECTED.value, None, None
                post.moderated_at, post.moderator = at, moderator
                post.reason = REJECT_REASONS[0]
                post.decisions[:] = [(at, "reject", moderator, "pending", post.state,
                                      post.reason)]
            if State.HIDDEN not in states:
                for post in sorted(posts, key=lambda p: p.created):
                    if post.state == State.PUBLISHED and post.row.get("idea_id") is None \
                            and self.hide(post, self.quartiers[post.q]):
                        break

    def write_ideas_and_points(self) -> None:
        """Ideas first (points link to the ideas they became), then points."""
        for post in self.ideas:
            if post.author >= 0:
                post.row["author_id"] = self.u_id[post.author]
        rows: list[dict[str, Any]] = []
        for post in self.ideas:
            rows.append({**post.row, **post.moderation(), "created_at": _dt(post.created)})
        for post, idea_id in zip(self.ideas, self.insert(Idea, rows, ids=True), strict=True):
            post.id = idea_id
        rows = []
        for post in self.points:
            row = dict(post.row)
            if isinstance(row["idea_id"], _Post):
                row["idea_id"] = row["idea_id"].id
            if post.author >= 0:
                row["author_id"] = self.u_id[post.author]
            rows.append({**row, **post.moderation(), "created_at": _dt(post.created),
                         "support_count": post.row.get("support_count", 0)})
        for post, point_id in zip(self.points, self.insert(MapPoint, rows, ids=True),
                                  strict=True):
            post.id = point_id
        for post in self.points:
            if post.row["walk_id"] is not None:
                self.audit(post.created, post.row["author_id"], "map.walk_point", "point",
                           post.id, walk=post.row["walk_id"])

    # --- Supports, comments, reports ------------------------------------------------------

    def target(self, pool: _Pool, qi: int, t: float, user: int) -> tuple[_Post | None, float]:
        """A published post of the quartier to react to at ``t``, recent ones first; when
        there is none yet, the reaction waits for the first one."""
        times, items = pool.times[qi], pool.items[qi]
        known = bisect_right(times, t)
        if known == 0:
            if not times or times[0] >= self.end:
                return None, t
            t = min(self.end, times[0] + self.rng.uniform(1, 72) * HOUR)
            known = bisect_right(times, t)
        for _ in range(12):
            back = self.rng.expovariate(1 / (40 * DAY))
            index = bisect_right(times, t - back) - 1
            post = items[index if index >= 0 else self.rng.randrange(known)]
            if post.author == user or not post.open_at(t):
                continue
            if self.rng.random() <= post.appeal:
                return post, t
        return None, t

    def plan_reactions(self) -> None:
        rng = self.rng
        kinds = self.slot_kinds()
        by_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for slot, kind in zip(self.slots, kinds, strict=True):
            by_kind[kind].append(slot)
        ideas = _Pool(self.ideas, len(self.quartiers))
        points = _Pool(self.points, len(self.quartiers))
        self.support_rows: list[tuple[_Post, int, float]] = []
        self.follow_rows: list[tuple[_Post, int, float]] = []
        self.point_support_rows: list[tuple[_Post, int, float]] = []
        for kind, pool, out in (("support", ideas, self.support_rows),
                                ("point_support", points, self.point_support_rows)):
            seen: set[tuple[int, int]] = set()
            for t, user in sorted(by_kind[kind]):
                post, at = self.target(pool, self.where(user), t, user)
                if post is None or (id(post), user) in seen:
                    continue  # nothing to support yet, or supported already
                seen.add((id(post), user))
                out.append((post, user, at))
                post.row["support_count"] = post.row.get("support_count", 0) + 1
                self.touched(user, at)
                if kind == "support" and rng.random() < 0.15:
                    self.follow_rows.append((post, user, at))
        for post in self.ideas:
            post.row["support_count"] = post.row.get("support_count", 0)
        self.plan_comments(sorted(by_kind["comment"]), ideas)
        self.plan_reports()

    def plan_comments(self, moments: list[tuple[float, int]], ideas: _Pool) -> None:
        rng = self.rng
        threads: dict[int, list[_Post]] = defaultdict(list)
        for t, user in moments:
            idea, at = self.target(ideas, self.where(user), t, user)
            if idea is None:
                continue
            parents = [c for c in threads[id(idea)] if c.open_at(at)]
            parent = rng.choice(parents) if parents and rng.random() < 0.3 else None
            row = {"idea": idea, "parent": parent,
                   "body": rng.choice(REPLIES if parent else COMMENTS)}
            post = _Post(idea.q, user, at, row)
            self.moderate(post, self.quartiers[idea.q], reject=0.03, hide=0.01)
            self.comments.append(post)
            if parent is None:
                threads[id(idea)].append(post)
            self.touched(user, at)
        states = {c.state for c in self.comments}
        for state in (State.PENDING, State.REJECTED, State.HIDDEN):
            if state not in states and self.comments:
                self.force(self.comments, state)

    def force(self, posts: list[_Post], state: State) -> None:
        """Give one post the state none has (only at small scales): a reply-less one."""
        parents = {id(p.row.get("parent")) for p in posts}
        for post in sorted(posts, key=lambda p: -p.created):
            if id(post) in parents or post.state != State.PUBLISHED or not self.quartiers[
                    post.q].pre:
                continue
            if state == State.HIDDEN:
                if self.hide(post, self.quartiers[post.q]):
                    return
                continue
            post.decisions.clear()
            post.state, post.published, post.reason = state.value, None, ""
            post.moderated_at = post.moderator = None
            if state == State.REJECTED:
                moderator = self.rng.choice(self.quartiers[post.q].moderators)
                at = min(self.now, post.created + HOUR)
                post.moderated_at, post.moderator = at, moderator
                post.reason = REJECT_REASONS[2]
                post.decisions.append((at, "reject", moderator, "pending", post.state,
                                       post.reason))
            return

    def plan_reports(self) -> None:
        """Reports before each hiding (resolved by it), and a few still open."""
        self.report_rows: list[tuple[str, _Post, int, float, float | None]] = []
        for kind, posts in (("idea", self.ideas), ("comment", self.comments),
                            ("point", self.points)):
            for post in posts:
                if post.hidden is not None and post.published is not None:
                    for _ in range(self.rng.randint(1, 3)):
                        at = self.rng.uniform(post.published, post.hidden)
                        self.report(kind, post, at, post.hidden)
                elif post.published is not None and post.published > self.now - 60 * DAY \
                        and self.rng.random() < 0.01:
                    self.report(kind, post, self.rng.uniform(post.published, self.now), None)

    def report(self, kind: str, post: _Post, at: float, resolved: float | None) -> None:
        reporter = self.resident(post.q, at)
        if reporter is None or reporter == post.author or any(
                r[1] is post and r[2] == reporter for r in self.report_rows[-3:]):
            return
        self.report_rows.append((kind, post, reporter, at, resolved))
        self.touched(reporter, at)

    # --- Answers of the institutions --------------------------------------------------------

    def plan_answers(self) -> None:
        """Under study, then an outcome; a forwarded idea waits for the signatory, who
        answers most of the time, and the project team sometimes closes it afterwards."""
        self.forwarding_rows: list[tuple[_Post, dict[str, Any]]] = []
        self.answer_audit: list[tuple[_Post, float, int, str, str, int | None, str | None]] = []
        statuses = [s for s, _ in OUTCOMES]
        weights = [w for _, w in OUTCOMES]
        for post in self.ideas:
            row = post.row
            row.update(status=Status.NEW.value, response="", responded_at=None,
                       responded_by_id=None)
            if post.published is None:
                continue
            closes = min(self.now, post.hidden or self.now)
            first = post.published + self.delay(15, 0.8, 200)
            if first >= closes:
                continue
            outcome = self.rng.choices(statuses, weights)[0]
            pilot = self.rng.choice(self.pilots)
            if outcome == Status.UNDER_STUDY or self.rng.random() < 0.4:
                self.answer(post, Status.UNDER_STUDY, first, pilot)
                first += self.delay(20, 0.7, 200)
                if outcome == Status.UNDER_STUDY or first >= closes:
                    continue
            if outcome == Status.FORWARDED:
                self.forward(post, first, pilot, closes)
            else:
                self.answer(post, outcome, first, pilot)

    def answer(self, post: _Post, status: Status, at: float, pilot: int,
               signatory: int | None = None, due_on: str | None = None) -> None:
        row = post.row
        before = row["status"]
        row.update(status=status.value, response=self.rng.choice(RESPONSES[status]),
                   responded_at=_dt(at), responded_by_id=pilot)
        self.answer_audit.append((post, at, pilot, before, status.value, signatory, due_on))

    def forward(self, post: _Post, at: float, pilot: int, closes: float) -> None:
        rng = self.rng
        orientation = self.orientations.index(post.row["orientation_id"]) if post.row[
            "orientation_id"] in self.orientations else 2
        signatory = self.signatories[rng.choice(FORWARD_TO[orientation])]
        due_on = _local_day(at) + timedelta(days=rng.choice((30, 45, 60)))
        self.answer(post, Status.FORWARDED, at, pilot, signatory.id, due_on.isoformat())
        forwarding = {"signatory_id": signatory.id, "forwarded_at": _dt(at),
                      "forwarded_by_id": pilot, "due_on": due_on,
                      "message": rng.choice(["", "Idée très soutenue dans le quartier.",
                                             "Pouvez-vous dire ce qui est prévu ?"]),
                      "answer": "", "answered_at": None, "answered_by_id": None}
        self.forwarding_rows.append((post, forwarding))
        answered = at + self.delay(22, 0.8, 300)
        if answered >= self.now or rng.random() >= 0.8:
            return
        forwarding.update(answer=rng.choice(FORWARD_ANSWERS), answered_at=_dt(answered),
                          answered_by_id=self.signatory_users[signatory.id])
        closing = answered + self.delay(6, 0.6, 60)
        if closing < closes and rng.random() < 0.4:
            self.answer(post, rng.choice([Status.PLANNED, Status.DONE, Status.NOT_FEASIBLE]),
                        closing, pilot)

    def answers(self) -> None:
        rows: list[dict[str, Any]] = []
        for post, forwarding in self.forwarding_rows:
            rows.append({**forwarding, "idea_id": post.id})
            if forwarding["answered_at"] is not None:
                delay = (forwarding["answered_at"] - forwarding["forwarded_at"]).days
                self.audit(forwarding["answered_at"].timestamp(),
                           forwarding["answered_by_id"], "ideas.forwarding_answered", "idea",
                           post.id, signatory=forwarding["signatory_id"], delay_days=delay)
        self.insert(Forwarding, rows)
        for post, at, pilot, before, after, signatory, due_on in self.answer_audit:
            self.audit(at, pilot, "ideas.answer", "idea", post.id, before=before, after=after,
                       signatory=signatory, due_on=due_on)

    # --- Writing the reactions ----------------------------------------------------------

    def reactions(self) -> None:
        u_id = self.u_id
        self.insert(Support, [{"idea_id": p.id, "user_id": u_id[u], "created_at": _dt(t)}
                              for p, u, t in self.support_rows])
        follows = {(p.id, p.row["author_id"]): p.created for p in self.ideas
                   if p.row["author_id"] is not None}
        for post, user, at in self.follow_rows:
            follows.setdefault((post.id, u_id[user]), at)
        self.insert(Follow, [{"idea_id": i, "user_id": u, "created_at": _dt(t)}
                             for (i, u), t in follows.items()])
        self.insert(PointSupport, [{"point_id": p.id, "user_id": u_id[u],
                                    "created_at": _dt(t)}
                                   for p, u, t in self.point_support_rows])
        for replies in (False, True):
            batch = [c for c in self.comments if (c.row["parent"] is not None) == replies]
            rows = [{"idea_id": c.row["idea"].id, "author_id": u_id[c.author],
                     "parent_id": c.row["parent"].id if replies else None,
                     "body": c.row["body"], "created_at": _dt(c.created), **c.moderation()}
                    for c in batch]
            for post, comment_id in zip(batch, self.insert(Comment, rows, ids=True),
                                        strict=True):
                post.id = comment_id
        for kind, posts in (("idea", self.ideas), ("comment", self.comments),
                            ("point", self.points)):
            for post in posts:
                for at, action, moderator, before, after, reason in post.decisions:
                    self.audit(at, moderator, f"moderation.{action}", kind, post.id,
                               before=before, after=after, reason=reason)
        self.insert(Report, [{
            "kind": kind, "item_id": post.id, "reporter_id": u_id[reporter],
            "reason": self.rng.choice(list(REPORT_REASONS)), "comment": "",
            "created_at": _dt(at), "resolved_at": None if resolved is None else _dt(resolved)}
            for kind, post, reporter, at, resolved in self.report_rows])

    # --- Events --------------------------------------------------------------------------

    def events(self, walks: list[dict[str, Any]]) -> None:
        """Walks are events too; the other kinds spread over the years and the coming
        weeks. Signups, attendance and purges are played out before the rows are written,
        so that every counter goes in with its final value."""
        rng = self.rng
        plans: list[dict[str, Any]] = []
        for walk in walks:
            plans.append(self.event_plan("walk", self.index_of(walk["quartier_id"]),
                                         walk["starts_at"].timestamp(),
                                         place=walk["meeting_point"]))
        kinds = [k for k in KINDS if k != "walk"]
        weights = [EVENT_KINDS[k][0] for k in kinds]
        last = self.now + 45 * DAY if self.now <= self.end else self.end
        for n in range(max(len(kinds), self.n("events") - len(walks))):
            kind = kinds[n] if n < len(kinds) else rng.choices(kinds, weights)[0]
            _, _, hours, _, wide = EVENT_KINDS[kind]
            qi = -1 if rng.random() < wide else rng.choices(range(len(self.quartiers)),
                                                            self.q_weights)[0]
            day = self.day_between(self.start + 14 * DAY, last)
            plans.append(self.event_plan(kind, qi, _local_ts(day, rng.choice(hours))))
        plans.sort(key=lambda p: p["row"]["starts_at"])
        signups, figures = self.signups(plans)
        ids = self.insert(Event, [p["row"] for p in plans], ids=True)
        for plan, event_id in zip(plans, ids, strict=True):
            plan["id"] = event_id
            for at, actor, action, details in plan["audit"]:
                self.audit(at, actor, action, "event", event_id, **details)
        for row in (*signups, *figures):
            row["event_id"] = row["event_id"]["id"]
        self.insert(Signup, signups)
        self.insert(AttendanceFigure, figures)

    def event_plan(self, kind: str, qi: int, starts: float, place: str = "") -> dict[str, Any]:
        """One event: who made it, its moderation, edits and cancellation."""
        rng = self.rng
        capacity_range, hours = (EVENT_KINDS[kind][1], EVENT_KINDS[kind][3]) if (
            kind in EVENT_KINDS) else ((20, 30), 2)
        q = self.quartiers[qi] if qi >= 0 else None
        created = max(self.start + HOUR, starts - rng.uniform(10, 40) * DAY)
        created = min(created, self.now - HOUR, starts - HOUR)
        audit: list[tuple[float, int | None, str, dict[str, Any]]] = []
        proposer = self.resident(qi, created) if q is not None and kind in (
            "cafe", "meal", "workshop", "project_party") and rng.random() < 0.1 else None
        row: dict[str, Any] = {
            "uid": uuid.UUID(int=rng.getrandbits(128), version=4).hex, "sequence": 0,
            "quartier_id": q.id if q else None, "kind": kind,
            "title": rng.choice(EVENT_TITLES[kind]) + (f" {q.of}" if q and kind in (
                "walk", "council_meeting") else ""),
            "description": EVENT_TEXTS[kind],
            "place": place or (rng.choice(q.places) if q else "Salle des fêtes du Capitole"),
            "address": "", "latitude": None, "longitude": None,
            "starts_at": _dt(starts), "ends_at": _dt(starts + hours * HOUR),
            "organiser": rng.choice(ORGANISERS) if proposer is None else "",
            "signatory_id": rng.choice(self.signatories).id if kind in (
                "training", "elected_meeting") and rng.random() < 0.5 else None,
            "bring": "Un plat à partager" if kind == "meal" else "",
            "step_free": rng.random() < 0.8, "childcare": rng.random() < 0.2,
            "interpretation": rng.choice(["", "", "", "arabe", "arabe, anglais"]),
            "capacity": rng.randint(*capacity_range) if capacity_range and (
                rng.random() < 0.85) else None,
            "seats_taken": 0, "cancelled_at": None, "cancel_reason": "", "walk_ins": 0,
            "attendance": 0, "attendance_taken_at": None, "waiting_kept": 0,
            "purged_at": None, "created_at": _dt(created), "updated_at": None,
            "moderation_reason": "", "original_title": None}
        if q is not None and q.landmarks and rng.random() < 0.5:
            _, _, row["latitude"], row["longitude"] = rng.choice(q.landmarks)
        if proposer is None:
            author = rng.choice(q.animators) if q else rng.choice(self.pilots)
            row.update(author_id=author, moderation=State.PUBLISHED.value,
                       moderated_at=_dt(created), moderated_by_id=None)
            audit.append((created, author, "events.create", {}))
        else:
            assert q is not None
            self.touched(proposer, created)
            row.update(author_id=self.u_id[proposer], moderation=State.PENDING.value,
                       moderated_at=None, moderated_by_id=None)
            audit.append((created, self.u_id[proposer], "events.propose", {}))
            decided = created + self.delay(1, 0.8, 10)
            if decided < min(self.now, starts):
                moderator = rng.choice(q.moderators)
                action = "reject" if rng.random() < 0.1 else "publish"
                state = State.REJECTED if action == "reject" else State.PUBLISHED
                reason = REJECT_REASONS[2] if action == "reject" else ""
                row.update(moderation=state.value, moderated_at=_dt(decided),
                           moderated_by_id=moderator, moderation_reason=reason)
                audit.append((decided, moderator, f"moderation.{action}", {
                    "before": "pending", "after": state.value, "reason": reason}))
                created = decided
        actor = row["author_id"] if proposer is None else rng.choice(
            q.animators if q else self.pilots)
        if rng.random() < 0.1 and created < min(starts, self.now) - HOUR:
            edited = rng.uniform(created, min(starts, self.now))
            row.update(sequence=rng.randint(1, 2), updated_at=_dt(edited))
            audit.append((edited, actor, "events.edit", {"changes": ["description"]}))
        if row["moderation"] == State.PUBLISHED and rng.random() < 0.04:
            cancelled = rng.uniform(created, starts)
            if cancelled < self.now:
                row.update(cancelled_at=_dt(cancelled), cancel_reason=rng.choice(
                    CANCEL_REASONS), sequence=row["sequence"] + 1, updated_at=_dt(cancelled))
                audit.append((cancelled, actor, "events.cancel", {}))
        return {"row": row, "q": qi, "audit": audit, "animator": actor}

    def signups(self, plans: list[dict[str, Any]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Signups of each published event, its attendance, and the nightly purge of the
        names of events ended more than the retention period ago (counts stay)."""
        rng = self.rng
        demand = []
        for plan in plans:
            row = plan["row"]
            if row["moderation"] != State.PUBLISHED or row["kind"] == "permanence":
                demand.append(0.0)
            elif row["capacity"] is not None:
                demand.append(row["capacity"] / 1.8 * rng.uniform(0.4, 1.3))
            else:
                demand.append(rng.uniform(3, 20))
        factor = self.n("event_signups") / max(1.0, sum(demand))
        retention = int(current_app.config.get("EVENT_SIGNUP_RETENTION_DAYS", 30)) * DAY
        kept: list[dict[str, Any]] = []
        figures: list[dict[str, Any]] = []
        purges: Counter[date] = Counter()
        self.signups_made = 0
        for index, (plan, wanted) in enumerate(zip(plans, demand, strict=True)):
            row = plan["row"]
            signups = self.sign_up(plan, index, round(wanted * factor))
            self.signups_made += len(signups)
            signups.extend(self.attendance(plan, signups, figures))
            ends = row["ends_at"].timestamp()
            purge = _local_ts(_local_day(ends + retention) + timedelta(days=1), 3, 30)
            if purge <= self.now:
                row["waiting_kept"] = sum(s["party_size"] for s in signups
                                          if s["status"] == SignupStatus.WAITING)
                row["purged_at"] = _dt(purge)
                purges[_local_day(purge)] += 1
            else:
                kept.extend(signups)
        for day, count in sorted(purges.items()):
            self.audit(_local_ts(day, 3, 30), None, "events.purge", "event", None,
                       events=count)
        return kept, figures

    def sign_up(self, plan: dict[str, Any], index: int, count: int) -> list[dict[str, Any]]:
        """Joins and cancellations in the order they happen: a seat when the party fits,
        else the waiting list; a freed seat goes to the first people waiting who fit."""
        rng = self.rng
        row = plan["row"]
        opens = row["created_at"].timestamp() + HOUR
        closes = min(row["starts_at"].timestamp(), self.now,
                     row["cancelled_at"].timestamp() if row["cancelled_at"] else math.inf)
        if closes <= opens or count <= 0:
            return []
        steps: list[tuple[float, int, dict[str, Any]]] = []
        users: set[int] = set()
        for k in range(count):
            t = opens + (closes - opens) * math.sqrt(rng.random())
            signup = self.signup_row(plan, index, t, users, k)
            steps.append((t, 0, signup))
            if rng.random() < 0.08:
                steps.append((rng.uniform(t, closes), 1, signup))
        steps.sort(key=lambda s: (s[0], s[1]))
        capacity, seats = row["capacity"], 0
        waiting: list[dict[str, Any]] = []
        for t, action, signup in steps:
            party = signup["party_size"]
            if action == 0:
                if capacity is None or seats + party <= capacity:
                    signup["status"] = SignupStatus.CONFIRMED.value
                    seats += party
                else:
                    waiting.append(signup)
                continue
            was = signup["status"]
            signup.update(status=SignupStatus.CANCELLED.value, cancelled_at=_dt(t))
            if was == SignupStatus.WAITING:
                waiting.remove(signup)
                continue
            seats -= party
            for other in list(waiting):
                if seats >= capacity:
                    break
                if seats + other["party_size"] <= capacity:
                    other.update(status=SignupStatus.CONFIRMED.value, promoted_at=_dt(t))
                    seats += other["party_size"]
                    waiting.remove(other)
        row["seats_taken"] = seats
        return [signup for _, action, signup in steps if action == 0]

    def signup_row(self, plan: dict[str, Any], index: int, t: float, users: set[int],
                   k: int) -> dict[str, Any]:
        """A resident with an account (a third of the time), else a guest with a phone
        or an e-mail who agreed to be contacted about this event."""
        rng = self.rng
        row = plan["row"]
        qi = plan["q"] if plan["q"] >= 0 else rng.choices(range(len(self.quartiers)),
                                                          self.q_weights)[0]
        user = self.resident(qi, t) if rng.random() < 0.35 else None
        signup: dict[str, Any] = {
            "event_id": plan, "key": secrets.token_hex(16), "language": "fr",
            "party_size": rng.choices(range(1, 9), (55, 20, 10, 6, 4, 2, 2, 1))[0],
            "childcare": row["childcare"] and rng.random() < 0.2,
            "step_free": rng.random() < 0.05,
            "interpretation": "arabe" if row["interpretation"] and rng.random() < 0.2 else "",
            "consent": True, "status": SignupStatus.WAITING.value, "present": False,
            "created_at": _dt(t), "promoted_at": None, "cancelled_at": None,
            "reminded_at": None}
        if user is not None and user not in users:
            users.add(user)
            self.touched(user, t)
            signup.update(user_id=self.u_id[user], name=self.u_name[user],
                          email=self.u_email[user], phone=None)
            return signup
        name = rng.choice(FIRST_NAMES)
        by_mail = rng.random() < 0.3
        phone = "06 " + " ".join(str(rng.randint(10, 99)) for _ in range(4))
        signup.update(user_id=None, name=name,
                      email=f"{_slug(name)}.{index}.{k}@example.org" if by_mail else None,
                      phone=None if by_mail else phone)
        return signup

    def attendance(self, plan: dict[str, Any], signups: list[dict[str, Any]],
                   figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Who came to a past event: ticks, walk-ins (some named), and, about half the
        time, the declared genders and age brackets as counts. Returns the named
        walk-ins, who are signups too."""
        rng = self.rng
        row = plan["row"]
        ends = row["ends_at"].timestamp()
        if row["moderation"] != State.PUBLISHED or row["cancelled_at"] is not None \
                or ends >= self.now or rng.random() > 0.85:
            return []
        taken = min(self.now, ends + rng.uniform(0.2, 48) * HOUR)
        present = 0
        for signup in signups:
            if signup["status"] in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
                signup["present"] = rng.random() < (
                    0.82 if signup["status"] == SignupStatus.CONFIRMED else 0.1)
                present += signup["party_size"] if signup["present"] else 0
        walk_ins = rng.randint(0, 6) if row["capacity"] else rng.randint(2, 25)
        total = present + walk_ins
        row.update(walk_ins=walk_ins, attendance=total, attendance_taken_at=_dt(taken))
        plan["audit"].append((taken, plan["animator"], "events.attendance",
                              {"attendance": total}))
        if total and rng.random() < 0.55:
            for dimension, values, shares in (
                    ("gender", GENDERS, (60, 37, 3)),
                    ("age", AGE_BRACKETS, (8, 10, 27, 27, 15, 13))):
                declared = round(total * rng.uniform(0.3, 0.95))
                counts = Counter(rng.choices(values, shares, k=declared))
                figures.extend({"event_id": plan, "dimension": dimension, "value": value,
                                "count": count} for value, count in sorted(counts.items()))
        names = rng.sample(FIRST_NAMES, min(walk_ins, rng.randint(0, 3)))
        return [{"event_id": plan, "user_id": None, "key": secrets.token_hex(16),
                 "name": name, "email": None, "phone": None, "language": "fr",
                 "party_size": 1, "childcare": False, "step_free": False,
                 "interpretation": "", "consent": False,
                 "status": SignupStatus.WALK_IN.value, "present": True,
                 "created_at": _dt(taken), "promoted_at": None, "cancelled_at": None,
                 "reminded_at": None} for name in names]

    # --- FPH ------------------------------------------------------------------------------

    def fph(self) -> None:
        """One fund and round per quartier and year; rounds whose vote has begun get their
        register and box; the count runs when the vote has been over a few days."""
        rounds: list[tuple[Round, _Quartier, float]] = []
        existing = {(f.quartier_id, f.year) for f in self.db.scalars(select(Fund))}
        for q in self.quartiers:
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                if (q.id, year) in existing:
                    continue
                made = self.fund_and_round(q, year)
                if made is not None:
                    rounds.append((made, q, q.weight))
        # Demo rounds whose vote is open get voters too.
        for round_ in self.db.scalars(select(Round)):
            if round_.phase(_dt(self.now)) == Phase.VOTE and not any(
                    r is round_ for r, _, _ in rounds):
                qi = self.index_of(round_.fund.quartier_id)
                rounds.append((round_, self.quartiers[qi], self.quartiers[qi].weight))
        voting = [(r, q, w * self.vote_share(r)) for r, q, w in rounds if self.vote_share(r)]
        total = sum(w for _, _, w in voting) or 1.0
        largest = max(voting, key=lambda v: v[2])[0] if voting else None
        for round_, q, weight in voting:
            voters = max(4, round(self.n("participations") * weight / total))
            if round_.box_key is None:
                self.bureau(round_, q)
            self.vote(round_, q, voters, forced=round_ is largest)
            self.count(round_, q)

    def vote_share(self, round_: Round) -> float:
        """The part of the vote period already past."""
        begins, ends = round_.vote_starts_at.timestamp(), round_.vote_ends_at.timestamp()
        if begins >= self.now:
            return 0.0
        return (min(ends, self.now) - begins) / (ends - begins)

    def fund_and_round(self, q: _Quartier, year: int) -> Round | None:
        rng = self.rng
        autumn = rng.random() < 0.3
        opens = _local_ts(date(year, 9 if autumn else 2, 1) + timedelta(
            days=rng.randint(0, 20)), 9)
        dates = [opens, opens + rng.randint(35, 45) * DAY]
        dates.append(dates[-1] + rng.randint(20, 30) * DAY)
        dates.append(dates[-1] + rng.randint(14, 24) * DAY + 11 * HOUR)
        dates.append(dates[-1] + rng.randint(30, 45) * DAY)
        created = opens - rng.uniform(15, 30) * DAY
        if created >= self.now:
            return None
        population = q.obj.population or 2_000
        envelope = max(5_000, min(15_000, int(round(population * 0.4, -3)))) * 100
        method = rng.choices(["approval", "knapsack", "cumulative"], (60, 20, 20))[0]
        fund = budget.save_fund(self.db, q.obj, None, {
            "year": year, "envelope_cents": envelope, "cap_cents": 150_000,
            "min_project_cents": 20_000, "min_age": rng.choice((11, 16)),
            "rules_text": "Le projet se passe dans le quartier, il est ouvert à tous et il "
                          "ne rapporte d’argent à personne.",
            "vote_method": method, "approval_min": 1,
            "approval_max": rng.choice((3, 5, None)) if method == "approval" else None,
            "points_total": 10 if method == "cumulative" else 0,
            "points_max": 5 if method == "cumulative" else 0,
            "tally_rule": rng.choices(["greedy", "equal-shares"], (70, 30))[0],
            "min_score": 0}, actor=self.pilot, now=_dt(created))
        round_ = budget.save_round(self.db, fund, None, {
            "title": f"Appel à projets {year}", **dict(zip(budget.ROUND_DATES,
                                                           map(_dt, dates), strict=True))},
            actor=self.pilot, now=_dt(created))
        self.projects(round_, q)
        return round_

    def projects(self, round_: Round, q: _Quartier) -> None:
        """The proposals of a round, reviewed by the committee as far as the date allows."""
        rng = self.rng
        sub, review, vote = (round_.submission_starts_at.timestamp(),
                             round_.review_starts_at.timestamp(),
                             round_.vote_starts_at.timestamp())
        if sub >= self.now:
            return
        count = rng.randint(12, 18)
        rows: list[dict[str, Any]] = []
        for _ in range(count):
            created = rng.uniform(sub, review - DAY)
            if created >= self.now:
                continue
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
            author = self.resident(self.quartiers.index(q), created)
            kind, carrier = rng.choice(CARRIERS)
            if author is not None:
                self.touched(author, created)
            rows.append({
                "round_id": round_.id, "author_id": self.u_id[author] if author is not None
                else rng.choice(q.animators), "title": title, "summary": summary,
                "description": summary + " Le collectif s’occupe de tout et rend compte au "
                                         "conseil citoyen.",
                "amount_cents": amount, "budget_lines": budget_lines,
                "orientation_id": rng.choice(self.orientations) if rng.random() < 0.8
                else None,
                "carrier_kind": kind, "carrier_name": carrier,
                "contact": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                           f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                "place": rng.choice(q.places), "latitude": None, "longitude": None,
                "photo": None, "status": ProjectStatus.SUBMITTED.value, "review_message": "",
                "checklist": {}, "merged_into_id": None, "follow_up": None,
                "spent_cents": None, "created_at": _dt(created), "updated_at": _dt(created)})
        reviews = self.review(rows, review, vote)
        ids = self.insert(Project, rows, ids=True)
        for project_id, into in zip(ids, reviews, strict=True):
            if into is not None:
                self.db.execute(update(Project).where(Project.id == project_id)
                                .values(merged_into_id=ids[into]))
        for row, project_id, target in zip(rows, ids, reviews, strict=True):
            if row["status"] != ProjectStatus.SUBMITTED:
                action = {"admitted": "admit", "rejected": "reject", "merged": "merge",
                          "changes_requested": "changes", "withdrawn": ""}[row["status"]]
                if action:
                    self.audit(row["updated_at"].timestamp(), rng.choice(q.moderators),
                               f"budget.project_{action}", "project", project_id,
                               message=row["review_message"],
                               merged_into=None if target is None else ids[target])

    def review(self, rows: list[dict[str, Any]], review: float, vote: float) -> list[int | None]:
        """Decide each proposal; returns, per row, the index of the project it was merged
        into. A round that reaches its vote has at least two projects on the ballot."""
        rng = self.rng
        merged: list[int | None] = [None] * len(rows)
        for row in rows:
            status = rng.choices(["admitted", "rejected", "merged", "withdrawn",
                                  "changes_requested"], (68, 12, 6, 6, 8))[0]
            # Withdrawing and asking for changes happen while proposals are open.
            at = rng.uniform(row["created_at"].timestamp(), review) if status in (
                "withdrawn", "changes_requested") else rng.uniform(review, vote - HOUR)
            if at >= self.now:
                continue
            row.update(status=status, updated_at=_dt(at),
                       review_message=REVIEW_MESSAGES.get(status, ""),
                       checklist=dict.fromkeys(budget.CHECKLIST, status == "admitted")
                       if status != "withdrawn" else {})
        admitted = [i for i, r in enumerate(rows) if r["status"] == "admitted"]
        if vote < self.now:
            for row in rows:
                if len(admitted) >= 2:
                    break
                if row["status"] != "admitted":
                    row.update(status="admitted", review_message="",
                               checklist=dict.fromkeys(budget.CHECKLIST, True),
                               updated_at=_dt(rng.uniform(review, vote - HOUR)))
                    admitted.append(rows.index(row))
        for index, row in enumerate(rows):
            if row["status"] == "merged":
                if admitted:
                    merged[index] = rng.choice(admitted)
                    row["review_message"] = "Réuni avec un projet très proche."
                else:
                    row["status"] = "rejected"
        return merged

    def vote(self, round_: Round, q: _Quartier, voters: int, *, forced: bool) -> None:
        """The register and the box, written as ``budget.services.cast`` writes them."""
        rng = self.rng
        fund = round_.fund
        costs = budget.ballot_costs(self.db, round_)
        if not costs or round_.secret is None:
            return
        popularity = {p: rng.paretovariate(1.5) for p in costs}
        begins = round_.vote_starts_at.timestamp()
        ends = min(round_.vote_ends_at.timestamp(), self.now)
        method = budget.method_of(fund)
        permanences = self.permanences(round_, q, begins, ends)
        channels = [rng.choices([c for c, _ in CHANNEL_WEIGHTS],
                                [w for _, w in CHANNEL_WEIGHTS])[0] for _ in range(voters)]
        if forced:  # every channel appears, however small the scale
            channels[:4] = [Channel.ONLINE, Channel.KIOSK, Channel.PAPER, Channel.CODE]
        register: list[dict[str, Any]] = []
        sealed: list[dict[str, Any]] = []
        seal = round_.seal
        fingerprints: set[str] = set()
        online: set[int] = set()
        code_votes = 0
        for wanted in channels:
            channel, at, permanence, user = self.how(wanted, q, begins, ends, permanences,
                                                     online)
            code_votes += channel == Channel.CODE
            day = _local_day(at)
            fingerprint = self.fingerprint(round_.secret, fund.min_age, day, fingerprints)
            register.append({
                "id": secrets.token_hex(16), "round_id": round_.id,
                "fingerprint": fingerprint, "user_id": self.u_id[user] if user is not None
                else None, "channel": channel.value, "voted_on": day,
                "permanence_id": permanence})
            choices = self.choices(fund, costs, popularity)
            assert not ballot_rules.problems(method, choices, costs)
            ciphertext = budget.seal_choices(round_, choices, costs)
            tracker = ballot_box.tracker(ciphertext)
            sealed.append({"tracker": tracker, "round_id": round_.id, "ciphertext": ciphertext,
                           "channel": channel.value,
                           "permanence_id": permanence if channel == Channel.PAPER else None})
            seal = ballot_box.add_to_seal(seal, tracker)
        rng.shuffle(register)
        rng.shuffle(sealed)
        self.insert(Participation, register)
        self.insert(SealedBallot, sealed)
        self.vote_codes(round_, q, code_votes)
        round_.seal = seal
        self.db.flush()

    def bureau(self, round_: Round, q: _Quartier) -> None:
        """A pilot and two moderators named trustees a week before the vote; each takes
        their share, which the demo keeps for the count (a real server keeps none)."""
        at = _dt(round_.vote_starts_at.timestamp() - 7 * DAY)
        pilot = self.users_by_id[self.rng.choice(self.pilots)]
        people = [pilot, *(self.user(m) for m in self.rng.sample(q.moderators,
                                                                 min(2, len(q.moderators))))]
        trustees.name(self.db, round_, people, 2, actor=pilot, now=at)
        self.shares[round_.id] = [trustees.hand_share(self.db, round_, person, now=at)
                                  for person in people]

    def how(self, channel: Channel, q: _Quartier, begins: float, ends: float,
            permanences: list[tuple[int, float, float]], online: set[int]
            ) -> tuple[Channel, float, int | None, int | None]:
        """How, when and where one person votes: (channel, time, permanence, resident).
        Online needs an account that has not voted; kiosk and paper need a permanence;
        what cannot be falls back to a permanence, then to a printed code."""
        at = self.rng.uniform(begins, ends)
        if channel == Channel.ONLINE:
            user = self.voter(q, at, online)
            if user is not None:
                return channel, at, None, user
            channel = Channel.KIOSK
        if channel in (Channel.KIOSK, Channel.PAPER) and permanences:
            permanence, opens, closes = self.rng.choice(permanences)
            return channel, self.rng.uniform(opens, closes), permanence, None
        return Channel.CODE, at, None, None

    def voter(self, q: _Quartier, at: float, online: set[int]) -> int | None:
        """A resident of the quartier with an account who has not voted yet."""
        for _ in range(10):
            user = self.resident(self.quartiers.index(q), at)
            if user is not None and user not in online:
                online.add(user)
                self.touched(user, at)
                return user
        return None

    def fingerprint(self, secret: bytes, min_age: int, day: date, seen: set[str]) -> str:
        """The keyed fingerprint of a declared identity, one per person and round."""
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"
            born = date(self.rng.randint(1938, day.year - min_age - 1),
                        self.rng.randint(1, 12), self.rng.randint(1, 28))
            fingerprint = identity.fingerprint(secret, name, born)
            if fingerprint not in seen:
                seen.add(fingerprint)
                return fingerprint

    def choices(self, fund: Fund, costs: dict[int, int],
                popularity: dict[int, float]) -> dict[int, int]:
        rng = self.rng
        # Weighted order without replacement (Efraimidis–Spirakis keys).
        order = sorted(costs, key=lambda p: -rng.random() ** (1 / popularity[p]))
        if fund.vote_method == "approval":
            most = min(len(order), fund.approval_max or 5)
            return dict.fromkeys(order[:rng.randint(max(1, fund.approval_min), most)], 1)
        if fund.vote_method == "knapsack":
            picked: dict[int, int] = {}
            left = fund.envelope_cents
            for project in order[:rng.randint(2, 6)]:
                if costs[project] <= left:
                    picked[project] = 1
                    left -= costs[project]
            return picked or {min(costs, key=lambda p: costs[p]): 1}
        points: dict[int, int] = {}
        budget_left = rng.randint(max(1, fund.points_total // 2), fund.points_total)
        for project in order[:rng.randint(1, 4)]:
            if budget_left <= 0:
                break
            given = rng.randint(1, min(fund.points_max, budget_left))
            points[project] = given
            budget_left -= given
        return points

    def permanences(self, round_: Round, q: _Quartier, begins: float,
                    ends: float) -> list[tuple[int, float, float]]:
        """Sessions where the animators take kiosk and paper votes during the vote."""
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for _ in range(rng.randint(2, 5)):
            day = self.day_between(begins, ends)
            if day.weekday() == 6:
                day -= timedelta(days=1)
            hour = rng.choice((9, 14))
            starts, finish = _local_ts(day, hour), _local_ts(day, hour + 3)
            if starts < begins or finish > ends:
                continue
            animator = rng.choice(q.animators)
            rows.append({"quartier_id": q.id, "place": rng.choice(q.places),
                         "starts_at": _dt(starts), "ends_at": _dt(finish),
                         "animator_id": animator, "created_at": _dt(starts - DAY)})
        ids = self.insert(Permanence, rows, ids=True)
        for permanence_id, row in zip(ids, rows, strict=True):
            self.audit(row["created_at"].timestamp(), row["animator_id"], "permanence.opened",
                       "permanence", permanence_id, place=row["place"])
        return [(i, r["starts_at"].timestamp(), r["ends_at"].timestamp())
                for i, r in zip(ids, rows, strict=True)]

    def vote_codes(self, round_: Round, q: _Quartier, spent: int) -> None:
        """The printed codes: as many spent as code ballots, the rest unused."""
        if not spent:
            return
        printed = spent + self.rng.randint(10, 40)
        made: set[str] = set()
        while len(made) < printed:
            made.add(codes.digest(codes.generate()))
        rows = [{"digest": digest, "round_id": round_.id, "batch": 1, "spent": n < spent,
                 "void": False} for n, digest in enumerate(sorted(made))]
        self.insert(VoteCode, rows)
        at = round_.vote_starts_at.timestamp() - 10 * DAY
        self.audit(max(at, round_.created_at.timestamp()), self.rng.choice(q.animators),
                   "permanence.codes_generated", "round", round_.id, batch=1, count=printed)

    def count(self, round_: Round, q: _Quartier) -> None:
        """Two trustees' shares open the box, a pilot publishes: the services' own way.
        Funded projects then move on, and the register's key is destroyed after a while."""
        rng = self.rng
        ended = round_.vote_ends_at.timestamp()
        started = ended + rng.uniform(1, 5) * DAY
        if started >= self.now:
            return
        pilot = self.users_by_id[rng.choice(self.pilots)]
        confirmed = started + rng.uniform(1, 30) * HOUR
        if confirmed >= self.now:
            return
        if round_.id not in self.shares:
            return
        shares = rng.sample(self.shares[round_.id], 2)
        counting.count(self.db, round_, shares, actor=pilot, now=_dt(confirmed),
                       small=int(current_app.config.get("SMALL_CELL_THRESHOLD", 11)))
        published = confirmed + rng.uniform(1, 48) * HOUR
        if published >= self.now:
            return
        counting.publish(self.db, round_, actor=pilot, now=_dt(published))
        self.follow_up(round_, q, published)
        months = int(current_app.config.get("FPH_SECRET_MONTHS", 6))
        forgotten = _local_ts(_local_day(published + months * 30 * DAY) + timedelta(days=1), 4)
        if forgotten < self.now:
            round_.secret, round_.secret_destroyed_at = None, _dt(forgotten)
            self.audit(forgotten, None, "budget.secret_destroyed", "round", round_.id)

    def follow_up(self, round_: Round, q: _Quartier, published: float) -> None:
        rng = self.rng
        begins = max(round_.follow_up_starts_at.timestamp(), published)
        if begins >= self.now:
            return
        age = (self.now - begins) / DAY
        for project in self.db.scalars(select(Project).where(
                Project.round_id == round_.id, Project.follow_up.is_not(None))):
            if age > 300:
                status = rng.choices([FollowUp.DONE, FollowUp.ABANDONED, FollowUp.IN_PROGRESS],
                                     (70, 8, 22))[0]
            elif age > 100:
                status = rng.choices([FollowUp.DONE, FollowUp.IN_PROGRESS, FollowUp.TO_START],
                                     (40, 50, 10))[0]
            else:
                status = rng.choices([FollowUp.TO_START, FollowUp.IN_PROGRESS], (60, 40))[0]
            share = {FollowUp.DONE: rng.uniform(0.85, 1.0),
                     FollowUp.IN_PROGRESS: rng.uniform(0.2, 0.7),
                     FollowUp.ABANDONED: rng.uniform(0, 0.2)}.get(status)
            spent = None if share is None else int(round(project.amount_cents * share, -2))
            at = rng.uniform(begins, self.now)
            actor = self.user(rng.choice(q.animators))
            if status != FollowUp.TO_START:
                budget.set_follow_up(self.db, project, status, spent, actor=actor, now=_dt(at))
                if rng.random() < 0.5:
                    budget.add_update(self.db, project, rng.choice(PROJECT_NEWS[:3] if status
                                                                   != FollowUp.DONE else
                                                                   PROJECT_NEWS[3:]),
                                      None, actor=actor, now=_dt(at))

    def user(self, user_id: int) -> User:
        if user_id not in self.users_by_id:
            found = self.db.get(User, user_id)
            assert found is not None
            self.users_by_id[user_id] = found
        return self.users_by_id[user_id]

    # --- Accounts deleted by their owners -------------------------------------------------

    def departures(self) -> None:
        """A few residents delete their account: ``accounts.services.delete_account`` and
        the parts' erasers, applied in bulk."""
        rng = self.rng
        gone = [u for u in range(len(self.u_id)) if self.u_last[u] < self.now - 30 * DAY
                and rng.random() < 0.008]
        if not gone:
            return
        for u in gone:
            at = min(self.now - DAY, self.u_last[u] + rng.uniform(5, 200) * DAY)
            self.db.execute(update(User).where(User.id == self.u_id[u]).values(
                email=None, password_hash=None, display_name="", gender=None,
                age_bracket=None, quartier_id=None, deleted_at=_dt(at)))
            self.audit(at, None, "accounts.deleted", "user", self.u_id[u])
        ids = [self.u_id[u] for u in gone]
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            self.db.execute(update(Idea).where(Idea.author_id.in_(chunk))
                            .values(latitude=None, longitude=None))
            self.db.execute(delete(Follow).where(Follow.user_id.in_(chunk)))
            self.db.execute(update(Report).where(Report.reporter_id.in_(chunk))
                            .values(reporter_id=None))
            self.db.execute(update(Project).where(Project.author_id.in_(chunk))
                            .values(contact=""))
            self.db.execute(update(Signup).where(Signup.user_id.in_(chunk)).values(
                name="", email=None, phone=None, user_id=None))
            self.db.execute(delete(RoleGrant).where(RoleGrant.user_id.in_(chunk)))


def table_counts(db: Session) -> dict[str, int]:
    """Rows in every table of the schema."""
    return {table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables}


def seed_large(*, echo: bool = True, seed: int = 2026, scale: float = 1.0) -> dict[str, int]:
    """Create the small demo, then three years of a ten-quartier contract; returns the
    number of rows of each table. ``scale`` multiplies the volumes (0.01 for tests)."""
    began = timer.perf_counter()
    db = scoped()
    demo.seed(echo=echo)
    seeder = _Seeder(db, random.Random(seed), scale, clock.now())
    seeder.run()
    counts = table_counts(db)
    if echo:
        click.echo(f"Large demo created in {timer.perf_counter() - began:.1f} s "
                   f"(scale {scale:g}, seed {seed}). Residents and the added staff share "
                   "the password shown above. Rows per table:")
        for name, count in sorted(counts.items()):
            click.echo(f"  {name:<26} {count:>8}")
        click.echo(f"  ({seeder.signups_made} signups made, those of events ended more "
                   "than the retention period ago deleted as the nightly purge does)")
    return counts
