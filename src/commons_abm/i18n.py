"""English and French: the words and number formats of what people read.

The teaching app (and the reports for communities) speak English or French, switchable.
:data:`TEXT` holds every label, in both languages; :func:`tr` picks one, :func:`number`,
:func:`percent` and :func:`eur` write numbers as each language does (French: a decimal
comma, a narrow no-break space between thousands and before ``%`` and ``€``; Imprimerie
nationale, *Lexique des règles typographiques*).
"""

from __future__ import annotations

import math

__all__ = ["INDICATORS", "LANGS", "TEXT", "eur", "indicator", "number", "percent", "tr"]

LANGS = ("en", "fr")
NNBSP = "\u202f"  # the narrow no-break space of French typography

# The indicators the app and the reports show, by timeseries column (core.indicators.COLUMNS).
INDICATORS: dict[str, tuple[str, str]] = {
    "trust_institutional": ("trust in the institutions", "confiance dans les institutions"),
    "trust_interpersonal": ("trust between neighbours", "confiance entre voisins"),
    "members_share": ("members' share", "part de membres"),
    "attendance_rate": ("attendance at meetings", "présence aux assemblées"),
    "compliance_rate": ("compliance with the rules", "respect des règles"),
    "cooperation_rate": ("cooperation", "coopération"),
    "community_self_sufficiency": ("community self-sufficiency", "autoproduction de la communauté"),
    "community_self_consumption": ("community self-consumption", "autoconsommation de la communauté"),
    "household_waste_recovery_rate": ("household waste recovered", "déchets ménagers valorisés"),
    "dumping_kg": ("illegal dumping [kg/day]", "dépôts sauvages [kg/jour]"),
    "satisfaction": ("satisfaction", "satisfaction"),
    "hub_open_hours": ("repair hub opening [h/day]", "ouverture de la recyclerie [h/jour]"),
    "bill_saving_eur_per_participant": ("saving per participant [EUR/day]", "économie par participant [€/jour]"),
}

TEXT: dict[str, tuple[str, str]] = {
    # the page
    "app_title": ("commons-abm: a commons, live", "commons-abm : un commun, en direct"),
    "tab_live": ("Live", "En direct"),
    "tab_side": ("Side by side", "Côte à côte"),
    "tab_lessons": ("Lessons", "Leçons"),
    "language": ("Language", "Langue"),
    # the sidebar
    "scenario": ("Scenario", "Scénario"),
    "rulebook": ("Rulebook", "Règlement"),
    "seed": ("Seed", "Graine aléatoire"),
    "lever_membership": (
        "Members of the energy community at the start [share]",
        "Membres de la communauté d'énergie au départ [part]",
    ),
    "lever_trust": ("Trust in the institutions at the start [0-1]", "Confiance dans les institutions au départ [0-1]"),
    "lever_degree": ("Ties per agent [mean]", "Liens par agent [moyenne]"),
    # the network
    "day_members": ("Day {day}: {members} members", "Jour {day} : {members} de membres"),
    "household": ("household", "ménage"),
    "firm": ("firm", "entreprise"),
    "official": ("official", "élu"),
    "legend_colours": (
        "green: member keeping to its share; orange: member not keeping to it; grey: outside",
        "vert : membre qui tient sa part ; orange : membre qui ne la tient pas ; gris : hors communauté",
    ),
    # the events
    "events": ("Events", "Événements"),
    "no_event": ("No event yet.", "Aucun événement pour l'instant."),
    "day": ("day", "jour"),
    "agents": ("agents", "agents"),
    "event_meeting": ("meeting", "assemblée"),
    "event_officials_at_meeting": ("officials at the meeting", "élus à l'assemblée"),
    "event_sanction": ("sanction", "sanction"),
    "event_wrongful_sanction": ("wrongful sanction", "sanction injustifiée"),
    "event_mediation": ("mediation", "médiation"),
    "event_exclusion": ("exclusion", "exclusion"),
    "event_override": ("override by officials", "règles annulées par les élus"),
    "event_election": ("election", "élection"),
    "event_shock": ("shock", "choc"),
    "event_shock_over": ("shock over", "fin du choc"),
    "event_rules_adopted": ("new rules adopted", "nouvelles règles adoptées"),
    # the charts
    "chart_trust": ("Trust", "Confiance"),
    "chart_participation": ("Participation and compliance", "Participation et respect des règles"),
    "chart_flows": ("Energy and materials", "Énergie et matières"),
    "chart_dumping": ("Illegal dumping", "Dépôts sauvages"),
    "value": ("value", "valeur"),
    "series": ("series", "série"),
    "hour": ("hour", "heure"),
    "kwh": ("kWh", "kWh"),
    "energy_day": ("Energy flows of day {day} [kWh per hour]", "Flux d'énergie du jour {day} [kWh par heure]"),
    "no_day_yet": ("Step the model to see a day.", "Faites avancer le modèle pour voir une journée."),
    "flow_pv": ("solar production", "production solaire"),
    "flow_demand": ("consumption", "consommation"),
    "flow_self_consumed": ("used on site", "consommée sur place"),
    "flow_pool_direct": ("shared in the community", "partagée dans la communauté"),
    "flow_battery_charge": ("into the battery", "vers la batterie"),
    "flow_battery_discharge": ("from the battery", "depuis la batterie"),
    "flow_import": ("bought from the grid", "achetée au réseau"),
    "flow_export": ("sold to the grid", "vendue au réseau"),
    "money": ("Money per household and month since day 0 [EUR]", "Argent par ménage et par mois depuis le jour 0 [€]"),
    "money_bill": ("energy bill", "facture d'énergie"),
    "money_fee": ("fee", "cotisation"),
    "money_fines": ("fines", "amendes"),
    "money_saving": ("saving from sharing", "économie grâce au partage"),
    "group_with_pv": ("with PV", "avec panneaux"),
    "group_without_pv": ("without PV", "sans panneaux"),
    "group_energy_poor": ("energy-poor", "précaires énergétiques"),
    "amount": ("amount", "montant"),
    "group": ("households", "ménages"),
    # the rules
    "rules": ("Rules in force: {name}", "Règles en vigueur : {name}"),
    "no_rulebook": ("These rules cannot be changed here.", "Ces règles ne se modifient pas ici."),
    "lever_fee": ("Members' fee [EUR/month]", "Cotisation des membres [€/mois]"),
    "lever_detection": ("Chance a breach is seen [0-1]", "Probabilité qu'une infraction soit vue [0-1]"),
    "lever_meetings": ("Days between meetings [days]", "Jours entre deux assemblées [jours]"),
    "apply_rules": ("Adopt from tomorrow", "Adopter dès demain"),
    "upload": ("Drop a rulebook (TOML) here", "Déposez un règlement (TOML) ici"),
    "uploaded": ("Rulebook {name} adopted from tomorrow.", "Règlement {name} adopté dès demain."),
    "adopted": ("Rules adopted from day {day}.", "Règles adoptées à partir du jour {day}."),
    # the shocks
    "shocks": ("Shocks", "Chocs"),
    "shock_now": ("Start now", "Déclencher"),
    "active_shocks": ("On now: {names}", "En cours : {names}"),
    "no_shock": ("No shock on.", "Aucun choc en cours."),
    # side by side
    "rulebook_a": ("Rulebook A", "Règlement A"),
    "rulebook_b": ("Rulebook B", "Règlement B"),
    "days_per_press": ("Days per press", "Jours par clic"),
    "advance": ("Advance", "Avancer"),
    "play": ("Play", "Lecture"),
    "pause": ("Pause", "Pause"),
    "reset": ("Reset", "Réinitialiser"),
    "same_seed": (
        "Same territory, same seed {seed}: only the rules differ. Day {day}.",
        "Même territoire, même graine {seed} : seules les règles diffèrent. Jour {day}.",
    ),
    "difference": ("B minus A", "B moins A"),
    "indicator": ("indicator", "indicateur"),
    # lessons
    "lesson": ("Lesson", "Leçon"),
    "start_lesson": ("Start the lesson", "Commencer la leçon"),
    "steps": ("Steps", "Étapes"),
    "questions": ("Questions for the class", "Questions pour la classe"),
    "observation": ("What the model shows", "Ce que montre le modèle"),
    "lesson_days": ("The lesson runs {days} days.", "La leçon dure {days} jours."),
}


def tr(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (``"en"`` or ``"fr"``), with ``values`` filled in."""
    en, fr = TEXT[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text


def indicator(column: str, lang: str) -> str:
    """An indicator's name in ``lang`` (its column name when it has none)."""
    names = INDICATORS.get(column)
    return column if names is None else names[lang == "fr"]


def number(value: float, lang: str, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, thousands grouped as ``lang`` writes them."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def percent(share: float, lang: str, digits: int = 0) -> str:
    """``share`` (0-1) as a percentage in ``lang``: ``"45%"`` or ``"45 %"``."""
    if share is None or not math.isfinite(share):
        return "–"
    return number(100 * share, lang, digits) + (f"{NNBSP}%" if lang == "fr" else "%")


def eur(value: float, lang: str, digits: int = 2) -> str:
    """An amount in euros in ``lang``: ``"EUR 1,234.50"`` or ``"1 234,50 €"``."""
    if value is None or not math.isfinite(value):
        return "–"
    return number(value, lang, digits) + f"{NNBSP}€" if lang == "fr" else f"EUR {number(value, lang, digits)}"
