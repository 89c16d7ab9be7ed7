# Het contactcenter: kennisbank, contactmomenten, doorverwijzingen.
contact-kb-title = Vragen en antwoorden
contact-kb-intro = Zoek een antwoord op uw vraag. Vindt u het niet, stel uw vraag dan aan de stad.
contact-search-label = Zoekterm
contact-search-button = Zoeken
contact-search-live-hint = De resultaten verschijnen terwijl u typt.
contact-results-for = Resultaten voor „{ $value }”
contact-all-articles = Alle artikels
contact-no-results = Geen artikels gevonden. Probeer een ander woord.
contact-ask-link = Stel uw vraag aan de stad
contact-back-to-kb = Terug naar vragen en antwoorden
contact-updated-at = Laatst bijgewerkt op { $at }.
contact-agent-kb-title = Kennisbank
contact-new-article-title = Nieuw artikel
contact-edit-article-title = Artikel bewerken
contact-expired = Verlopen
contact-not-yet = Nog niet geldig
contact-review-due = Nakijken
contact-popular-title = Meest bekeken deze week
contact-popular-none = Deze week nog geen bezoeken.
contact-col-views = Bezoeken
contact-col-version = Versie
contact-col-saved = Bewaard op
contact-col-by = Door
contact-col-reference = Referentie
contact-col-when = Wanneer
contact-col-due = Uiterlijk
contact-version-n = Versie { $number }
contact-versions-title = Versies
contact-restore-button = Deze versie terugzetten
contact-save-button = Bewaren
contact-show-button = Tonen
contact-hint-slug = Kleine letters, cijfers en streepjes, bv. bewonersparkeerkaart.
contact-hint-markdown = Markdown: # titel, *nadruk*, [link](https://…), lijstjes met -.
contact-hint-tags = Gescheiden door komma's.
contact-hint-email = We sturen een bevestiging en ons antwoord naar dit adres.
contact-hint-resident-email = Het e-mailadres van de account van de inwoner (leeg laten als de inwoner geen account heeft).
contact-hint-articles = De korte namen van de gebruikte artikels, gescheiden door komma's.
contact-hint-duration = In minuten.
field-contact-slug = Korte naam
field-contact-department = Dienst
field-contact-title = Titel
field-contact-title-nl = Titel (Nederlands)
field-contact-title-en = Titel (Engels)
field-contact-body-nl = Tekst (Nederlands)
field-contact-body-en = Tekst (Engels)
field-contact-tags = Trefwoorden
field-contact-valid-from = Geldig vanaf
field-contact-valid-until = Geldig tot en met
field-contact-review-on = Nakijken op
field-contact-name = Naam
field-contact-email = E-mailadres
field-contact-subject = Onderwerp
field-contact-question = Vraag
field-contact-answer = Antwoord
field-contact-channel = Kanaal
field-contact-outcome = Resultaat
field-contact-duration = Duur (minuten)
field-contact-articles = Gebruikte artikels
field-contact-resident-email = Inwoner (e-mailadres van de account)
field-contact-contact-name = Naam (zonder account)
field-contact-contact-email = E-mailadres (zonder account)
field-contact-status = Stand
field-contact-note = Nota voor de dienst
contact-ask-title = Stel uw vraag
contact-ask-intro = Uw vraag komt bij het contactcenter van de stad. U krijgt een bevestiging per e-mail.
contact-ask-button = Vraag versturen
contact-asked-title = Uw vraag is verstuurd
contact-asked-text = Bedankt. Uw vraag heeft referentie { $code }. U krijgt een bevestiging per e-mail.
contact-mail-asked-subject = Uw vraag aan de stad
contact-mail-asked-body = Beste { $name },

    We hebben uw vraag „{ $value }” goed ontvangen. De referentie is { $code }. Antwoord op deze e-mail zonder het onderwerp te wijzigen als u iets wilt toevoegen.

    Met vriendelijke groeten,
    Het contactcenter
contact-mail-answer-subject = Antwoord op uw vraag
contact-mail-answer-body = Beste { $name },

    Op uw vraag met referentie { $code } antwoorden we:

    { $value }

    Met vriendelijke groeten,
    De stad
contact-moments-title = Contactmomenten
contact-moments-none = Geen contactmomenten.
contact-new-moment-title = Contact registreren
contact-moment-title = Contactmoment
contact-find-resident = Inwoner zoeken
contact-start-case = Aanvraag starten voor deze inwoner
contact-forward-title = Doorverwijzen naar een dienst
contact-forward-button = Doorverwijzen
contact-forwards-title = Doorverwezen vragen
contact-forwards-none = Geen doorverwezen vragen.
contact-answer-button = Antwoord versturen
contact-overdue = Te laat
contact-forward-open = Open
contact-forward-answered = Beantwoord
contact-channel-phone = Telefoon
contact-channel-email = E-mail
contact-channel-web = Webformulier
contact-channel-counter = Loket
contact-channel-chat = Chat
contact-channel-letter = Brief
contact-outcome-answered = Beantwoord
contact-outcome-forwarded = Doorverwezen
contact-outcome-case_started = Aanvraag gestart
contact-outcome-appointment_booked = Afspraak gemaakt
contact-outcome-call_back = Terugbellen
contact-status-intake = Nieuw (web)
contact-status-open = Open
contact-status-forwarded = Doorverwezen
contact-status-closed = Afgesloten
err-contact-date-invalid = { $field }: vul een datum in als JJJJ-MM-DD.
err-contact-slug-invalid = { $field }: gebruik 3 tot 80 kleine letters, cijfers of streepjes.
err-contact-slug-taken = { $field }: deze korte naam is al in gebruik. Kies een andere.
err-contact-too-long = { $field } is te lang. Maak de tekst korter.
err-contact-until-before-from = { $field } ligt vóór de begindatum. Kies een latere datum.
err-contact-channel-invalid = { $field }: kies een kanaal uit de lijst.
err-contact-outcome-invalid = { $field }: kies een resultaat uit de lijst.
err-contact-question-empty = { $field } is leeg. Schrijf uw vraag.
err-contact-answer-needed = { $field } is leeg. Schrijf het antwoord.
err-contact-duration-invalid = { $field }: vul een aantal minuten in tussen 0 en 600.
err-contact-department-unknown = { $field }: deze dienst bestaat niet. Kies een dienst uit de lijst.
err-contact-resident-unknown = { $field }: er is geen inwoner met dit e-mailadres. Zoek de inwoner eerst op.
err-contact-article-unknown = { $field }: er is geen artikel „{ $value }”. Controleer de korte naam.
err-contact-forward-closed = Deze vraag is al beantwoord; een tweede antwoord kan niet.
err-contact-moment-closed = Dit contactmoment is afgesloten en kan niet meer doorverwezen worden.
contact-history-title = Geschiedenis
contact-history-case = Aanvraag
contact-history-appointment = Afspraak
contact-history-none = Nog geen contacten, aanvragen of afspraken.
contact-history-kind = Soort
contact-history-what = Wat
contact-history-file = Dossier van de inwoner
contact-history-link = Geschiedenis van de inwoner

# Van een oproep naar een aanvraag of een afspraak
contact-linked-case = Aanvraag gestart
contact-linked-appointment = Afspraak gemaakt
contact-book-appointment = Afspraak maken voor deze beller
contact-appointment-title = Afspraak maken vanuit een contact

# Doorsturen vanuit het registratieformulier; de klok gepauzeerd
contact-hint-department = Alleen bij de uitkomst „doorgestuurd naar een dienst”: de vraag komt in de wachtrij van deze dienst.
contact-overdue-count = Te laat: { $count }
contact-waiting-since = wacht op de inwoner sinds { $value } (klok gepauzeerd)
contact-paused-days = klok { $count } werkdagen gepauzeerd
contact-waiting-question = Gevraagd aan de inwoner
field-contact-waiting-question = Vraag aan de inwoner
field-contact-forward = Doorverwijzing
contact-hint-waiting-question = Gaat per e-mail. De klok staat stil tot de inwoner antwoordt.
contact-pause-button = Vraag stellen en klok pauzeren
contact-resume-button = De inwoner antwoordde: klok hervatten
contact-forward-waiting = Wacht op de inwoner
err-contact-waiting-question-needed = { $field } is leeg. Schrijf wat u van de inwoner nodig hebt.
err-contact-forward-waiting = Deze vraag wacht al op de inwoner.
err-contact-forward-not-waiting = De klok van deze vraag staat niet stil.
contact-mail-waiting-subject = We hebben meer informatie nodig over uw vraag { $code }
contact-mail-waiting-body = Beste { $name },

    Om uw vraag { $code } te beantwoorden hebben we meer informatie nodig:

    { $value }

    Antwoord op deze e-mail en laat de referentie in het onderwerp staan.

# Artikels zoeken en aanvinken op het registratieformulier
contact-article-search-label = Zoeken in de kennisbank
contact-article-search-hint = Vink de artikels aan die u gebruikte. Resultaten verschijnen terwijl u typt; zonder JavaScript drukt u op Zoeken.
contact-picked-articles = Gekozen artikels
contact-articles-by-name = Andere artikels op korte naam
contact-messages-open = Alle berichten
contact-messages-none = Nog geen berichten.
contact-messages-title = Berichten
contact-message-in = Van de inwoner
contact-message-out = Aan de inwoner

# Rapport
contact-report-title = Rapport van het contactcenter
field-contact-report-from = Van
field-contact-report-to = Tot en met
err-contact-period-too-long = { $field }: een rapport beslaat hoogstens 92 dagen. Kies een kortere periode.
contact-report-contacts = Contacten
contact-report-total = { $count } contacten in deze periode
contact-report-first-contact = { $value }% beantwoord bij het eerste contact
contact-report-chart-title = Contacten per dag per kanaal
contact-report-chart-desc = Een gestapelde staaf per dag; elke kleur is een kanaal. Dezelfde cijfers staan in de tabel hieronder.
contact-report-chart-table = De tabel „Contacten per dag en kanaal” hieronder bevat dezelfde cijfers.
contact-report-per-day = Contacten per dag en kanaal
contact-report-per-channel = Contacten per kanaal
contact-report-forwards = Doorverwijzingen per dienst
contact-report-articles = De { $count } meest gebruikte artikels
contact-report-gaps = Hiaten in de kennisbank
contact-report-empty-searches = De { $count } zoekopdrachten die het vaakst geen artikel vonden
contact-report-without-article = Contacten beantwoord zonder artikel
contact-report-without-article-count = { $count } contacten in deze periode hebben geen gekoppeld artikel.
contact-report-without-article-shown = De eerste { $count } ervan, de oudste eerst:
contact-report-mail-in = E-mail binnen
contact-col-source = Bron
contact-col-last-ok = Laatst zonder fout gelezen
contact-col-last-error = Laatste fout
contact-mail-failing = Werkt niet
contact-mail-never = nog nooit
contact-report-rejects = E-mails die niet gelezen konden worden
contact-report-rejects-latest = De laatste tien e-mails die niet gelezen konden worden
contact-report-rejects-all = Alle e-mails die niet gelezen konden worden
contact-report-rejects-none = Alle e-mails konden gelezen worden.
contact-report-none = Geen in deze periode.
contact-col-day = Dag
contact-col-total = Totaal
contact-col-first-contact = Beantwoord bij eerste contact
contact-col-forwards = Doorverwezen
contact-col-uses = Gebruikt
contact-col-query = Zoekopdracht
contact-col-times = Keer
contact-col-file = Bestand
contact-col-reason = Reden
contact-report-link = Rapport
contact-find-and-start-case = Beller opzoeken en aanvraag starten

# Brieven (voor inwoners zonder e-mail)
letter-kind-contact = Contactcenter
contact-letter-answer = Beste { $name },

    Op uw vraag met referentie { $code } antwoorden we:

    { $value }
contact-letter-waiting = Beste { $name },

    Om uw vraag { $code } te beantwoorden hebben we meer informatie nodig:

    { $value }

    Bel ons of kom langs aan het loket en vermeld de referentie.
contact-log-for-resident = Contact registreren voor deze inwoner
contact-for-resident = Voor inwoner { $value }
contact-sender-unverified = Afzender niet geverifieerd: deze mail noemde het referentienummer van een ander contact, zonder de code uit onze mail en van een ander adres. Hij is daarom een nieuw contact, niet gekoppeld aan een inwoner. Controleer wie hij stuurde voor u iets doet.
