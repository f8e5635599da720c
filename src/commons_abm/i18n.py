"""English and French: the words and number formats of what people read.

The teaching app (and the reports for communities) speak English or French, switchable.
:data:`TEXT` holds every label, in both languages; :func:`tr` picks one, :func:`number`,
:func:`percent` and :func:`eur` write numbers as each language does (French: a decimal
comma, a narrow no-break space between thousands and before ``%`` and ``€``; Imprimerie
nationale, *Lexique des règles typographiques*).
"""

from __future__ import annotations

import math

__all__ = ["INDICATORS", "LANGS", "PARAMETERS", "TEXT", "eur", "indicator", "number", "percent", "tr"]

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
    "gini_net_benefit": ("inequality of households' gains (Gini)", "inégalité des gains des ménages (Gini)"),
}

# The parameters a community cannot know before a trial (commons_abm.evaluation.discovery).
PARAMETERS: dict[str, tuple[str, str]] = {
    "behaviour.motives.households.cooperative": ("cooperative households", "ménages coopératifs"),
    "behaviour.conditional_cooperation.free_rider": ("free riders", "passagers clandestins"),
    "behaviour.initial_trust_interpersonal": (
        "trust between neighbours at the start",
        "confiance entre voisins au départ",
    ),
    "behaviour.initial_trust_institutional": (
        "trust in the institutions at the start",
        "confiance dans les institutions au départ",
    ),
    "network.average_degree": ("ties per participant", "liens par participant"),
    "energy.pv.specific_yield_kwh_per_kwp": ("PV yield [kWh/kWp a year]", "productible PV [kWh/kWc par an]"),
    "energy.tariffs.import_eur_per_kwh": ("grid price [EUR/kWh]", "prix du réseau [€/kWh]"),
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
    "group_firm": ("firms", "entreprises"),
    "group_public": ("public buildings", "bâtiments publics"),
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
    # the report for communities (commons_abm.evaluation.report)
    "report_title": (
        "Evaluating a proposed rulebook: {proposal} against {today}",
        "Évaluation d'un règlement proposé : {proposal} face à {today}",
    ),
    "report_intro": (
        "The territory {scenario} ({participants} participants: {households} households, {firms} firms, "
        "{public} public buildings) was simulated for {years} years under today's rulebook ({today}) and "
        "under the proposal ({proposal}), {seeds} times each, the two rulebooks meeting the same "
        "participants, network, weather and motives in each run. The figures are means over the last "
        "year of each run.",
        "Le territoire {scenario} ({participants} participants : {households} ménages, {firms} entreprises, "
        "{public} bâtiments publics) a été simulé sur {years} ans avec le règlement actuel ({today}) et "
        "avec la proposition ({proposal}), {seeds} fois chacun, les deux règlements rencontrant à chaque "
        "simulation les mêmes participants, le même réseau, la même météo et les mêmes motivations. Les "
        "chiffres sont des moyennes sur la dernière année de chaque simulation.",
    ),
    "report_verdict": ("The verdict", "Le verdict"),
    "report_verdict_summary": (
        "The proposal does better on {better} of {total} indicators and worse on {worse}, where the 90 % "
        "interval of the difference lies wholly on one side of zero; on the others the simulations "
        "cannot tell.",
        "La proposition fait mieux sur {better} indicateurs sur {total} et moins bien sur {worse}, là où "
        "l'intervalle à 90 % de la différence est tout entier d'un côté de zéro ; sur les autres, les "
        "simulations ne permettent pas de trancher.",
    ),
    "report_col_indicator": ("Indicator", "Indicateur"),
    "report_col_today": ("Today", "Actuel"),
    "report_col_proposal": ("Proposal", "Proposition"),
    "report_col_difference": ("Difference (90 % interval)", "Différence (intervalle à 90 %)"),
    "report_col_p_better": ("Chance the proposal does better", "Chance que la proposition fasse mieux"),
    "report_better_note": (
        '"Chance the proposal does better": the share of the simulated futures in which it did, in the '
        "indicator's good direction (lower is better for dumping and inequality).",
        "« Chance que la proposition fasse mieux » : la part des futurs simulés où elle a fait mieux, dans "
        "le bon sens de l'indicateur (plus bas, c'est mieux pour les dépôts sauvages et l'inégalité).",
    ),
    "report_figure_verdict": (
        "Chance that the proposal does better, by indicator (the line: even odds)",
        "Chance que la proposition fasse mieux, par indicateur (le trait : une chance sur deux)",
    ),
    "report_money": ("Money: who gains, who loses", "L'argent : qui gagne, qui perd"),
    "report_money_intro": (
        "Per participant and month, over the {years} years simulated [EUR]: the energy bill, the fee, "
        "the fines, the saving on the bill against acting alone, and the net gain (saving - fee - fines).",
        "Par participant et par mois, sur les {years} ans simulés [€] : la facture d'énergie, la "
        "cotisation, les amendes, l'économie sur la facture par rapport à une action seule, et le gain net "
        "(économie - cotisation - amendes).",
    ),
    "report_col_group": ("Participants", "Participants"),
    "report_col_agents": ("How many", "Combien"),
    "report_col_net_change": ("Change in net gain", "Variation du gain net"),
    "report_gains": ("{group} gain {amount} a month each.", "{group} : gain de {amount} par mois chacun."),
    "report_loses": ("{group} lose {amount} a month each.", "{group} : perte de {amount} par mois chacun."),
    "report_shocks": ("Under shocks", "Face aux chocs"),
    "report_shocks_intro": (
        "The same comparison when something goes wrong, one column per situation: the difference "
        "proposal - today and, in brackets, the chance that the proposal does better.",
        "La même comparaison quand quelque chose tourne mal, une colonne par situation : la différence "
        "proposition - actuel et, entre parenthèses, la chance que la proposition fasse mieux.",
    ),
    "report_shocks_money": (
        "Change in net gain per participant and month under each situation [EUR]",
        "Variation du gain net par participant et par mois dans chaque situation [€]",
    ),
    "report_baseline": ("No shock", "Sans choc"),
    "report_failures": ("Where the proposal fails", "Là où la proposition échoue"),
    "report_failures_intro": (
        "What a community cannot know before a trial was varied over {samples} simulated futures (the "
        "ranges are under Assumptions), each run {replicates} times under both rulebooks. For each "
        "indicator, PRIM (the Patient Rule Induction Method) looked for conditions under which the "
        "proposal does worse than today's rulebook.",
        "Ce qu'une communauté ne peut savoir avant un essai a été varié sur {samples} futurs simulés (les "
        "plages sont dans Hypothèses), chacun simulé {replicates} fois avec les deux règlements. Pour "
        "chaque indicateur, PRIM (Patient Rule Induction Method) a cherché les conditions où la "
        "proposition fait moins bien que le règlement actuel.",
    ),
    "report_failure_box": (
        "{indicator}: if {conditions}, the proposal does worse in {density} of such futures (against "
        "{rate} over all), and these futures hold {coverage} of the cases where it does worse.",
        "{indicator} : si {conditions}, la proposition fait moins bien dans {density} de ces futurs (contre "
        "{rate} sur l'ensemble), et ces futurs regroupent {coverage} des cas où elle fait moins bien.",
    ),
    "report_failure_none": (
        "{indicator}: the proposal does worse in {rate} of the futures, with no condition that singles them out.",
        "{indicator} : la proposition fait moins bien dans {rate} des futurs, sans condition qui les distingue.",
    ),
    "report_failure_rare": (
        "{indicator}: the proposal does worse in {rate} of the futures.",
        "{indicator} : la proposition fait moins bien dans {rate} des futurs.",
    ),
    "report_and": (" and ", " et "),
    "report_below": ("{name} is at most {value}", "{name} vaut au plus {value}"),
    "report_above": ("{name} is at least {value}", "{name} vaut au moins {value}"),
    "report_between": ("{name} is between {low} and {high}", "{name} est entre {low} et {high}"),
    "report_figure_failures": (
        "Futures where the proposal does worse on {indicator} (red) and better (grey); the box: the conditions",
        "Futurs où la proposition fait moins bien sur {indicator} (rouge) ou mieux (gris) ; le cadre : les conditions",
    ),
    "report_assumptions": ("Assumptions", "Hypothèses"),
    "report_assumption_model": (
        "Model: commons-abm {version}; its mechanisms and their sources are in docs/ODD.md.",
        "Modèle : commons-abm {version} ; ses mécanismes et leurs sources sont dans docs/ODD.md.",
    ),
    "report_assumption_scenario": (
        "Territory: {source}; everything the members file does not give is the shipped default scenario's.",
        "Territoire : {source} ; tout ce que le fichier des membres ne donne pas vient du scénario par défaut.",
    ),
    "report_assumption_runs": (
        "{seeds} paired runs of {years} years per situation; indicators averaged over the last {window} days; "
        "money over the whole run, per 30 days; 90 % intervals are paired t intervals.",
        "{seeds} simulations appariées de {years} ans par situation ; indicateurs moyennés sur les {window} "
        "derniers jours ; argent sur toute la simulation, par 30 jours ; intervalles à 90 % : t apparié.",
    ),
    "report_assumption_batteries": (
        "Participants' own batteries are pooled into the shared battery, which is optimistic for the community.",
        "Les batteries des participants sont mises en commun dans la batterie partagée, ce qui est "
        "optimiste pour la communauté.",
    ),
    "report_col_parameter": ("Uncertain parameter", "Paramètre incertain"),
    "report_col_range": ("Range", "Plage"),
    "report_col_source": ("Source", "Source"),
    "report_reproduce": ("Reproducing this report", "Reproduire ce rapport"),
    "report_reproduce_text": (
        "The same command, with the same files, writes the same figures:",
        "La même commande, avec les mêmes fichiers, donne les mêmes chiffres :",
    ),
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
    return number(value, lang, digits) + f"{NNBSP}€" if lang == "fr" else f"EUR\u00a0{number(value, lang, digits)}"
