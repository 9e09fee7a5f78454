"""An action's name in headings, lists, links and emails: one rule."""

from tracker.models.plan import action_label


def test_the_reference_names_the_action():
    assert action_label("1.1", "Maintain the problem profile") == "Action 1.1"


def test_without_a_reference_its_first_line_names_it_shortened_to_fit():
    assert action_label("", "Map the hotspots\nwith the police") == "Map the hotspots"
    long = "Develop a multi-agency response to children missing from home, care and education settings"
    assert action_label("", long) == long[:57].rstrip() + "…"
    assert len(action_label("", long)) <= 60
    assert action_label("", "") == ""
