"""The Knowledge Hub's demo items (`manage.py setup_hub_demo`, run by setup_demo): a handful of
good practices of the demo teams, published in five of the six UN languages (one anonymous, one
featured, one with a PDF), one proposed by kaz-iat waiting for kaz-coordinator, and one agreed
waiting for unw-reviewer, so that a new user finds a working hub and non-empty queues.

Every item goes through hub.services (propose → agree → publish), so its history, captured
ratings and search vector are what a real item would have. An item is recognised by its team
and title: running this again adds nothing. The texts are data in their own language, not
interface strings: they are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from core import services as core_services
from core.models import CountryTeam, Membership, Notification
from scorecard import selectors as scorecard_selectors
from scorecard.models import Indicator

from . import services
from .models import Practice

Status = Practice.Status

# Demoland's team has no coordinator among setup_demo's users: the hub needs one to agree.
XDL_COORDINATOR = ("xdl-coordinator", "Aïcha Diallo", "XDL")


@dataclass(frozen=True)
class DemoItem:
    team: str  # country team code
    author: str
    agreed_by: str
    published_by: str | None  # None: stays agreed (or proposed, if agreed_by is "")
    language: str
    year: int
    pis: tuple[str, ...]
    title: str
    summary: str
    what_done: str
    result: str
    anonymous: bool = False
    featured: bool = False
    links: tuple[services.Link, ...] = ()
    pdf: tuple[str, str, list[str]] | None = None  # file name, heading, paragraphs
    status: str = Status.PUBLISHED


ITEMS = [
    DemoItem(
        team="KAZ",
        author="kaz-iat",
        agreed_by="kaz-coordinator",
        published_by="unw-reviewer",
        language="en",
        year=2022,
        pis=("2.2",),
        featured=True,
        title="“IT against Violence”: a digital challenge that made students advocates",
        summary=(
            "Within the Spotlight Initiative, the UNCT invited university students and young "
            "graduates to build digital tools that reveal, prevent and respond to gender-based "
            "violence. 835 young people registered and 260 took part; the winning teams joined "
            "the 16 Days of Activism campaign as advocates."
        ),
        what_done=(
            "UN Women, UNDP, UNFPA and UNICEF agreed one joint communication plan for the "
            "challenge: a shared call for applications, mentors from each agency, and one set of "
            "key messages on the economic cost of violence against women. Universities promoted "
            "the call; the Gender Theme Group reviewed every message before it went out."
        ),
        result=(
            "Four prototypes (a safety app, a chatbot for survivors, a data dashboard and an "
            "online course) were presented to the Ministry of Digital Development. The campaign "
            "reached about 1.2 million people on social media, and the joint communication plan "
            "became the model for the UNCT's later advocacy campaigns, which rated PI 2.2 as "
            "Exceeds."
        ),
    ),
    DemoItem(
        team="KAZ",
        author="kaz-iat",
        agreed_by="kaz-coordinator",
        published_by="unw-reviewer",
        language="ru",
        year=2022,
        pis=("5.1",),
        title="Гендерная тематическая группа с ежегодным планом работы и ротацией председателя",
        summary=(
            "Гендерная тематическая группа страновой команды ООН работает по ежегодному плану, "
            "утверждённому руководителями агентств, и отчитывается перед СКООН дважды в год. "
            "Председательство переходит от одного агентства к другому каждые два года."
        ),
        what_done=(
            "Группа согласовала круг ведения с чёткими ролями: сопредседатели от UN Women и "
            "ПРООН, координатор по мониторингу, представители всех групп по результатам. "
            "В план работы вошли экспертиза проектов Рамочной программы сотрудничества на "
            "предмет учёта гендерной проблематики и подготовка оценки по показателям UNCT-SWAP."
        ),
        result=(
            "Все группы по результатам назначили гендерных координаторов, а участие "
            "руководителей агентств в заседаниях выросло с 40 % до 85 %. Оценочная группа "
            "поставила показателю 5.1 оценку «соответствует требованиям»."
        ),
    ),
    DemoItem(
        team="KAZ",
        author="kaz-iat",
        agreed_by="kaz-coordinator",
        published_by="unw-reviewer",
        language="en",
        year=2023,
        pis=("5.2",),
        anonymous=True,
        title="A two-hour gender mainstreaming course that every programme officer completes",
        summary=(
            "A short, practical course on gender analysis, sex-disaggregated data and the gender "
            "equality marker, required of all programme staff of the UNCT and followed by a "
            "capacity assessment one year later."
        ),
        what_done=(
            "The IAT adapted UN Women's “I Know Gender” modules to the country: three national "
            "case studies, one exercise on the joint work plans, and a quiz. Heads of agencies "
            "made the course part of every programme officer's performance objectives."
        ),
        result=(
            "92 % of programme staff completed the course within six months; the capacity "
            "assessment showed that the share of staff confident in applying the gender marker "
            "rose from 35 % to 71 %."
        ),
        links=(
            services.Link(
                url="https://portal.trainingcentre.unwomen.org/",
                title="UN Women Training Centre: I Know Gender",
            ),
        ),
    ),
    DemoItem(
        team="XDL",
        author="other-iat",
        agreed_by=XDL_COORDINATOR[0],
        published_by="unw-reviewer-africa",
        language="fr",
        year=2022,
        pis=("1.1",),
        title="Une analyse de genre dans chaque chapitre de l'Analyse commune de pays",
        summary=(
            "Plutôt qu'un chapitre « genre » isolé, l'équipe de pays a intégré une analyse des "
            "inégalités entre les femmes et les hommes dans chacun des chapitres sectoriels de "
            "l'Analyse commune de pays, avec des données ventilées par sexe."
        ),
        what_done=(
            "Le groupe thématique genre a rédigé une liste de contrôle d'une page pour les "
            "auteurs de chaque chapitre et a relu toutes les versions. Les organisations de "
            "défense des droits des femmes ont été consultées lors de deux ateliers, à la "
            "capitale et en région."
        ),
        result=(
            "Quatorze chapitres sur seize présentent désormais les causes profondes des "
            "inégalités et des données ventilées par sexe ; l'indicateur 1.1 a été noté « "
            "satisfait aux exigences ». La liste de contrôle est jointe."
        ),
        pdf=(
            "liste-de-controle-analyse-de-genre.pdf",
            "Liste de contrôle : l'analyse de genre dans l'Analyse commune de pays",
            [
                "1. Le chapitre présente-t-il des données ventilées par sexe et par âge pour "
                "chaque constat important ?",
                "2. Les causes profondes des inégalités entre les femmes et les hommes "
                "(normes sociales, lois, accès aux ressources) sont-elles analysées ?",
                "3. Les groupes de femmes les plus laissés pour compte sont-ils nommés ?",
                "4. Les engagements du pays (CEDEF, Programme d'action de Beijing, ODD 5) "
                "sont-ils cités là où ils s'appliquent ?",
                "5. Les organisations de défense des droits des femmes ont-elles été "
                "consultées, et leurs contributions sont-elles reflétées ?",
            ],
        ),
    ),
    DemoItem(
        team="XDL",
        author="other-iat",
        agreed_by=XDL_COORDINATOR[0],
        published_by="unw-reviewer-africa",
        language="es",
        year=2022,
        pis=("6.1",),
        title="Marcador de igualdad de género en todos los planes de trabajo conjuntos",
        summary=(
            "El equipo de país aplicó el marcador de igualdad de género a cada producto de los "
            "planes de trabajo conjuntos en UN INFO y publicó cada año el porcentaje del "
            "presupuesto dedicado a la igualdad de género y el empoderamiento de las mujeres."
        ),
        what_done=(
            "El grupo de monitoreo y evaluación capacitó a los puntos focales de cada agencia "
            "para codificar los productos con el marcador (0 a 3) y revisó la codificación con "
            "el grupo temático de género antes de cerrar los planes de trabajo."
        ),
        result=(
            "El 100 % de los productos está codificado y el 18 % del presupuesto conjunto se "
            "destina a productos cuyo objetivo principal es la igualdad de género, por encima "
            "de la meta del 15 % fijada por el equipo de país."
        ),
    ),
    DemoItem(
        team="XDL",
        author="other-iat",
        agreed_by=XDL_COORDINATOR[0],
        published_by="unw-reviewer-africa",
        language="fr",
        year=2023,
        pis=("1.2", "1.3"),
        title="Des effets et des indicateurs du Cadre de coopération qui mesurent l'égalité",
        summary=(
            "Le Cadre de coopération comprend un effet consacré à l'égalité des sexes et des "
            "indicateurs ventilés par sexe dans tous les autres effets, définis avec le "
            "ministère de la Femme et la société civile."
        ),
        what_done=(
            "Lors de la retraite de planification, chaque groupe de résultats a reçu une fiche "
            "d'indicateurs sensibles au genre tirés des ODD ; le groupe thématique genre a "
            "vérifié la ventilation par sexe avant la validation par le gouvernement."
        ),
        result=(
            "Un tiers des indicateurs d'effet mesurent désormais des changements dans "
            "l'égalité des sexes, ce qui permet au rapport annuel de l'équipe de pays de "
            "rendre compte des progrès pour les femmes et les filles."
        ),
    ),
    DemoItem(
        team="XDL",
        author="other-iat",
        agreed_by=XDL_COORDINATOR[0],
        published_by="unw-reviewer-africa",
        language="ar",
        year=2023,
        pis=("3.2",),
        title="مشاورات منتظمة مع منظمات حقوق المرأة في إعداد إطار التعاون",
        summary=(
            "عقد فريق الأمم المتحدة القطري مشاورات منتظمة مع منظمات المجتمع المدني العاملة في "
            "مجال المساواة بين الجنسين وتمكين المرأة، في كل مرحلة من مراحل إعداد إطار التعاون "
            "ومتابعته."
        ),
        what_done=(
            "أنشأ الفريق مجموعة استشارية تضم اثنتي عشرة منظمة نسائية من العاصمة والمناطق "
            "الريفية، تجتمع كل ثلاثة أشهر مع فريق إدارة البرامج، وتتلقى مسودات الوثائق قبل "
            "اعتمادها بأسبوعين."
        ),
        result=(
            "أُدرجت توصيات المنظمات بشأن العنف ضد المرأة والتمكين الاقتصادي في نتائج إطار "
            "التعاون، وحصل المؤشر 3.2 على تقدير «يفي بالمتطلبات»."
        ),
    ),
    # Waiting for kaz-coordinator: proposed, not agreed.
    DemoItem(
        team="KAZ",
        author="kaz-iat",
        agreed_by="",
        published_by=None,
        status=Status.PROPOSED,
        language="en",
        year=2023,
        pis=("4.3",),
        title="Gender parity in the UNCT: an annual staffing snapshot for heads of agencies",
        summary=(
            "Each January, the Operations Management Team compiles the share of women at each "
            "grade in every agency and presents it to the heads of agencies with one target per "
            "agency for the year."
        ),
        what_done=(
            "The snapshot uses the parity data the agencies already report; the Resident "
            "Coordinator asks each head of agency for one concrete measure (recruitment panels, "
            "flexible working, mentoring)."
        ),
        result="Women now hold 48 % of senior posts, up from 38 % two years earlier.",
    ),
    # Waiting for unw-reviewer: agreed by the team, not yet published.
    DemoItem(
        team="KAZ",
        author="kaz-iat",
        agreed_by="kaz-coordinator",
        published_by=None,
        status=Status.AGREED,
        language="ru",
        year=2023,
        pis=("2.3",),
        title="Мониторинг Рамочной программы с показателями в разбивке по полу",
        summary=(
            "План мониторинга и оценки Рамочной программы сотрудничества предусматривает "
            "разбивку всех показателей по полу и ежегодный обзор прогресса в области "
            "гендерного равенства совместно с правительством."
        ),
        what_done=(
            "Группа по мониторингу и оценке проверила все показатели в UN INFO и добавила "
            "разбивку по полу там, где её не было; гендерная тематическая группа участвует в "
            "ежегодном обзоре."
        ),
        result="Доля показателей с разбивкой по полу выросла с 45 % до 90 %.",
    ),
]


def _pdf(heading: str, paragraphs: list[str], language: str) -> bytes:
    """A small PDF with the item's own text (weasyprint, as the reports use)."""
    from weasyprint import HTML  # noqa: PLC0415 -- heavy import, only when a PDF is made

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        f'<html lang="{language}"><head><meta charset="utf-8"><title>{escape(heading)}</title>'
        f"</head><body><h1>{escape(heading)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def _xdl_coordinator(password: str) -> User | None:
    username, full_name, code = XDL_COORDINATOR
    team = CountryTeam.objects.filter(code=code).first()
    if team is None:
        return None
    user, _created = User.objects.get_or_create(username=username)
    user.first_name, _sep, user.last_name = full_name.partition(" ")
    user.email = f"{username}@example.org"
    user.set_password(password)
    user.save()
    core_services.set_membership(user=user, country_team=team, role=Membership.Role.IAT_COORDINATOR)
    return user


@transaction.atomic
def load(*, password: str) -> tuple[int, int]:
    """The demo items that are missing (by team and title); returns (added, already there).
    Items whose team, users or PIs are not in the database are skipped."""
    _xdl_coordinator(password)
    # The steps below notify as in real use; the demo's own history is not news to anyone.
    latest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    framework = scorecard_selectors.current_framework()
    users = {user.username: user for user in User.objects.all()}
    teams = {team.code: team for team in CountryTeam.objects.all()}
    added = kept = 0
    for item in ITEMS:
        team = teams.get(item.team)
        needed = [item.author, item.agreed_by, item.published_by or "", "admin"]
        if team is None or framework is None or not all(users.get(n) for n in needed if n):
            continue
        author = users[item.author]
        if Practice.objects.filter(country_team=team, title=item.title).exists():
            kept += 1
            continue
        indicators = list(Indicator.objects.filter(framework=framework, code__in=item.pis))
        files = []
        if item.pdf:
            name, heading, paragraphs = item.pdf
            files.append(
                SimpleUploadedFile(
                    name, _pdf(heading, paragraphs, item.language), "application/pdf"
                )
            )
        practice = services.propose_practice(
            country_team=team,
            by=author,
            title=item.title,
            summary=item.summary,
            what_done=item.what_done,
            result=item.result,
            indicators=indicators,
            dimension=None,
            year=item.year,
            language=item.language,
            anonymous=item.anonymous,
            files=files,
            links=item.links,
        )
        added += 1
        if item.status == Status.PROPOSED:
            continue
        practice = services.agree_by_team(practice=practice, by=users[item.agreed_by])
        if item.status == Status.AGREED or item.published_by is None:
            continue
        practice = services.publish(practice=practice, by=users[item.published_by])
        if item.featured:
            services.feature(practice=practice, by=users["admin"])
    Notification.objects.filter(pk__gt=latest, read_at=None).update(read_at=timezone.now())
    return added, kept
