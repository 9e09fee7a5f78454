"""The one password rule: at least 12 characters and not guessable (zxcvbn), for every way a password is set."""

import pytest

from tracker.services.accounts import password_problem


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "demo-owner-password", "Marigold tram ledger 42"],
)
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", "at least 12 characters"),
        ("password1234", "harder to guess"),
        ("iloveyou12345", "harder to guess"),
        ("qwertyuiopasdf", "harder to guess"),
        ("aaaaaaaaaaaaaaaa", "harder to guess"),
        ("x" * 1001, "1,000 characters or fewer"),
    ],
)
def test_short_common_or_guessable_passwords_are_refused(password, message):
    assert message in password_problem(password)


def test_creating_an_account_uses_the_same_rule(app):
    from tracker.services.accounts import AccountError, create_user

    with pytest.raises(AccountError, match="harder to guess"):
        create_user("weak@example.org", "Weak Password", "owner", "password1234")
