"""The pabulib reader on every sample file and on broken ones; the writer round trip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from civic.budget.pabulib import Instance, PabulibError, amount, read, write

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"

# file, vote type, voters, projects, budget, CRLF line ends (README table)
FILES = [
    ("Netherlands_Amsterdam_643.pb", "choose-1", 66, 3, 5720, True),
    ("Netherlands_Assen_2024.pb", "approval", 84, 14, 100000, True),
    ("France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb", "approval",
     93, 10, 400000, True),
    ("Poland_Czestochowa_2020_Grabowka.pb", "cumulative", 201, 8, 225862, False),
    ("Poland_Swiecie_2023.pb", "approval", 2553, 22, 1070000, True),
    ("Poland_Warszawa_2020_Praga-Poludnie.pb", "approval", 14897, 134, 5900907, False),
]


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_bytes().decode("utf-8")


@pytest.mark.parametrize(("name", "vote_type", "voters", "projects", "budget", "crlf"), FILES)
def test_reads_every_sample_file(name: str, vote_type: str, voters: int, projects: int,
                                 budget: int, crlf: bool) -> None:
    text = sample_text(name)
    assert ("\r\n" in text) is crlf  # the CRLF files really are read as they are
    instance = read(text)
    assert (instance.vote_type, len(instance.votes), len(instance.projects)) == (
        vote_type, voters, projects)
    assert instance.budget == budget
    assert isinstance(instance.budget, int)
    assert instance.number("num_votes") == voters
    assert instance.number("num_projects") == projects
    costs = instance.costs()
    assert all(isinstance(cost, int) and cost > 0 for cost in costs.values())
    assert len(instance.approval_ballots()) == voters


@pytest.mark.parametrize("name", [f[0] for f in FILES])
def test_write_then_read_gives_the_same_instance(name: str) -> None:
    instance = read(sample_text(name))
    assert read(write(instance)) == instance
    assert write(read(write(instance))) == write(instance)


def test_fields_as_the_file_has_them() -> None:
    toulouse = read(sample_text(FILES[2][0]))
    assert toulouse.meta["budget"] == "400000.0"
    assert toulouse.meta["subunit"] == "17 - Mirail-Université / Reynerie / Bellefontaine"
    assert (toulouse.number("min_length"), toulouse.number("max_length")) == (1, 3)
    assert toulouse.projects["182"]["name"] == (
        "Aménagement de cours \"OASIS\" à l'école élémentaire Victor Hugo")  # "" in the file
    assert toulouse.costs()["178"] == 10500
    assert toulouse.selected() is None
    assert toulouse.votes[0] == {"voter_id": "17-37", "vote": "185"}

    praga = read(sample_text(FILES[5][0]))
    assert praga.projects["49"]["latitude"] == ""
    assert praga.projects["287"]["category"] == (
        "urban greenery,public space,environmental protection")
    assert praga.votes[0] == {"voter_id": "15", "vote": "40,41,44,45,46,47,49,348,831",
                              "age": "61", "sex": "F", "voting_method": "internet"}
    assert praga.approval_ballots()[0] == frozenset(
        {"40", "41", "44", "45", "46", "47", "49", "348", "831"})
    assert len(praga.selected() or []) == 26

    swiecie = read(sample_text(FILES[4][0]))
    assert swiecie.approval_ballots()[0] == frozenset({"c1", "c2", "c11", "c21", "c20"})


def test_cumulative_ballots_and_their_election() -> None:
    instance = read(sample_text(FILES[3][0]))
    assert instance.cumulative_ballots()[:2] == [{"196": 6, "198": 4},
                                                 {"448": 3, "463": 3, "196": 2, "443": 2}]
    assert instance.number("max_sum_points") == 10
    election = instance.election()
    assert election.ballots[0] == {"196": 6, "198": 4}
    assert election.budget == 225862
    assert election.min_score is None
    with pytest.raises(ValueError, match="approval ballots have no points"):
        read(sample_text(FILES[1][0])).cumulative_ballots()


def test_assen_selected_column() -> None:
    instance = read(sample_text(FILES[1][0]))
    assert instance.selected() == ["3", "9", "2", "11", "13", "14", "5", "6", "12"]
    assert instance.election().ballots[1] == {"1": 1, "2": 1, "10": 1}


@pytest.mark.parametrize(("text", "value"), [
    ("400000.0", 400000), ("5720", 5720), ("12,5", Fraction(25, 2)), (" 7 ", 7),
    ("0.10", Fraction(1, 10)),
])
def test_amounts_are_exact(text: str, value: Fraction) -> None:
    assert amount(text) == value


GOOD = "\n".join([
    "META",  # line 1
    "key;value",
    "budget;100",
    "vote_type;approval",
    "PROJECTS",  # line 5
    "project_id;cost;name",
    "1;50;Parc",
    '2;60;"Jardin; ""potager"""',
    "VOTES",  # line 9
    "voter_id;vote",
    "v1;1,2",
    "v2;2",
    "v3;",  # line 13
    "",
])


def test_a_small_file_with_quotes_and_an_empty_ballot() -> None:
    instance = read(GOOD)
    assert instance == Instance(
        meta={"budget": "100", "vote_type": "approval"},
        projects={"1": {"cost": "50", "name": "Parc"},
                  "2": {"cost": "60", "name": 'Jardin; "potager"'}},
        votes=[{"voter_id": "v1", "vote": "1,2"}, {"voter_id": "v2", "vote": "2"},
               {"voter_id": "v3", "vote": ""}])
    assert instance.approval_ballots() == [frozenset({"1", "2"}), frozenset({"2"}),
                                           frozenset()]
    assert read(write(instance)) == instance


@pytest.mark.parametrize("ending", ["\n", "\r\n", "mixed"])
def test_line_ends_crlf_lf_or_a_mix(ending: str) -> None:
    lines = GOOD.split("\n")
    if ending == "mixed":
        text = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    else:
        text = ending.join(lines)
    assert read(text) == read(GOOD)


def test_a_byte_order_mark_and_blank_lines_are_ignored() -> None:
    assert read("\ufeff" + GOOD.replace("PROJECTS\n", "\nPROJECTS\n") + "\n\n") == read(GOOD)


def test_round_trip_keeps_awkward_fields() -> None:
    instance = Instance(
        meta={"budget": "10", "vote_type": "cumulative", "comment": "a;b\r\nc \"d\"\re"},
        projects={"p 1": {"cost": "10", "name": " spaced "}},
        votes=[{"voter_id": "x", "vote": "p 1", "points": "3"}])
    assert read(write(instance)) == instance


def broken(old: str, new: str, text: str = GOOD) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(("text", "message"), [
    ("", "line 1: missing section META (end of file)"),
    (GOOD.replace("META\n", "", 1), "line 1: expected section META, found 'key;value'"),
    (GOOD.split("VOTES")[0], "line 9: missing section VOTES (end of file)"),
    (broken("PROJECTS\nproject_id;cost;name\n1;50;Parc\n2;60;\"Jardin; \"\"potager\"\"\"\n",
            ""), "line 5: expected section PROJECTS, found 'VOTES'"),
    (broken("budget;100\n", ""), "line 2: META has no budget"),
    (broken("budget;100", "budget;beaucoup"), "line 3: budget is not a number ≥ 0: 'beaucoup'"),
    (broken("vote_type;approval", "vote_type;ranked"), "line 4: unknown vote_type 'ranked'"),
    (broken("vote_type;approval", "vote_type;approval;extra"),
     "line 4: 3 fields, expected 2 (key;value)"),
    (broken("budget;100", "budget;100\nbudget;200"), "line 4: META key 'budget' appears twice"),
    (broken("project_id;cost;name", "project_id;price;name"),
     "line 6: the PROJECTS header has no 'cost' column"),
    (broken("project_id;cost;name", "project_id;cost;cost"), "line 6: column 'cost' appears"),
    (broken("1;50;Parc", "1;50"), "line 7: 2 fields, expected 3 (project_id;cost;name)"),
    (broken("1;50;Parc", "1;cinquante;Parc"),
     "line 7: cost of project '1' is not a number ≥ 0: 'cinquante'"),
    (broken("1;50;Parc", "1;-50;Parc"), "line 7: cost of project '1' is not a number ≥ 0: '-50'"),
    (broken("1;50;Parc", "2;50;Parc"), "line 8: project '2' appears twice"),
    (broken("1;50;Parc", ";50;Parc"), "line 7: empty project_id"),
    (broken("v2;2", "v2;3"), "line 12: vote for unknown project '3'"),
    (broken("v1;1,2", "v1;1,1"), "line 11: project '1' appears twice in the vote"),
    (broken("v2;2", "v1;2"), "line 12: voter 'v1' appears twice"),
    (broken("v2;2", "v2;2;2"), "line 12: 3 fields, expected 2 (voter_id;vote)"),
    (broken("v2;2", "v2"), "line 12: 1 field, expected 2 (voter_id;vote)"),
    (broken("v2;2", ";2"), "line 12: empty voter_id"),
    (GOOD + "META\n", "line 14: unexpected line after the VOTES section: 'META'"),
    (broken("PROJECTS\nproject_id;cost;name\n", "PROJECTS\n"),
     "line 6: the PROJECTS header has no 'project_id' column"),
    (broken("VOTES\nvoter_id;vote\n", "VOTES\n"),
     "line 10: the VOTES header has no 'voter_id' column"),
    # A quoted line break: later errors still name the physical line.
    (broken("1;50;Parc\n", "1;50;\"Parc\ndu centre\"\n").replace("v2;2", "v2;9"),
     "line 13: vote for unknown project '9'"),
    # The same with CRLF line ends.
    (GOOD.replace("\n", "\r\n").replace("v2;2", "v2;9"),
     "line 12: vote for unknown project '9'"),
])
def test_broken_files_name_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(PabulibError) as caught:
        read(text)
    assert str(caught.value).startswith(message)


CUMULATIVE = broken("vote_type;approval", "vote_type;cumulative",
                    broken("voter_id;vote\nv1;1,2\nv2;2\nv3;\n",
                           "voter_id;vote;points\nv1;1,2;3,2\nv2;2;5\nv3;;\n"))


def test_cumulative_file() -> None:
    instance = read(CUMULATIVE)
    assert instance.cumulative_ballots() == [{"1": 3, "2": 2}, {"2": 5}, {}]
    assert instance.approval_ballots() == [frozenset({"1", "2"}), frozenset({"2"}),
                                           frozenset()]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("voter_id;vote;points", "voter_id;vote", "line 10: the VOTES header has no 'points'"),
    ("v1;1,2;3,2", "v1;1,2;3", "line 11: 2 projects but 1 points"),
    ("v1;1,2;3,2", "v1;1,2;3,-2", "line 11: points must be whole numbers ≥ 0, found '-2'"),
    ("v1;1,2;3,2", "v1;1,2;3,deux", "line 11: points must be whole numbers ≥ 0, found 'deux'"),
])
def test_broken_cumulative_files(old: str, new: str, message: str) -> None:
    text = broken(old, new, CUMULATIVE)
    if old == "voter_id;vote;points":
        text = text.replace("v1;1,2;3,2", "v1;1,2").replace("v2;2;5", "v2;2").replace(
            "v3;;", "v3;")
    with pytest.raises(PabulibError) as caught:
        read(text)
    assert str(caught.value).startswith(message)


def test_minimum_score_threshold_reaches_the_election() -> None:
    text = broken("vote_type;approval", "vote_type;approval\nmin_project_score_threshold;2")
    assert read(text).election().min_score == 2
    with pytest.raises(PabulibError, match="line 5: min_project_score_threshold is not"):
        read(text.replace("threshold;2", "threshold;two"))
