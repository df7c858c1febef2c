"""The meeting block of mapped VEVENTs: which iCalendar properties feed detection, in what order."""

from __future__ import annotations

from services.syncer.domain.ical_mapping import MappingContext, map_object
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from shared.contracts.events import Meeting
from tests.unit.syncer.samples import CALENDAR_ID, map_one, provider_object, vcalendar

TIMES = "UID:m@example.com\nDTSTART:20240701T090000Z\nDTEND:20240701T100000Z\n"
ZOOM = Meeting(
    url="https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1",
    platform="zoom",
    meeting_id="85551234567",
    passcode="438211",
    key="zoom:85551234567",
)
MEET = Meeting(
    url="https://meet.google.com/abc-defg-hij",
    platform="google_meet",
    meeting_id="abc-defg-hij",
    passcode=None,
    key="google_meet:abc-defg-hij",
)
TEAMS_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ1ZGIyYTctYWQ2Zi00ZDE5LWI1ZTMt"
    "NzI4NjM3NDhiZjE0%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf%22%7d"
)


def meeting_of(body: str) -> Meeting | None:
    return map_one(TIMES + body).meeting


def test_a_link_only_in_a_folded_description() -> None:
    body = (
        "DESCRIPTION:Join Zoom Meeting\\nhttps://us02web.zoom.us/j/85551234567?pwd=Ab\n"
        " C123xyz.1\\n\\nMeeting ID: 855 5123 4567\\nPasscode: 438211\n"
    )
    assert meeting_of(body) == ZOOM


def test_conference_video_before_phone_and_before_the_description() -> None:
    body = (
        "CONFERENCE;VALUE=URI;FEATURE=PHONE;LABEL=Dial in:tel:+1-555-010-0199\n"
        "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join:https://meet.google.com/abc-defg-hij\n"
        "DESCRIPTION:Old link: https://zoom.us/j/92345678901\n"
    )
    assert meeting_of(body) == MEET


def test_google_and_microsoft_conference_properties() -> None:
    assert meeting_of("X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\n") == MEET
    teams = meeting_of(f"X-MICROSOFT-SKYPETEAMSMEETINGURL:{TEAMS_URL}\n")
    assert teams is not None and teams.url == TEAMS_URL and teams.platform == "teams"


def test_url_property_counts_when_it_is_a_meeting_link() -> None:
    assert meeting_of("URL:https://meet.google.com/abc-defg-hij\n") == MEET
    assert meeting_of("URL:https://example.com/events/42\n") is None


def test_location_before_description() -> None:
    body = (
        "LOCATION:https://meet.google.com/abc-defg-hij\nDESCRIPTION:https://zoom.us/j/92345678901\n"
    )
    assert meeting_of(body) == MEET


def test_outlook_html_alternative_with_text_escapes() -> None:
    body = (
        "DESCRIPTION:Quick sync\\n\\n\n"
        f'X-ALT-DESC;FMTTYPE=text/html:<html><body><p>Quick sync\\, all</p><a href="{TEAMS_URL}'
        '">Join</a>\\n<p>Passcode: 8Qs9Cz</p></body></html>\n'
    )
    meeting = meeting_of(body)
    assert meeting is not None
    assert (meeting.url, meeting.passcode) == (TEAMS_URL, "8Qs9Cz")


def test_an_alternative_description_that_is_not_html_is_ignored() -> None:
    body = "X-ALT-DESC;FMTTYPE=text/plain:https://meet.google.com/abc-defg-hij\n"
    assert meeting_of(body) is None


def test_placeholder_location_gives_no_meeting() -> None:
    assert meeting_of("LOCATION:Microsoft Teams Meeting\nDESCRIPTION:Quick sync\n") is None


def test_allow_listed_hosts_come_from_the_mapping_context() -> None:
    data = vcalendar(TIMES + "LOCATION:https://jitsi.example.org/DailyStandup\n")
    plain = MappingContext.of(CALENDAR_ID, None, ())
    allowing = MappingContext.of(CALENDAR_ID, None, (), HostAllowList.of(["jitsi.example.org"]))
    assert map_object(provider_object(data), plain)[0].meeting is None
    (event,) = map_object(provider_object(data), allowing)
    assert event.meeting == Meeting(
        url="https://jitsi.example.org/DailyStandup",
        platform="other",
        meeting_id=None,
        passcode=None,
        key="https://jitsi.example.org/DailyStandup",
    )
