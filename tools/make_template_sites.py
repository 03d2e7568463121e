"""Write the template fixture sites (tests/fixtures/tmpl-*): small news sites whose templates put
promos, fund boxes, bylines boxes and "read more" teasers between the story's paragraphs.

Deterministic (seeded), so re-running it rewrites the same files. Each site gets its pages,
robots.txt, sitemap.xml and a golden expected.json (fundus-style: per page title, author, date,
language, must_contain, must_not_contain). Run: python tools/make_template_sites.py
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

ORIGIN = "http://news.example.test"
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
ARTICLES = 24

LANG = {
    "en": dict(
        subjects=["The council", "Local residents", "The union", "A new report", "Campaigners",
                  "The minister", "Teachers at the school", "The river trust", "Nurses",
                  "Small shop owners", "The housing group", "Transport planners"],
        verbs=["said on Tuesday that", "warned last week that", "argued in a letter that",
               "confirmed yesterday that", "told a public meeting that", "wrote in March that"],
        objects=["the bus route would close in the spring", "rents had risen faster than wages",
                 "the new bridge was running two years late", "the library needed more staff",
                 "flood defences along the valley were not finished",
                 "the market hall could reopen next year", "school meals would be free for all",
                 "the hospital car park was too small", "the tram line should reach the coast",
                 "water bills were set to rise again", "the old mill would become flats",
                 "the festival drew a record crowd"],
        tails=["according to figures seen by this paper", "despite months of talks",
               "after a long campaign", "in a vote of the full council",
               "while the inquiry continues", "for the third year running"],
    ),
    "de": dict(
        subjects=["Der Stadtrat", "Die Anwohner", "Die Gewerkschaft", "Ein neuer Bericht",
                  "Die Bürgermeisterin", "Die Lehrerinnen der Schule", "Der Umweltverband",
                  "Die Pflegekräfte", "Die Händler in der Altstadt", "Die Verkehrsplaner"],
        verbs=["erklärte am Dienstag, dass", "warnte in der vergangenen Woche, dass",
               "schrieb in einem offenen Brief, dass", "bestätigte gestern, dass",
               "sagte bei einer Versammlung, dass"],
        objects=["die Buslinie im Frühjahr eingestellt werden soll",
                 "die Mieten schneller als die Löhne gestiegen sind",
                 "die neue Brücke zwei Jahre zu spät fertig wird",
                 "die Bibliothek mehr Personal braucht",
                 "der Hochwasserschutz am Fluss noch nicht fertig ist",
                 "die Markthalle im nächsten Jahr wieder öffnen kann",
                 "das Schulessen für alle Kinder kostenlos sein wird",
                 "die Straßenbahn bis zum Bahnhof verlängert werden soll"],
        tails=["wie aus Unterlagen hervorgeht, die dieser Zeitung vorliegen",
               "trotz monatelanger Verhandlungen", "nach einer langen Kampagne",
               "während die Untersuchung noch läuft", "zum dritten Mal in Folge"],
    ),
    "fr": dict(
        subjects=["Le conseil municipal", "Les habitants du quartier", "Le syndicat",
                  "Un nouveau rapport", "La maire", "Les enseignants du lycée",
                  "Les infirmières de l'hôpital", "Les commerçants du centre"],
        verbs=["a déclaré mardi que", "a averti la semaine dernière que",
               "a écrit dans une lettre ouverte que", "a confirmé hier que",
               "a expliqué lors d'une réunion publique que"],
        objects=["la ligne de bus serait supprimée au printemps",
                 "les loyers augmentent plus vite que les salaires",
                 "le nouveau pont aura deux ans de retard",
                 "la bibliothèque manque de personnel",
                 "les digues le long de la rivière ne sont pas terminées",
                 "la halle du marché pourrait rouvrir l'an prochain",
                 "la cantine scolaire sera gratuite pour tous les enfants"],
        tails=["selon des documents consultés par notre journal",
               "malgré des mois de négociations", "après une longue campagne",
               "alors que l'enquête se poursuit", "pour la troisième année consécutive"],
    ),
}

SITES = {
    "tmpl-coop": dict(
        lang="en", name="The Co-op Courier", layout="divsoup",
        promos=["OWNED BY OUR READERS: The Courier is a reader-owned co-operative. "
                "Buy a share and help keep local news independent.",
                "Get the morning briefing in your inbox every weekday. Sign up now."],
        fund="Fighting fund: You've Raised: £{raised:,} We need: £20,000 Days remaining: {days}",
        teaser="Read more:",
        authors=["Jane Doe", "Amir Khan", "Staff Reporter"],
        author_box="{author} reports on local politics for the Courier. "
                   "Email the author at newsdesk@courier.example.",
        quote="“We will not accept a closure of the line,” the campaign’s chair said.",
    ),
    "tmpl-zeitung": dict(
        lang="de", name="Stadtzeitung", layout="article",
        promos=["Unabhängiger Journalismus braucht Sie: Werden Sie jetzt Mitglied der "
                "Stadtzeitung und unterstützen Sie unsere Arbeit.",
                "Unser Newsletter bringt Ihnen jeden Morgen die wichtigsten Nachrichten."],
        fund="Schon {raised:,} Mitglieder unterstützen uns. Noch {days} Tage bis zum Ziel.",
        teaser="Lesen Sie auch:",
        authors=["Anna Schmidt", "Jonas Weber"],
        author_box="{author} schreibt für die Stadtzeitung über Verkehr und Umwelt.",
        quote="„Wir lassen uns die Buslinie nicht nehmen“, sagte die Sprecherin der Initiative.",
    ),
    "tmpl-journal": dict(
        lang="fr", name="Le Journal du Port", layout="main",
        promos=["Soutenez une presse indépendante : abonnez-vous au Journal du Port dès "
                "aujourd'hui.",
                "Recevez notre lettre d'information chaque matin dans votre boîte mail."],
        fund="Déjà {raised:,} lecteurs abonnés. Plus que {days} jours pour nous rejoindre.",
        teaser="Lire aussi :",
        authors=["Claire Martin", "Luc Bernard", "Sophie Laurent"],
        author_box="{author} est journaliste au Journal du Port, chargée des affaires locales.",
        quote="« Nous ne laisserons pas fermer cette ligne », a déclaré la porte-parole.",
    ),
}


def sentence(rng: random.Random, words: dict[str, list[str]], serial: int) -> str:
    return (f"{rng.choice(words['subjects'])} {rng.choice(words['verbs'])} "
            f"{rng.choice(words['objects'])}, {rng.choice(words['tails'])} ({serial}).")


def story(rng: random.Random, lang: str, index: int) -> list[str]:
    words = LANG[lang]
    paragraphs = []
    for p in range(6):
        serial = index * 100 + p
        paragraphs.append(" ".join(sentence(rng, words, serial * 10 + s) for s in range(3)))
    return paragraphs


def slug(site: str, i: int) -> str:
    return f"/news/{2024 + i % 2}/story-{i:02d}"


def headline(paras: list[str], spec: dict, i: int) -> str:
    return f"{paras[0].split(',')[0]} ({spec['name']} {i})"


def page(site: str, spec: dict, i: int, stories: list[list[str]]) -> tuple[str, dict]:
    lang = spec["lang"]
    paras = stories[i]
    title = headline(paras, spec, i)
    author = spec["authors"][i % len(spec["authors"])]
    date = f"{2024 + i % 2}-0{1 + i % 9}-{10 + i % 18:02d}"
    other = (i + 5) % ARTICLES
    other_title = stories[other][1].split(").")[0] + ")"
    teaser = (f'<p class="teaser">{spec["teaser"]} '
              f'<a href="{ORIGIN}{slug(site, other)}">{html.escape(other_title)}</a></p>')
    related = "".join(
        f'<li><a href="{ORIGIN}{slug(site, (i + k) % ARTICLES)}">'
        f'{html.escape(headline(stories[(i + k) % ARTICLES], spec, (i + k) % ARTICLES))}'
        f'</a></li>' for k in (1, 2, 3))
    fund = spec["fund"].format(raised=3000 + 37 * i, days=30 - i % 20)
    box = spec["author_box"].format(author=author)
    body_paras = list(paras)
    if i in (2, 9, 16):  # three articles of the site quote the same sentence: it must stay
        body_paras.insert(2, spec["quote"])
    blocks = [f"<p>{html.escape(p)}</p>" for p in body_paras]
    blocks.insert(2, f'<div class="promo"><p>{html.escape(spec["promos"][0])}</p></div>')
    blocks.insert(4, teaser)
    blocks.insert(6, f'<div class="fund"><p>{html.escape(fund)}</p></div>')
    blocks.insert(8, f'<div class="newsletter"><p>{html.escape(spec["promos"][1])}</p></div>')
    blocks.append(f'<div class="author-box"><p>{html.escape(box)}</p></div>')
    blocks.append(f'<ul class="related">{related}</ul>')
    body = "\n".join(blocks)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": f"{date}T08:00:00+00:00", "author": {"@type": "Person",
                                                               "name": author}}
    if spec["layout"] == "divsoup":
        main = (f'<div class="wrap"><div class="col"><div class="c1"><h1>{html.escape(title)}'
                f'</h1><div class="by">By {html.escape(author)}</div>{body}</div></div></div>')
    elif spec["layout"] == "article":
        main = (f'<main><article><header><h1>{html.escape(title)}</h1><p class="byline">'
                f'Von {html.escape(author)}</p></header>{body}</article></main>')
    else:
        main = (f'<main><h1>{html.escape(title)}</h1><section class="content">{body}'
                f'</section></main>')
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(spec['name'])}</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="{html.escape(spec['name'])}">
<meta property="article:published_time" content="{date}T08:00:00+00:00">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<nav><a href="{ORIGIN}/">{html.escape(spec['name'])}</a> <a href="{ORIGIN}/news/">News</a></nav>
{main}
<footer><p>© {spec['name']}. All rights reserved.</p></footer>
</body></html>
"""
    must_not = [spec["promos"][0][:40], spec["promos"][1][:40], fund[:25], box[:30],
                f'{spec["teaser"]} {other_title}', other_title,
                headline(stories[(i + 1) % ARTICLES], spec, (i + 1) % ARTICLES)]
    must = [paras[0][:80], paras[3][:80], paras[5][-60:]]
    if i in (2, 9, 16):
        must.append(spec["quote"])
    expected = {"title": title, "author": author, "date": date, "language": lang,
                "must_contain": must, "must_not_contain": must_not}
    return doc, expected


def write_site(site: str, spec: dict) -> None:
    root = OUT / site
    rng = random.Random(site)
    stories = [story(rng, spec["lang"], i) for i in range(ARTICLES)]
    pages = {}
    for i in range(ARTICLES):
        doc, expected = page(site, spec, i, stories)
        path = slug(site, i)
        target = root / (path.lstrip("/") + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc, encoding="utf-8")
        pages[path] = expected
    urls = "".join(f"<url><loc>{ORIGIN}{p}</loc></url>" for p in pages)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{urls}</urlset>\n', encoding="utf-8")
    (root / "robots.txt").write_text(f"User-agent: *\nSitemap: {ORIGIN}/sitemap.xml\n",
                                     encoding="utf-8")
    (root / "expected.json").write_text(json.dumps(
        {"base_url": ORIGIN, "generator": "tools/make_template_sites.py", "pages": pages},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    for site, spec in SITES.items():
        write_site(site, spec)


if __name__ == "__main__":
    main()
