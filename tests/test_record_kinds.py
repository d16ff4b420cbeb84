"""Records of other kinds (profiles, communities, samples, forums) and one numbering of records.

`tests/data/kinds/` holds a person's profile modelled on the `_people/*.md` files of
the publishers' sites (`name`, `bio`, `location`, `twitter`, no title, excerpt or URL key)
and a JSON page of two community groups of one provider, named and untitled.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarc.cli import cli
from newsarc.parsing import parse_bytes, parse_file
from newsarc.records import json_record

pytestmark = pytest.mark.usefixtures("isolated_environment")

KINDS = Path(__file__).parent / "data" / "kinds"
NOW = datetime(2021, 12, 20, 12, 0, tzinfo=timezone.utc)
TERMINAL = {"stdout_tty": True, "stderr_tty": False, "width": 100, "now": NOW, "local_zone": timezone.utc}
PIPE = {"stdout_tty": False, "stderr_tty": False, "now": NOW, "local_zone": timezone.utc}
PROFILE = "people/charles-lamanna.md"


def run(archive: Path, *args: str, terminal: bool = False) -> Result:
    return CliRunner().invoke(cli, ["--archive", str(archive), "--no-cache", "--color", "never", *args],
                              obj=TERMINAL if terminal else PIPE)


def records(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_profiles_and_communities_are_read_with_their_names_as_titles() -> None:
    checked = run(KINDS, "check")
    assert (checked.exit_code, checked.stdout) == (0, "")
    listed = run(KINDS, "list", "--fields", "title,type,path", terminal=True)
    assert listed.exit_code == 0
    assert [line.split()[:4] for line in listed.stdout.splitlines()[2:5]] == [
        ["Power", "Apps", "Facebook", "Group"],
        ["Power", "Apps", "&", "Power"],  # `&amp;` in the name is decoded for people
        ["Charles", "Lamanna", "profile", PROFILE],
    ]


def test_the_lossless_forms_keep_the_source_keys(tmp_path: Path) -> None:
    (profile,) = [record for record in records(run(KINDS, "export", "--format", "jsonl"))
                  if record["path"] == PROFILE]
    assert "title" not in profile
    assert profile["name"] == "Charles Lamanna"
    assert profile["bio"].endswith("Power Automate &amp; Dynamics 365.")
    exported = run(KINDS, "export", "--format", "frontmatter", "--output", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.output
    written = next(path for path in (tmp_path / "out").iterdir() if "charles-lamanna" in path.name)
    assert "\ntitle:" not in written.read_text(encoding="utf-8")
    again = parse_file(written, written.name).articles[0]
    original = parse_file(KINDS / PROFILE, PROFILE).articles[0]
    assert again == original and again.title == "Charles Lamanna"


def test_show_lists_the_other_fields_as_labelled_lines() -> None:
    result = run(KINDS, "show", PROFILE, "--no-pager", terminal=True)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "Charles Lamanna"
    for expected in (
        "bio             CVP at Microsoft, Founder @ MetricsHub. Works on Power Apps, Power Automate &",
        "                Dynamics 365.",
        "location        Bellevue, WA",
        "affiliation     name: Microsoft · domain: microsoft.com",
        "twitter         username: clamanna · url: https://twitter.com/clamanna · followers: 4227",
        "linkedin        url: https://www.linkedin.com/in/charleslamanna",
    ):
        assert expected in lines
    assert not any(line.startswith("name ") for line in lines)  # it is the title


def test_a_list_of_actions_shows_one_line_each_and_hostile_fields_stay_inert(tmp_path: Path) -> None:
    (tmp_path / "sample.md").write_text(
        '---\ntitle: "Magic 8-Ball"\ntype: download\nprice: 0\nlength: "12:30"\n'
        "actions:\n"
        '  - {title: "Download Source Code", url: "https://example.com/8ball.msapp"}\n'
        '  - {title: "Watch", url: "https://example.com/watch"}\n'
        'bio: "\\e[31mred\\e[0m [bold]x[/bold] \\u202eevil"\nid: 42\n---\n',
        encoding="utf-8",
    )
    result = run(tmp_path, "show", "sample.md", "--no-pager", terminal=True)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert "actions         title: Download Source Code · url: https://example.com/8ball.msapp" in lines
    assert "actions         title: Watch · url: https://example.com/watch" in lines
    assert "price           0" in lines and "length          12:30" in lines
    assert "bio             red [bold]x[/bold] evil" in lines
    assert "id (in file)    42" in lines  # the record's own `id` key, not newsarc's id
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_dupes_never_groups_records_on_an_empty_title(tmp_path: Path) -> None:
    shutil.copyfile(KINDS / "communities.json", tmp_path / "communities.json")
    # Neither a title nor a name: only a link, and one provider.
    untitled = [{"webUrl": f"https://www.facebook.com/groups/{number}/", "type": "forum",
                 "provider": {"name": "Facebook", "domain": "facebook.com"}} for number in (1, 2)]
    (tmp_path / "untitled.json").write_text(json.dumps(untitled), encoding="utf-8")
    assert len(records(run(tmp_path, "list"))) == 4
    result = run(tmp_path, "dupes", terminal=True)
    assert (result.exit_code, result.stdout.strip()) == (1, "0 groups of duplicates")


@pytest.mark.parametrize(
    "record",
    [
        {"name": "Charles Lamanna", "bio": "CVP at Microsoft"},
        {"bio": "no name", "twitter": {"username": "clamanna", "url": "https://twitter.com/clamanna"}},
        {"actions": [{"title": "Download", "url": "https://example.com/app.msapp"}]},
        {"cdnAmpWebUrl": "https://example-com.cdn.ampproject.org/c/s/example.com/a"},
    ],
    ids=["name", "url-in-a-mapping", "url-in-a-list", "cdn-amp-url"],
)
def test_a_record_with_a_name_or_any_url_is_accepted(record: dict) -> None:
    result = parse_bytes(json.dumps(record).encode(), "record.json")
    assert result.problems == []
    written = json_record(result.articles[0])
    assert {key: written[key] for key in record} == record


def test_a_record_with_nothing_to_show_is_still_refused() -> None:
    result = parse_bytes(b'{"bio": "text", "twitter": {"username": "x"}, "name": "  "}', "record.json")
    assert [str(problem) for problem in result.problems] == [
        "record.json: the record has no title, name, excerpt or URL"]


# --- one numbering --------------------------------------------------------------------------


def test_records_are_counted_from_one_everywhere(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(KINDS, archive)
    page = json.loads((archive / "communities.json").read_text(encoding="utf-8"))
    page["value"].append({"quality": "high"})  # record 3 is bad
    (archive / "communities.json").write_text(json.dumps(page), encoding="utf-8")

    paths = run(archive, "export", "--format", "paths", "path:communities.json")
    assert paths.stdout.splitlines() == ["communities.json#1", "communities.json#2"]
    exported = records(run(archive, "export", "--format", "jsonl", "path:communities.json"))
    assert [(record["index"], record["name"]) for record in exported] == [
        (1, "Power Apps Facebook Group"), (2, "Power Apps &amp; Power Automate")]
    second = run(archive, "show", "communities.json#2", "--no-pager", terminal=True)
    assert second.exit_code == 0, second.output
    assert "file            communities.json#2" in [line.rstrip() for line in second.stdout.splitlines()]
    assert second.stdout.startswith("Power Apps & Power Automate\n")
    both = run(archive, "show", "communities.json")
    assert both.exit_code == 2
    assert "(communities.json#1)" in both.stderr and "(communities.json#2)" in both.stderr
    assert "communities.json: record 3: " in run(archive, "check").stdout
