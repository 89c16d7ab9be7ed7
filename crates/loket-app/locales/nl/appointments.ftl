# Afspraken aan het loket.
weekday-1 = maandag
weekday-2 = dinsdag
weekday-3 = woensdag
weekday-4 = donderdag
weekday-5 = vrijdag
weekday-6 = zaterdag
weekday-7 = zondag

nav-appointments = Mijn afspraken
appt-book-title = Een afspraak maken
appt-mine-title = Mijn afspraken
appt-detail-title = Uw afspraak
appt-reschedule-title = Afspraak verplaatsen
appt-staff-title = Afspraken van de dag
appt-staff-new-title = Afspraak maken voor een inwoner
appt-admin-title = Afspraken instellen

appt-field-service = Dienst
appt-field-location = Locatie
appt-field-start = Tijdstip
appt-field-resident-email = E-mailadres van de inwoner
appt-field-date = Datum
appt-field-appointment = Afspraak
appt-field-horizon-days = Hoeveel dagen vooruit boeken
appt-field-lead-minutes = Minimale tijd vooraf (minuten)
appt-field-max-per-service = Toekomstige afspraken per inwoner en dienst
appt-field-no-show-flag-after = Markeren na zoveel keer niet komen (0 = nooit)
appt-field-loc-slug = Korte naam van de locatie
appt-field-slug = Korte naam
appt-field-name-nl = Naam (Nederlands)
appt-field-name-en = Naam (Engels)
appt-field-slot-minutes = Duur van een afspraak (minuten)
appt-field-name = Naam
appt-field-address = Adres
appt-field-hours = Openingsuren
appt-field-hours-1 = Openingsuren maandag
appt-field-hours-2 = Openingsuren dinsdag
appt-field-hours-3 = Openingsuren woensdag
appt-field-hours-4 = Openingsuren donderdag
appt-field-hours-5 = Openingsuren vrijdag
appt-field-hours-6 = Openingsuren zaterdag
appt-field-hours-7 = Openingsuren zondag
appt-field-closed = Sluitingsdagen
appt-field-desk = Naam van het loket

appt-show-slots = Vrije tijdstippen tonen
appt-just-taken = Dit tijdstip is net door iemand anders genomen. Kies een ander; hieronder staan de dichtstbijzijnde vrije tijdstippen.
appt-nearest = Dichtstbijzijnde vrije tijdstippen
appt-no-slots = Er zijn geen vrije tijdstippen in deze week. Kijk bij de volgende week.
appt-free = { $count } vrij
appt-weeks = Weken
appt-prev-week = Vorige week
appt-next-week = Volgende week
appt-book-button = Afspraak bevestigen
appt-none = U hebt nog geen afspraken.
appt-none-day = Geen afspraken op deze dag.
appt-col-when = Wanneer
appt-col-status = Status
appt-col-code = Afspraakcode
appt-col-resident = Inwoner
appt-col-actions = Acties
appt-booked-notice = Uw afspraak is gemaakt. U krijgt een bevestiging per e-mail, met een agenda-bestand.
appt-moved-notice = Uw afspraak is verplaatst. U krijgt een nieuwe bevestiging per e-mail.
appt-cancel-button = Afspraak annuleren
appt-status-booked = Gepland
appt-status-cancelled = Geannuleerd
appt-status-no-show = Niet gekomen
appt-status-served = Geholpen
appt-show = Tonen
appt-flag-no-shows = { $count } keer niet gekomen
appt-no-show-button = Niet gekomen
appt-admin-rules = Regels voor boeken
appt-save = Bewaren
appt-admin-services = Loketdiensten
appt-admin-service-add = Loketdienst toevoegen of wijzigen
appt-slug-hint = Kleine letters, cijfers en streepjes, bijvoorbeeld identiteitskaart.
appt-admin-locations = Locaties
appt-admin-location-add = Locatie toevoegen
appt-hours-hint = Per dag, bijvoorbeeld 09:00-12:30, 13:30-16:00. Leeg is gesloten.
appt-closed-hint = Eén dag per regel, met een reden als u wilt, bijvoorbeeld: 2026-12-25 Kerstmis
appt-admin-desks = Loketten
appt-no-desks = Deze locatie heeft nog geen loketten. Zonder loket kan niemand een afspraak maken.
appt-admin-desk-add = Loket toevoegen of wijzigen
appt-desk-hint = Vink de diensten aan die dit loket doet. Het aantal loketten per dienst is het aantal plaatsen per tijdstip.

appt-ics-summary = Afspraak: { $service }
appt-ics-description = Afspraakcode { $code }. Verplaatsen of annuleren: { $link }

mail-appt-booked-subject = Uw afspraak bij { $city }: { $service } op { $at }
mail-appt-booked-body =
    Beste { $name },

    Uw afspraak is bevestigd.

    Dienst: { $service }
    Wanneer: { $at }
    Waar: { $place }
    Afspraakcode: { $code }

    Neem uw afspraakcode mee. In de bijlage zit een agenda-bestand.
    Verplaatsen of annuleren kan zonder aan te melden via:
    { $link }

    Met vriendelijke groeten,
    { $city }
mail-appt-rescheduled-subject = Uw afspraak bij { $city } is verplaatst naar { $at }
mail-appt-rescheduled-body =
    Beste { $name },

    Uw afspraak is verplaatst.

    Dienst: { $service }
    Nieuw tijdstip: { $at }
    Waar: { $place }
    Afspraakcode: { $code }

    Het agenda-bestand in de bijlage vervangt het vorige.
    Verplaatsen of annuleren: { $link }

    Met vriendelijke groeten,
    { $city }
mail-appt-cancelled-subject = Uw afspraak bij { $city } op { $at } is geannuleerd
mail-appt-cancelled-body =
    Beste { $name },

    Uw afspraak voor { $service } op { $at } is geannuleerd.
    Het bestand in de bijlage haalt ze uit uw agenda.

    Met vriendelijke groeten,
    { $city }
mail-appt-reminder-subject = Herinnering: morgen uw afspraak bij { $city } ({ $at })
mail-appt-reminder-body =
    Beste { $name },

    Morgen hebt u een afspraak.

    Dienst: { $service }
    Wanneer: { $at }
    Waar: { $place }
    Afspraakcode: { $code }

    Kunt u niet komen? Annuleer dan, zodat iemand anders uw plaats krijgt:
    { $link }

    Met vriendelijke groeten,
    { $city }

err-appt-hours-invalid = { $field }: schrijf de uren als 09:00-12:30, 13:30-16:00; het einde komt na het begin.
err-appt-hours-overlap = { $field }: deze periodes overlappen. Laat elke periode eindigen voor de volgende begint.
err-appt-slot-past = { $field }: dit tijdstip is voorbij. Kies een tijdstip in de toekomst.
err-appt-slot-too-soon = { $field }: dit tijdstip is te kort op voorhand. Boek minstens { $value } minuten vooraf.
err-appt-slot-too-far = { $field }: dit tijdstip ligt te ver vooruit. Boek hoogstens { $value } dagen vooraf.
err-appt-slot-closed-day = { $field }: het loket is die dag gesloten. Kies een andere dag.
err-appt-slot-outside-hours = { $field }: dit tijdstip valt buiten de openingsuren of de tijdsindeling. Kies een tijdstip uit de lijst.
err-appt-slot-invalid = { $field }: kies een tijdstip uit de lijst.
err-appt-slot-full = { $field }: dit tijdstip is net volzet. Kies een van de vrije tijdstippen.
err-appt-limit-reached = { $field }: u hebt al { $value } toekomstige afspraak of afspraken voor deze dienst. Verplaats of annuleer die eerst.
err-appt-not-active = { $field }: deze afspraak is niet meer gepland (geannuleerd of voorbij).
err-appt-same-slot = { $field }: dit is het tijdstip dat u al hebt. Kies een ander tijdstip.
err-appt-not-yet-due = { $field }: de afspraak is nog niet begonnen; markeer ze pas vanaf het afgesproken uur.
err-appt-range-1-365 = { $field }: vul een getal van 1 tot 365 in.
err-appt-range-0-10080 = { $field }: vul een getal van 0 tot 10080 in.
err-appt-range-1-20 = { $field }: vul een getal van 1 tot 20 in.
err-appt-range-0-20 = { $field }: vul een getal van 0 tot 20 in.
err-appt-slug-invalid = { $field }: gebruik kleine letters, cijfers en streepjes (hoogstens 40).
err-appt-slot-minutes = { $field }: vul een duur van 5 tot 240 minuten in.
err-appt-service-unknown = { $field }: deze loketdienst bestaat niet. Kies er een uit de lijst.
err-appt-location-unknown = { $field }: deze locatie bestaat niet. Kies er een uit de lijst.
err-appt-no-desk = { $field }: op deze locatie doet geen loket deze dienst. Kies een andere locatie.
err-appt-channel = { $field }: kies phone of counter.
err-appt-staff-only = { $field }: alleen medewerkers boeken voor iemand anders. Laat dit veld weg.
err-appt-whole-number = { $field }: vul een geheel getal in.
err-appt-closed-invalid = { $field }: schrijf één datum per regel als 2026-12-25, eventueel gevolgd door een reden.
appt-qr-alt = QR-code met uw afspraakcode
appt-qr-caption = Scan deze QR-code aan de aanmeldzuil bij de ingang, of typ de afspraakcode.
