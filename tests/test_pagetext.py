"""How the page-text extractor tells the article from the chrome around it."""

from indexer.readers.textpage import extract

PARA = ("The city council voted on Tuesday to build a new tram line linking the airport with the "
        "old town, ending years of debate over the cost of the project.")
PARA2 = ("Officials said construction would start next spring and take about three years, with "
         "the first trams expected to run before the end of the decade.")
PARA3 = ("Opponents of the plan said they would keep campaigning against it, arguing that buses "
         "would serve the same routes for a fraction of the price.")


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def body(*lines: str) -> str:
    return extract(page(*lines), "page.txt").body


def test_menus_widgets_and_footers_around_the_body_are_left_out():
    assert body("Home", "News", "Sport", "Weather", "Search", "", "Council backs tram line",
                "1 October 2024 12:14", "Share", "Facebook", "Copy link", "", PARA, "", PARA2, "",
                "Tags", "Transport", "Council", "© 2024 City Post. All rights reserved.",
                "We use cookies to improve your experience. By continuing to browse you agree.") \
        == f"{PARA}\n\n{PARA2}"


def test_ads_credits_and_read_also_links_inside_the_body_are_dropped_but_the_body_stays_whole():
    assert body("Council backs tram line", "1 October 2024", PARA, "ADVERTISEMENT",
                "Trams in the old town. (Photo: City Post)", "Read also: Bus fares to rise in May",
                PARA2, "Читайте также", "Цены на проезд вырастут в мае", PARA3) \
        == f"{PARA}\n\n{PARA2}\n\n{PARA3}"


def test_comments_after_a_short_article_are_not_the_article():
    comment = ("I have lived here for thirty years and I can tell you that nobody asked the people "
               "who actually use the buses every day what they think about any of this at all.")
    assert body("Council backs tram line", "1 October 2024", PARA, "", "3 comments", "dave_p",
                "2 hours ago", comment, "Reply", "anna", "1 hour ago", comment + " Really.",
                "Reply", "sam", "1 hour ago", "Agreed. " + comment, "Reply") == PARA


def test_teaser_cards_after_the_body_are_not_the_article():
    teasers = []
    for n in range(5):
        teasers += [f"Headline number {n} about something else entirely",
                    "A one-sentence teaser of that other story, written to make readers click on it.",
                    f"0{n}.10.2024 10:00"]
    assert body("Council backs tram line", "1 October 2024", PARA, PARA2, *teasers) == f"{PARA}\n\n{PARA2}"


def test_a_question_headline_is_the_title_not_the_first_paragraph():
    article = extract(page("News", "Will the new tram line really be built this time?",
                           "By Jane Doe | 1 October 2024", PARA, PARA2), "page.txt")
    assert article.title == "Will the new tram line really be built this time?"
    assert article.body == f"{PARA}\n\n{PARA2}" and article.author == "Jane Doe"


def test_russian_and_azerbaijani_widgets_are_chrome():
    ru = ("Городской совет во вторник проголосовал за строительство новой трамвайной линии, "
          "которая свяжет аэропорт со старым городом.")
    az = ("Şəhər şurası çərşənbə axşamı hava limanını köhnə şəhərlə birləşdirəcək yeni tramvay "
          "xəttinin tikintisinə səs verib.")
    assert body("Главная", "Новости", "Трамвай до аэропорта", "1 октября 2024, 12:14", ru,
                "Поделиться", "Скопировать ссылку", "Ссылка скопирована", "Другие новости",
                "Цены на проезд вырастут в мае") == ru
    assert body("Xəbərlər", "Tramvay xətti", "01 oktyabr 2024 12:14", az, "Linki kopyala",
                "Link kopyalandı", "Digər xəbərlər", "Avtobus qiymətləri artır") == az
