# Diensten van het vaccinatiecentrum.
shift-title = Mijn diensten in het vaccinatiecentrum
shift-planner-title = Dienstplanning
shift-shift-title = Dienst
shift-roles-title = Rollen, kwalificaties en regels
shift-coverage-title = Bezetting
shift-people-title = Kwalificaties van medewerkers
shift-nav-label = Dienstplanning
shift-days-label = Dagen met diensten
shift-volunteer-intro = Schrijf u in voor een open dienst die bij uw kwalificaties past. Een dienst opent op het vermelde tijdstip; wie eerst komt, krijgt de plaats.
shift-my-qualifications = Uw kwalificaties
shift-no-qualifications = geen
shift-mine-title = Mijn diensten
shift-mine-none = U bent nog voor geen enkele dienst ingeschreven.
shift-open-title = Open diensten
shift-open-none = Er zijn nu geen open diensten voor u.
shift-col-day = Dag
shift-col-time = Uur
shift-col-role = Rol
shift-col-places = Vrije plaatsen
shift-col-action = Actie
shift-col-filled = Bezet
shift-col-release = Inschrijven vanaf
shift-col-qualification = Vereiste kwalificatie
shift-col-name = Naam
shift-col-how = Hoe
shift-col-needed = Nodig
shift-col-missing = Tekort
shift-col-status = Toestand
shift-places = { $count } van { $value }
shift-signup-button = Inschrijven
shift-cancel-button = Uitschrijven
shift-opens-at = Opent op { $value }
shift-done-signup = U bent ingeschreven. De dienst staat in uw agenda-feed.
shift-done-cancel = U bent uitgeschreven. De plaats is weer vrij.
shift-done-feed = Er is een nieuwe agenda-link gemaakt. De oude link werkt niet meer.
shift-done-created = De diensten zijn aangemaakt.
shift-feed-title = Agenda-feed
shift-feed-intro = Abonneer u in uw agenda op deze geheime link: uw diensten verschijnen er vanzelf. Deel de link met niemand.
shift-feed-url = Geheime link van uw agenda-feed
shift-feed-regenerate = Nieuwe link maken (de oude werkt dan niet meer)
shift-feed-name = Diensten vaccinatiecentrum
shift-feed-summary = Dienst vaccinatiecentrum: { $service }
shift-feed-location = Vaccinatiecentrum
shift-day-title = Diensten op { $day }
shift-day-none = Geen diensten in deze periode.
shift-cancelled = Geannuleerd
shift-level-full = volledig
shift-level-short = tekort
shift-level-gap = groot tekort
shift-new-title = Diensten aanmaken
shift-no-roles = Maak eerst een rol aan.
shift-end-hint = Een einde vóór het begin valt de volgende dag (nachtdienst).
shift-release-hint = Vanaf dit moment kunnen vrijwilligers zich inschrijven. Bij herhaling schuift het mee per dag.
shift-repeat-hint = Maak hetzelfde patroon voor dit aantal opeenvolgende dagen (1 tot 31).
shift-create-button = Diensten aanmaken
shift-no-qualification = geen
shift-people-on = Ingeschreven medewerkers
shift-people-none = Nog niemand.
shift-how-assigned = toegewezen door de planner
shift-how-self = zelf ingeschreven
shift-breaks-now = Breekt nu een regel:
shift-override = Regel overschreven
shift-assign-title = Een medewerker toewijzen
shift-assign-button = Toewijzen
shift-assign-override-button = Toch toewijzen, met deze reden
shift-override-hint = Deze toewijzing breekt een arbeidstijdregel (zie hierboven). Geef een reden om de regel te overschrijven; de reden wordt in het auditlogboek bewaard.
shift-change-title = Uren of aantal wijzigen
shift-change-intro = Iedereen die voor deze dienst ingeschreven is, krijgt een e-mail als de uren wijzigen.
shift-change-button = Wijzigen
shift-cancel-title = Dienst annuleren
shift-cancel-intro = Iedereen die voor deze dienst ingeschreven is, krijgt een e-mail.
shift-cancel-shift-button = Dienst annuleren
shift-roles-list = Rollen
shift-role-new = Nieuwe rol
shift-role-add = Rol toevoegen
shift-code-hint = Kleine letters, cijfers en streepjes, bijvoorbeeld ict-support.
shift-qualifications-title = Kwalificaties
shift-qualification-add = Kwalificatie toevoegen
shift-rules-title = Arbeidstijdregels
shift-rules-intro = Standaard: hoogstens 10 uur werk in elke periode van 24 uur, minstens 11 uur rust tussen twee diensten, en nooit twee diensten tegelijk.
shift-rules-save = Regels bewaren
shift-coverage-summary = { $count } van { $value } plaatsen zijn bezet in deze twee weken.
shift-coverage-from = Vanaf
shift-coverage-nav = Andere weken
shift-coverage-window = Van { $from } tot en met { $to }
shift-coverage-earlier = 14 dagen eerder
shift-coverage-later = 14 dagen later
shift-show = Tonen
shift-coverage-per-day = Per dag en rol
shift-gaps-title = Diensten met open plaatsen
shift-gaps-none = Alle diensten zijn volledig bezet.
shift-people-search = Zoek een medewerker op naam of e-mailadres
shift-people-search-hint = Minstens twee tekens.
shift-people-found-none = Geen medewerkers gevonden.
shift-qual-grant = Geven
shift-qual-revoke = Afnemen
field-shift = Dienst
field-shift-role = Rol
field-shift-headcount = Aantal mensen nodig
field-shift-release-day = Inschrijven opent op (dag)
field-shift-release-time = Inschrijven opent om (uur)
field-shift-repeat = Aantal dagen
field-shift-role-code = Code
field-shift-qualification = Vereiste kwalificatie
field-shift-qualification-code = Code van de kwalificatie
field-shift-q-name-nl = Naam van de kwalificatie (Nederlands)
field-shift-q-name-en = Naam van de kwalificatie (Engels)
field-shift-override-reason = Reden om de regel te overschrijven
field-shift-max-work-hours = Hoogstens uren werk per periode
field-shift-window-hours = Lengte van de periode (uren)
field-shift-min-rest-hours = Minstens uren rust tussen twee diensten
err-shift-rule-overlap = { $field }: deze dienst overlapt met een andere dienst van dezelfde persoon ({ $value }). Kies een dienst op een ander moment.
err-shift-rule-max-work = { $field }: samen met { $value } is dit meer dan het toegelaten aantal uren werk binnen de periode van de arbeidstijdregels (standaard 10 uur in 24 uur). Kies een dienst op een andere dag.
err-shift-rule-max-work-alone = { $field }: deze dienst alleen is al langer dan het toegelaten aantal uren werk binnen de periode van de arbeidstijdregels (standaard 10 uur in 24 uur). Maak de dienst korter.
err-shift-rule-min-rest = { $field }: er is te weinig rust tussen deze dienst en { $value } volgens de arbeidstijdregels (standaard minstens 11 uur). Kies een dienst met meer rust ertussen.
err-shift-not-released = { $field }: inschrijven voor deze dienst kan pas vanaf { $value }. Kom dan terug.
err-shift-qualification-missing = { $field }: voor deze rol is de kwalificatie { $value } nodig. Vraag de planner om ze toe te kennen.
err-shift-full = { $field }: deze dienst is al volzet. Kies een andere dienst.
err-shift-already-signed-up = { $field }: deze persoon is al voor deze dienst ingeschreven.
err-shift-not-signed-up = { $field }: u bent niet voor deze dienst ingeschreven.
err-shift-cancelled = { $field }: deze dienst is geannuleerd.
err-shift-past = { $field }: deze dienst is al begonnen of voorbij.
err-shift-time-invalid = { $field }: geef een uur zoals 08:00 dat op die dag bestaat.
err-shift-length = { $field }: een dienst duurt van 15 minuten tot 24 uur.
err-shift-headcount = { $field }: geef een aantal van 1 tot 200.
err-shift-headcount-below-filled = { $field }: er zijn al meer mensen ingeschreven. Geef minstens het aantal ingeschreven mensen.
err-shift-repeat = { $field }: geef een aantal dagen van 1 tot 31.
err-shift-release-invalid = { $field }: geef een dag en een uur zoals 18:00.
err-shift-release-after-start = { $field }: inschrijven moet openen vóór de dienst begint.
err-shift-day-invalid = { $field }: geef een dag zoals 2026-12-02.
err-shift-role-unknown = { $field }: kies een rol uit de lijst.
err-shift-qualification-unknown = { $field }: kies een kwalificatie uit de lijst.
err-shift-code-invalid = { $field }: gebruik 2 tot 40 kleine letters, cijfers of streepjes.
err-shift-code-taken = { $field }: deze code bestaat al. Kies een andere.
err-shift-name-invalid = { $field }: geef een naam van hoogstens 80 tekens.
err-shift-reason-required = { $field }: geef een reden van 5 tot 500 tekens.
err-shift-person-unknown = { $field }: er is geen medewerker met dit e-mailadres.
err-shift-setting-range = { $field }: geef een aantal uren binnen de grenzen (werk 1 tot 24, periode 1 tot 168 en minstens het werk, rust 0 tot 48).
mail-shift-assigned-subject = U bent ingepland: { $service } op { $at }
mail-shift-assigned-body =
    Beste { $name },

    De planner van het vaccinatiecentrum heeft u ingepland als { $service } op { $at }.

    Uw diensten: { $url }
mail-shift-reminder-subject = Herinnering: dienst { $service } op { $at }
mail-shift-reminder-body =
    Beste { $name },

    Morgen (of binnen 24 uur) werkt u in het vaccinatiecentrum als { $service }: { $at }.

    Uw diensten: { $url }
mail-shift-changed-subject = Gewijzigd: uw dienst { $service } is nu { $value }
mail-shift-changed-body =
    Beste { $name },

    Uw dienst als { $service } op { $at } is gewijzigd. De nieuwe uren: { $value }.

    Past dit niet meer? Schrijf u uit: { $url }
mail-shift-cancelled-subject = Geannuleerd: uw dienst { $service } op { $at }
mail-shift-cancelled-body =
    Beste { $name },

    Uw dienst als { $service } op { $at } is geannuleerd. U hoeft niet te komen.

    Andere open diensten: { $url }
