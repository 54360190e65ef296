"""Builds the page fixtures in tests/fixtures/pages/ (see the README there).

Each fixture is a realistic news page: a real article (Wikinews, or one of the
Azerbaijani articles in bench/az_articles.jsonl) wrapped in the chrome of one
of several site layouts modelled on common kinds of news sites.  For each page
it writes NAME.html, NAME.txt (the page as text, one block per line, made with
html-text as a scraper would), NAME.gold.txt (the article body alone) and
NAME.json (the expected headline, date, byline and section).

    python bench/make_page_fixtures.py   # needs `pip install -e '.[bench]'` and ../shared
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import html_text

ROOT = Path(__file__).resolve().parents[1]
WIKINEWS = ROOT.parent / "shared" / "corpora" / "wikinews"
OUT = ROOT / "tests" / "fixtures" / "pages"

RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
AZ_MONTHS = "yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr".split()


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    published: datetime  # naive local time of the site
    author: str
    category: str
    lang: str
    caption: str = ""
    subheads: dict[int, str] = field(default_factory=dict)  # before paragraph i


def p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{escape(text)}</p>' if cls else f"<p>{escape(text)}</p>"


def links(items: list[str], cls: str = "menu") -> str:
    lis = "".join(f'<li><a href="/{i}">{escape(t)}</a></li>' for i, t in enumerate(items))
    return f'<ul class="{cls}">{lis}</ul>'


def body_html(story: Story, inserts: dict[int, str]) -> str:
    """Paragraphs with subheads, and chrome inserted before paragraph i."""
    out = []
    for i, text in enumerate(story.paragraphs):
        if i in inserts and i:
            out.append(inserts[i])
        if i in story.subheads:
            out.append(f"<h2>{escape(story.subheads[i])}</h2>")
        out.append(p(text))
    return "\n".join(out)


def gold(story: Story) -> str:
    parts = []
    for i, text in enumerate(story.paragraphs):
        if i in story.subheads:
            parts.append(story.subheads[i])
        parts.append(text)
    return "\n\n".join(parts)


def page(title: str, lang: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n{head}\n"
            "<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}</script>\n"
            "<style>body{font-family:sans-serif}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def og(story: Story, site: str, url: str, iso: str) -> str:
    return (f'<link rel="canonical" href="{url}">\n'
            f'<meta property="og:title" content="{escape(story.title)}">\n'
            f'<meta property="og:site_name" content="{escape(site)}">\n'
            f'<meta property="article:published_time" content="{iso}">\n'
            f'<meta property="article:section" content="{escape(story.category)}">\n'
            f'<meta name="author" content="{escape(story.author)}">')


def related(heads: list[str], times: bool = False) -> str:
    items = []
    for n, h in enumerate(heads):
        stamp = f'<span class="time">{9 + n:02d}:{(n * 17) % 60:02d}</span> ' if times else ""
        items.append(f'<li>{stamp}<a href="/news/{n}">{escape(h)}</a></li>')
    return "<ul>" + "".join(items) + "</ul>"


EN_PROMOS = [
    "Council approves new tram line after years of debate",
    "Football club names former captain as head coach",
    "Heatwave warning issued for southern regions",
    "Central bank leaves interest rates unchanged",
    "Museum reopens after two-year renovation",
    "Police appeal for witnesses after highway crash",
]
RU_PROMOS = [
    "В Москве открылась новая станция метро",
    "Синоптики пообещали тёплую погоду до конца недели",
    "Центробанк сохранил ключевую ставку",
    "В Петербурге завершили реставрацию Исаакиевского собора",
    "Сборная России сыграла вничью в товарищеском матче",
    "В Сибири начался сезон лесных пожаров",
]
AZ_PROMOS = [
    "Prezident yeni təyinatlarla bağlı sərəncam imzalayıb",
    "Bakıda sabah hava küləkli olacaq",
    "Mərkəzi Bank manatın rəsmi məzənnəsini açıqlayıb",
    "Qarabağda yeni məktəb binası istifadəyə verilib",
    "Milli komanda növbəti oyuna hazırlaşır",
    "Neftin qiyməti dünya bazarında bahalaşıb",
]


# --- layouts -----------------------------------------------------------------

def wire(story: Story) -> str:
    """International wire agency: big nav, byline, ad slots, credits, Read Next, long footer."""
    d = story.published
    when = f"{d:%B} {d.day}, {d:%Y} {d:%I:%M} {d:%p} UTC"
    ads = {i: '<div class="ad"><span>Advertisement · Scroll to continue</span></div>'
           for i in range(2, len(story.paragraphs), 3)}
    body = f"""<a href="#main">Skip to main content</a>
<header><a href="/">Globalwire</a>
<nav>{links(["World", "Business", "Markets", "Sustainability", "Legal", "Breakingviews", "Technology", "Investigations", "Sports", "Science", "Lifestyle"])}</nav>
<button>My News</button><button>Sign In</button><button>Register</button></header>
<main id="main"><article>
<nav class="crumbs"><a href="/world">World</a></nav>
<h1>{escape(story.title)}</h1>
<div class="byline">By <a href="/authors/x">{escape(story.author)}</a></div>
<time>{when}</time><span>Updated 2 hours ago</span>
<div class="share"><button>Share</button><button>X</button><button>Facebook</button><button>Linkedin</button><button>Email</button><button>Link</button></div>
{body_html(story, ads)}
<p class="credits">Reporting by {escape(story.author)}; Editing by Alex Richardson</p>
<p class="standards">Our Standards: The Globalwire Trust Principles.</p>
</article>
<section><h2>Read Next</h2>{related(EN_PROMOS[:4])}</section>
</main>
<footer>
<h3>Latest</h3>{links(["Home", "Authors", "Topic Sitemap", "Archive", "Article Sitemap"])}
<h3>Browse</h3>{links(["World", "Business", "Markets", "Sustainability", "Legal", "Breakingviews", "Technology"])}
<p>Globalwire, the news and media division of Globalwire Holdings, is the world's largest multimedia news provider, reaching billions of people worldwide every day.</p>
<p>All quotes delayed a minimum of 15 minutes. See here for a complete list of exchanges and delays.</p>
<p>© 2024 Globalwire. All rights reserved</p>
</footer>"""
    return page(f"{story.title} | Globalwire", "en", body,
                og(story, "Globalwire", "https://www.globalwire.com/world/story-1", d.isoformat()))


def broadcaster(story: Story) -> str:
    """Public broadcaster: skip links, section nav, share/save, captions with credits, related topics."""
    d = story.published
    caption = story.caption or "Officials at the scene on Monday"
    inserts = {min(2, len(story.paragraphs) - 1): f'<figure><img src="x.jpg" alt=""><span>Getty Images</span><figcaption>{escape(caption)}</figcaption></figure>'}
    body = f"""<a href="#content">Skip to content</a><a href="/accessibility">Accessibility Help</a>
<header><a href="/">Northstar</a>{links(["Home", "News", "Sport", "Weather", "iPlayer", "Sounds", "Bitesize", "More"])}
<form><input placeholder="Search Northstar"><button>Search</button></form></header>
<nav>{links(["Home", "Israel-Gaza war", "War in Ukraine", "Climate", "UK", "World", "Business", "Politics", "Culture"])}</nav>
<nav>{links(["World", "Africa", "Asia", "Australia", "Europe", "Latin America", "Middle East", "US & Canada"])}</nav>
<main id="content"><article>
<h1>{escape(story.title)}</h1>
<div><time>{d.day} {d:%B %Y}</time></div>
<div><button>Share</button><button>Save</button></div>
<div class="author"><span>{escape(story.author)}</span><span>Northstar News</span></div>
{body_html(story, inserts)}
</article>
<section><h2>Related topics</h2>{links([story.category, "Europe", "Politics"])}</section>
<section><h2>More on this story</h2>{related(EN_PROMOS[2:5])}</section>
</main>
<footer>{links(["Terms of Use", "About the Northstar", "Privacy Policy", "Cookies", "Accessibility Help", "Parental Guidance", "Contact the Northstar", "Get Personalised Newsletters"])}
<p>Copyright 2024 Northstar. All rights reserved. The Northstar is not responsible for the content of external sites. Read about our approach to external linking.</p>
</footer>"""
    return page(f"{story.title} - Northstar News", "en-GB", body,
                og(story, "Northstar News", "https://www.northstar.co.uk/news/world-1", d.isoformat()))


def blog(story: Story) -> str:
    """WordPress local-news blog: sidebar, share/like widgets, related posts, comments, reply form."""
    d = story.published
    body = f"""<div id="page"><a class="skip-link" href="#content">Skip to content</a>
<header><p class="site-title"><a href="/">Riverside Gazette</a></p><p class="site-description">Independent news for the valley since 1998</p>
<nav>{links(["Home", "News", "Opinion", "Events", "Obituaries", "About", "Contact"])}</nav></header>
<div id="content"><main><article>
<header><h1 class="entry-title">{escape(story.title)}</h1>
<div class="entry-meta">Posted on <time>{d:%B} {d.day}, {d:%Y}</time> by <a href="/author/x">{escape(story.author)}</a></div></header>
<div class="entry-content">{body_html(story, {})}
<div class="sharedaddy"><h3>Share this:</h3>{links(["Twitter", "Facebook", "Email", "Print"])}</div>
<div class="likes"><h3>Like this:</h3><p>Like Loading...</p></div>
<div class="jp-relatedposts"><h3>Related</h3>
<p><a href="/a">{EN_PROMOS[0]}</a></p><p>{d:%B} 2, {d:%Y}</p><p>In "News"</p>
<p><a href="/b">{EN_PROMOS[5]}</a></p><p>{d:%B} 3, {d:%Y}</p><p>In "News"</p></div>
</div>
<footer class="entry-footer">Posted in <a href="/news">{escape(story.category)}</a> | Tagged <a>council</a>, <a>valley</a></footer>
</article>
<nav class="post-navigation"><a href="/prev">Previous Post: Library extends weekend opening hours</a><a href="/next">Next Post: High school band wins regional contest</a></nav>
<div id="comments"><h2>2 thoughts on “{escape(story.title)}”</h2>
<ol><li><p class="comment-author">Dave P.</p><p>{d:%B} {d.day}, {d:%Y} at 6:42 pm</p>
<p>Thanks for covering this. I have lived here for thirty years and nobody ever explained what was going on as clearly as this piece did, so I shared it with my neighbours.</p><p>Reply</p></li>
<li><p class="comment-author">Sandra</p><p>{d:%B} {d.day}, {d:%Y} at 8:15 pm</p>
<p>I wonder whether anyone asked the residents what they think before all of this was decided, because it does not sound like it.</p><p>Reply</p></li></ol>
<div id="respond"><h3>Leave a Reply <a>Cancel reply</a></h3>
<p>Your email address will not be published. Required fields are marked *</p>
<p>Comment *</p><p>Name *</p><p>Email *</p><p>Website</p>
<p>Save my name, email, and website in this browser for the next time I comment.</p><p>Post Comment</p></div></div>
</main>
<aside><h2>Recent Posts</h2>{links(EN_PROMOS[1:5])}<h2>Archives</h2>{links(["October 2024", "September 2024", "August 2024"])}
<h2>Categories</h2>{links(["Business", "Community", "Education", "News", "Sports"])}</aside></div>
<footer><p>Proudly powered by WordPress | Theme: Newsup by Themeansar.</p></footer></div>"""
    return page(f"{story.title} – Riverside Gazette", "en-US", body)


def quality(story: Story) -> str:
    """Quality daily: standfirst, newsletter promo inside the body, reader appeal, most viewed."""
    d = story.published
    mid = max(1, len(story.paragraphs) // 2)
    promo = ('<aside class="newsletter"><p>Sign up to First Edition</p>'
             "<p>Our morning email breaks down the key stories of the day, telling you what’s happening and why it matters</p>"
             "<p>Privacy Notice: Newsletters may contain info about charities, online ads, and content funded by outside parties. "
             "For more information see our Privacy Policy. We use Google reCaptcha to protect our website and the Google Privacy Policy and Terms of Service apply.</p>"
             "<p>after newsletter promotion</p></aside>")
    body = f"""<header><a href="#maincontent">Skip to main content</a><a href="#navigation">Skip to navigation</a>
<p>Print subscriptions</p><p>Sign in</p><p>Search jobs</p><p>Search</p><p>Europe edition</p>
<nav>{links(["News", "Opinion", "Sport", "Culture", "Lifestyle"])}</nav>
<nav>{links(["World", "UK", "Climate crisis", "Ukraine", "Environment", "Science", "Global development", "Football", "Tech", "Business", "Obituaries"])}</nav></header>
<main id="maincontent"><article>
<div class="kicker"><a href="/world">{escape(story.category)}</a></div>
<h1>{escape(story.title)}</h1>
<div class="standfirst"><p>Officials say the decision follows months of talks and will be reviewed next year</p></div>
<address><a href="/profile/x">{escape(story.author)}</a></address>
<div class="dateline">{d:%a} {d.day} {d:%b %Y} {d:%H.%M} BST</div>
<div class="share"><button>Share</button></div>
{body_html(story, {mid: promo})}
<div class="appeal"><p>I hope you appreciated this article. Before you move on, I was hoping you would consider taking the step of supporting our journalism. We are not owned by a billionaire or shareholders, which means we can report fearlessly on world events without commercial or political influence.</p>
<p>Support us</p><p>Remind me in November</p></div>
<div class="topics"><h2>Explore more on these topics</h2>{links([story.category, "Europe", "news"])}<button>Share</button><button>Reuse this content</button></div>
</article>
<section><h2>Most viewed</h2>{related(EN_PROMOS)}</section></main>
<footer>{links(["About us", "Help", "Complaints & corrections", "Contact us", "Tip us off", "Privacy policy", "Cookie policy", "Terms & conditions"])}
<p>© 2024 Observer Daily News & Media Limited or its affiliated companies. All rights reserved.</p></footer>"""
    return page(f"{story.title} | {story.category} | The Observer Daily", "en-GB", body,
                og(story, "The Observer Daily", "https://www.theobserverdaily.com/world/2024/x", d.isoformat()))


def agency_ru(story: Story) -> str:
    """Russian news agency: Russian chrome, dateline, 'read also' inside the body, tags, legal footer."""
    d = story.published
    when = f"{d.day} {RU_MONTHS[d.month - 1]} {d.year}, {d:%H:%M}"
    inserts = {min(2, len(story.paragraphs) - 1): f'<div class="also"><p>Читайте также</p><p><a href="/x">{RU_PROMOS[0]}</a></p></div>'}
    caption = f'<figure><img src="x.jpg"><figcaption>{escape(story.caption)}</figcaption><p>© Иван Сидоров/Агентство</p></figure>' if story.caption else ""
    body = f"""<header><a href="/">Новостное агентство</a>
<nav>{links(["Политика", "В мире", "Экономика", "Общество", "Происшествия", "Армия и ОПК", "Наука", "Спорт", "Культура"])}</nav>
<p>Поиск</p><p>RU</p><p>EN</p></header>
<main><article>
<div class="rubric"><a href="/obschestvo">{escape(story.category)}</a></div>
<h1>{escape(story.title)}</h1>
<div class="date">{when}</div>
<div class="updated">Обновлено {d.day} {RU_MONTHS[d.month - 1]} {d.year}, {(d + timedelta(hours=3)):%H:%M}</div>
<div class="share"><p>Поделиться</p></div>
{caption}
{body_html(story, inserts)}
<div class="tags"><p>Теги</p>{links(["Россия", story.category, "Москва"])}</div>
</article>
<section><h2>Самое читаемое</h2>{related(RU_PROMOS[1:])}</section></main>
<footer>{links(["О компании", "Реклама", "Контакты", "Правила использования"])}
<p>Сетевое издание зарегистрировано Федеральной службой по надзору в сфере связи, информационных технологий и массовых коммуникаций. Свидетельство о регистрации ЭЛ № ФС 77-00000 от 1 января 2020 года.</p>
<p>© 2024 Новостное агентство. Все права защищены. При использовании материалов ссылка на newsagency.ru обязательна.</p></footer>"""
    return page(f"{story.title} - Новостное агентство", "ru", body)


def portal_az(story: Story, lang: str = "az") -> str:
    """Azerbaijani portal: news feed with times before the article, views, copy link, other news."""
    d = story.published
    months = AZ_MONTHS if lang == "az" else RU_MONTHS
    when = f"{d:%d} {months[d.month - 1]} {d.year} {d:%H:%M}"
    if lang == "az":
        feed_title, other, copy, copied, views = "Xəbər lenti", "Digər xəbərlər", "Linki kopyala", "Link kopyalandı", "Baxış sayı"
        menu = ["Siyasət", "İqtisadiyyat", "Cəmiyyət", "Dünya", "İdman", "Mədəniyyət", "Hadisə"]
        promos = AZ_PROMOS
        legal = "Materiallardan istifadə zamanı hiperlink mütləqdir. Bütün hüquqlar qorunur."
    else:
        feed_title, other, copy, copied, views = "Лента новостей", "Другие новости", "Скопировать ссылку", "Ссылка скопирована", "Просмотров"
        menu = ["Политика", "Экономика", "Общество", "В мире", "Спорт", "Культура", "Происшествия"]
        promos = RU_PROMOS
        legal = "При использовании материалов гиперссылка на baku-post.az обязательна. Все права защищены."
    body = f"""<header><div class="top"><span>Bakı</span><span>+19°C</span><span>USD 1.70</span><span>EUR 1.88</span></div>
<a href="/">Baku-Post.az</a>{links(["AZ", "RU", "EN"], "langs")}
<nav>{links(menu)}</nav><p>Axtar</p></header>
<div class="wrap"><aside class="feed"><h3>{feed_title}</h3>{related(promos, times=True)}</aside>
<main><article>
<div class="cat">{escape(story.category)}</div>
<h1>{escape(story.title)}</h1>
<div class="meta"><span>{when}</span><span>{views}: 1 204</span></div>
{body_html(story, {})}
<div class="share"><p>{copy}</p><p class="tooltip">{copied}</p>{links(["Facebook", "Twitter", "WhatsApp", "Telegram"])}</div>
</article>
<section><h2>{other}</h2>{related(promos[::-1][:4])}</section></main></div>
<footer><p>© 2024 Baku-Post.az. {legal}</p><p>Baku-Post.az</p></footer>"""
    return page(f"{story.title} | Baku-Post.az", lang, body)


def tabloid(story: Story) -> str:
    """Tabloid: cookie banner, trending bar, published/updated line, READ MORE links, comments."""
    d = story.published
    inserts = {i: f'<p class="readmore"><strong>READ MORE: </strong><a href="/x">{escape(EN_PROMOS[i % 6])}</a></p>'
               for i in range(2, len(story.paragraphs), 4)}
    body = f"""<div class="cookie"><p>We and our partners use cookies and similar technologies to store and access information on your device to personalise content and ads, measure performance and improve our products. By clicking accept you agree to this.</p><button>Accept all</button><button>Manage preferences</button></div>
<header><a href="/">Daily Buzz</a>{links(["News", "Showbiz", "Sport", "Money", "Travel", "Puzzles"])}
<div class="trending"><span>Trending</span>{links(EN_PROMOS[:3])}</div></header>
<main><article>
<h1>{escape(story.title)}</h1>
<div class="byline"><span>By {escape(story.author.upper())}</span><span>Published: {d:%H:%M}, {d.day} {d:%B %Y} | Updated: {(d + timedelta(hours=2)):%H:%M}, {d.day} {d:%B %Y}</span></div>
{links(["Share", "Facebook", "X", "WhatsApp"], "share")}
{body_html(story, inserts)}
<p class="tip">Got a story? Email us at news@dailybuzz.co.uk</p>
</article>
<section class="comments"><h2>Comments (12)</h2>
<p>Share what you think</p><p>Newest</p><p>Oldest</p><p>Best rated</p>
<div><p>johnny_b, Leeds, 2 hours ago</p><p>Absolutely shocking that this has taken so long to come out, and I expect nothing will change at all.</p><p>Reply</p><p>12</p></div>
<div><p>Marge77, Kent, 1 hour ago</p><p>Same old story every single year, they never learn from any of it.</p><p>Reply</p><p>4</p></div></section>
<section><h2>More top stories</h2>{related(EN_PROMOS[3:])}</section></main>
<footer><p>Published by Buzz Media Ltd. Part of the Buzz Media group. © Buzz Media Ltd 2024. All rights reserved.</p>{links(["Terms", "Privacy policy", "Cookie settings", "Advertise with us"])}</footer>"""
    return page(f"{story.title} | Daily Buzz", "en", body)


def magazine(story: Story) -> str:
    """Long-form magazine: kicker, standfirst, pull quote, author bio, topics, newsletter box."""
    d = story.published
    quote_at = min(3, len(story.paragraphs) - 1)
    pull = f'<blockquote class="pullquote">“{escape(story.paragraphs[0].split(".")[0][:90])}”</blockquote>' if len(story.paragraphs) > 3 else ""
    body = f"""<header><a href="/">The Longreads Review</a>{links(["Politics", "Ideas", "Science", "Culture", "Books", "Podcasts", "Magazine"])}<button>Subscribe</button></header>
<main><article>
<p class="kicker">{escape(story.category)}</p>
<h1>{escape(story.title)}</h1>
<p class="dek">What the record shows, and what it leaves out</p>
<p class="byline">Words by {escape(story.author)}</p><p>{d:%B} {d.day}, {d:%Y}</p>
{body_html(story, {quote_at: pull} if pull else {})}
<div class="bio"><p>{escape(story.author)} is a contributing writer at The Longreads Review, where she covers politics and public policy. Her work has also appeared in several national newspapers.</p></div>
<p class="print">This article appears in the November 2024 print edition.</p>
<div class="topics">{links(["Topics", story.category, "Policy"])}</div>
</article>
<div class="newsletter"><h2>The Weekly Read</h2><p>The best of our journalism, handpicked each Friday and delivered to your inbox.</p><button>Sign up</button></div>
</main>
<footer><p>© 2024 The Longreads Review. All rights reserved.</p></footer>"""
    return page(f"{story.title} | The Longreads Review", "en", body)


def regional_ru(story: Story) -> str:
    """Regional Russian site: teaser cards (headline + lead sentence) after the article."""
    d = story.published
    teasers = "".join(
        f'<div class="card"><h3><a href="/n/{i}">{escape(h)}</a></h3><p>{escape(s)}</p><span>{d.day:02d}.{d.month:02d}.{d.year} {10 + i}:00</span></div>'
        for i, (h, s) in enumerate(zip(RU_PROMOS[:3], [
            "Пассажиры смогут пересесть на две радиальные линии уже в этом году, сообщили в мэрии.",
            "По словам синоптиков, температура воздуха днём поднимется до двадцати градусов.",
            "Решение совета директоров совпало с ожиданиями большинства аналитиков.",
        ])))
    body = f"""<header><a href="/">Вести Региона</a>{links(["Новости", "Статьи", "Фото", "Видео", "Афиша", "Погода"])}<p>Войти</p></header>
<main><article>
<ul class="crumbs"><li><a href="/">Главная</a> /</li><li><a href="/news">Новости</a> /</li><li>{escape(story.category)}</li></ul>
<h1>{escape(story.title)}</h1>
<p class="info">{d.day:02d}.{d.month:02d}.{d.year} {d:%H:%M} · Автор: {escape(story.author)}</p>
{body_html(story, {})}
<p class="err">Нашли ошибку? Выделите текст и нажмите Ctrl+Enter</p>
</article>
<section><h2>Новости по теме</h2>{teasers}</section></main>
<footer><p>© 2024 Вести Региона. 18+</p></footer>"""
    return page(f"{story.title} — Вести Региона", "ru", body)


def minimal(story: Story) -> str:
    """Mobile/AMP page: almost no chrome; the title repeated in the header."""
    d = story.published
    body = f"""<header><a href="/">CityNews</a><button>Menu</button></header>
<article><h1>{escape(story.title)}</h1><p class="meta">{d:%Y-%m-%d %H:%M}</p>
{body_html(story, {})}</article>
<footer><a href="#top">Back to top</a><p>CityNews © 2024</p></footer>"""
    return page(story.title, story.lang, body)


def network(story: Story) -> str:
    """Cable-news site: mega menu (repeated in the footer), video blocks inside the body, paid content."""
    d = story.published
    mega = ("US World Politics Business Opinion Health Entertainment Style Travel Sports Videos "
            "Audio Coupons Weather").split()
    regions = ["Africa", "Americas", "Asia", "Australia", "China", "Europe", "India", "Middle East", "United Kingdom"]
    video = ('<div class="video"><p>JUST WATCHED</p><p>Officials describe the scene</p><p>Replay</p>'
             '<p>More Videos ...</p><ul><li>Officials describe the scene 02:15</li><li>See the moment crews arrived 01:02</li>'
             '<li>Why this matters now 03:40</li></ul></div>')
    first = story.paragraphs[0]
    paragraphs = [f"(Globalnet) {first}"] + story.paragraphs[1:]
    s2 = Story(story.title, paragraphs, d, story.author, story.category, story.lang, story.caption, story.subheads)
    nav = links(mega) + "<h3>World</h3>" + links(regions) + "<h3>Politics</h3>" + links(["Congress", "Supreme Court", "Facts First", "2024 Elections"])
    body = f"""<header><a href="/">Globalnet</a><p>Live TV</p><p>Edition</p><button>Sign in</button><nav>{nav}</nav></header>
<main><article>
<h1>{escape(story.title)}</h1>
<p class="byline">By <a>{escape(story.author)}</a>, Globalnet</p>
<p class="update">Updated {d:%H%M} GMT ({(d + timedelta(hours=8)):%H%M} HKT) {d:%B} {d.day}, {d:%Y}</p>
<div class="share"><span>Chat with us in Facebook Messenger. Find out what's happening in the world as it unfolds.</span></div>
{body_html(s2, {min(2, len(paragraphs) - 1): video})}
</article>
<section><h2>Paid Content</h2>{related(["Doctors stunned by this simple morning trick", "The 10 most beautiful villages you have never heard of", "Seniors are switching to this new kind of insurance", "This new gadget is selling out everywhere"])}</section>
</main>
<footer><nav>{nav}</nav><p>Terms of Use Privacy Policy Accessibility & CC AdChoices About Us Newsletters Transcripts</p>
<p>© 2024 Globalnet Network. All Rights Reserved. Globalnet Sans ™ & © 2016 Globalnet Network.</p></footer>"""
    return page(f"{story.title} - Globalnet", "en", body), gold(s2)


def local_tv(story: Story) -> str:
    """Local TV station: weather alert banner, posted/updated lines, list in the body, teaser cards."""
    d = story.published
    items = ["Road closures downtown until Friday", "Free shuttle buses from the stadium", "Extra staff at the main hospital"]
    cut = min(2, len(story.paragraphs))
    lst = "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
    body_top = "\n".join(p(x) for x in story.paragraphs[:cut])
    body_rest = "\n".join(p(x) for x in story.paragraphs[cut:])
    cards = "".join(f'<div class="card"><h3><a>{escape(h)}</a></h3><p>{escape(t)}</p><p>/ {n + 2} hours ago</p></div>'
                    for n, (h, t) in enumerate(zip(EN_PROMOS[:3], [
                        "The project will link the airport with the old town by 2027, officials said.",
                        "He takes over a side that finished in the bottom half of the table last season.",
                        "Temperatures are expected to reach the upper nineties through the weekend."])))
    body = f"""<div class="alert"><p>Weather Alert</p><p>A Flood Watch is in effect for parts of the area until 8 PM tonight.</p><a>Read more</a></div>
<header><a href="/">KXYZ 8 News</a>{links(["News", "Weather", "Sports", "Community", "Contests", "Watch Live", "Jobs"])}<p>Search</p></header>
<main><article>
<h1>{escape(story.title)}</h1>
<p class="by">by: {escape(story.author)}</p>
<p>Posted: {d:%b} {d.day}, {d:%Y} / {d:%I:%M} {d:%p} CDT</p><p>Updated: {d:%b} {d.day}, {d:%Y} / {(d + timedelta(hours=1)):%I:%M} {d:%p} CDT</p>
{links(["Share", "Facebook", "Email"], "share")}
<p><strong>SUBSCRIBE NOW</strong> KXYZ 8 News Daily Newsletter</p>
{body_top}
<p>Officials listed the following changes:</p>
{lst}
{body_rest}
<p>Copyright 2024 Nexcast Media Inc. All rights reserved. This material may not be published, broadcast, rewritten, or redistributed.</p>
</article>
<section><h2>More Stories</h2>{cards}</section>
<section><h2>Trending Stories</h2>{related(EN_PROMOS[3:])}</section></main>
<footer>{links(["Contact Us", "Advertise", "EEO Report", "FCC Public File", "Privacy Policy", "Terms of Use"])}<p>© 1998 - 2024 Nexcast Media Inc. | All Rights Reserved.</p></footer>"""
    paragraphs = story.paragraphs[:cut] + ["Officials listed the following changes:"] + items + story.paragraphs[cut:]
    return page(f"{story.title} | KXYZ 8 News", "en", body), "\n\n".join(paragraphs)


def forum(story: Story) -> str:
    """Community news site: short article followed by long reader comments."""
    d = story.published
    comments = [
        ("riverwatcher", "3 hours ago", "I have followed this issue for years and I think the article leaves out the most important part, which is that the same proposal was rejected twice before by the same committee for exactly the same reasons, and nothing has changed since then except the people in charge."),
        ("m_k_1987", "2 hours ago", "People keep saying this will fix everything but nobody can explain where the money is coming from. I would like to see a proper breakdown of the costs before anyone signs anything, because last time the budget doubled halfway through."),
        ("Anna T.", "1 hour ago", "Good reporting, thank you. It would be great to have a follow-up once the results are published so we can see whether any of the promises were kept."),
    ]
    cs = "".join(f'<div class="c"><p class="u">{u}</p><p class="t">{t}</p><p>{escape(c)}</p><p>Reply</p><p>Report</p><p>Like</p></div>'
                 for u, t, c in comments)
    body = f"""<header><a href="/">Townsquare</a>{links(["Local", "Schools", "Business", "Events", "Forum", "Log in", "Join"])}</header>
<main><article><p class="cat">{escape(story.category)}</p><h1>{escape(story.title)}</h1>
<p>{d.day} {d:%b %Y}</p>
{body_html(story, {})}
</article>
<section class="comments"><h2>{len(comments)} comments</h2><p>Sort by: Newest</p>{cs}
<form><p>Add a comment...</p><button>Post</button></form></section></main>
<footer><p>Townsquare is run by volunteers. Content is user-submitted.</p></footer>"""
    return page(f"{story.title} — Townsquare", "en", body), gold(story)


def gallery_ru(story: Story) -> str:
    """Russian city site: photo gallery with captions inside the body, Telegram promo, related cards."""
    d = story.published
    gallery = ('<div class="gallery"><figure><img><figcaption>Так выглядело место событий утром в среду.</figcaption><p>Фото: Пресс-служба</p></figure>'
               '<figure><img><figcaption>Работы продолжались до позднего вечера.</figcaption><p>Фото: Пресс-служба</p></figure><p>1 / 2</p></div>')
    cards = "".join(f'<div class="card"><a>{escape(h)}</a><p>{escape(t)}</p></div>' for h, t in zip(RU_PROMOS[2:5], [
        "Регулятор объяснил решение замедлением инфляции и ростом кредитования.",
        "Работы продолжались почти восемь лет и обошлись городу в несколько миллиардов рублей.",
        "Матч завершился со счётом 1:1, оба гола были забиты во втором тайме."]))
    body = f"""<header><a href="/">Город Онлайн</a>{links(["Новости", "Авто", "Недвижимость", "Работа", "Доктор", "Афиша", "Погода"])}
<p>+12°</p><p>Войти</p></header>
<main><article>
<p>{d.day} {RU_MONTHS[d.month - 1]} {d.year}, {d:%H:%M}</p><p>1 245</p><p>Комментарии: 8</p>
<h1>{escape(story.title)}</h1>
{body_html(story, {min(1, len(story.paragraphs) - 1): gallery})}
<p class="tg">Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать о главных событиях города</p>
<p>Автор: {escape(story.author)}</p>
</article>
<section><h2>Материалы по теме</h2>{cards}</section></main>
<footer><p>Сетевое издание «Город Онлайн». Главный редактор — И. И. Иванов. Телефон редакции: +7 (000) 000-00-00.</p>
<p>Любое использование материалов допускается только при наличии гиперссылки на gorod-online.ru. 18+</p></footer>"""
    return page(f"{story.title} - Город Онлайн", "ru", body), gold(story)


def gov_az(story: Story) -> str:
    """Azerbaijani state agency site: long ministry menu, dotted date, print/share, legal prose footer."""
    d = story.published
    ministries = ["Nazirlər Kabineti", "İqtisadiyyat Nazirliyi", "Maliyyə Nazirliyi", "Təhsil Nazirliyi", "Səhiyyə Nazirliyi",
                  "Kənd Təsərrüfatı Nazirliyi", "Ekologiya və Təbii Sərvətlər Nazirliyi", "Rəqəmsal İnkişaf və Nəqliyyat Nazirliyi",
                  "Mədəniyyət Nazirliyi", "Gənclər və İdman Nazirliyi"]
    body = f"""<header><p>Azərbaycan Respublikasının Dövlət İnformasiya Agentliyi</p>{links(["AZ", "EN", "RU"], "l")}
<nav>{links(["Əsas səhifə", "Xəbərlər", "Rəsmi", "Siyasət", "İqtisadiyyat", "Regionlar", "Multimedia", "Haqqımızda"])}</nav>
<aside><h3>Dövlət qurumları</h3>{links(ministries)}</aside></header>
<main><article><div class="crumbs">Əsas səhifə / Xəbərlər / {escape(story.category)}</div>
<h1>{escape(story.title)}</h1><p>{d:%d.%m.%Y} | {d:%H:%M}</p>
{body_html(story, {})}
<div>{links(["Çap et", "Paylaş"])}</div></article>
<section><h2>Son xəbərlər</h2>{related(AZ_PROMOS, times=True)}</section></main>
<footer><p>Saytda yerləşdirilən materiallardan istifadə zamanı agentliyə istinad mütləqdir. Bütün hüquqlar qorunur © 2024.</p>
<p>Ünvan: Bakı şəhəri, AZ1000. E-poçt: info@dovlet-xeber.gov.az</p></footer>"""
    return page(f"{story.title} | Dövlət Xəbər Agentliyi", "az", body), gold(story)


def wire_us(story: Story) -> str:
    """US wire service: copy-link widgets, ADVERTISEMENT between short paragraphs, photo captions
    with credits, a contributor line that belongs to the story, related coverage, legal footer."""
    d = story.published
    inserts = {i: "<div><p>ADVERTISEMENT</p></div>" for i in range(1, len(story.paragraphs), 2)}
    inserts[min(1, len(story.paragraphs) - 1)] = (
        '<figure><img><figcaption>Residents watch as crews work at the site on Tuesday. '
        '(AP Photo/Sam Rivera)</figcaption></figure><div><p>ADVERTISEMENT</p></div>')
    contrib = "Associated writers Mia Chen and Luis Ortega contributed to this report."
    s2 = Story(story.title, story.paragraphs + [contrib], d, story.author, story.category, story.lang)
    body = f"""<header><a href="/">AP-style Wire</a>{links(["World", "U.S.", "Politics", "Sports", "Entertainment", "Business", "Science", "Oddities", "Be Well", "Newsletters", "Photography", "Video"])}
<button>Search Query</button><button>Submit Search</button><p>Show Search</p><button>Donate</button></header>
<main><article><h1>{escape(story.title)}</h1>
<div class="share"><p>Share</p><p>Share</p><p>Copy Link copied</p><p>Email</p><p>Facebook</p><p>X</p><p>LinkedIn</p><p>Share</p></div>
<p class="byline">By {escape(story.author.upper())}</p><p>Updated {d:%I:%M} {d:%p} GMT, {d:%B} {d.day}, {d:%Y}</p>
{body_html(s2, inserts)}
</article>
<aside><h2>Related Coverage</h2>{related(EN_PROMOS[:3])}</aside></main>
<footer>{links(["About", "Contact Us", "Accessibility Statement", "Terms of Use", "Privacy Policy", "Cookie Settings", "Do Not Sell or Share My Personal Information"])}
<p>Copyright 2024 The Wire. All Rights Reserved.</p></footer>"""
    return page(f"{story.title} | AP-style Wire", "en", body), gold(s2)


def newsletter_blog(story: Story) -> str:
    """Newsletter platform post: subtitle, reading time, like/comment/restack, subscribe appeals."""
    d = story.published
    mid = max(1, len(story.paragraphs) // 2)
    sub_box = ('<div class="sub"><p>Thanks for reading The Ledger! Subscribe for free to receive new posts and support my work.</p>'
               '<input placeholder="Type your email..."><button>Subscribe</button></div>')
    body = f"""<header><a href="/">The Ledger</a><button>Subscribe</button><button>Sign in</button></header>
<main><article><h1>{escape(story.title)}</h1><h3>Notes on what happened and why it matters</h3>
<div class="meta"><p>{escape(story.author)}</p><p>{d:%b} {d.day}, {d:%Y}</p></div>
<div>{links(["12", "3", "Share"], "actions")}</div>
{body_html(story, {mid: sub_box})}
{sub_box}
<div>{links(["12", "3", "Share"], "actions")}</div></article>
<section><h2>Discussion about this post</h2><p>Comments</p><p>Restacks</p>
<div><p>Write a comment...</p></div></section>
<section><p>Ready for more?</p><button>Subscribe</button></section></main>
<footer><p>© 2024 {escape(story.author)}</p><p>Privacy ∙ Terms ∙ Collection notice</p><p>Start writing</p><p>Get the app</p>
<p>This site is the home for great culture</p></footer>"""
    return page(f"{story.title} - by {story.author}", "en", body), gold(story)


def aggregator(story: Story) -> str:
    """News aggregator: source and age above the body, feedback, cards of other sources' stories."""
    d = story.published
    cards = "".join(f'<div class="card"><p>{src}</p><p>{n + 1}h</p><p><a>{escape(h)}</a></p></div>'
                    for n, (src, h) in enumerate(zip(["The Herald", "Metro Daily", "Sky Wire", "City Post"], EN_PROMOS)))
    body = f"""<header><p>Skip to content</p><a>Newsfeed</a><form><input placeholder="Search the web"></form><p>Sign in</p>
{links(["Discover", "Following", "News", "Sports", "Play", "Money", "Weather", "Watch", "Shopping"])}</header>
<main><article><p>Globe Daily</p><h1>{escape(story.title)}</h1><p>Story by {escape(story.author)} • {d:%b} {d.day}, {d:%Y}</p>
{body_html(story, {})}
<p>Continue reading</p><button>Feedback</button></article>
<section><h2>More for You</h2>{cards}</section></main>
<footer><p>© 2024 Newsfeed</p><p>Privacy & Cookies</p><p>Terms of use</p><p>Advertise</p></footer>"""
    return page(story.title, "en", body), gold(story)


def longread_ru(story: Story) -> str:
    """Independent Russian outlet: donation appeal, source line, subheads, photo credits."""
    d = story.published
    heads = {2: "Что произошло", len(story.paragraphs) - 1: "Что дальше"} if len(story.paragraphs) > 4 else {}
    s2 = Story(story.title, story.paragraphs, d, story.author, story.category, story.lang, subheads=heads)
    photo = '<figure><img><figcaption><p>Фотография: Reuters / Scanpix / LETA</p></figcaption></figure>'
    body = f"""<a href="#main">Перейти к материалам</a>
<header><a>Свободная газета</a>{links(["Новости", "Истории", "Разборы", "Игры", "Шапито"])}<p>Поддержите нас</p></header>
<main id="main"><article><p>{d:%H:%M}, {d.day} {RU_MONTHS[d.month - 1]} {d.year}</p><p>Источник: Свободная газета</p>
<h1>{escape(story.title)}</h1>
{photo}
{body_html(s2, {min(3, len(story.paragraphs) - 1): photo})}
</article>
<div class="donate"><p>Мы работаем только благодаря вашей поддержке. Каждое пожертвование помогает нам рассказывать правду о том, что происходит в стране и мире.</p><button>Поддержать</button></div>
<section><h2>Еще новости</h2>{related(RU_PROMOS[:4], times=True)}</section></main>
<footer><p>© 2024 «Свободная газета». Все права защищены.</p></footer>"""
    return page(f"{story.title} — Свободная газета", "ru", body), gold(s2)


def agency_az_en(story: Story) -> str:
    """English edition of an Azerbaijani agency: ticker, long latest-news column before the
    article, views, photo credits, Telegram promo, tags and other news with times."""
    d = story.published
    latest = [f"{h}" for h in EN_PROMOS] + ["President receives delegation of the European Parliament",
                                            "Baku to host international energy forum next month",
                                            "Manat exchange rate for today announced"]
    body = f"""<div class="top"><span>Baku</span><span>+19°C</span><span>USD/AZN 1.7</span><span>EUR/AZN 1.88</span></div>
<header><a href="/">AzerWire.az</a>{links(["AZ", "RU", "EN"], "l")}{links(["Politics", "Economy", "Society", "Region", "World", "Sport", "Analytics", "Interview"])}</header>
<div><aside><h3>Latest news</h3>{related(latest, times=True)}<p>All news</p></aside>
<main><article><p>{escape(story.category)}</p><h1>{escape(story.title)}</h1>
<p>{d:%d} {d:%B}, {d:%Y} {d:%H:%M}</p><p>Views: 3 512</p>
{body_html(story, {min(2, len(story.paragraphs) - 1): '<figure><img><p>Photo: AzerWire</p></figure>'})}
<p>Follow us on Telegram to get the latest news first</p>
<div><p>Tags:</p>{links(["Azerbaijan", story.category])}</div>
</article><section><h2>Other news</h2>{related(latest[3:8], times=True)}</section></main></div>
<footer><p>AzerWire.az © 2024. Any use of materials is allowed only with a hyperlink to AzerWire.az</p></footer>"""
    return page(f"{story.title} | AzerWire.az", "en", body), gold(story)


def opinion(story: Story) -> str:
    """Opinion section: author bio above the body, pull quote repeating a sentence, embedded post."""
    d = story.published
    first_sentence = story.paragraphs[0].split(". ")[0].rstrip(".") + "."
    embed = ('<blockquote class="social"><p>Big day for the city, and a long time coming. Proud of everyone who worked on this.</p>'
             f'<p>— Mayor’s Office (@cityhall) {d:%B} {d.day}, {d:%Y}</p></blockquote>')
    inserts = {min(2, len(story.paragraphs) - 1): f'<aside class="pull"><p>{escape(first_sentence)}</p></aside>',
               min(3, len(story.paragraphs) - 1): embed}
    body = f"""<header><a>The Civic Review</a>{links(["Opinion", "Columns", "Letters", "Editorials", "Cartoons"])}<button>Subscribe</button></header>
<main><article><p class="label">Opinion</p><h1>{escape(story.title)}</h1>
<div class="author"><p>By {escape(story.author)}</p><p>{escape(story.author)} is a professor of public policy and a former city planner. She writes a monthly column on local government.</p></div>
<p>{d:%B} {d.day}, {d:%Y} at {d:%I:%M} {d:%p}</p>
{body_html(story, inserts)}
<p class="disclaimer">The views expressed are the author’s own and do not necessarily reflect those of The Civic Review.</p>
</article><section><h2>More in Opinion</h2>{related(EN_PROMOS[1:4])}</section></main>
<footer><p>© 2024 The Civic Review. All rights reserved.</p></footer>"""
    return page(f"Opinion | {story.title}", "en", body), gold(story)


def listicle(story: Story) -> str:
    """Explainer: numbered subheads, a bullet list, a table of key facts."""
    d = story.published
    heads = {i: f"{n}. {h}" for n, (i, h) in enumerate(zip(range(0, len(story.paragraphs), 2),
             ["What happened", "Who is involved", "Why it matters", "What comes next", "What people say"]), start=1)}
    s2 = Story(story.title, story.paragraphs, d, story.author, story.category, story.lang, subheads=heads)
    facts = ["Date: " + f"{d:%B} {d.day}, {d:%Y}", "Place: see the full story", "Status: ongoing"]
    table = "<table>" + "".join(f"<tr><td>{escape(f.split(': ')[0])}</td><td>{escape(f.split(': ')[1])}</td></tr>" for f in facts) + "</table>"
    body = f"""<header><a>Explainer Desk</a>{links(["Explainers", "Data", "Podcasts", "Newsletters", "About"])}</header>
<main><article><h1>{escape(story.title)}</h1><p>{escape(story.author)} · {d:%d %B %Y}</p>
<div class="facts"><h4>Key facts</h4>{table}</div>
{body_html(s2, {})}
</article><section><h2>Related</h2>{related(EN_PROMOS[:5])}</section></main>
<footer>{links(["Privacy", "Terms", "Contact"])}<p>© Explainer Desk 2024</p></footer>"""
    return page(story.title, "en", body), gold(s2)


def brief(story: Story) -> str:
    """A news brief inside a heavy front-page-like layout with summarised teasers before and after."""
    d = story.published
    teasers = [("Council approves new tram line after years of debate", "The project will link the airport with the old town by 2027, officials said on Monday."),
               ("Heatwave warning issued for southern regions", "Temperatures are expected to stay above 35 degrees until at least Sunday."),
               ("Central bank leaves interest rates unchanged", "Policymakers said inflation was falling but remained above the target.")]
    cards = lambda ts: "".join(f'<div class="card"><h3><a>{escape(h)}</a></h3><p>{escape(t)}</p></div>' for h, t in ts)
    body = f"""<header><a>Metro Today</a>{links(["Home", "Local", "Nation", "World", "Business", "Sports", "Life", "Opinion", "Obituaries", "E-Edition"])}</header>
<div class="top">{cards(teasers[:2])}</div>
<main><article><h1>{escape(story.title)}</h1><p>{d:%b}. {d.day}, {d:%Y}</p>
{body_html(story, {})}</article>
<section><h2>Latest News</h2>{cards(teasers[1:])}</section></main>
<footer><p>Metro Today, a Metro Media company. © 2024 Metro Media. All rights reserved.</p></footer>"""
    return page(story.title, "en", body), gold(story)


# --- articles ----------------------------------------------------------------

def wikinews(lang: str) -> list[dict]:
    return [json.loads(line) for line in (WIKINEWS / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]


def clean_paragraphs(body: str) -> tuple[list[str], str] | None:
    """Paragraphs of a Wikinews body and its leading caption line, or None if messy."""
    lines = [l.strip() for l in body.split("\n") if l.strip()]
    caption = ""
    if lines and not re.search(r"[.!?»”\"]$", lines[0]):
        caption, lines = lines[0], lines[1:]
    if not lines or any(not re.search(r"[.!?»”\":]$", l) or l.startswith(("—", "-")) for l in lines):
        return None
    return lines, caption


def pick(records: list[dict], lengths: list[tuple[int, int]], skip: int = 0) -> list[dict]:
    chosen = []
    for low, high in lengths:
        matches = [r for r in records if low <= len(r["body"]) <= high and clean_paragraphs(r["body"])
                   and r not in chosen]
        chosen.append(matches[skip % len(matches)])
    return chosen


def story(record: dict, lang: str, when: datetime, author: str, category: str) -> Story:
    paragraphs, caption = clean_paragraphs(record["body"])
    return Story(record["title"], paragraphs, when, author, category, lang, caption)


SUBHEADS = {"en": ["Background", "What happens next"]}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    en, ru = wikinews("en"), wikinews("ru")
    az = [json.loads(l) for l in (ROOT / "bench" / "az_articles.jsonl").read_text(encoding="utf-8").splitlines()]
    en_picks = pick(en, [(250, 700), (1500, 2500), (3500, 6000), (700, 1500), (2500, 3500), (6000, 9000),
                         (1500, 2500), (300, 600), (2000, 3000), (200, 500), (1000, 2000)], skip=0)
    en_picks[6:] = pick(en, [(1500, 2500), (300, 600), (2000, 3000), (200, 500), (1000, 2000)], skip=3)
    en_picks += pick(en, [(1500, 2500), (300, 700), (4000, 7000), (1500, 2500), (250, 600), (1200, 2200),
                          (300, 700)], skip=7)
    en_picks += pick(en, [(1500, 2500), (2500, 4000), (90, 260)], skip=11)
    ru_picks = pick(ru, [(350, 800), (1200, 2000), (2500, 4000), (800, 1200), (1000, 1800), (2500, 5000),
                         (3000, 6000), (1200, 2000)])
    ru_picks[6:] = pick(ru, [(3000, 6000), (1200, 2000)], skip=5)
    authors = ["Jane Doe", "Tom Harris", "Priya Patel", "Olga Ivanova", "Ali Hasanov"]

    def en_story(i: int, hour: int) -> Story:
        r = en_picks[i]
        date = datetime.fromisoformat(r["published"] or "2020-05-04").replace(hour=hour, minute=14)
        return story(r, "en", date, authors[i % 3], ["World", "Politics", "Science", "Business"][i % 4])

    def ru_story(i: int) -> Story:
        return story(ru_picks[i], "ru", datetime(2016, 3, 30 - i, 12, 5 + i), "Ольга Иванова", "Общество")

    def az_story(i: int) -> Story:
        r = az[i]
        return Story(r["title"], r["body"].split("\n\n"), datetime.fromisoformat(r["published"]).replace(hour=12, minute=14),
                     r["author"], r["category"], "az")

    long_en = en_story(2, 9)
    long_en.subheads = {3: SUBHEADS["en"][0], len(long_en.paragraphs) - 2: SUBHEADS["en"][1]}
    pages = {
        "wire-en-medium": (wire, en_story(1, 8)),
        "wire-en-long": (wire, en_story(5, 16)),
        "broadcaster-en-long": (broadcaster, long_en),
        "broadcaster-en-short": (broadcaster, en_story(0, 7)),
        "blog-en-medium": (blog, en_story(3, 10)),
        "blog-en-short": (blog, en_story(0, 11)),
        "quality-en-medium": (quality, en_story(4, 12)),
        "quality-en-long": (quality, en_story(5, 13)),
        "agency-ru-medium": (agency_ru, ru_story(1)),
        "agency-ru-long": (agency_ru, ru_story(2)),
        "portal-az-medium": (portal_az, az_story(0)),
        "portal-az-long": (portal_az, az_story(2)),
        "portal-ru-short": (lambda s: portal_az(s, "ru"), ru_story(0)),
        "tabloid-en-medium": (tabloid, en_story(4, 14)),
        "tabloid-en-short": (tabloid, en_story(3, 15)),
        "magazine-en-long": (magazine, en_story(2, 17)),
        "regional-ru-medium": (regional_ru, ru_story(3)),
        "regional-ru-short": (regional_ru, ru_story(0)),
        "minimal-en-short": (minimal, en_story(0, 18)),
        "minimal-az-short": (minimal, az_story(1)),
    }
    held_out = {
        "network-en-medium": (network, en_story(6, 8)),
        "network-en-short": (network, en_story(7, 9)),
        "localtv-en-medium": (local_tv, en_story(8, 10)),
        "forum-en-short": (forum, en_story(9, 11)),
        "forum-en-medium": (forum, en_story(10, 12)),
        "gallery-ru-medium": (gallery_ru, ru_story(4)),
        "gallery-ru-long": (gallery_ru, ru_story(5)),
        "gov-az-medium": (gov_az, az_story(0)),
        "gov-az-short": (gov_az, az_story(1)),
    }
    pages.update(held_out)
    held_out_2 = {
        "wireus-en-medium": (wire_us, en_story(11, 13)),
        "wireus-en-short": (wire_us, en_story(12, 14)),
        "newsletter-en-long": (newsletter_blog, en_story(13, 15)),
        "aggregator-en-medium": (aggregator, en_story(14, 16)),
        "aggregator-en-short": (aggregator, en_story(15, 17)),
        "longread-ru-long": (longread_ru, ru_story(6)),
        "longread-ru-medium": (longread_ru, ru_story(7)),
        "azerwire-en-medium": (agency_az_en, en_story(16, 11)),
        "azerwire-en-short": (agency_az_en, en_story(17, 12)),
    }
    pages.update(held_out_2)
    held_out_3 = {
        "opinion-en-medium": (opinion, en_story(18, 9)),
        "listicle-en-long": (listicle, en_story(19, 10)),
        "brief-en-short": (brief, en_story(20, 11)),
    }
    pages.update(held_out_3)
    for name, (layout, s) in pages.items():
        made = layout(s)
        html, body = made if isinstance(made, tuple) else (made, gold(s))
        (OUT / f"{name}.html").write_text(html, encoding="utf-8")
        # The page as a browser shows it (innerText-like: the <head> and its <title> are not shown).
        shown = re.sub(r"<title>.*?</title>", "", html, flags=re.S)
        (OUT / f"{name}.txt").write_text(html_text.extract_text(shown, guess_layout=True) + "\n", encoding="utf-8")
        (OUT / f"{name}.gold.txt").write_text(body + "\n", encoding="utf-8")
        # Expected fields: the headline and date always; byline and section where the page shows them.
        dump = (OUT / f"{name}.txt").read_text(encoding="utf-8")
        meta = {"title": s.title, "published": s.published.date().isoformat(), "lang": s.lang}
        meta.update({k: v for k, v in (("author", s.author), ("category", s.category))
                     if re.search(rf"^(?:.*\b(?:by|автор)\b:?\s*)?{re.escape(v)}$", dump, re.M | re.I)})
        (OUT / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(pages)} pages to {OUT}")


if __name__ == "__main__":
    main()
