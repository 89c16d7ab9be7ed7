# The vaccination centre.
vac-landing-title = Vaccinatie: afspraak maken
vac-landing-intro = Met de code uit uw uitnodiging en uw geboortedatum kiest u zelf een moment in het vaccinatiecentrum. U hebt geen account nodig.
vac-landing-none = Er loopt nu geen vaccinatiecampagne.
vac-waiting-title = Wachtrij
vac-waiting-opens = Boeken kan vanaf { $at }. U staat al in de rij.
vac-waiting-number = Uw plaats in de rij: { $number }.
vac-waiting-ahead = Nog { $count } mensen voor u.
vac-waiting-at = U bent naar verwachting aan de beurt rond { $at }.
vac-waiting-keep = Laat deze pagina open: ze ververst zichzelf en brengt u verder zodra u aan de beurt bent. Wie vroeger kwam, gaat eerst.
vac-waiting-refresh = Opnieuw kijken
vac-login-title = Aanmelden met uw uitnodiging
vac-login-button = Verder
vac-field-code = Uitnodigingscode
vac-field-code-hint = 12 tekens, bijvoorbeeld K7QM-3XHD-A9W2. Streepjes en hoofdletters maken niet uit.
vac-field-birth-date = Geboortedatum
vac-field-birth-date-hint = Bijvoorbeeld 1985-07-30.
vac-reserve-link = Geen uitnodiging? Schrijf u in op de reservelijst.
vac-book-title = Uw vaccinatieafspraak
vac-booked-at = U hebt een afspraak op { $at }.
vac-ics-download = Zet de afspraak in uw agenda (iCalendar)
vac-cancel-button = Afspraak annuleren
vac-move-title = Ander moment kiezen
vac-no-slots = Er zijn geen vrije momenten meer.
vac-days = Dagen
vac-slots-of = Vrije momenten op { $at }
vac-book-button = Afspraak maken
vac-move-button = Naar dit moment verplaatsen
vac-reserve-title = Reservelijst
vac-reserve-intro = Kunt u op korte termijn komen? Wie op de reservelijst staat, krijgt een mail zodra er een plaats vrijkomt. U hebt dan 30 minuten om te bevestigen.
vac-reserve-button = Inschrijven op de reservelijst
vac-field-national-number = Rijksregisternummer
vac-field-national-number-hint = 11 cijfers, op uw identiteitskaart.
vac-field-name = Naam
vac-field-email = E-mailadres
vac-field-phone = Telefoon (niet verplicht)
vac-field-group = Doelgroep
vac-offer-title = Een vrije plaats voor u
vac-offer-at = Er is een plaats vrij op { $at }.
vac-offer-due = Bevestig vóór { $due }, anders gaat de plaats naar de volgende op de lijst.
vac-offer-accept = Ja, ik kom
vac-offer-taken = Uw afspraak staat vast op { $at }. U krijgt een bevestiging per mail.
vac-offer-code = Uw code: { $code }.
vac-offer-gone = Dit aanbod is niet meer geldig. U krijgt een nieuwe mail als er weer een plaats vrijkomt.
vac-ics-summary = Vaccinatie: { $service }
vac-ics-description = Uw vaccinatie ({ $service }) in { $place }. Neem uw identiteitskaart mee. Code: { $code }.

# Coordinator
vac-list-title = Vaccinatiecampagnes
vac-list-none = Er zijn nog geen campagnes.
vac-work = Werkposten
vac-new-campaign = Nieuwe campagne
vac-field-slug = Korte naam (in de link)
vac-field-slug-hint = Kleine letters, cijfers en streepjes, bijvoorbeeld booster-najaar.
vac-field-vaccine = Vaccin
vac-field-location = Locatie (vaccinatiecentrum)
vac-field-lines = Vaccinatielijnen
vac-field-per-line = Plaatsen per lijn per tijdslot
vac-field-per-line-hint = Hoeveel mensen één lijn in één tijdslot vaccineert.
vac-field-slot-minutes = Tijdslot (minuten)
vac-field-observation-minutes = Observatie (minuten)
vac-field-admit-per-minute = Wachtrij: toegelaten bezoekers per minuut
vac-field-admit-per-minute-hint = Bij de opening van de campagne laat de wachtrij zoveel bezoekers per minuut door naar de boekingspagina's.
vac-field-opens-at = Boeken kan vanaf
vac-field-days = Dagen van het centrum
vac-field-days-hint = Eén dag per regel: datum en openingsuren, bijvoorbeeld 2026-12-01 08:00-20:00.
vac-field-groups = Doelgroepen, in volgorde van voorrang
vac-field-groups-hint = Eén doelgroep per regel, de eerste eerst (bijvoorbeeld 80+, zorgpersoneel, 65-79).
vac-field-status = Status
vac-col-capacity = Plaatsen per tijdslot
vac-create-button = Campagne aanmaken
vac-campaign-title = Campagne
vac-settings = Instellingen
vac-per-slot = plaatsen per tijdslot
vac-public-page = Pagina voor inwoners
vac-invitations = Uitnodigingen
vac-status-invited = uitgenodigd
vac-status-booked = afspraak gemaakt
vac-status-vaccinated = gevaccineerd
vac-status-cancelled = geannuleerd
vac-imported = { $count } uitnodigingen ingelezen.
vac-imported-mail = { $count } per e-mail verstuurd.
vac-imported-letters = { $count } wachten op een brief.
vac-import-refused = Het bestand is niet ingelezen. Verbeter deze regels en probeer opnieuw:
vac-import-line = Regel { $line }, kolom { $column }:
vac-import-file = CSV-bestand met uit te nodigen personen
vac-import-hint = Kolommen: national_number, name, birth_date, street, postal_code, city en eventueel email, phone, group. Het hele bestand wordt ingelezen of niets.
vac-import-text = Of plak de CSV-tekst hier
vac-import-button = Uitnodigingen inlezen
vac-letters-title = Brieven
vac-letters-waiting = { $count } uitnodigingen zonder e-mailadres wachten op een brief.
vac-letters-button = Printreeks maken
vac-letters-count = { $count } brieven
vac-letters-batches-title = Printreeksen
vac-letters-batches-open = Alle printreeksen
vac-letters-batches-none = Er is nog geen printreeks gemaakt.
vac-letters-batch = Reeks
vac-search = Zoeken
vac-search-label = Naam, code of rijksregisternummer
vac-field-delivery = Verzending
vac-reserve-empty = Niemand staat op de reservelijst.
vac-signed-up = Ingeschreven
vac-offered-slot = Aangeboden moment
vac-offers-button = Vrije plaatsen nu aanbieden
vac-reserve-open = Reservelijst openen
vac-reserve-status-waiting = wacht
vac-reserve-status-offered = plaats aangeboden
vac-reserve-status-booked = afspraak gemaakt
vac-reserve-status-expired = aanbod verlopen
vac-reserve-status-withdrawn = uitgeschreven
vac-mobile-title = Mobiele teams
vac-field-team = Team
vac-field-day = Dag
vac-field-time = Uur
vac-field-address = Adres
vac-plan-button = Bezoek plannen
vac-conflicts = Conflicten uit de synchronisatie
vac-conflicts-none = Geen open conflicten.
vac-resolve-duplicate = Dubbel geregistreerd (niet doorgeven)
vac-resolve-both = Twee keer gevaccineerd (doorgeven)
vac-notice-offers = De vrije plaatsen zijn aangeboden aan de reservelijst.
vac-notice-resolved = Het conflict is afgehandeld.
vac-notice-planned = Het bezoek is gepland.
vac-notice-letters = De printreeks is klaar.
vac-export = Export voor het vaccinatieregister (CSV)
vac-back-campaign = Terug naar de campagne
vac-invitation-title = Uitgenodigde
vac-booked = Afspraak
vac-visit = Bezoek
vac-book-for = Afspraak maken voor deze persoon
vac-channel = Hoe helpt u?
vac-channel-phone = Aan de telefoon
vac-channel-counter = Aan het loket
vac-pick-slot = Moment
vac-letter-title = Uitnodiging voor uw vaccinatie
vac-letter-reference = Uw code
vac-letter-p1 = Beste { $name },
vac-letter-p2 = { $city } nodigt u uit voor uw vaccinatie ({ $service }). Kies zelf een moment op { $link } met de code { $code } en uw geboortedatum. U kunt ook de QR-code hieronder scannen.
vac-letter-p3 = Hebt u geen computer of hulp nodig? Bel het contactcenter of kom langs aan het loket: wij maken de afspraak samen met u.
vac-letter-fact = Gegeven
vac-letter-value = Waarde
vac-letter-site = Website
vac-letter-qr = Scan deze code met uw smartphone om meteen een afspraak te maken.
vac-letter-qr-alt = QR-code met de link om een afspraak te maken, code { $code }
vac-letter-closing = Met vriendelijke groeten, het vaccinatiecentrum van { $city }
vac-dashboard-title = Dashboard vaccinatiecentrum
vac-live = live
vac-fig-booked = Afspraken
vac-fig-arrived = Aangekomen
vac-fig-not-booked = Zonder afspraak
vac-fig-vaccinated = Gevaccineerd
vac-fig-no-shows = Niet opgedaagd
vac-fig-wasted = Onbenutte plaatsen
vac-per-station = Mensen per post
vac-stage = Fase
vac-people = Mensen
vac-avg-wait = Gemiddelde wachttijd per post
vac-station = Post
vac-seconds = Seconden
vac-chart-lines = Vaccinaties per lijn
vac-equipment = ICT-materiaal in het centrum
vac-equipment-none = Er staat geen materiaal op locatie "Vaccinatiecentrum".
vac-report-title = Dagrapport
vac-report-summary = Samenvatting
vac-report-figure = Cijfer
vac-report-value = Aantal
vac-report-lines = Vaccinaties per lijn
vac-report-hours = Vaccinaties per lijn en uur
vac-report-hour = Uur
vac-show = Tonen

# Centre
vac-check-in-title = Inchecken
vac-scan-label = Scan de QR-code van de uitnodiging (of typ de code)
vac-scan-label-code = Scan het label (of typ de code)
vac-scan-hint = De scanner vult het veld in en drukt op Enter.
vac-look-up = Opzoeken
vac-arrival = Aankomst
vac-arrival-early = te vroeg
vac-arrival-on-time = op tijd
vac-arrival-late = te laat
vac-arrival-not-booked = geen afspraak vandaag
vac-check-identity = Controleer de identiteitskaart en bevestig met Enter.
vac-confirm-button = Identiteit gecontroleerd: inchecken
vac-not-this-person = Niet deze persoon
vac-checked-in = { $name } is ingecheckt met nummer { $number }.
vac-go-line = Naar lijn { $number }.
vac-label-pdf = Label (PDF)
vac-label-zpl = Label (Zebra-printer)
vac-label-title = Vaccinatielabel
vac-label-born = Geboren
vac-label-number = Nummer
vac-label-code-alt = Streepjescode van het bezoek { $code }
vac-field-line = Lijn
vac-station-title = Post
vac-station-registration = Registratie
vac-station-vaccination = Vaccinatie lijn
vac-station-observation = Observatie
vac-station-exit = Uitgang
vac-field-lot = Lotnummer van het vaccin
vac-field-lot-hint = Blijft ingevuld voor de volgende persoon.
vac-scan-button = Registreren
vac-scanned-registration = geregistreerd. Volgende: vaccinatie.
vac-scanned-vaccination = gevaccineerd. Volgende: observatieruimte.
vac-scanned-observation = in de observatieruimte.
vac-scanned-exit = vertrokken. Tot ziens!
vac-stage-checked-in = ingecheckt
vac-stage-registered = geregistreerd
vac-stage-vaccinated = gevaccineerd
vac-stage-observing = in observatie
vac-stage-left = vertrokken
vac-observation-title = Observatieruimte
vac-observation-minutes = Iedereen blijft { $minutes } minuten na de vaccinatie.
vac-observation-empty = Er is niemand in observatie.
vac-time-left = Nog te wachten
vac-may-leave = U mag vertrekken
vac-stay = Even blijven
vac-mobile-none = Er zijn geen bezoeken gepland voor dit team op deze dag.
vac-mobile-planned = gepland
vac-mobile-arrived = aangekomen
vac-mobile-vaccinated = gevaccineerd
vac-record-arrival = Aangekomen
vac-record-vaccinated = Gevaccineerd
vac-offline = Geen verbinding: registraties worden op het toestel bewaard
vac-online = Verbonden
vac-pending = nog te versturen
vac-synced = verstuurd
vac-conflict = conflict: al geregistreerd door een ander team

# Mail
mail-vac-invite-subject = Uitnodiging voor uw vaccinatie
mail-vac-invite-body = Beste { $name },

    { $city } nodigt u uit voor uw vaccinatie ({ $service }).
    Kies zelf een moment: { $link }
    Uw code: { $code } (samen met uw geboortedatum).

    Geen computer of hulp nodig? Bel het contactcenter of kom langs aan het loket.

    Met vriendelijke groeten,
    { $city }
mail-vac-booked-subject = Uw vaccinatieafspraak op { $at }
mail-vac-booked-body = Beste { $name },

    Uw afspraak voor { $service } staat vast op { $at } in { $place }.
    Neem uw identiteitskaart en uw uitnodiging (code { $code }) mee.
    Verplaatsen of annuleren: { $link }

    { $city }
mail-vac-moved-subject = Uw vaccinatieafspraak is verplaatst naar { $at }
mail-vac-moved-body = Beste { $name },

    Uw afspraak voor { $service } is verplaatst naar { $at } in { $place }.
    Beheer uw afspraak: { $link }

    { $city }
mail-vac-cancelled-subject = Uw vaccinatieafspraak is geannuleerd
mail-vac-cancelled-body = Beste { $name },

    Uw afspraak voor { $service } op { $at } is geannuleerd. Met uw code { $code } kunt u een nieuw moment kiezen: { $link }

    { $city }
mail-vac-reminder-subject = Herinnering: morgen uw vaccinatie om { $at }
mail-vac-reminder-body = Beste { $name },

    Morgen, { $at }, wordt u verwacht in { $place } voor { $service }. Neem uw identiteitskaart en uw code { $code } mee.
    Toch niet? Annuleer dan, zodat iemand anders uw plaats krijgt: { $link }

    { $city }
mail-vac-offer-subject = Er is een vaccinatieplaats vrij op { $at }
mail-vac-offer-body = Beste { $name },

    Er is een plaats vrijgekomen voor { $service } op { $at }.
    Wilt u komen? Bevestig vóór { $due } via { $link }
    Daarna gaat de plaats naar de volgende op de reservelijst.

    { $city }

# Errors
err-vac-code-length = { $field }: de code heeft 12 tekens (bijvoorbeeld K7QM-3XHD-A9W2). Kijk ze na op uw uitnodiging.
err-vac-code-symbol = { $field }: de code bevat een teken dat er niet in kan voorkomen. Gebruik alleen cijfers en letters (geen U).
err-vac-code-typo = { $field }: deze code klopt niet; er is wellicht een teken verkeerd getypt. Kijk de code na op uw uitnodiging.
err-vac-code-unknown = { $field }: deze code kennen we niet. Kijk ze na op uw uitnodiging.
err-vac-code-cancelled = { $field }: deze uitnodiging is geannuleerd. Bel het contactcenter als dat niet klopt.
err-vac-code-used = { $field }: met deze uitnodiging is al gevaccineerd.
err-vac-code-other-campaign = { $field }: deze code hoort bij een andere campagne.
err-vac-code-locked = { $field }: te veel foute pogingen. Probeer opnieuw over { $value } minuten.
err-vac-birth-date-wrong = { $field }: deze geboortedatum hoort niet bij de code. Nog { $value } pogingen.
err-vac-birth-date-invalid = { $field }: geef een geldige datum als JJJJ-MM-DD, bijvoorbeeld 1985-07-30.
err-vac-birth-date-nrn = { $field }: de geboortedatum past niet bij het rijksregisternummer ({ $value }).
err-vac-number-range = { $field }: geef een getal tussen { $value }.
err-vac-groups-invalid = { $field }: geef 1 tot 20 doelgroepen, één per regel, van hoogstens 60 tekens.
err-vac-groups-repeated = { $field }: "{ $value }" staat twee keer in de lijst.
err-vac-day-invalid = { $field }: "{ $value }" is geen dag met openingsuren. Schrijf bijvoorbeeld 2026-12-01 08:00-20:00.
err-vac-day-repeated = { $field }: { $value } staat twee keer in de lijst.
err-vac-phone-invalid = { $field }: geef een telefoonnummer van 8 tot 15 cijfers.
err-vac-group-unknown = { $field }: kies een doelgroep uit de lijst van de campagne.
err-vac-already-invited = { $field }: deze persoon is al uitgenodigd voor deze campagne (regel { $value }). Er is niets ingelezen.
err-vac-csv-column-unknown = { $field }: onbekende kolom. Gebruik national_number, name, birth_date, street, postal_code, city, email, phone, group.
err-vac-already-booked = { $field }: deze uitnodiging heeft al een afspraak. Verplaats die in plaats van een nieuwe te maken.
err-vac-booking-not-active = { $field }: er is geen lopende afspraak om te wijzigen.
err-vac-same-slot = { $field }: dit is al het moment van uw afspraak.
err-vac-slot-pick = { $field }: kies een moment uit de lijst.
err-vac-offer-gone = { $field }: dit aanbod is verlopen of al gebruikt.
err-vac-checked-in-already = { $field }: deze persoon is vandaag al ingecheckt.
err-vac-label-unknown = { $field }: dit label kennen we niet. Scan opnieuw of typ de code onder de streepjescode.
err-vac-scan-twice = { $field }: dit label is hier al gescand.
err-vac-scan-order = { $field }: deze persoon is nog niet klaar voor deze post (nu: { $value }). Stuur hem of haar eerst naar de vorige post.
err-vac-scan-wrong-line = { $field }: deze persoon hoort bij lijn { $value }. Stuur hem of haar daarheen.
err-vac-scan-too-soon = { $field }: de observatie is nog niet voorbij. Nog { $value } minuten.
err-vac-station-unknown = { $field }: kies registration, vaccination, observation of exit.
err-vac-line-invalid = { $field }: geef het nummer van een vaccinatielijn van deze campagne.
err-vac-lot-required = { $field }: vul het lotnummer van het vaccin in (hoogstens 40 tekens).
err-vac-opens-invalid = { $field }: geef datum en uur, bijvoorbeeld 2026-12-01T09:00.
err-vac-time-invalid = { $field }: geef een uur als UU:MM, bijvoorbeeld 14:30.
err-vac-ticket-invalid = { $field }: dit wachtrijticket is ongeldig. Vraag een nieuw ticket aan.
err-vac-sync-visit-unknown = { $field }: dit bezoek is niet gepland voor dit team. Er is niets opgeslagen.
err-vac-sync-id-reused = { $field }: deze registratie-id is al gebruikt voor een andere registratie. Er is niets opgeslagen.
err-vac-sync-id-invalid = { $field }: de registratie-id moet 8 tot 64 letters, cijfers of streepjes hebben.
err-vac-sync-kind = { $field }: kies arrival of vaccinated.
err-vac-sync-time = { $field }: dit tijdstip ligt in de toekomst of meer dan 30 dagen terug.
err-vac-sync-batch-size = { $field }: stuur 1 tot { $value } registraties tegelijk.
err-vac-sync-malformed = { $field }: deze gegevens kunnen we niet lezen. Er is niets opgeslagen.
err-vac-resolution-invalid = { $field }: kies "dubbel geregistreerd" of "twee keer gevaccineerd".
err-vac-conflict-closed = { $field }: dit conflict is al afgehandeld.

# Field names in error messages
# The vaccination centre's own labels come before the shared field-* ones.
field-vac-code = Code
field-vac-start = Tijdslot
field-vac-ticket = Wachtrijticket
field-birth-date = Geboortedatum
field-group = Doelgroep
field-lot = Lotnummer
field-team = Team
field-at = Uur
field-address = Adres
field-vaccine = Vaccin
field-lines = Vaccinatielijnen
field-per-line = Plaatsen per lijn
field-slot-minutes = Tijdslot
field-observation-minutes = Observatie
field-admit-per-minute = Toegelaten bezoekers per minuut
field-opens-at = Boeken kan vanaf
field-days = Dagen van het centrum
field-groups = Doelgroepen
field-file = Bestand
field-resolution = Afhandeling
field-offer = Aanbod
field-invitation = Uitnodiging
field-station = Post
field-line = Lijn
field-records = Registraties
mail-vac-reserve-confirm-subject = Bevestig uw inschrijving op de reservelijst
mail-vac-reserve-confirm-body = Beste { $name },

    Iemand schreef u met dit e-mailadres in op de reservelijst voor { $service } van { $city }.
    Bevestig de inschrijving via deze link (24 uur geldig):

    { $link }

    Als u in deze campagne gevaccineerd kunt worden, krijgt u daarna een bericht zodra er een plaats vrijkomt.
    Hebt u zich niet ingeschreven? Dan mag u deze e-mail negeren.

    { $city }
vac-reserve-sent = Bedankt. We stuurden een e-mail naar het adres dat u opgaf: bevestig uw inschrijving met de link erin. Als u in deze campagne gevaccineerd kunt worden, krijgt u een bericht.
vac-reserve-confirm-title = Inschrijving bevestigen
vac-reserve-confirm-intro = Klik op de knop om uw inschrijving op de reservelijst te bevestigen.
vac-reserve-confirm-button = Inschrijving bevestigen
vac-reserve-confirmed = Bedankt, uw inschrijving is bevestigd. Als u in deze campagne gevaccineerd kunt worden, krijgt u een bericht.
vac-reserve-link-gone = Deze link is niet meer geldig: hij werd al gebruikt of is verlopen. Schrijf u opnieuw in als dat nodig is.
err-vac-ticket-used = { $field }: dit wachtrijticket werd al gebruikt voor een afspraak. Vraag een nieuw ticket aan.
