#!/usr/bin/env python3
"""Generate the bundled demo news site in archiver/demo/demo_site/ from the seed-site fixture.

Run it as ``python tools/build_demo_site.py`` (standard library only). It is idempotent: every
run writes the same bytes. The four seed articles and their expected.json entries are copied
verbatim from ``shared/fixtures/seed-site`` (found beside the repository, or named with
``--seed DIR`` / ``DEMO_SEED_DIR``); when no fixture is at hand the copies already in
archiver/demo/demo_site are kept. Everything else (new articles, front page, section pages, feeds,
sitemaps, robots.txt, expected.json, README.md) is rendered from the data below, with the same
page templates and boilerplate as the seed pages so the same cleaning rules fit every page.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "archiver" / "demo" / "demo_site"
ORIGIN = "http://news.example.test"
SITE_NAME = "Daily News Example"
SECTIONS = {
    "britain": "Britain",
    "world": "World",
    "culture": "Culture",
    "sport": "Sport",
    "features": "Features",
}
SECTION_PAGE_SIZE = 6
FRONT_PAGE_COUNT = 12
RSS_COUNT = 15
NEWS_SITEMAP_COUNT = 10
PROMO_TEXT = "Support independent journalism: become a member of the co-operative today."
BOILERPLATE = [
    "Skip to main content",
    "OWNED BY OUR READERS",
    "reader-owned co-operative",
    "Become a supporter",
    "Fighting fund",
    "You've Raised",
    "We need:",
    "Days remaining",
    "Donate today",
    "We use cookies",
    "Similar stories",
    "Share on Twitter",
    "All rights reserved",
    "in your inbox",
]
EXTRA_BOILERPLATE = ["Support independent journalism", "Read more:"]


@dataclass
class Article:
    slug: str
    template: str  # "modern" or "divsoup"
    section: str
    published: str  # "YYYY-MM-DD HH:MM", UTC
    title: str
    standfirst: str
    byline: list[str]  # names as printed on the page
    body: str = ""  # paragraphs separated by blank lines; "[promo]", "[read-more SLUG]"
    must_contain: list[str] = field(default_factory=list)
    lang: str = "en"
    tags: list[str] | None = None
    modified: str | None = None
    seed: bool = False

    @property
    def path(self) -> str:
        return f"/article/f/{self.slug}"

    @property
    def url(self) -> str:
        return ORIGIN + self.path

    @property
    def pub_dt(self) -> datetime:
        return _dt(self.published)

    @property
    def mod_dt(self) -> datetime | None:
        return _dt(self.modified) if self.modified else None

    @property
    def last_dt(self) -> datetime:
        return self.mod_dt or self.pub_dt

    @property
    def author(self) -> str | None:
        """The author the page's markup declares (divsoup pages declare none)."""
        return "; ".join(self.byline) if self.template == "modern" else None


def _dt(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat()


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def smart_quotes(text: str) -> str:
    """Typographic quotes, as the seed's div-soup page has them."""
    text = re.sub(r'(^|[\s(])"', "\\1\u201c", text)
    return text.replace('"', "\u201d").replace("'", "\u2019")


# --------------------------------------------------------------------------------------------
# The seed articles: copied verbatim; only what the index pages and feeds need is listed here.

SEEDS = [
    Article(
        slug="peru-international-solidarity-urgently-needed",
        template="divsoup",
        section="world",
        published="2023-02-06 09:30",
        title="Peru \u2013 international solidarity urgently needed!",
        standfirst="The struggle for democracy in Peru continues, says MATT WILLGRESS of Labour "
        "Friends of Progressive Latin America",
        byline=["Matt Willgress"],
        seed=True,
    ),
    Article(
        slug="rail-workers-announce-new-strike-dates",
        template="modern",
        section="britain",
        published="2023-02-07 07:15",
        title="Rail workers announce new strike dates",
        standfirst="Union says talks have stalled over pay and staffing levels",
        byline=["Staff Reporter"],
        tags=["Transport", "Unions"],
        seed=True,
    ),
    Article(
        slug="council-approves-plan-for-600-council-homes",
        template="modern",
        section="britain",
        published="2023-02-08 12:00",
        title="Council approves plan for 600 council homes",
        standfirst="Tenants' groups welcome the biggest building programme in the borough for "
        "decades",
        byline=["Local Government Correspondent"],
        tags=["Housing"],
        seed=True,
    ),
    Article(
        slug="library-opening-hours-extended-after-campaign",
        template="divsoup",
        section="culture",
        published="2023-02-09 16:45",
        title="Library opening hours extended after campaign",
        standfirst="Readers and staff celebrate as evening openings return",
        byline=["Arts Desk"],
        seed=True,
    ),
]

# --------------------------------------------------------------------------------------------
# The new articles. Body lines are wrapped for the source; a blank line ends a paragraph.

NEW = [
    Article(
        slug="bus-drivers-vote-to-accept-improved-pay-deal",
        template="modern",
        section="britain",
        published="2023-01-05 07:40",
        title="Bus drivers vote to accept improved pay deal",
        standfirst="Members back an offer worth 11 per cent over two years after a month of "
        "walkouts",
        byline=["Staff Reporter"],
        tags=["Transport", "Unions"],
        body="""
BUS drivers across the city have voted to accept an improved pay offer, ending a dispute that
saw services halted on eight days before Christmas.

The deal is worth 11 per cent over two years, with a further increase for drivers on the lowest
grades, and backdates the first rise to October.

Turnout in the ballot was 78 per cent, and 84 per cent of those voting backed the offer, the
union said.

Its regional organiser said the result showed what drivers could achieve when they stood
together. "Nobody wanted to strike in the run-up to Christmas, but the company would not move
until we did," she said.

The operator said it was pleased the dispute was over and that full timetables would resume from
Monday.

Passenger groups welcomed the settlement but called for the council to use its new franchising
powers to give the public a say over fares and routes.

Drivers at two neighbouring depots, run by a different company, are due to begin their own ballot
next week.
""",
        must_contain=[
            "BUS drivers across the city have voted to accept an improved pay offer, ending a "
            "dispute that saw services halted on eight days before Christmas.",
            "Drivers at two neighbouring depots, run by a different company, are due to begin "
            "their own ballot next week.",
        ],
    ),
    Article(
        slug="food-bank-reports-record-demand-after-christmas",
        template="divsoup",
        section="britain",
        published="2023-01-09 10:05",
        title="Food bank reports record demand after Christmas",
        standfirst="Volunteers say working families now make up almost half of those referred",
        byline=["Hannah Price"],
        body="""
A FOOD bank serving the north of the borough handed out more emergency parcels in the first week
of January than in any week since it opened in 2011.

Volunteers packed 640 parcels in five days, enough to feed around 1,700 people, compared with 410
in the same week last year.

The charity's co-ordinator said the make-up of those being referred had changed sharply. Almost
half of the households it now helps have at least one adult in paid work, many of them on
zero-hours contracts or in part-time jobs in retail and care.

Energy bills were the most common reason given for needing help, followed by delays to benefit
payments and rent increases.

Donations over Christmas were generous, the charity said, but stocks of tinned meat, long-life
milk and toiletries were already running low.

Local councillors have asked for an urgent meeting with the Department for Work and Pensions
about benefit delays at the town's jobcentre.
""",
        must_contain=[
            "A FOOD bank serving the north of the borough handed out more emergency parcels in "
            "the first week of January than in any week since it opened in 2011.",
            "Energy bills were the most common reason given for needing help, followed by delays "
            "to benefit payments and rent increases.",
        ],
    ),
    Article(
        slug="trabajadores-portuarios-de-valparaiso-convocan-huelga",
        template="modern",
        section="world",
        lang="es",
        published="2023-01-12 14:30",
        title="Trabajadores portuarios de Valparaíso convocan una huelga de 48 horas",
        standfirst="El sindicato denuncia despidos y exige la renovación del convenio colectivo",
        byline=["Lucía Fernández"],
        tags=["Chile", "Sindicatos"],
        body="""
LOS trabajadores portuarios de Valparaíso iniciarán el lunes una huelga de 48 horas tras el
fracaso de las negociaciones con la empresa concesionaria del terminal.

El sindicato acusa a la empresa de haber despedido a 35 trabajadores eventuales en diciembre sin
respetar los plazos de aviso que establece el convenio colectivo.

Según su presidente, la plantilla lleva más de un año esperando la renovación del acuerdo, que
venció en noviembre de 2021.

"No pedimos nada extraordinario, solo que se cumpla lo firmado y que se reincorpore a los
compañeros despedidos", declaró ante la prensa a las puertas del recinto portuario.

La empresa asegura que los despidos se debieron a la caída del tráfico de contenedores y que
mantiene abierta la mesa de diálogo.

Los estibadores de San Antonio, el mayor puerto del país, han anunciado que no descargarán los
buques desviados desde Valparaíso durante la huelga.

Las autoridades regionales han pedido a ambas partes que retomen las conversaciones antes del fin
de semana para evitar retrasos en las exportaciones de fruta, que viven ahora su temporada alta.
""",
        must_contain=[
            "LOS trabajadores portuarios de Valparaíso iniciarán el lunes una huelga de 48 horas "
            "tras el fracaso de las negociaciones con la empresa concesionaria del terminal.",
            "Los estibadores de San Antonio, el mayor puerto del país, han anunciado que no "
            "descargarán los buques desviados desde Valparaíso durante la huelga.",
        ],
    ),
    Article(
        slug="century-old-miners-banner-restored-for-museum",
        template="modern",
        section="culture",
        published="2023-01-14 18:00",
        modified="2023-01-15 09:10",
        title="Century-old miners' banner restored for town museum",
        standfirst="Volunteers spent 18 months repairing the silk banner of a long-closed "
        "colliery lodge",
        byline=["Rosa Kendall"],
        tags=["Heritage", "Museums"],
        body="""
A SILK banner carried by miners from the town's colliery for almost a century has gone on display
again after 18 months of painstaking restoration by volunteers.

The banner, made in 1921 for the pit's union lodge, was last marched at a gala in 1984 and had
been stored rolled up in a chapel vestry since the colliery closed two years later.

When it was unrolled in 2021 the painted centre panel, showing a miner shaking hands with a farm
labourer beneath the words Unity Is Strength, had cracked in dozens of places and the fringe had
almost rotted away.

A group of eleven volunteers, several of them the children and grandchildren of miners, raised the
money for the work through raffles, quiz nights and a crowdfunding appeal.

Specialist conservators stabilised the paint while the volunteers learned to stitch the silk onto
a new support fabric, working two mornings a week in a room above the library.

The museum's curator said the banner told the story of the town better than any document could.
"People come in and find their grandfather's name on the lodge roll beside it, and they just stand
there," she said.

The banner will stay on show until the end of June, when it is due to be carried at the gala for
the first time in almost four decades.
""",
        must_contain=[
            "A SILK banner carried by miners from the town's colliery for almost a century has "
            "gone on display again after 18 months of painstaking restoration by volunteers.",
            "The banner will stay on show until the end of June, when it is due to be carried at "
            "the gala for the first time in almost four decades.",
        ],
    ),
    Article(
        slug="fans-complete-buyout-of-non-league-clubs-ground",
        template="divsoup",
        section="sport",
        published="2023-01-17 21:45",
        title="Fans complete buyout of non-league club's ground",
        standfirst="Supporters' trust raises £1.2 million in community shares to secure the "
        "stadium",
        byline=["Sports Desk"],
        body="""
SUPPORTERS of the town's non-league football club now own its ground outright after a community
share offer raised £1.2 million in just under four months.

More than 2,300 people bought shares, from pensioners who first watched the club in the 1950s to
primary school children who saved their pocket money for the minimum £50 stake.

[promo]

The ground had been owned since 2009 by a property company that twice applied to build houses on
it. Both applications were refused after objections from fans and neighbours.

The supporters' trust chair said the deal meant the club could never again be threatened with
eviction. "Every shareholder gets one vote, however much they put in," he said. "This ground
belongs to the town now."

[read-more bus-drivers-vote-to-accept-improved-pay-deal]

The trust plans to use a £150,000 surplus to repair the main stand roof and install floodlights
good enough for the club's women's team to play evening matches.

The club's manager said the squad had followed the appeal closely and celebrated the news in the
dressing room after Tuesday night's win.
""",
        must_contain=[
            "SUPPORTERS of the town's non-league football club now own its ground outright after "
            "a community share offer raised £1.2 million in just under four months.",
            "The trust plans to use a £150,000 surplus to repair the main stand roof and install "
            "floodlights good enough for the club's women's team to play evening matches.",
        ],
    ),
    Article(
        slug="sao-paulo-cafe-run-by-the-people-who-grow-its-coffee",
        template="modern",
        section="features",
        published="2023-01-20 06:00",
        modified="2023-01-21 11:30",
        title="The São Paulo café run by the people who grow its coffee",
        standfirst="A growers' co-operative has cut out the middlemen by opening its own café in "
        "Brazil's largest city",
        byline=["Daniel Okafor"],
        tags=["Brazil", "Co-operatives", "Food"],
        body="""
ON A busy corner in the west of São Paulo, a small café with mismatched chairs and hand-painted
signs is doing something unusual: every cup it sells is made from beans grown by the people who
own it.

The café belongs to a co-operative of 86 smallholder families from the hills of southern Minas
Gerais, about five hours' drive away. For years they sold their harvest to exporters at prices set
on the commodity markets in New York.

[promo]

"We grew some of the best coffee in Brazil and had no idea where it went," says one of the
founders, who farms four hectares with her brother. "Now we can stand behind the counter and watch
people drink it."

The co-operative opened the café in 2021 with a loan from a regional development bank. It roasts
its own beans on site and sells them by the kilo to customers and to a handful of restaurants.

Members say they now receive roughly twice the price per sack that they were paid by the
exporters, although the café itself only broke even last year.

[read-more trabajadores-portuarios-de-valparaiso-convocan-huelga]

The model has attracted interest from other producer groups. Delegations from two co-operatives in
Colombia visited in November, and a group of cocoa farmers from Bahia is planning a similar shop
in Salvador.

Not everything has been easy. Rent in the neighbourhood has risen sharply, and members take turns
to travel to the city to work shifts, leaving relatives to look after their land.

But for the founders the point was never only about money. "People in the city think coffee comes
from a supermarket," she says. "Here they learn that it comes from us."
""",
        must_contain=[
            "ON A busy corner in the west of São Paulo, a small café with mismatched chairs and "
            "hand-painted signs is doing something unusual: every cup it sells is made from "
            "beans grown by the people who own it.",
            "Delegations from two co-operatives in Colombia visited in November, and a group of "
            "cocoa farmers from Bahia is planning a similar shop in Salvador.",
        ],
    ),
    Article(
        slug="tenants-win-repairs-after-damp-survey-of-tower-block",
        template="divsoup",
        section="britain",
        published="2023-01-23 13:15",
        title="Tenants win repairs after damp survey of tower block",
        standfirst="Residents' association used its own survey to force the landlord to act",
        byline=["Hannah Price"],
        body="""
TENANTS in a 16-storey tower block have won a commitment to repair every flat affected by damp and
mould after carrying out their own survey of the building.

Members of the residents' association knocked on all 94 doors over three weekends in November and
found damp or mould in 61 homes, many of them occupied by families with young children.

They presented the results, with photographs and a map of the affected flats, to the housing
association that owns the block at a packed meeting in the community centre.

The landlord had previously told individual tenants that the problem was caused by condensation
from drying clothes indoors and advised them to open their windows.

It has now agreed to replace the failed extractor fans, treat affected walls and inspect the roof
and external cladding, with work starting next month.

The association's secretary said the survey had changed everything. "On our own, each of us was
told it was our fault. Together we could show it was the building," she said.
""",
        must_contain=[
            "TENANTS in a 16-storey tower block have won a commitment to repair every flat "
            "affected by damp and mould after carrying out their own survey of the building.",
            "It has now agreed to replace the failed extractor fans, treat affected walls and "
            "inspect the roof and external cladding, with work starting next month.",
        ],
    ),
    Article(
        slug="miles-marchan-en-lima-para-exigir-elecciones-anticipadas",
        template="divsoup",
        section="world",
        lang="es",
        published="2023-01-25 19:20",
        title="Miles de personas marchan en Lima para exigir elecciones anticipadas",
        standfirst="Delegaciones del sur del país llegan a la capital pese a la represión policial",
        byline=["Redacción Internacional"],
        body="""
MILES de personas llegadas de las regiones del sur del Perú marcharon este martes por el centro de
Lima para exigir la renuncia de la presidenta y la convocatoria inmediata de elecciones.

Las delegaciones, procedentes sobre todo de Puno, Cusco y Apurímac, viajaron durante días en
autobuses y camiones para sumarse a las protestas en la capital.

La policía utilizó gases lacrimógenos para impedir que los manifestantes se acercaran al Congreso,
y varias organizaciones de derechos humanos denunciaron detenciones arbitrarias.

Los manifestantes portaban fotografías de las personas fallecidas durante las protestas de las
últimas semanas y exigían justicia para sus familias.

"Venimos a Lima porque en nuestras regiones nadie nos escucha", explicó una dirigente aimara que
viajó desde Juli con su comunidad.

Universidades y parroquias de la capital han abierto sus puertas para ofrecer alojamiento y comida
a las delegaciones, que anuncian que permanecerán en Lima hasta que sus demandas sean atendidas.
""",
        must_contain=[
            "MILES de personas llegadas de las regiones del sur del Perú marcharon este martes "
            "por el centro de Lima para exigir la renuncia de la presidenta y la convocatoria "
            "inmediata de elecciones.",
            "Universidades y parroquias de la capital han abierto sus puertas para ofrecer "
            "alojamiento y comida a las delegaciones, que anuncian que permanecerán en Lima "
            "hasta que sus demandas sean atendidas.",
        ],
    ),
    Article(
        slug="record-crowd-sees-womens-side-fight-back-for-draw",
        template="modern",
        section="sport",
        published="2023-01-28 17:05",
        title="Record crowd sees women's side fight back for draw",
        standfirst="More than 11,000 fans watch the first league match at the club's main stadium",
        byline=["Sports Desk"],
        tags=["Football", "Women's sport"],
        body="""
A RECORD crowd of 11,412 watched the town's women's team come from two goals down to draw 2-2 in
their first league match at the club's main stadium.

The side usually play in front of a few hundred supporters at a council ground on the edge of
town, but the club agreed to switch the fixture after tickets for the last home game sold out
within a day.

Their opponents, second in the table, looked comfortable after scoring twice in the first half,
the first from a corner and the second a long-range shot that dipped under the bar.

The home side pulled one back on the hour when their captain headed in a free kick, and a
19-year-old substitute equalised with six minutes left, sending the packed home end into
raptures.

The manager said the atmosphere had carried her players through the second half. "They have
trained on a muddy pitch in the dark for years. Tonight they got the stage they deserve," she
said.

The club said it would now look at moving more fixtures to the stadium, and that ticket prices
would stay at £5 for adults and free for under-16s.
""",
        must_contain=[
            "A RECORD crowd of 11,412 watched the town's women's team come from two goals down "
            "to draw 2-2 in their first league match at the club's main stadium.",
            "The club said it would now look at moving more fixtures to the stadium, and that "
            "ticket prices would stay at £5 for adults and free for under-16s.",
        ],
    ),
    Article(
        slug="care-homes-spent-40m-on-agency-staff-as-wages-lagged",
        template="modern",
        section="britain",
        published="2023-01-31 08:00",
        modified="2023-02-01 10:20",
        title="Care homes spent £40m on agency staff as wages lagged, figures show",
        standfirst="Freedom of information requests reveal a sharp rise in spending across the "
        "region",
        byline=["Anna Reyes", "Tom Baxter"],
        tags=["Health", "Social care"],
        body="""
COUNCIL-FUNDED care homes in the region spent more than £40 million on agency staff last year,
almost three times the figure for 2019, according to figures obtained by this paper.

Responses to freedom of information requests sent to twelve local authorities show that spending
on temporary workers rose every year, with the steepest increase coming in the last twelve months.

[promo]

Agency carers can cost homes up to twice as much per hour as directly employed staff, yet care
workers on permanent contracts in the region earn on average just £10.10 an hour.

Managers said they had been forced to rely on agencies because they could not recruit or keep
staff at the wages their council contracts allowed them to pay.

[read-more food-bank-reports-record-demand-after-christmas]

"We lose people to supermarkets and warehouses every week," said the manager of one home with 40
beds. "Then we pay an agency far more to fill the same shifts."

Unions representing care workers said the figures made the case for a national minimum of £15 an
hour and for councils to bring more homes back into public ownership.

The regional association of councils said authorities were doing all they could within their
budgets and called on the government to fund social care properly.
""",
        must_contain=[
            "COUNCIL-FUNDED care homes in the region spent more than £40 million on agency staff "
            "last year, almost three times the figure for 2019, according to figures obtained "
            "by this paper.",
            "Agency carers can cost homes up to twice as much per hour as directly employed "
            "staff, yet care workers on permanent contracts in the region earn on average just "
            "£10.10 an hour.",
        ],
    ),
    Article(
        slug="folk-festival-returns-to-the-harbour",
        template="divsoup",
        section="culture",
        published="2023-02-02 12:40",
        title="Folk festival returns to the harbour with free family day",
        standfirst="Organisers say ticket prices have been frozen for a third year",
        byline=["Arts Desk"],
        body="""
THE harbour folk festival will return in July with a free family day on the quayside and weekend
tickets held at last year's price for the third year running.

Organisers announced the first 20 acts yesterday, including a choir of retired dockers, a ceilidh
band from Orkney and several young singers who first performed at the festival's open-mic tent.

The festival, run by volunteers since 1978, nearly folded after the pandemic but was rescued by a
public appeal and a grant from the town council.

Its chair said keeping tickets affordable mattered more than ever. "Folk music has always belonged
to working people, and we want the audience to look like the town," he said.

The free day on the Sunday will include instrument-making workshops, a sea-shanty session in the
fish market and a procession of banners from local schools.

Weekend tickets cost £45, with concessions for students, pensioners and people on benefits, and go
on sale on the first of March.
""",
        must_contain=[
            "THE harbour folk festival will return in July with a free family day on the quayside "
            "and weekend tickets held at last year's price for the third year running.",
            "Weekend tickets cost £45, with concessions for students, pensioners and people on "
            "benefits, and go on sale on the first of March.",
        ],
    ),
    Article(
        slug="vigil-in-london-remembers-peru-protest-victims",
        template="modern",
        section="world",
        published="2023-02-03 15:10",
        title="Vigil in London remembers Peru protest victims",
        standfirst="Hundreds gather outside the embassy as families call for justice",
        byline=["Carmen Soto"],
        tags=["Peru", "Latin America", "Human rights"],
        body="""
HUNDREDS of people gathered outside the Peruvian embassy in London on Thursday evening to remember
the protesters killed during two months of demonstrations in the South American country.

The vigil was organised by the Comité de Solidaridad con el Perú, a group formed by Peruvian
migrants in London, together with trade unionists and student societies.

Candles were laid beside photographs of those who have died, and the names of the victims were read
aloud in Spanish, Quechua and English.

A speaker from the committee, whose cousin was injured during protests in Juliaca, said families in
the south of the country felt abandoned. "They were asking for elections, and they were met with
bullets," she said.

Several speakers called on the British government to suspend sales of crowd-control equipment to
Peru until there has been an independent investigation into the deaths.

The organisers said further events would be held in Manchester and Glasgow later this month.
""",
        must_contain=[
            "The vigil was organised by the Comité de Solidaridad con el Perú, a group formed by "
            "Peruvian migrants in London, together with trade unionists and student societies.",
            "Several speakers called on the British government to suspend sales of crowd-control "
            "equipment to Peru until there has been an independent investigation into the "
            "deaths.",
        ],
    ),
    Article(
        slug="school-support-staff-to-be-balloted-over-pay",
        template="divsoup",
        section="britain",
        published="2023-02-10 09:00",
        title="School support staff to be balloted over pay",
        standfirst="Teaching assistants and caterers say their wages have fallen behind for a "
        "decade",
        byline=["Education Reporter"],
        body="""
TEACHING assistants, cleaners and catering staff in the borough's schools are to be balloted for
strike action after rejecting a pay offer of £1,925 a year.

The union said many of its members earned less than the real living wage once their
term-time-only contracts were taken into account, and that some had taken second jobs in the
evenings to make ends meet.

[promo]

One teaching assistant, who has worked at the same primary school for 14 years, said she now
relied on a food bank during the school holidays, when she receives no pay.

"We support children with the greatest needs, and we love the job," she said. "But we cannot keep
doing it for less than we could earn stacking shelves."

[read-more rail-workers-announce-new-strike-dates]

The ballot will open on the first of March and run for four weeks. If members vote for action, the
first strikes could take place before the Easter holidays.

Headteachers have written to the education secretary warning that many schools could not operate
safely without support staff and urging ministers to fund a better offer.
""",
        must_contain=[
            "TEACHING assistants, cleaners and catering staff in the borough's schools are to be "
            "balloted for strike action after rejecting a pay offer of £1,925 a year.",
            "The ballot will open on the first of March and run for four weeks.",
        ],
    ),
    Article(
        slug="community-appeal-saves-boxing-gym-from-closure",
        template="divsoup",
        section="sport",
        published="2023-02-11 20:30",
        title="Community appeal saves boxing gym from closure",
        standfirst="Youth club clears its rent arrears in three weeks after the landlord sets a "
        "deadline",
        byline=["Sports Desk"],
        body="""
A BOXING gym that has trained young people on the estate for more than 30 years has been saved
from closure after a community appeal raised £18,000 in three weeks.

The gym fell behind on its rent during the pandemic, when it was forced to close for months, and
its landlord set a deadline of the end of February to clear the arrears.

Donations came from former members, local businesses and a sponsored run by pupils from the
secondary school next door, while two professional fighters who learned to box there auctioned
signed gloves.

The head coach, who first walked through the door as a 12-year-old, said the gym was about far
more than boxing. "Kids come here after school because it is warm, it is safe and somebody is
pleased to see them," he said.

The gym runs free sessions five evenings a week and a girls-only class on Saturday mornings, which
has a waiting list.

Trustees now hope to negotiate a longer lease and apply for funding to replace the ring, which was
bought second-hand in 1991.
""",
        must_contain=[
            "A BOXING gym that has trained young people on the estate for more than 30 years has "
            "been saved from closure after a community appeal raised £18,000 in three weeks.",
            "Trustees now hope to negotiate a longer lease and apply for funding to replace the "
            "ring, which was bought second-hand in 1991.",
        ],
    ),
    Article(
        slug="a-night-on-the-25-the-bus-that-keeps-the-city-running",
        template="divsoup",
        section="features",
        published="2023-02-13 07:00",
        title="A night on the 25: the bus that keeps the city running",
        standfirst="Cleaners, carers and bakers share the late route across the east of the city",
        byline=["Features Desk"],
        body="""
AT TEN past midnight the 25 pulls away from the bus station almost full. Nobody on board is going
home from a night out.

Near the front, two office cleaners compare rotas for the week ahead. Behind them a care worker in
a blue tunic is finishing a sandwich between a late call and an early one, and a young man in white
overalls is on his way to start his shift at a bakery on the industrial estate.

The night service was introduced in 2019 after a campaign by unions and community groups who
pointed out that thousands of people worked hours when no buses ran. Before then, many walked for
an hour or more, or paid for taxis that could swallow a fifth of a night's wages.

The driver has worked the route for three years and knows most of her regulars by name. She waits
an extra minute at the hospital stop because a porter who finishes at half past twelve will be
running for it.

Last autumn the operator proposed cutting the service to weekends only, citing falling passenger
numbers. A petition signed by more than 6,000 people persuaded the council to step in with a
subsidy until the end of the year.

By one o'clock the bus is nearly empty. The last passenger, a hotel night porter, gets off at the
retail park and thanks the driver as he goes.

"People talk about the night-time economy as if it is all bars," she says as she turns the bus
around. "This is the night-time economy. These are the people who open the city up every
morning."
""",
        must_contain=[
            "AT TEN past midnight the 25 pulls away from the bus station almost full.",
            "A petition signed by more than 6,000 people persuaded the council to step in with a "
            "subsidy until the end of the year.",
        ],
    ),
    Article(
        slug="french-unions-stage-fresh-day-of-strikes-over-pension-age",
        template="divsoup",
        section="world",
        published="2023-02-16 18:40",
        title="French unions stage fresh day of strikes over pension age",
        standfirst="Rail, schools and refineries hit as marchers oppose plans to raise the "
        "retirement age to 64",
        byline=["Paris Correspondent"],
        body="""
FRANCE saw another day of strikes and marches on Thursday as unions kept up their campaign against
government plans to raise the minimum pension age from 62 to 64.

Rail services were reduced across the country, many schools closed or ran with skeleton staff, and
deliveries from several oil refineries were halted.

It was the fifth national day of action since January, called jointly by all of the country's main
union confederations, which have not acted together on this scale for more than a decade.

In Paris, marchers set off from the Place de la République in light rain. Many carried home-made
placards, and a group of refuse collectors pushed a wheelie bin decorated with the words "64, no
way".

Union leaders said the reform would hit hardest those who started work young and did physically
demanding jobs, and that working people should not pay for the pension system while corporate
profits hit record levels.

The government says the change is needed to keep the pension system out of deficit, and the bill is
currently being debated in parliament.

Unions have warned that they are ready to escalate, with several federations discussing rolling
strikes from early March if the government refuses to withdraw the plan.
""",
        must_contain=[
            "FRANCE saw another day of strikes and marches on Thursday as unions kept up their "
            "campaign against government plans to raise the minimum pension age from 62 to 64.",
            "Unions have warned that they are ready to escalate, with several federations "
            "discussing rolling strikes from early March if the government refuses to withdraw "
            "the plan.",
        ],
    ),
    Article(
        slug="theatre-company-takes-new-play-to-former-mining-villages",
        template="modern",
        section="culture",
        published="2023-02-17 10:30",
        modified="2023-02-18 08:45",
        title="Theatre company takes new play on tour of former mining villages",
        standfirst="Performances in welfare halls and libraries aim to bring drama back to the "
        "coalfields",
        byline=["Rosa Kendall"],
        tags=["Theatre", "Coalfields"],
        body="""
A SMALL touring theatre company is taking a new play about the 1984-85 miners' strike to 22 former
pit villages, performing in welfare halls, libraries and working men's clubs.

The play follows three generations of one family, from a grandmother who ran a strike kitchen to a
granddaughter working in a warehouse built on the site of the old colliery.

Its writer grew up in one of the villages on the tour and interviewed more than forty people,
including former miners, members of the women's support groups and young people who have never
known the pits.

Tickets cost £8, and in every village the company has recruited a local choir or brass band to
perform before the show.

The company's director said it had deliberately avoided city theatres. "These stories belong to
these places. It would feel wrong to make people travel an hour to see their own history," she
said.

The opening night in a packed welfare hall earlier this week ended with a standing ovation, and
several dates have already sold out.

The tour runs until the end of April and is supported by the Arts Council and a number of mining
heritage trusts.
""",
        must_contain=[
            "A SMALL touring theatre company is taking a new play about the 1984-85 miners' "
            "strike to 22 former pit villages, performing in welfare halls, libraries and "
            "working men's clubs.",
            "The opening night in a packed welfare hall earlier this week ended with a standing "
            "ovation, and several dates have already sold out.",
        ],
    ),
    Article(
        slug="hospital-cleaners-to-be-brought-back-in-house-after-strike",
        template="modern",
        section="britain",
        published="2023-02-20 06:45",
        title="Hospital cleaners to be brought back in-house after strike",
        standfirst="Outsourced staff will move onto NHS contracts with sick pay and better "
        "holidays",
        byline=["Health Correspondent"],
        tags=["Health", "Unions"],
        body="""
CLEANERS, porters and catering staff at the city's two main hospitals are to be brought back into
direct NHS employment after a long campaign that included nine days of strikes.

More than 600 workers have been employed by a private contractor since 2012 on worse terms than
NHS staff doing similar jobs, including statutory sick pay only and fewer days of annual leave.

The hospital trust's board voted on Friday not to renew the contract when it expires in the summer,
and said all staff would transfer onto NHS pay and conditions from the first of July.

Many of the workers are migrants from West Africa, Latin America and Eastern Europe, and the
campaign was organised largely by the workers themselves, with meetings held in four languages.

"During the pandemic we were on the wards every day, and when we got sick we had no sick pay," said
one cleaner who has worked at the hospital for eleven years. "Now we will be treated like everyone
else we work beside."

The trust said the decision reflected its commitment to fairness and would help it to recruit and
keep staff.

Union organisers said they would now turn their attention to two smaller hospitals in the county
where cleaning is still outsourced.
""",
        must_contain=[
            "CLEANERS, porters and catering staff at the city's two main hospitals are to be "
            "brought back into direct NHS employment after a long campaign that included nine "
            "days of strikes.",
            "The hospital trust's board voted on Friday not to renew the contract when it "
            "expires in the summer, and said all staff would transfer onto NHS pay and "
            "conditions from the first of July.",
        ],
    ),
    Article(
        slug="cup-run-ends-in-extra-time-defeat-for-part-timers",
        template="modern",
        section="sport",
        published="2023-02-22 22:10",
        title="Cup run ends in extra-time defeat for part-timers",
        standfirst="Players who work day jobs took the league leaders to the final minutes",
        byline=["Sports Desk"],
        tags=["Football"],
        body="""
THE town's part-time footballers saw their county cup run end in heartbreak last night, beaten 2-1
after extra time by a side two divisions above them.

The home team, whose squad includes a postman, two electricians and a primary school teacher, took
the lead through a penalty midway through the first half and held it until eight minutes from the
end of normal time.

The visitors, who are top of their league and train full-time, equalised with a deflected shot and
scored the winner in the second half of extra time after a goalmouth scramble.

A crowd of almost 2,000, the biggest at the ground for twenty years, stayed to applaud both teams
off the pitch.

The home manager said he could not have asked for more. "Half these lads were at work at seven this
morning. They gave everything they had and they should be proud," he said.

The club will receive a share of the gate receipts, which it plans to spend on new changing rooms
for its youth teams.
""",
        must_contain=[
            "THE town's part-time footballers saw their county cup run end in heartbreak last "
            "night, beaten 2-1 after extra time by a side two divisions above them.",
            "The club will receive a share of the gate receipts, which it plans to spend on new "
            "changing rooms for its youth teams.",
        ],
    ),
    Article(
        slug="bridge-closure-leaves-villages-facing-20-mile-detour",
        template="divsoup",
        section="britain",
        published="2023-02-24 14:00",
        title="Bridge closure leaves villages facing 20-mile detour",
        standfirst="Council says repairs to the Victorian crossing could take until the summer",
        byline=["Hannah Price"],
        body="""
RESIDENTS of three villages face a 20-mile detour to reach the nearest town after engineers closed
a Victorian road bridge over the river on safety grounds.

The county council shut the bridge on Monday after an inspection found serious corrosion in two of
the iron beams that carry the road deck.

The bridge carries the only direct road between the villages and the town, where most residents go
to work, shop and see a doctor. The single bus service that used it has been diverted and now
takes more than an hour each way.

A temporary footbridge is due to open within a fortnight, but there are no plans to let vehicles
across before repairs are complete.

Parents said pupils at the secondary school faced a journey of an hour and a half in each
direction, and farmers warned that milk lorries would struggle on the narrow lanes of the
diversion.

The council said it understood the disruption but could not take any risks with public safety. It
expects the repairs to cost around £2 million and take until the summer.
""",
        must_contain=[
            "RESIDENTS of three villages face a 20-mile detour to reach the nearest town after "
            "engineers closed a Victorian road bridge over the river on safety grounds.",
            "A temporary footbridge is due to open within a fortnight, but there are no plans to "
            "let vehicles across before repairs are complete.",
        ],
    ),
]

# --------------------------------------------------------------------------------------------
# Boilerplate, byte for byte as in the seed pages.

HEADER = """<div id="cookie-banner" role="dialog"><p>We use cookies to improve your experience on \
our website. By continuing to browse you agree to our use of cookies.</p><button>Accept</button>\
</div>
<header class="site-header">
  <a class="logo" href="/"><img src="/themes/star/logo.svg" alt="Daily News Example"></a>
  <nav class="menu--main"><ul>
    <li><a href="/britain">Britain</a></li><li><a href="/world">World</a></li>
    <li><a href="/features">Features</a></li><li><a href="/culture">Culture</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/editorial">Editorial</a></li>
    <li><a href="/subscribe">Subscribe</a></li><li><a href="/user/login">Log in</a></li>
  </ul></nav>
  <form class="search-block-form" action="/search" method="get"><input type="search" \
name="keys" placeholder="Search"><input type="submit" value="Search"></form>
</header>
"""

SKIP_LINK = (
    '<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>\n'
)

FUND_LINES = """\
  <div class="ff-raised">You've Raised:&#163; 3,526</div>
  <div class="ff-need">We need:&#163; 14,474</div>
  <div class="ff-days">28 Days remaining</div>
  <a class="button donate" href="/donate">Donate today</a>
</div>
"""

PROMO_P = """\
  <p>We're a reader-owned co-operative, which means you can become part of the paper too by \
buying shares in the People&#8217;s Press Printing Society.</p>
  <p><a class="button" href="/supporters">Become a supporter</a></p>
</div>
"""

SIDEBAR_BLOCKS = (
    '<div class="block block-coop-promo" id="block-ownedbyourreaders">\n'
    '  <h2 class="block-title">OWNED BY OUR READERS</h2>\n'
    + PROMO_P
    + '<div class="block block-fighting-fund" id="block-fightingfund">\n'
    '  <h2 class="block-title">Fighting fund</h2>\n' + FUND_LINES
)

INLINE_BLOCKS = (
    '<div class="block c2" id="block-ownedbyourreaders">\n'
    "  <p><b>OWNED BY OUR READERS</b></p>\n"
    + PROMO_P
    + '<div class="block c3" id="block-fightingfund">\n'
    "  <p><b>Fighting fund</b></p>\n" + FUND_LINES
)

FOOTER = """<footer class="site-footer">
  <ul class="menu--footer"><li><a href="/about">About us</a></li><li><a href="/contact">Contact\
</a></li>
  <li><a href="/privacy">Privacy policy</a></li><li><a href="/advertise">Advertise</a></li></ul>
  <p>&#169; Daily News Example. All rights reserved. Registered as a newspaper.</p>
</footer>
"""

NEWSLETTER = (
    '<div class="block block-newsletter"><h2>Get the Daily News Example in your inbox</h2><form>'
    '<input type="email" placeholder="Your email"><button>Sign up</button></form></div>\n'
)

MODERN_STYLE = (
    "<style>.visually-hidden{position:absolute!important;clip:rect(1px,1px,1px,1px)}"
    ".ff-raised{font-weight:bold}</style>\n"
    "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)};"
    "gtag('js',new Date());</script>\n"
)

INLINE_PROMO = f'<div class="inline-promo"><p>{esc(PROMO_TEXT)}</p></div>'

# --------------------------------------------------------------------------------------------
# Rendering


def paragraphs(article: Article) -> list[str]:
    return [" ".join(chunk.split()) for chunk in article.body.strip().split("\n\n")]


def body_text(article: Article, para: str) -> str:
    return smart_quotes(para) if article.template == "divsoup" else para


def render_body(article: Article, by_slug: dict[str, Article]) -> str:
    out = []
    for para in paragraphs(article):
        if para == "[promo]":
            out.append(INLINE_PROMO)
        elif para.startswith("[read-more "):
            other = by_slug[para[len("[read-more ") : -1]]
            out.append(
                f'<p class="read-more">Read more: <a href="{other.path}">{esc(other.title)}</a></p>'
            )
        else:
            out.append(f"<p>{esc(body_text(article, para))}</p>")
    return "\n".join(out) + "\n"


def similar_block(article: Article, articles: list[Article]) -> str:
    def key(other: Article):
        gap = abs((other.pub_dt - article.pub_dt).total_seconds())
        return (other.section != article.section, gap, other.slug)

    picks = sorted((a for a in articles if a.slug != article.slug), key=key)[:3]
    items = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>' for a in picks)
    return f'<div class="block block-similar"><h2>Similar stories</h2><ul>{items}</ul></div>\n'


def json_ld(article: Article) -> str:
    people = [{"@type": "Person", "name": name} for name in article.byline]
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso(article.pub_dt),
    }
    if article.mod_dt:
        data["dateModified"] = iso(article.mod_dt)
    data["author"] = people[0] if len(people) == 1 else people
    data["publisher"] = {"@type": "Organization", "name": SITE_NAME}
    data["mainEntityOfPage"] = article.url
    data["keywords"] = ", ".join(article.tags or [])
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def render_modern(article: Article, articles: list[Article], by_slug: dict[str, Article]) -> str:
    title = esc(article.title)
    section = SECTIONS[article.section]
    modified = (
        f'<meta property="article:modified_time" content="{iso(article.mod_dt)}">\n'
        if article.mod_dt
        else ""
    )
    authors = " and ".join(
        f'<a href="/author/{slugify(name)}">{esc(name)}</a>' for name in article.byline
    )
    tags = "".join(
        f'<li><a href="/tags/{slugify(tag)}">{esc(tag)}</a></li>' for tag in article.tags or []
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{article.lang}" dir="ltr">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{title} | {SITE_NAME}</title>\n"
        f'<meta name="description" content="{esc(article.standfirst)}">\n'
        f'<link rel="canonical" href="{article.url}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="og:url" content="{article.url}">\n'
        f'<meta property="og:site_name" content="{SITE_NAME}">\n'
        f'<meta property="article:published_time" content="{iso(article.pub_dt)}">\n'
        f"{modified}"
        f'<meta property="article:section" content="{section}">\n'
        f'<meta name="author" content="{esc(", ".join(article.byline))}">\n'
        f'<script type="application/ld+json">{json_ld(article)}</script>\n'
        f"{MODERN_STYLE}"
        "</head>\n"
        '<body class="path-node page-node-type-article">\n'
        "\n"
        f"{SKIP_LINK}{HEADER}"
        "\n"
        '<div class="layout-container">\n'
        '<main role="main"><a id="main-content" tabindex="-1"></a>\n'
        '<div class="region region-content">\n'
        '<article class="node node--type-article node--view-mode-full">\n'
        f'  <div class="field field--name-field-section"><a href="/{article.section}">{section}'
        "</a></div>\n"
        f'  <h1 class="page-title"><span>{title}</span></h1>\n'
        '  <div class="field field--name-field-standfirst">'
        f"<p>{esc(article.standfirst)}</p></div>\n"
        f'  <div class="byline">by {authors} <time datetime="{iso(article.pub_dt)}">'
        f"{article.pub_dt:%Y-%m-%d}</time></div>\n"
        '  <div class="share-buttons"><a href="https://twitter.com/share">Share on Twitter</a> '
        '<a href="https://facebook.com/sharer">Share on Facebook</a> '
        '<a href="mailto:?subject=article">Email</a></div>\n'
        '  <div class="clearfix text-formatted field field--name-body '
        'field--type-text-with-summary">\n'
        f"{render_body(article, by_slug)}"
        "  </div>\n"
        f'  <ul class="field field--name-field-tags">{tags}</ul>\n'
        "</article>\n"
        f"{similar_block(article, articles)}"
        "</div>\n"
        "</main>\n"
        '<aside class="layout-sidebar-second" role="complementary">\n'
        "\n"
        f"{SIDEBAR_BLOCKS}"
        "\n"
        f"{NEWSLETTER}"
        "</aside>\n"
        "</div>\n"
        "\n"
        f"{FOOTER}"
        "\n"
        "</body>\n"
        "</html>\n"
    )


def render_divsoup(article: Article, articles: list[Article], by_slug: dict[str, Article]) -> str:
    title = esc(article.title)
    html_tag = "<html>" if article.lang == "en" else f'<html lang="{article.lang}">'
    return (
        "<!DOCTYPE html>\n"
        f"{html_tag}\n"
        "<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{title} | {SITE_NAME}</title>\n"
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="article:published_time" content="{iso(article.pub_dt)}">\n'
        "<script>var ads=[];</script>\n"
        "</head>\n"
        "<body>\n"
        '<div id="top"><a href="#content">Skip to main content</a></div>\n'
        '<div id="wrap">\n'
        "\n"
        f"{HEADER}"
        "\n"
        '<div id="content" class="col-main">\n'
        f'<div class="title"><h1>{title}</h1></div>\n'
        f'<div class="sub"><p>{esc(article.standfirst)}</p></div>\n'
        f'<div class="auth">{esc(", ".join(article.byline))} &middot; '
        f"{article.pub_dt:%Y-%m-%d}</div>\n"
        '<div class="txt">\n'
        f"{render_body(article, by_slug)}"
        "</div>\n"
        "\n"
        f"{INLINE_BLOCKS}"
        "\n"
        f"{similar_block(article, articles)}"
        "</div>\n"
        "</div>\n"
        "\n"
        f"{FOOTER}"
        "\n"
        "</body>\n"
        "</html>\n"
    )


def teaser(article: Article, query: str = "") -> str:
    return (
        f'<div class="teaser"><h2><a href="{article.path}{query}">{esc(article.title)}</a></h2>'
        f"<p>{esc(article.standfirst)}</p></div>"
    )


def render_listing(title: str, head_extra: str, main: str) -> str:
    """A page in the front page's template (front page, section pages)."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="/rss.xml">'
        f"{head_extra}</head>\n"
        "<body>\n"
        f"{SKIP_LINK}{HEADER}"
        f'<main>{main}<a href="/about">About us</a></main><aside>\n'
        f"{SIDEBAR_BLOCKS}"
        "</aside>\n"
        f"{FOOTER}"
        "</body></html>\n"
    )


def render_index(newest: list[Article]) -> str:
    teasers = "".join(teaser(a, "?utm_source=homepage") for a in newest[:FRONT_PAGE_COUNT])
    links = "".join(f'<li><a href="/{key}">{name}</a></li>' for key, name in SECTIONS.items())
    main = f'{teasers}<div class="section-links"><h2>Sections</h2><ul>{links}</ul></div>'
    atom = (
        f'\n<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} (Atom)" '
        'href="/atom.xml">'
    )
    return render_listing(SITE_NAME, atom, main)


def section_pages(newest: list[Article]) -> dict[str, str]:
    pages = {}
    for key, name in SECTIONS.items():
        items = [a for a in newest if a.section == key]
        chunks = [items[i : i + SECTION_PAGE_SIZE] for i in range(0, len(items), SECTION_PAGE_SIZE)]
        for number, chunk in enumerate(chunks, start=1):
            page = key if number == 1 else f"{key}-page-{number}"
            prev_page = None
            if number > 1:
                prev_page = key if number == 2 else f"{key}-page-{number - 1}"
            next_page = f"{key}-page-{number + 1}" if number < len(chunks) else None
            head, pager = "", []
            if prev_page:
                head += f'\n<link rel="prev" href="/{prev_page}">'
                pager.append(f'<a rel="prev" href="/{prev_page}">Newer stories</a>')
            if next_page:
                head += f'\n<link rel="next" href="/{next_page}">'
                pager.append(f'<a rel="next" href="/{next_page}">Older stories</a>')
            heading = name if number == 1 else f"{name} \u2013 page {number}"
            main = (
                f'<div class="section-header"><h1>{esc(heading)}</h1></div>'
                + "".join(teaser(a) for a in chunk)
                + (f'<nav class="pager">{" ".join(pager)}</nav>' if pager else "")
            )
            pages[f"{page}.html"] = render_listing(f"{heading} | {SITE_NAME}", head, main)
    return pages


# --------------------------------------------------------------------------------------------
# Discovery files


def render_rss(newest: list[Article]) -> str:
    items = "".join(
        "<item>"
        f"<title>{esc(a.title)}</title>"
        f"<link>{a.url}</link>"
        f'<guid isPermaLink="true">{a.url}</guid>'
        f"<pubDate>{format_datetime(a.pub_dt)}</pubDate>"
        f"<category>{SECTIONS[a.section]}</category>"
        f"<description>{esc(a.standfirst)}</description>"
        "</item>"
        for a in newest[:RSS_COUNT]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0"><channel><title>{SITE_NAME}</title><link>{ORIGIN}/</link>'
        "<description>Latest</description>"
        f"<lastBuildDate>{format_datetime(newest[0].pub_dt)}</lastBuildDate>"
        f"{items}</channel></rss>\n"
    )


def render_atom(newest: list[Article]) -> str:
    entries = []
    for a in newest:
        lang = "" if a.lang == "en" else f' xml:lang="{a.lang}"'
        authors = "".join(f"<author><name>{esc(n)}</name></author>" for n in a.byline)
        entries.append(
            f"<entry{lang}>"
            f"<title>{esc(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{a.url}"/>'
            f"<id>{a.url}</id>"
            f"<published>{iso(a.pub_dt)}</published>"
            f"<updated>{iso(a.last_dt)}</updated>"
            f"{authors if a.template == 'modern' else ''}"
            f'<category term="{a.section}" label="{SECTIONS[a.section]}"/>'
            f"<summary>{esc(a.standfirst)}</summary>"
            "</entry>\n"
        )
    updated = max(a.last_dt for a in newest)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"<title>{SITE_NAME}</title><subtitle>Latest</subtitle>\n"
        f'<link rel="alternate" type="text/html" href="{ORIGIN}/"/>\n'
        f'<link rel="self" type="application/atom+xml" href="{ORIGIN}/atom.xml"/>\n'
        f"<id>{ORIGIN}/</id><updated>{iso(updated)}</updated>\n"
        f"<author><name>{SITE_NAME}</name></author>\n" + "".join(entries) + "</feed>\n"
    )


def render_news_sitemap(newest: list[Article]) -> str:
    urls = "".join(
        f"<url><loc>{a.url}</loc><lastmod>{iso(a.last_dt)}</lastmod><news:news>"
        f"<news:publication><news:name>{SITE_NAME}</news:name>"
        f"<news:language>{a.lang}</news:language></news:publication>"
        f"<news:publication_date>{iso(a.pub_dt)}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>"
        for a in newest[:NEWS_SITEMAP_COUNT]
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>\n'
    )


def render_archive_sitemap(oldest: list[Article]) -> str:
    urls = "".join(
        f"<url><loc>{a.url}</loc><lastmod>{iso(a.last_dt)}</lastmod></url>\n" for a in oldest
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )


def render_sitemap_index(newest: list[Article]) -> str:
    news_mod = max(a.last_dt for a in newest[:NEWS_SITEMAP_COUNT])
    all_mod = max(a.last_dt for a in newest)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{ORIGIN}/sitemap-news.xml</loc><lastmod>{iso(news_mod)}</lastmod>"
        "</sitemap>"
        f"<sitemap><loc>{ORIGIN}/sitemap-archive.xml.gz</loc><lastmod>{iso(all_mod)}</lastmod>"
        "</sitemap></sitemapindex>\n"
    )


ROBOTS = f"User-agent: *\nDisallow: /user/\nSitemap: {ORIGIN}/sitemap.xml\n"

README = f"""\
# demo_site: the news site that `archiver demo` serves and crawls

A small, self-contained news site ("{SITE_NAME}") that `archiver demo` serves on 127.0.0.1
and crawls, so the whole pipeline can be tried offline. It grows out of the seed page: the four
articles in the `seed-site` fixture (`shared/fixtures/seed-site/`, itself rendered from a real
news page as a naive scraper saw it) are copied verbatim, and {{new}} more articles are written in
the same two page templates with byte-for-byte the same boilerplate (skip link, cookie banner,
header menu, "OWNED BY OUR READERS" promo, fighting fund box, similar stories, newsletter box,
footer), so one set of cleaning rules fits every page.

- `article/f/<slug>.html`: {{total}} articles, served as `/article/f/<slug>`. {{modern}} use the
  modern template (`<article>`, Open Graph, JSON-LD NewsArticle, byline, tags list); {{divsoup}}
  use the div-soup template (`div#content.col-main`, `div.txt`, the promo and fund boxes inside
  the content column, no og:type, no author metadata: the `div.auth` line is plain text). Two
  are in Spanish; four carry an inline membership promo and a "Read more:" line between
  paragraphs.
- `index.html`: the front page, the {FRONT_PAGE_COUNT} newest stories linked with
  `?utm_source=homepage`, and links to the sections.
- `britain.html`, `britain-page-2.html`, `world.html`, `culture.html`, `sport.html`,
  `features.html`: section pages (`/britain`, `/britain-page-2`, ...), teasers only.
- `rss.xml` (RSS 2.0, the {RSS_COUNT} newest) and `atom.xml` (Atom 1.0, every article).
- `sitemap.xml`: a sitemap index of `sitemap-news.xml` (Google News, the {NEWS_SITEMAP_COUNT}
  newest) and `sitemap-archive.xml.gz` (every article, with lastmod).
- `robots.txt`: `Disallow: /user/` and the `Sitemap:` line.
- `expected.json`: per article path, the title, author (null where the markup has none; two
  authors joined with "; "), date, language, tags, sentences the clean text must contain and
  boilerplate it must not contain. The four seed entries are the fixture's, unchanged.

Every absolute URL starts with `{ORIGIN}`: the demo server replaces that origin
with its own in every body it sends, and serves `/<name>` from `<name>.html`.

Do not edit these files by hand. They are generated by `tools/build_demo_site.py` (standard
library only, same bytes on every run):

    python tools/build_demo_site.py             # seeds: shared/fixtures/seed-site by the repo
    python tools/build_demo_site.py --seed DIR  # or from another copy of that fixture

Without a fixture at hand it keeps the seed copies already in this folder. The script checks its
own data (word and paragraph counts, must_contain sentences present, no boilerplate phrase in
the prose) before it writes anything.
"""


def expected_entry(article: Article) -> dict:
    return {
        "title": article.title,
        "author": article.author,
        "date": f"{article.pub_dt:%Y-%m-%d}",
        "language": article.lang,
        "tags": list(article.tags) if article.template == "modern" and article.tags else None,
        "must_contain": [body_text(article, s) for s in article.must_contain],
        "must_not_contain": BOILERPLATE + EXTRA_BOILERPLATE,
    }


# --------------------------------------------------------------------------------------------
# Checks on the data, so a bad edit fails loudly instead of shipping a broken demo.


def check(articles: list[Article]) -> None:
    slugs = [a.slug for a in articles]
    assert len(set(slugs)) == len(slugs), "duplicate slug"
    stamps = [a.published for a in articles]
    assert len(set(stamps)) == len(stamps), "two articles share a publication time"
    for a in articles:
        if a.seed:
            continue
        assert a.section in SECTIONS and a.template in ("modern", "divsoup"), a.slug
        prose = [body_text(a, p) for p in paragraphs(a) if not p.startswith("[")]
        words = sum(len(p.split()) for p in prose)
        assert 150 <= words <= 450, f"{a.slug}: {words} words"
        assert 4 <= len(prose) <= 8, f"{a.slug}: {len(prose)} paragraphs"
        assert 2 <= len(a.must_contain) <= 4, a.slug
        for sentence in a.must_contain:
            assert any(body_text(a, sentence) in p for p in prose), f"{a.slug}: {sentence}"
        lowered = " ".join(prose + [a.title, a.standfirst]).lower()
        for phrase in BOILERPLATE + EXTRA_BOILERPLATE:
            assert phrase.lower() not in lowered, f"{a.slug}: prose contains {phrase!r}"
        if a.template == "modern":
            assert a.tags, a.slug
        assert a.published.startswith(("2023-01", "2023-02")), a.slug


# --------------------------------------------------------------------------------------------


def find_seed_dir(explicit: str | None) -> Path | None:
    candidates = [explicit, os.environ.get("DEMO_SEED_DIR")]
    candidates += [str(REPO.parent / "shared" / "fixtures" / "seed-site")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "expected.json").is_file():
            return Path(candidate)
    return None


def write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def build(seed_dir: Path | None, out: Path = OUT) -> list[Path]:
    articles = SEEDS + NEW
    check(articles)
    by_slug = {a.slug: a for a in articles}
    newest = sorted(articles, key=lambda a: a.pub_dt, reverse=True)
    files: dict[str, bytes | str] = {}

    # 1. the seed articles and their expected entries, verbatim
    source = seed_dir if seed_dir is not None else out
    seed_expected = json.loads((source / "expected.json").read_text(encoding="utf-8"))
    pages = {}
    for seed in SEEDS:
        rel = f"article/f/{seed.slug}.html"
        files[rel] = (source / rel).read_bytes()
        pages[seed.path] = seed_expected["pages"][seed.path]

    # 2. the new articles
    for a in sorted(NEW, key=lambda a: a.pub_dt):
        render = render_modern if a.template == "modern" else render_divsoup
        files[f"article/f/{a.slug}.html"] = render(a, articles, by_slug)
        pages[a.path] = expected_entry(a)

    # 3.-5. front page, section pages, discovery files
    files["index.html"] = render_index(newest)
    files.update(section_pages(newest))
    files["rss.xml"] = render_rss(newest)
    files["atom.xml"] = render_atom(newest)
    files["sitemap.xml"] = render_sitemap_index(newest)
    files["sitemap-news.xml"] = render_news_sitemap(newest)
    archive = render_archive_sitemap(newest[::-1]).encode("utf-8")
    files["sitemap-archive.xml.gz"] = gzip.compress(archive, compresslevel=9, mtime=0)
    files["robots.txt"] = ROBOTS

    # 6.-7. expected.json and the README
    expected = {"base_url": ORIGIN, "pages": pages}
    files["expected.json"] = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    files["README.md"] = README.format(
        new=len(NEW),
        total=len(articles),
        modern=sum(a.template == "modern" for a in articles),
        divsoup=sum(a.template == "divsoup" for a in articles),
    )

    # drop article pages this script no longer makes, so reruns converge
    for stale in sorted((out / "article" / "f").glob("*.html")):
        if f"article/f/{stale.name}" not in files:
            stale.unlink()
    written = []
    for rel, data in sorted(files.items()):
        write(out / rel, data)
        written.append(out / rel)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", help="the seed-site fixture folder (default: auto)")
    parser.add_argument("--out", default=str(OUT), help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    seed_dir = find_seed_dir(args.seed)
    if seed_dir is None and not (out / "expected.json").is_file():
        parser.error("no seed-site fixture found: pass --seed DIR")
    written = build(seed_dir, out)
    origin = seed_dir if seed_dir is not None else "the existing copies"
    print(f"wrote {len(written)} files to {out} (seed articles from {origin})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
