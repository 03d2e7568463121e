"""A news site in eleven languages, written for the multilingual search tests (own prose).

Each story has a word in its text, a different inflected form of it to search for (for
Chinese, Japanese and Korean: a two- and a three-character word), and a word of its language
that no story of the site has. Written at test time into a temporary folder and served by
archiver.demo.siteserver.SiteServer.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN


@dataclass(frozen=True)
class Story:
    lang: str
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    written: str  #: a word as the text has it
    queries: tuple[str, ...]  #: other forms of it (CJK: a 2- and a 3-character word)
    absent: str  #: a word of the language that no story has


STORIES = (
    Story("en", "harbour-talks", "Harbour workers resume talks with the port authority",
          ("Negotiations between the harbour workers and the port authority resumed on "
           "Tuesday after a pause of three weeks, both sides said in short statements.",
           "The workers want a new shift pattern and better safety rules on the night cranes. "
           "The authority says the budget for the coming year leaves little room for change.",
           "A mediator appointed by the city council will chair the next meeting, which is "
           "expected to last two days and to take place behind closed doors."),
          "Negotiations", ("negotiated", "NEGOTIATING"), "volcano"),
    Story("es", "puerto-huelga", "Los trabajadores del puerto piden mejores turnos",
          ("Los trabajadores portuarios se reunieron el lunes frente a la oficina de la "
           "autoridad del puerto para pedir un nuevo calendario de turnos nocturnos.",
           "Según los representantes sindicales, las grúas funcionan sin descanso desde hace "
           "meses y el personal no ha recibido la formación prometida en seguridad.",
           "La autoridad respondió que estudiará la propuesta y que presentará una respuesta "
           "por escrito antes de que termine el mes."),
          "trabajadores", ("trabajador", "Trabajadora"), "biblioteca"),
    Story("de", "gewerkschaft-streik", "Gewerkschaft droht mit Streik im Nahverkehr",
          ("Die Gewerkschaft kündigte am Mittwoch an, dass die Fahrer der städtischen Busse "
           "ab der kommenden Woche die Arbeit niederlegen könnten, falls kein Angebot kommt.",
           "Seit dem Frühjahr verhandeln beide Seiten über höhere Löhne und kürzere "
           "Schichten, bisher ohne Ergebnis, wie ein Sprecher der Verkehrsbetriebe sagte.",
           "Fahrgäste sollen sich auf Ausfälle einstellen und die Hinweise auf den Anzeigen "
           "an den Haltestellen beachten, hieß es weiter."),
          "Gewerkschaft", ("Gewerkschaften", "gewerkschaft"), "Bergwerk"),
    Story("fr", "greve-cheminots", "La grève des cheminots se poursuit dans le sud",
          ("La grève des cheminots entre dans sa deuxième semaine et perturbe toujours les "
           "lignes régionales entre les grandes villes du sud du pays.",
           "Les syndicats demandent le maintien des postes dans les petites gares, tandis que "
           "la direction parle de réorganisation nécessaire et de contraintes budgétaires.",
           "Un nouveau rendez-vous est prévu jeudi au ministère, mais aucune des deux parties "
           "ne s'attend à un accord rapide."),
          "grève", ("grèves", "greve"), "fromagerie"),
    Story("pt", "hospital-enfermeiros", "Enfermeiros do hospital central exigem contratações",
          ("Os enfermeiros do hospital central organizaram uma vigília na noite de sexta-feira "
           "para chamar a atenção para a falta de pessoal nos serviços de urgência.",
           "Segundo a associação profissional, cada profissional acompanha hoje o dobro dos "
           "doentes de há cinco anos, e muitos trabalhadores fazem horas extraordinárias.",
           "O conselho de administração prometeu abrir novas vagas ainda este ano, sem indicar "
           "quantas nem quando."),
          "enfermeiros", ("enfermeiro", "enfermeira"), "vulcão"),
    Story("it", "museo-restauro", "Il museo civico riapre dopo il restauro",
          ("Dopo due anni di lavori il museo civico ha riaperto le sale dedicate alla storia "
           "della città, con nuovi percorsi e una illuminazione più attenta alle opere.",
           "I restauratori hanno lavorato soprattutto sugli affreschi del primo piano, "
           "danneggiati dall'umidità durante gli inverni più piovosi.",
           "L'ingresso resterà gratuito per i residenti fino alla fine dell'estate, ha "
           "annunciato l'assessore alla cultura."),
          "restauratori", ("restauratore", "restauratrice"), "ghiacciaio"),
    Story("ru", "zabastovka-zavod", "Забастовка на заводе продолжается третий день",
          ("Забастовка на машиностроительном заводе продолжается уже третий день, сообщили "
           "представители рабочих на встрече с журналистами.",
           "Рабочие требуют повышения зарплаты и ремонта старых цехов, где зимой почти не "
           "работает отопление.",
           "Руководство предприятия обещало рассмотреть требования до конца недели и "
           "пригласило профсоюз на переговоры."),
          "Забастовка", ("забастовки", "забастовкой"), "вулкан"),
    Story("ar", "madaris-jadida", "افتتاح مدارس جديدة في المدينة",
          ("أعلنت وزارة التعليم افتتاح ثلاث مدارس جديدة في الأحياء الشرقية من المدينة مع "
           "بداية العام الدراسي المقبل.",
           "وقال المسؤولون إن المباني الجديدة تضم مكتبات ومختبرات حديثة، وإن المعلمين "
           "سيحصلون على تدريب إضافي خلال الصيف.",
           "ورحب أولياء الأمور بالخطوة، لكنهم طالبوا بتحسين وسائل النقل إلى المدارس."),
          "المعلمين", ("المعلمون", "معلمين"), "بركان"),
    Story("ja", "tokyo-yosan", "東京都が新しい予算案を発表",
          ("東京都は新しい予算案を発表した。子育て支援と防災対策に重点を置き、"
           "学校の耐震工事や公園の整備を進めるという。",
           "都の担当者によると、予算案は来月の議会で審議される予定で、"
           "市民からの意見も募集している。",
           "経済の専門家は、物価の上昇が続く中で財源の確保が課題になると指摘した。"
           "一方で、若い世代への投資は長い目で見れば地域の活力につながるとの声もある。",
           "区や市町村の首長からは、国の補助金が減る中で都の支援がどこまで続くのかを"
           "見極めたいという意見が出ており、今後の議論が注目される。",
           "都民の間でも関心は高く、説明会には平日の夜にもかかわらず多くの人が集まり、"
           "担当者に細かな質問を重ねていた。"),
          "予算", ("予算", "東京都"), "火山"),
    Story("zh", "jingji-bowuguan", "新博物馆开放带动城市经济",
          ("市中心的新博物馆上周正式开放，第一天就吸引了上万名游客前来参观。",
           "当地官员表示，博物馆的开放将带动周边餐饮和旅游业的发展，"
           "对城市经济增长有积极作用。",
           "博物馆每周一闭馆，其余时间免费向公众开放，需要提前在网上预约。",
           "馆内共有六个展厅，展出从古代陶器到近代工业设备在内的三千多件藏品，"
           "其中不少是本地居民多年来捐赠的家传旧物。",
           "不少游客表示，这里不仅适合带孩子来学习历史，也让外地人更了解这座城市的过去。"
           "附近的商店老板说，开馆以后周末的客流明显增加了。",
           "为了方便参观，市里还新开了两条公交线路，从火车站和大学城直达博物馆门口，"
           "每十五分钟一班，晚上九点结束运营。",
           "馆方计划明年举办一系列讲座和临时展览，邀请各地的学者介绍城市规划、"
           "传统手工艺和地方饮食文化的变化。"),
          "经济", ("经济", "博物馆"), "地铁站"),
    Story("ko", "gyeongje-bangmulgwan", "새 박물관 개관으로 지역 경제 활기",
          ("시내 중심에 새 박물관이 지난주 문을 열었고 첫날부터 많은 방문객이 찾아왔다.",
           "시 관계자는 박물관 개관이 주변 식당과 관광업에 도움이 되고 지역 경제가 "
           "살아날 것이라고 말했다.",
           "박물관은 매주 월요일에 문을 닫으며 나머지 날에는 무료로 관람할 수 있다."),
          "경제가", ("경제", "박물관"), "화산"),
)


def story_path(story: Story) -> str:
    return f"/news/{story.lang}/{story.slug}"


def generate_site(root: Path) -> list[Story]:
    """Write every story, a front page and a sitemap under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for i, story in enumerate(STORIES):
        page = root / f"{story_path(story).lstrip('/')}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        body = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
        published = f"2026-03-{i + 1:02d}T08:00:00+00:00"
        page.write_text(f"""<!doctype html>
<html lang="{story.lang}"><head><meta charset="utf-8"><title>{escape(story.title)}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{FIXTURE_ORIGIN}{story_path(story)}">
</head><body><header><a href="/">World Desk</a></header>
<article><h1>{escape(story.title)}</h1>
<time datetime="{published}">{published[:10]}</time>
{body}
</article><footer>World Desk</footer></body></html>
""", encoding="utf-8")
    urls = "\n".join(f"<url><loc>{FIXTURE_ORIGIN}{story_path(s)}</loc></url>" for s in STORIES)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}\n</urlset>\n", encoding="utf-8")
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>World Desk</title></head><body>World Desk"
        "</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text(f"User-agent: *\nSitemap: {FIXTURE_ORIGIN}/sitemap.xml\n",
                                     encoding="utf-8")
    return list(STORIES)
