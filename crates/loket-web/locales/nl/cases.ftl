# Diensten en dossiers

nav-services = Online diensten
catalogue-title = Online diensten
catalogue-search = Zoek een dienst
catalogue-none = Geen dienst gevonden. Probeer een ander woord, of bel het contactcenter.
service-days = { $days } werkdagen
service-free = Gratis
service-fee = Kostprijs
service-time = Behandeltermijn
service-start = Aanvraag starten
service-start-login = Meld u aan om te starten
service-help = Lukt het niet online? Bel het contactcenter of maak een afspraak aan het loket: we dienen dezelfde aanvraag samen met u in.
apply-title = Aanvraag
draft-saved = Uw ontwerp is bewaard ({ $at }). U kunt later verdergaan.
upload-current = Opgeladen: { $name }. Kies een ander bestand om het te vervangen.
case-files = Bestanden
err-file-empty = { $field }: dit bestand is leeg.
err-file-too-large = { $field }: dit bestand is groter dan 10 MB.
err-file-type = { $field }: kies een PDF, JPEG of PNG.
err-file-type-mismatch = { $field }: de inhoud van dit bestand past niet bij zijn naam of type. Kies een echte PDF, JPEG of PNG.
optional = niet verplicht
choose = Maak een keuze
apply-review = Controleren
apply-save = Bewaren als ontwerp
confirm-title = Controleer uw aanvraag
confirm-intro = Kijk uw gegevens na. Klopt alles? Dien dan uw aanvraag in. Wilt u nog iets aanpassen? Kies 'Aanpassen'.
confirm-submit = Aanvraag indienen
confirm-change = Aanpassen
my-cases-title = Mijn dossiers
my-cases-none = U hebt nog geen dossiers.
case-title = Dossier
case-number = Dossiernummer
case-service = Dienst
case-status = Status
case-submitted = Ingediend op
case-due = Uiterlijk klaar op
case-data = Uw gegevens
case-data-staff = Gegevens van de aanvraag
case-timeline = Verloop
case-received = Uw aanvraag is ingediend met dossiernummer { $number }. U krijgt een bevestiging per e-mail.
case-answer = Antwoord op onze vraag
case-message = Bericht aan de stad
case-resident = Inwoner
case-channel = Kanaal
case-unassign = Niet meer aan mij toewijzen
case-assign-me = Aan mij toewijzen
case-decide = Volgende stap
case-step = Stap
case-reason-needed = reden verplicht
case-take-step = Stap zetten
case-message-resident = Bericht aan de inwoner
case-note = Interne notitie
case-add-note = Notitie toevoegen
field-body = Uw bericht
field-reason = Reden of toelichting
field-note = Notitie
hint-reason = De inwoner ziet deze tekst in het dossier en in de e-mail.
hint-note = Alleen voor medewerkers; de inwoner ziet dit nooit.
event-internal = intern
event-message-in = Bericht van de inwoner
event-message-out = Bericht van de stad
event-note = Interne notitie
event-assigned = Toegewezen
channel-web = online
channel-counter = aan het loket
channel-phone = telefonisch
channel-post = per post
all = Alle
queue-title = Werkvoorraad
queue-overdue = { $count } dossiers over de termijn
queue-mine = Alleen mijn dossiers
queue-only-overdue = Alleen over de termijn
queue-closed = Ook afgesloten dossiers
queue-assignee = Behandelaar
queue-late = te laat
queue-me = ik
queue-other = collega
address-street = Straat
address-number = Huisnummer
address-box = Bus
address-postal-code = Postcode
address-city = Gemeente

err-date-invalid = { $field }: vul een datum in als 2026-12-01.
err-date-too-far = { $field }: deze datum ligt te ver in de toekomst.
err-date-too-early = { $field }: deze datum ligt te ver in het verleden.
err-text-too-long = { $field }: deze tekst is te lang.
err-text-invalid = { $field }: deze tekst bevat ongeldige tekens.
err-too-many = { $field }: dat zijn er te veel.
err-choice-unknown = { $field }: kies een van de mogelijkheden.
err-number-invalid = { $field }: vul een geheel getal in.
err-number-too-small = { $field }: dit getal is te klein.
err-number-too-large = { $field }: dit getal is te groot.
err-number-range = { $field }: dit getal ligt buiten de toegelaten grenzen.
err-amount-invalid = { $field }: vul een bedrag in euro in, zoals 1.250,00.
err-amount-too-large = { $field }: dit bedrag is hoger dan het maximum.
err-file-required = { $field }: voeg dit document toe.
err-house-number-invalid = { $field }: een huisnummer begint met een cijfer.
err-postal-code-outside-city = { $field }: deze postcode ligt niet in de stad (3000, 3001, 3010, 3012, 3018).
err-transition-unknown = { $field }: kies een van de stappen.
err-transition-not-allowed = { $field }: deze stap kan niet vanuit de huidige status. Er is niets gewijzigd.
err-case-changed = { $field }: iemand anders heeft het dossier net gewijzigd. Er is niets gewijzigd; bekijk de nieuwe status.
err-service-unknown = { $field }: deze dienst bestaat niet. Vraag de lijst op met GET /api/v1/services.
err-resident-unknown = { $field }: er is geen inwonersaccount met dit e-mailadres.
err-channel-assisted = { $field }: kies counter, phone of post voor een aanvraag namens een inwoner.
err-channel-unknown = { $field }: kies web, counter, phone of post.
err-key-invalid = { $field }: gebruik kleine letters, cijfers, - en _, en elke sleutel maar één keer.
err-fields-required = { $field }: een dienst heeft minstens één veld.
err-options-required = { $field }: een keuzelijst heeft minstens één mogelijkheid.
err-state-unknown = { $field }: die status bestaat niet in de workflow.
err-document-kind-unknown = { $field }: kies decision of permit.
err-from-final-state = { $field }: uit een eindstatus kan geen stap vertrekken.

mail-case-received-subject = Dossier { $number }: uw aanvraag is ontvangen
mail-case-received-body =
    Dag { $name },

    We hebben uw aanvraag "{ $service }" goed ontvangen. Uw dossiernummer is { $number }.
    Status: { $status }. { $explanation }

    Volg uw dossier op: { $link }

    { $city }
mail-case-status-subject = Dossier { $number }: { $status }
mail-case-status-body =
    Dag { $name },

    Er is nieuws in uw dossier { $number } ("{ $service }").
    Status: { $status }. { $explanation }
    Toelichting: { $reason }

    Bekijk uw dossier: { $link }

    { $city }

case-documents = Documenten
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
doc-place = Leuven
doc-fact = Gegeven
doc-value = Waarde
doc-valid-from = Geldig vanaf
doc-valid-until = Geldig tot en met
doc-verify = Controleer dit document met de QR-code of op { $url } (code { $code }).
doc-qr-alt = QR-code die naar de controlepagina van dit document leidt
doc-logo-alt = Logo van { $city }
doc-closing = Met vriendelijke groeten, { $city }
doc-reason = Toelichting: { $reason }
doc-receipt-title = Ontvangstbewijs: { $service }
doc-receipt-text = We hebben uw aanvraag "{ $service }" ontvangen onder dossiernummer { $number }. We behandelen ze uiterlijk tegen { $due }. U volgt uw dossier online via 'Mijn dossiers'.
doc-receipt-label = Ontvangstbewijs
doc-receipt-file = ontvangstbewijs
doc-decision-title = Beslissing: { $service }
doc-decision-text = Over uw aanvraag "{ $service }" (dossier { $number }) is beslist. Beslissing: { $status }.
doc-decision-label = Beslissingsbrief
doc-decision-file = beslissing
doc-permit-title = Bewonersparkeerkaart
doc-permit-text = Uw aanvraag "{ $service }" is goedgekeurd. Dit document is uw parkeerkaart. Een parkeerwachter controleert ze met de QR-code.
doc-permit-label = Parkeerkaart
doc-permit-file = parkeerkaart
verify-title = Document controleren
verify-intro = Controleer of een parkeerkaart of beslissing van de stad echt en geldig is. Scan de QR-code of typ de code die op het document staat. We tonen geen persoonsgegevens.
verify-code = Controlecode
verify-hint = 16 tekens, bijvoorbeeld 7KQ2-9XHM-3TPV-R8DA.
verify-submit = Controleren
verify-valid = Geldig
verify-invalid = Niet (meer) geldig
verify-unknown = Onbekende code: dit document is niet door de stad uitgereikt, of de code is verkeerd getypt.
verify-kind = Document
verify-issued = Uitgereikt op
err-amount-above-maximum = { $field }: dit is meer dan de regels toelaten. U kunt hoogstens € { $value } vragen.
err-address-outside-zones = { $field }: dit adres ligt in geen enkele parkeerzone voor bewoners. Controleer de straatnaam en postcode; woont u buiten de zones, dan heeft u geen bewonerskaart nodig.
err-rule-invalid = { $field }: deze regel verwijst naar een veld dat niet bestaat of niet het juiste type heeft.
payments-title = Betalingen van premies
payments-intro = Goedgekeurde premies die nog niet betaald zijn. Maak een betaalbestand (SEPA, pain.001) en laad het op in de bankapplicatie. De dossiers gaan dan naar "Betaling onderweg".
payments-ready = Klaar om te betalen
payments-none = Er zijn geen goedgekeurde premies die op betaling wachten.
payments-payee = Begunstigde
payments-account = Rekening
payments-amount = Bedrag
payments-total = Totaal
payments-count = Aantal
field-execution-date = Uitvoeringsdatum
payments-date-hint = Een werkdag, vandaag of later, zoals 2026-12-01.
payments-create = Betaalbestand maken
payments-created = Betaalbestand gemaakt: { $count } overschrijvingen, samen
payments-download = Betaalbestand downloaden
payments-files = Betaalbestanden
payments-no-files = Er zijn nog geen betaalbestanden.
payments-created-at = Gemaakt op
payments-file = Bestand
err-date-in-past = { $field }: deze datum ligt in het verleden. Kies vandaag of later.
err-date-weekend = { $field }: dit is een weekenddag. Kies een werkdag.
err-nothing-to-pay = Er is niets te betalen: geen enkele goedgekeurde premie wacht op betaling.
err-payment-already-exported = Een van deze premies staat intussen al in een ander betaalbestand. Laad de pagina opnieuw en probeer nog eens.
