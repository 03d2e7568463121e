"""Fixture sites for the article decision, written for these tests (no third-party pages).

- `write_unspaced_site`: Japanese, Chinese and Thai stories, some with JSON-LD and Open Graph
  markup and some with none, on a site with a front page, a section page and a sitemap.
- `write_plain_cms_site`: an old-style CMS with no `og:type`, no JSON-LD and no published-time
  meta: title, byline, a date in the text, paragraphs; plus its section, tag and author pages,
  a soft-404 page, a story with an embedded shopping widget and a real product page.

Absolute URLs use `FIXTURE_ORIGIN`, which `SiteServer` rewrites to its own address.
"""

from __future__ import annotations

import json
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN

JA_STORIES = [
    ("tokyo-budget", "東京都が新年度予算案を発表", "2024-03-02", [
        "東京都は二日、新年度の一般会計予算案を発表した。総額は過去最大となり、子育て支援と"
        "防災対策に重点を置いた内容となっている。",
        "知事は記者会見で、出生率の低下に歯止めをかけるため、保育料の無償化を第二子まで広げる"
        "方針を明らかにした。対象となる世帯はおよそ十万世帯に上る見込みだ。",
        "防災分野では、首都直下地震に備えて木造住宅の密集地域の建て替えを後押しする補助金を"
        "増額する。また、河川の氾濫に備えた地下調節池の整備も前倒しで進める。",
        "一方、都議会の野党会派からは、財源の多くを基金の取り崩しに頼っているとの批判も出ており、"
        "三月の定例会で本格的な論戦が始まる見通しだ。",
    ]),
    ("fishing-port", "漁港の再建が進む 震災から十三年", "2024-03-09", [
        "震災で大きな被害を受けた北部の漁港で、新しい市場の建物が完成し、九日に記念式典が"
        "開かれた。地元の漁業者や市の関係者らおよそ二百人が参加した。",
        "新しい市場は高さ十メートルの防潮堤の内側に建てられ、冷凍保管庫を備えている。これにより"
        "水揚げした魚を長期間保存でき、遠方の市場にも出荷しやすくなるという。",
        "漁協の組合長は、若い世代が漁業に戻ってくるきっかけにしたいと話した。市は今後、観光客"
        "向けの食堂や直売所も整備する計画だ。",
    ]),
]
ZH_STORIES = [
    ("economy-report", "一季度经济增长好于预期", "2024-04-16", [
        "国家统计局十六日发布数据显示，一季度国内生产总值同比增长百分之五点三，增速高于市场"
        "普遍预期。分析人士认为，制造业投资和出口回暖是主要推动因素。",
        "数据显示，高技术制造业增加值增长明显，新能源汽车、太阳能电池等产品产量保持两位数增长。"
        "与此同时，社会消费品零售总额增速有所放缓，居民消费意愿仍待提振。",
        "有经济学家指出，房地产市场仍处于调整期，地方政府财政压力较大，下一阶段需要更加积极的"
        "财政政策和适度宽松的货币政策相配合，以巩固经济回升向好的态势。",
    ]),
    ("river-cleanup", "沿江城市启动河道综合治理工程", "2024-04-20", [
        "本月二十日，沿江多个城市同时启动河道综合治理工程，计划用三年时间完成主要支流的清淤、"
        "护岸加固和污水管网改造，总投资超过八十亿元。",
        "当地环保部门负责人介绍，近年来部分河段水质出现反复，主要原因是雨季时生活污水溢流。"
        "新工程将新建调蓄池，并对老旧城区的雨污合流管道进行分流改造。",
        "不少沿岸居民表示，希望治理完成后能够恢复过去的滨水步道，让孩子们重新在河边散步、"
        "钓鱼。市政府承诺将定期公布工程进展和水质监测结果，接受公众监督。",
    ]),
]
TH_STORIES = [
    ("rice-farmers", "ชาวนาภาคอีสานเร่งปรับตัวรับภัยแล้ง", "2024-05-05", [
        "ชาวนาในหลายจังหวัดของภาคตะวันออกเฉียงเหนือเริ่มหันมาปลูกพืชที่ใช้น้ำน้อยแทนการทำนาปรัง"
        "หลังจากปริมาณน้ำในอ่างเก็บน้ำลดลงต่ำกว่าค่าเฉลี่ยติดต่อกันเป็นปีที่สาม",
        "เจ้าหน้าที่เกษตรจังหวัดกล่าวว่า ทางราชการได้แจกจ่ายเมล็ดพันธุ์ถั่วเขียวและข้าวโพดให้แก่เกษตรกร"
        "พร้อมทั้งจัดอบรมเรื่องการจัดการดินและการเก็บน้ำฝนไว้ใช้ในฤดูแล้ง",
        "ผู้ใหญ่บ้านรายหนึ่งเล่าว่า ชาวบ้านรุ่นใหม่จำนวนมากต้องเดินทางไปทำงานในเมืองใหญ่ เพราะรายได้จาก"
        "การทำนาไม่เพียงพอ จึงหวังว่าโครงการใหม่ของรัฐจะช่วยให้ครอบครัวอยู่ร่วมกันได้มากขึ้น",
    ]),
]

_NAV = ('<header><a href="/">{site}</a><nav><a href="/section/news">{news}</a> '
        '<a href="/section/world">{world}</a> <a href="/about">{about}</a></nav></header>')
_FOOT = '<footer><p>{foot}</p><a href="/about">{about}</a></footer>'
_LABELS = {
    "ja": dict(site="みなと新聞", news="ニュース", world="国際", about="会社案内",
               foot="みなと新聞 無断転載を禁じます"),
    "zh": dict(site="江城日报", news="新闻", world="国际", about="关于我们",
               foot="江城日报 版权所有"),
    "th": dict(site="ข่าวบ้านเรา", news="ข่าว", world="ต่างประเทศ", about="เกี่ยวกับเรา",
               foot="ข่าวบ้านเรา สงวนลิขสิทธิ์"),
}


def _write(root: Path, path: str, html: str) -> None:
    target = root / (path.lstrip("/") + ".html") if path != "/" else root / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def unspaced_stories() -> list[tuple[str, str, str, str, list[str], bool]]:
    """(language, path, title, date, paragraphs, with_markup) of every unspaced-script story;
    every other story carries no article markup at all."""
    out = []
    for lang, stories in (("ja", JA_STORIES), ("zh", ZH_STORIES), ("th", TH_STORIES)):
        for i, (slug, title, day, paras) in enumerate(stories):
            out.append((lang, f"/{lang}/news/{day.replace('-', '/')}/{slug}", title, day, paras,
                        i % 2 == 0))
    return out


def write_unspaced_site(root: Path) -> list[tuple[str, str, str, str, list[str], bool]]:
    """The unspaced-script site under `root`; returns `unspaced_stories()`."""
    stories = unspaced_stories()
    for lang, path, title, day, paras, markup in stories:
        labels = _LABELS[lang]
        head = f'<meta charset="utf-8"><title>{title} | {labels["site"]}</title>'
        if markup:
            ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                  "datePublished": f"{day}T09:00:00+09:00", "inLanguage": lang}
            head += ('<meta property="og:type" content="article">'
                     f'<meta property="article:published_time" content="{day}T09:00:00+09:00">'
                     f'<script type="application/ld+json">{json.dumps(ld)}</script>')
        body = "".join(f"<p>{p}</p>" for p in paras)
        _write(root, path, f"""<!doctype html><html lang="{lang}"><head>{head}</head><body>
{_NAV.format(**labels)}
<main><h1>{title}</h1><p class="date">{day}</p>{body}</main>
{_FOOT.format(**labels)}</body></html>""")
    links = "".join(f'<li><a href="{p}">{t}</a></li>' for _, p, t, *_ in stories)
    _write(root, "/", f"""<!doctype html><html><head><meta charset="utf-8"><title>Asia desk</title>
</head><body><ul>{links}</ul></body></html>""")
    entries = "".join(f"<url><loc>{FIXTURE_ORIGIN}{p}</loc></url>" for _, p, *_ in stories)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>',
        encoding="utf-8")
    return stories


# -- a plain CMS ---------------------------------------------------------------------------------

PLAIN_STORIES = [
    ("council-approves-new-library", "Council approves plans for a new central library",
     "Maria Okafor", "12 March 2024", [
         "The city council voted on Tuesday evening to approve plans for a new central library "
         "on the site of the former bus depot, ending a debate that has lasted almost a decade.",
         "The building, designed by a local architecture practice, will hold study rooms, a "
         "children's floor and a public archive of the town's newspapers going back to 1880. "
         "Construction is expected to begin next spring and to take two years.",
         "Councillors who opposed the scheme said the cost had risen by a third since it was "
         "first proposed, and asked whether the money would be better spent keeping the three "
         "branch libraries open for longer hours.",
         "The council leader said the branches would not close. \"This is an investment in the "
         "next fifty years of the town,\" she told the meeting, which ran past eleven o'clock.",
     ]),
    ("flood-defences-tested-after-storm", "Flood defences tested as storm hits the coast",
     "James Whitlow", "3 February 2024", [
         "The new flood barrier at the harbour mouth was closed for the first time on Saturday "
         "as a storm brought winds of more than seventy miles an hour to the coast.",
         "Engineers from the river authority watched the tide rise to within half a metre of "
         "the barrier's top. Streets in the old town, which flooded twice in 2020, stayed dry.",
         "Residents of the seafront were advised to stay indoors overnight. Several trees came "
         "down on the coast road, which was closed for six hours while crews cleared them.",
         "The authority said it would publish a full report on how the barrier performed, and "
         "thanked volunteers who helped to fill sandbags at the lifeboat station.",
     ]),
    ("bakery-marks-hundred-years", "Family bakery marks a hundred years on the high street",
     "Priya Raman", "20 January 2024", [
         "A bakery that has sold bread on the high street since 1924 celebrated its centenary "
         "this weekend with free loaves for the first hundred customers through the door.",
         "The business has passed through four generations of the same family. Its current "
         "owner still uses the wood-fired oven her great-grandfather built in the back yard.",
         "Regulars queued from six in the morning. One customer, who is ninety-one, said she had "
         "bought her bread there every Saturday since she was a girl.",
         "The owner said rising energy prices had made the last two winters difficult, but that "
         "she had no plans to sell. \"People still want real bread,\" she said.",
     ]),
]

_PLAIN_HEAD = '<meta charset="utf-8"><title>{title} - The Valley Courier</title>'
_PLAIN_NAV = ('<div id="masthead"><a href="/">The Valley Courier</a></div>'
              '<div id="menu"><a href="/section/local">Local</a> | <a href="/section/sport">Sport'
              '</a> | <a href="/tag/council">Council</a> | <a href="/authors/maria-okafor">'
              'Our writers</a> | <a href="/contact">Contact</a></div>')
_PLAIN_FOOT = ('<div id="footer">The Valley Courier, 14 Mill Lane. <a href="/contact">Contact'
               '</a> | <a href="/privacy">Privacy</a></div>')


def _plain_page(title: str, content: str, extra_head: str = "") -> str:
    return (f"<!doctype html><html lang=\"en\"><head>{_PLAIN_HEAD.format(title=title)}"
            f"{extra_head}</head><body>{_PLAIN_NAV}<div id=\"content\">{content}</div>"
            f"{_PLAIN_FOOT}</body></html>")


def _listing(title: str, items: list[tuple[str, str]]) -> str:
    rows = "".join(f'<div class="item"><h3><a href="{p}">{t}</a></h3><p>{t[:40]}...</p></div>'
                   for p, t in items)
    return _plain_page(title, f"<h1>{title}</h1>{rows}<p><a href=\"?page=2\">Next page</a></p>")


WIDGET_STORY = ("best-walking-boots-tested", "We walked a hundred miles to test walking boots",
                "Tom Ellery", "8 April 2024", [
                    "Over six weekends this spring, two of our reporters walked the valley's long "
                    "distance path in four pairs of boots, through mud, scree and one surprise "
                    "snowfall on the tops above the reservoir.",
                    "The lightest pair was the most comfortable on the first day and the least "
                    "comfortable on the sixth: the soles wore smooth and the stitching at the toe "
                    "began to open after about seventy miles.",
                    "The heaviest pair took a week to break in and gave one of us blisters, but "
                    "kept water out on the wettest day, when the path along the river was "
                    "ankle-deep for almost a mile.",
                    "Our choice for most walkers is the middle pair: sturdy enough for rough "
                    "ground, light enough for a long day, and resoled by the maker for a modest "
                    "fee when the tread wears down.",
                ])


def plain_story_paths() -> list[str]:
    return [f"/2024/{slug}" for slug, *_ in PLAIN_STORIES] + [f"/2024/{WIDGET_STORY[0]}"]


def non_article_paths() -> list[str]:
    """The plain site's pages that are not stories (and the soft 404)."""
    return ["/section/local", "/section/sport", "/tag/council", "/authors/maria-okafor",
            "/shop/trail-boots-pro", "/2024/lost-story"]


def _story_html(title: str, author: str, day: str, paras: list[str], extra: str = "",
                extra_head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return _plain_page(title, f"<h2 class=\"headline\">{title}</h2><div class=\"meta\">By "
                       f"{author}, {day}</div>{body}{extra}", extra_head)


def write_plain_cms_site(root: Path) -> None:
    """The plain CMS site under `root`: its start page links every page of it."""
    items = []
    for slug, title, author, day, paras in PLAIN_STORIES:
        path = f"/2024/{slug}"
        items.append((path, title))
        _write(root, path, _story_html(title, author, day, paras))
    slug, title, author, day, paras = WIDGET_STORY
    product = {"@context": "https://schema.org", "@type": "Product", "name": "Ridge Walker 2",
               "offers": {"@type": "Offer", "price": "129.00", "priceCurrency": "GBP"}}
    widget = ('<div class="shop-widget"><h4>Ridge Walker 2</h4><span class="price">£129.00'
              '</span><a href="https://shop.example.test/ridge">Buy now</a></div>')
    _write(root, f"/2024/{slug}", _story_html(
        title, author, day, paras, widget,
        f'<script type="application/ld+json">{json.dumps(product)}</script>'))
    items.append((f"/2024/{slug}", title))
    _write(root, "/section/local", _listing("Local news", items * 3))
    _write(root, "/section/sport", _listing("Sport", items[:2] * 4))
    _write(root, "/tag/council", _listing("Stories tagged: council", items[:1] * 6))
    _write(root, "/authors/maria-okafor", _plain_page(
        "Maria Okafor", "<h1>Maria Okafor</h1><p>Maria covers the council and local politics. "
        "Contact her at the newsroom.</p>" + "".join(
            f'<p><a href="{p}">{t}</a></p>' for p, t in items[:1])))
    boot = {"@context": "https://schema.org", "@type": "Product", "name": "Trail Boots Pro",
            "description": "A waterproof leather walking boot with a rubber sole.",
            "offers": {"@type": "Offer", "price": "149.00", "priceCurrency": "GBP",
                       "availability": "https://schema.org/InStock"}}
    _write(root, "/shop/trail-boots-pro", _plain_page(
        "Trail Boots Pro", "<h1>Trail Boots Pro</h1><span class=\"price\">£149.00</span>"
        "<p>A waterproof leather walking boot with a grippy rubber sole, padded collar and "
        "a lifetime resoling service. Available in sizes 4 to 13, in brown or black.</p>"
        "<ul><li>Weight: 1.2 kg per pair</li><li>Waterproof membrane</li><li>Vibram sole</li>"
        "</ul><form><select><option>Size 8</option></select><button>Add to basket</button>"
        "</form><p>In stock. Free shipping on orders over £50.</p>",
        f'<script type="application/ld+json">{json.dumps(boot)}</script>'))
    _write(root, "/2024/lost-story", _plain_page(
        "Page not found", "<h1>Page not found</h1><p>Sorry, we couldn't find that story. It "
        "may have been moved or deleted. Try our <a href=\"/section/local\">local news</a> "
        "page or search the archive.</p>"))
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in plain_story_paths()
                    + non_article_paths())
    _write(root, "/", _plain_page("The Valley Courier", f"<ul>{links}</ul>"))
