"""Cleaning the seed captures: named boilerplate goes, named article sentences stay."""

from __future__ import annotations

import datetime as dt

import frontmatter
import pytest

from checker.articles import cleaning
from tests.conftest import CORPUS


def _clean(name: str) -> cleaning.CleanText:
    return cleaning.clean(frontmatter.loads((CORPUS / name).read_text(encoding="utf-8")).content)


INDEPENDENT = "2022-02-25-independent-kirby-setbacks.md"
YAHOO = "2022-03-29-yahoo-pentagon-casts-doubt.md"
RT = "2022-01-25-rt-us-backtracks.md"
AXIOS = "2022-03-29-axios-repost-relocation.md"
ESOCIAL = "2022-04-06-esocialnews-fully-withdrawn.md"

BOILERPLATE = [
    (INDEPENDENT, "Your support helps us to tell the story"),
    (INDEPENDENT, "Your donation allows us to keep sending journalists"),
    (INDEPENDENT, "we choose not to lock Americans out of our reporting and analysis with paywalls"),
    (INDEPENDENT, "From reproductive rights to climate change to Big Tech"),
    (INDEPENDENT, "Stay up to date with notifications from The Independent"),
    (INDEPENDENT, "Join thought-provoking conversations"),
    (INDEPENDENT, "Please refresh the page"),
    (INDEPENDENT, "Friday 25 February 2022 19:41 EST"),
    (YAHOO, "standing in front of a Pentagon seal, expresses skepticism"),
    (YAHOO, "(Alex Wong/Getty Images)"),
    (YAHOO, "A half-dozen Russian soldiers huddle against the cold"),
    (YAHOO, "Advertisement"),
    (RT, "icon bookmark-bicon"),
    (RT, "Podcasts"),
    (RT, "23:13"),
    (AXIOS, "See also"),
    (AXIOS, "Billionaire Paid Trips"),
    (AXIOS, "Leave a Reply"),
    (AXIOS, "Your email address will not be published"),
    (AXIOS, "Photo: UK Ministry of Defense"),
    (ESOCIAL, "bloggers like this"),
    (ESOCIAL, "Source link"),
    (ESOCIAL, "Home World"),
    (ESOCIAL, "As Russia retreats from Kyiv, U.S. sees uglier fights to come"),
    (ESOCIAL, "U.S. to send Ukraine $100 million worth of antitank Javelins"),
    (ESOCIAL, "| eSocialNews"),
]

SENTENCES = [
    (INDEPENDENT, "“Our understanding is that they have experienced some setbacks,” he said."),
    (INDEPENDENT, "Men aged between 18 and 60 are banned from leaving the country"),
    (INDEPENDENT, "The US imposed further sanctions on Russia on Friday in coordination with the UK and the EU"),
    (INDEPENDENT, "“We know they have self defence needs and we are going to do all we can to fill them.”"),
    (YAHOO, "it assesses that these movements are reflective of a “repositioning, not a major withdrawal.”"),
    (YAHOO, "forced nearly 4 million refugees to flee Ukraine"),
    (YAHOO, "“The war could end today if Mr. Putin did the right thing and actually did withdraw all his forces from Ukraine,” he said."),
    (RT, "The Pentagon has placed around 8,500 troops on higher alert on Monday"),
    (RT, "Ukrainian President Volodymyr Zelensky echoed a similar message in a televised address, urging the public not to panic."),
    (
        AXIOS,
        "“We believe this is a relocation, not a real withdrawal, and we must all be prepared to see a major offensive against other parts of Ukraine,” Kirby said",
    ),
    (AXIOS, "Ukraine’s leading negotiator said the two sides would meet again in the next two weeks."),
    (AXIOS, "Countries, including the United States, will be wary of military intervention to protect Ukraine."),
    (ESOCIAL, "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, and the city of Chernihiv to its north"),
    (ESOCIAL, "“It’s not like Kyiv is somehow immune from further attack,” the official said."),
    (ESOCIAL, "estimating that such groups each contain between 800 to 1,000 troops."),
]


@pytest.mark.parametrize(("name", "fragment"), BOILERPLATE)
def test_boilerplate_is_removed(name: str, fragment: str) -> None:
    assert fragment not in _clean(name).text


@pytest.mark.parametrize(("name", "sentence"), SENTENCES)
def test_article_sentences_are_kept(name: str, sentence: str) -> None:
    assert sentence in _clean(name).text


def test_every_sentence_of_the_body_survives() -> None:
    """No paragraph that reads as a full sentence of the article is lost from the Yahoo capture."""
    raw = frontmatter.loads((CORPUS / YAHOO).read_text(encoding="utf-8")).content
    cleaned = _clean(YAHOO)
    removed = {para for _, para in cleaned.removed}
    lost = [p for p in cleaning.paragraphs(raw) if p not in cleaned.text and p not in removed]
    assert lost == []
    assert all(rule in {"image-alt-text", "photo-credit", "share-widget"} for rule, _ in cleaned.removed)


def test_header_metadata_is_read_from_a_capture() -> None:
    cleaned = _clean(INDEPENDENT)
    assert cleaned.title == "Pentagon says Russia has ‘experienced some setbacks’ in its war against Ukraine"
    assert cleaned.author == "Rachel Sharp"
    assert cleaned.published == dt.date(2022, 2, 25)
    assert ("byline", "Rachel Sharp") in cleaned.removed


def test_site_suffix_becomes_the_outlet() -> None:
    cleaned = _clean(ESOCIAL)
    assert cleaned.title == "Pentagon: Russia has fully withdrawn from Kyiv, Chernihiv"
    assert cleaned.site == "eSocialNews"
    assert cleaned.text.count("Pentagon: Russia has fully withdrawn from Kyiv, Chernihiv") == 1


def test_rt_dateline_is_parsed() -> None:
    assert _clean(RT).published == dt.date(2022, 1, 25)


def test_hard_wrapped_paragraphs_are_joined() -> None:
    raw = (
        "Officials said the troops were\nleaving the region after weeks of fighting\nnear the capital, "
        "according to a statement released on Monday.\n\nSource link\n"
    )
    cleaned = cleaning.clean(raw)
    assert "troops were leaving the region after weeks of fighting near the capital" in cleaned.text
    assert "Source link" not in cleaned.text


def test_an_appeal_heading_without_sign_off_removes_only_itself() -> None:
    raw = "Headline here\n\nYour support helps us to tell the story\n\n" + "\n\n".join(
        f"Paragraph {i} of the article says something that matters to readers today." for i in range(12)
    )
    cleaned = cleaning.clean(raw)
    assert "Paragraph 0 of the article" in cleaned.text
    assert "Your support helps" not in cleaned.text
