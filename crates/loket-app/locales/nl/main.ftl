# Loket — Nederlands (standaardtaal)

skip-link = Naar de inhoud
nav-label = Hoofdmenu
lang-label = Taal
nav-home = Start
nav-staff = Medewerkers
nav-admin = Beheer
nav-account = Mijn account
nav-login = Aanmelden
nav-logout = Afmelden
nav-register = Registreren
nav-api = API
send = Versturen
save = Opslaan
search = Zoeken
filter = Filteren
yes = ja
no = nee

home-title = Welkom bij het digitale loket
home-intro = Regel uw zaken met de stad online, op elk moment. Lukt het niet alleen? Bel ons of maak een afspraak aan het loket: we helpen u met dezelfde aanvraag.
home-services = Online diensten
home-help = Hulp nodig?
home-help-text = Het contactcenter beantwoordt uw vragen over elk onderwerp, aan de telefoon, per mail en aan het loket. Aan het loket werken we op afspraak, zonder wachtrij.
home-help-phone = Telefoon:
home-help-open-now = nu open
home-help-closed-now = nu gesloten
home-help-days = { $first } tot { $last }
home-help-kb = Zoek een antwoord in de kennisbank
home-help-ask = Stel uw vraag schriftelijk
home-help-book = Maak een afspraak aan het loket
home-search-title = Zoeken
home-search-label = Zoek in diensten en antwoorden
home-search-button = Zoeken
home-search-services = Diensten
home-search-articles = Antwoorden uit de kennisbank
home-search-no-services = Geen dienst past bij deze woorden.
home-search-no-articles = Geen antwoord past bij deze woorden. Stel ons uw vraag: we beantwoorden ze.
service-soon = Er staan nog geen diensten online.

login-title = Aanmelden
login-submit = Aanmelden
login-forgot = Wachtwoord vergeten?
login-register = Nog geen account? Registreer u.
login-resend = Geen bevestigingsmail ontvangen?
login-wrong = Het e-mailadres of het wachtwoord klopt niet. Controleer ze en probeer opnieuw.
login-unconfirmed = Bevestig eerst uw e-mailadres met de link die we u mailden. Geen mail ontvangen? Vraag een nieuwe link aan.
login-throttled = Te veel mislukte pogingen. Wacht { $minutes } minuten en probeer dan opnieuw, of kies een nieuw wachtwoord via 'Wachtwoord vergeten'.
demo-accounts = Demo-accounts
demo-accounts-text = Het wachtwoord van elk demo-account is 'loket-demo-2026'. Bijvoorbeeld: admin@demo.leuven.be, loket@demo.leuven.be, an.peeters@example.org. De volledige lijst staat in de terminal waar de demo draait.

register-title = Registreren
register-intro = Maak een account om uw aanvragen online in te dienen en te volgen.
register-submit = Account maken
register-done-title = Bevestig uw e-mailadres
register-done-text = We hebben u een e-mail gestuurd met een link. Klik op die link om uw account te activeren. De link blijft 48 uur geldig.
confirm-ok-title = E-mailadres bevestigd
confirm-ok-text = Uw e-mailadres is bevestigd. U kunt zich nu aanmelden.
confirm-bad-title = Deze link werkt niet meer
confirm-bad-text = De bevestigingslink is al gebruikt of verlopen. Vraag een nieuwe link aan via 'Geen bevestigingsmail ontvangen?' op de aanmeldpagina.
resend-title = Nieuwe bevestigingslink
resend-intro = Vul uw e-mailadres in. Als er een account is dat nog niet bevestigd is, sturen we een nieuwe link.
resend-done = Als er een onbevestigd account is met dit adres, hebt u zonet een nieuwe link ontvangen.

forgot-title = Wachtwoord vergeten
forgot-intro = Vul het e-mailadres van uw account in. We sturen u een link om een nieuw wachtwoord te kiezen.
forgot-done = Als er een account is met dit e-mailadres, hebt u een e-mail ontvangen met een link. De link blijft één uur geldig.
reset-title = Nieuw wachtwoord kiezen
reset-submit = Wachtwoord opslaan
reset-bad-title = Deze link werkt niet meer
reset-bad-text = De link is al gebruikt of verlopen. Vraag een nieuwe aan via 'Wachtwoord vergeten'.
reset-done-title = Wachtwoord gewijzigd
reset-done-text = Uw nieuwe wachtwoord is opgeslagen. Alle andere sessies zijn afgemeld. U kunt zich nu aanmelden.

account-title = Mijn account
account-language = Taal
account-password = Wachtwoord wijzigen
account-password-submit = Wachtwoord wijzigen
account-password-done = Uw wachtwoord is gewijzigd. Uw andere sessies zijn afgemeld.

staff-title = Medewerkers
staff-intro = Welkom. Hieronder staan uw rollen en wat u hier kunt doen.
work-title = Wat vandaag op u wacht ({ $date })
work-cases-overdue = Uw dossiers over hun vervaldag
work-cases-due = Uw dossiers met vervaldag tot { $until }
work-cases-unassigned = Open dossiers van uw diensten die niemand heeft opgenomen
work-forwards-overdue = Doorverwijzingen naar uw diensten over hun termijn
work-forwards-due = Doorverwijzingen naar uw diensten die vandaag moeten
work-waiting = { $location }: tickets die nu wachten
work-appointments = { $location }: afspraken vandaag die nog komen (geholpen: { $served }, niet gekomen: { $noshow })
work-months = Telewerkmaanden van uw team goed te keuren voor { $month }
work-bikes = Fietsen in onderhoud, na te kijken
work-loans = Uitleningen over hun terugbrengdag
work-shifts = Shiften tot { $until } met te weinig mensen (nog { $places } plaatsen)
work-privacy-overdue = Verzoeken over persoonsgegevens over hun termijn
work-privacy-open = Open verzoeken over persoonsgegevens

role-resident = Inwoner
role-counter = Loketmedewerker
role-contact-centre = Contactcenter
role-case-handler = Dossierbehandelaar
role-hr = Personeelsdienst
role-finance = Financiële dienst
role-ict = ICT-materiaalbeheer
role-fleet = Vlootbeheer
role-employee = Medewerker (eigen telewerkdagen)
role-vaccination-coordinator = Coördinator vaccinatiecentrum
role-vaccination-staff = Medewerker vaccinatiecentrum
role-admin = Beheerder
role-all-departments = Alle diensten (need to know: ziet de dossiers en doorverwijzingen van elke dienst)
role-management = Management (het dashboard met de cijfers van de stad)

admin-users-title = Gebruikers en tokens
admin-new-user-title = Medewerker toevoegen
admin-user-title = Gebruiker
admin-staff = Medewerkers
admin-residents = Inwoners
admin-residents-count = Er zijn { $count } inwonersaccounts. Ze worden niet opgelijst; zoek een inwoner op exact e-mailadres. Elke opzoeking wordt in het toegangslogboek geschreven.
admin-residents-more = Er zijn meer dan { $count } inwonersaccounts. Ze worden niet opgelijst; zoek een inwoner op exact e-mailadres. Elke opzoeking wordt in het toegangslogboek geschreven.
admin-search-email = E-mailadres
admin-search-hint = Het volledige e-mailadres, bijvoorbeeld an.peeters@example.org
admin-search-none = Geen account met dat e-mailadres.
admin-tokens = API-tokens
admin-created = Aangemaakt
admin-last-used = Laatst gebruikt
admin-status = Status
admin-revoked = ingetrokken
admin-revoke = Intrekken
admin-create = Medewerker toevoegen
admin-confirmed = E-mailadres bevestigd
admin-token-create = Token aanmaken
admin-token-once = Kopieer dit token nu: het wordt maar één keer getoond.

audit-title = Auditlogboek
audit-person = Persoon (gebruikers-id)
audit-record-type = Soort record
audit-record-id = Record-id
audit-when = Wanneer
audit-who = Wie
audit-action = Actie
audit-record = Record
audit-before = Voor
audit-after = Na
access-title = Toegangslogboek
access-subject = Wiens gegevens
access-purpose = Doel

mail-title = Verzonden e-mail
mail-intro = Alle berichten uit de outbox, nieuwste eerst. Zonder SMTP-server worden ze ook als .eml-bestand bewaard.
mail-to = Aan
mail-subject = Onderwerp

api-title = API
api-intro = Loket heeft een JSON-API onder /api/v1. Meld u aan met de kop 'Authorization: Bearer <token>'. Fouten komen terug als application/problem+json.
api-operations = Bewerkingen
api-method = Methode
api-path = Pad
api-summary = Omschrijving

field-email = E-mailadres
field-name = Naam
field-password = Wachtwoord
field-password-repeat = Herhaal het wachtwoord
field-current-password = Huidig wachtwoord
field-new-password = Nieuw wachtwoord
field-roles = Rollen
field-locale = Taal
field-token-name = Naam van het token
hint-email = We sturen u een link om dit adres te bevestigen.
hint-password = Minstens { $min } tekens. Een zin van enkele woorden is sterk en makkelijk te onthouden.
hint-staff-password = Optioneel. Laat leeg om de medewerker een link te mailen waarmee die zelf een wachtwoord kiest.
hint-token-name = Bijvoorbeeld: koppeling met het boekhoudpakket

error-summary = Er is een probleem
err-required = { $field }: vul dit veld in.
err-email-invalid = { $field }: vul een geldig e-mailadres in, zoals naam@voorbeeld.be.
err-email-taken = { $field }: er bestaat al een account met dit e-mailadres. Meld u aan of kies 'Wachtwoord vergeten'.
err-password-too-short = { $field }: gebruik minstens 10 tekens.
err-password-too-long = { $field }: gebruik hoogstens 256 tekens.
err-password-is-email = { $field }: gebruik niet uw e-mailadres als wachtwoord.
err-password-mismatch = { $field }: de twee wachtwoorden zijn niet gelijk. Typ ze opnieuw.
err-password-wrong = { $field }: dit is niet uw huidige wachtwoord.
err-name-invalid = { $field }: gebruik hoogstens 100 tekens, zonder stuurtekens.
err-role-unknown = { $field }: kies rollen uit de lijst (resident, counter, contact_centre, case_handler, hr, fleet, finance, vaccination_coordinator, vaccination_staff, employee, ict, admin, privacy_officer, all_departments, management).
err-roles-required = { $field }: kies minstens één rol.
err-role-self-admin = { $field }: u kunt uw eigen beheerdersrol niet intrekken. Laat een andere beheerder dat doen.
err-locale-unknown = { $field }: kies Nederlands of Engels.
err-nrn-format = { $field }: een rijksregisternummer heeft 11 cijfers, zoals 85.07.30-033.28.
err-nrn-checksum = { $field }: dit rijksregisternummer bestaat niet (het controlegetal klopt niet). Controleer de cijfers.
err-iban-invalid = { $field }: vul een geldig IBAN-rekeningnummer in, zoals BE68 5390 0754 7034.
err-postal-code-invalid = { $field }: een Belgische postcode heeft 4 cijfers, zoals 3000.
err-plate-invalid = { $field }: vul een Belgische nummerplaat in, zoals 1-ABC-123.

error-not-found = Pagina niet gevonden
error-not-found-text = Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina.
error-unauthorized = Aanmelden nodig
error-unauthorized-text = Meld u aan om verder te gaan.
error-forbidden = Geen toegang
error-needs-role = Dit vraagt een van deze rollen: { $roles }.
error-forbidden-text = U hebt niet de rol die nodig is voor deze pagina. Vraag toegang aan een beheerder als u denkt dat dit nodig is.
error-csrf = Formulier verlopen
error-csrf-text = Het formulier is verlopen of kwam niet van deze site. Er is niets gewijzigd. Ga terug, laad de pagina opnieuw en probeer nog eens.
error-too-many = Te veel aanvragen
error-too-many-text = U hebt te veel aanvragen gedaan. Wacht even en probeer opnieuw.
error-invalid = Ongeldige invoer
error-invalid-text = Enkele gegevens kloppen niet. Er is niets gewijzigd.
error-conflict = Bestaat al
error-conflict-text = Dit bestaat al. Er is niets gewijzigd.
error-internal = Er ging iets mis
error-internal-text = Er ging iets mis aan onze kant. Er is niets gewijzigd. Probeer het later opnieuw.
error-reference = Referentie voor de helpdesk:
error-unavailable = Even niet beschikbaar
error-unavailable-text = De dienst is even niet beschikbaar. Er is niets gewijzigd. Probeer het over een minuut opnieuw.
error-bad-request = Ongeldige aanvraag
error-method = Methode niet toegestaan
error-media-type = Verkeerd inhoudstype: stuur JSON (Content-Type: application/json).
error-too-large-text = De aanvraag is te groot. Een bestand mag hoogstens 10 MB zijn. Er is niets gewijzigd.
error-too-large = Aanvraag te groot

mail-confirm-subject = Bevestig uw e-mailadres voor { $city }
mail-confirm-body =
    Dag { $name },

    Bedankt voor uw registratie bij het digitale loket van { $city }.
    Bevestig uw e-mailadres via deze link (48 uur geldig):

    { $link }

    Hebt u zich niet geregistreerd? Dan mag u deze e-mail negeren.

    { $city }
mail-reset-subject = Nieuw wachtwoord voor { $city }
mail-reset-body =
    Dag { $name },

    Kies een nieuw wachtwoord via deze link (één uur geldig):

    { $link }

    Hebt u dit niet gevraagd? Dan mag u deze e-mail negeren; uw wachtwoord blijft hetzelfde.

    { $city }
mail-welcome-subject = Uw account bij { $city }
mail-welcome-body =
    Dag { $name },

    Er is een medewerkersaccount voor u aangemaakt in Loket, het digitale loket van { $city }.
    Kies uw wachtwoord via deze link (7 dagen geldig):

    { $link }

    { $city }
mail-known-subject = Registratie met uw e-mailadres bij { $city }
mail-known-body =
    Dag { $name },

    Iemand probeerde zonet een account te maken bij { $city } met uw e-mailadres.
    U hebt al een account met dit adres; er is niets gewijzigd.

    Was u dat zelf? Meld u dan gewoon aan. Wachtwoord vergeten? Kies een nieuw via:

    { $link }

    Was u het niet? Dan mag u deze e-mail negeren.

    { $city }
limit-reached = U hebt dit te vaak gevraagd. Probeer het opnieuw over { $minutes ->
        [one] één minuut
       *[other] { $minutes } minuten
    }.
login-slow = Te veel mislukte pogingen voor dit account. Wacht { $seconds } seconden en probeer dan opnieuw, of kies een nieuw wachtwoord via 'Wachtwoord vergeten'.
email-confirm-title = E-mailadres bevestigen
email-confirm-intro = Klik op de knop om uw e-mailadres te bevestigen en uw account te activeren.
email-confirm-submit = Bevestigen
demo-password-warning = Let op: minstens één account heeft nog het openbare wachtwoord van de demo. Iedereen kan zich daarmee aanmelden. Wijzig dat wachtwoord of schakel het account uit.
err-limit-retry = Probeer het opnieuw na { $value }.

## Accounts die eindigen, API-tokens (issue 15)
err-scope-unknown = { $field }: "{ $value }" is geen scope. Gebruik context:read of context:write, bv. cases:read.
err-scopes-required = { $field }: kies minstens één scope.
err-token-days-invalid = { $field }: geef een aantal dagen van 1 tot { $value }.
err-reason-required = { $field }: geef een reden, in minstens 3 tekens.
err-account-already-disabled = { $field }: dit account is al uitgeschakeld.
err-account-not-disabled = { $field }: dit account is niet uitgeschakeld.
err-account-self-disable = { $field }: u kunt uw eigen account niet uitschakelen. Laat een andere beheerder dat doen.
err-account-is-disabled = { $field }: het account is uitgeschakeld; schakel het eerst weer in.
field-scopes = Scopes
field-expires_in_days = Geldig (dagen)
hint-disable-reason = Waarom het account wordt uitgeschakeld. De sessies en API-tokens werken meteen niet meer.
hint-enable-reason = Waarom het account weer gebruikt mag worden. De oude API-tokens blijven ingetrokken.
hint-token-days = 1 tot 730 dagen; leeg: 90 dagen.
admin-staff-end = Einde tewerkstelling
admin-account-state = Account
admin-account-active = Actief
admin-account-disabled = Uitgeschakeld
admin-disable = Account uitschakelen
admin-enable = Account inschakelen
admin-token-expires = verloopt
admin-token-expired = verlopen
api-scope-missing = Deze token heeft de scope { $scope } niet.
mail-ict-ending-subject = Einde tewerkstelling: { $name } ({ $employee_no }) heeft nog { $count } stuk(s) materiaal in bruikleen
mail-ict-ending-body =
    Dag ICT,

    De personeelsfiche van { $name } (personeelsnummer { $employee_no }) liep af op { $end_date }. Het Loket-account is uitgeschakeld.
    Nog in bruikleen bij deze persoon (tag · categorie model · serienummer (terug op) · overdracht):

    { $list }

    Haal het materiaal op en boek het terug in.

    { $city }
mail-ict-ending-more = … en nog { $count } stuks die hier niet staan (zie de materiaalpagina van de persoon in Loket).
account-ends-note = Uw account wordt vanaf die dag uitgeschakeld.
# Aanmelden met OpenID Connect (eID, itsme)
login-eid = Aanmelden met eID of itsme
login-or-password = Of meld je aan met je e-mailadres en wachtwoord:
oidc-unreachable-title = Aanmeldingsdienst niet bereikbaar
oidc-unreachable-text = De aanmeldingsdienst voor eID en itsme is nu niet bereikbaar. Er is niets gewijzigd. Probeer het over enkele minuten opnieuw, of meld je aan met je e-mailadres en wachtwoord.
oidc-refused-title = Aanmelding niet aanvaard
oidc-refused-text = We konden deze aanmelding niet controleren, dus ze is niet aanvaard en er is niets gewijzigd. Begin opnieuw vanaf de aanmeldpagina.
oidc-nrn-text = De aanmeldingsdienst gaf ons geen geldig rijksregisternummer, dus we kunnen je account niet openen. Er is niets gewijzigd.
oidc-denied-text = De aanmelding is geannuleerd of geweigerd bij de aanmeldingsdienst. Er is niets gewijzigd.
oidc-disabled-text = Dit account is uitgeschakeld. Neem contact op met de stad.
oidc-link-refused-title = Koppeling niet gemaakt
oidc-nrn-other-account = Dit rijksregisternummer hoort al bij een ander account in Loket. Er is niets gewijzigd; neem contact op met de stad om de accounts samen te voegen.
oidc-account-other-nrn = Dit account is al gekoppeld aan een ander rijksregisternummer. Er is niets gewijzigd.
account-eid = eID en itsme
account-eid-number = Dit account is gekoppeld aan rijksregisternummer { $number }.
account-eid-now = Je bent aangemeld met eID of itsme.
account-eid-linked = Je account is nu gekoppeld aan je rijksregisternummer: voortaan kun je je aanmelden met eID of itsme.
account-eid-link-intro = Koppel dit account aan je eID of itsme, zodat je je ermee kunt aanmelden en ziet wat de stad onder je rijksregisternummer bijhoudt. Geef eerst je wachtwoord.
account-eid-link-submit = Koppelen met eID of itsme
field-link-password = Wachtwoord
account-invitations = Vaccinatie-uitnodigingen
account-invitations-more = Onder dit nummer staan meer dan { $count } uitnodigingen; hier staan alleen de nieuwste { $count }.
account-invitation-campaign = Campagne
account-invitation-code = Code
account-invitation-status = Status
account-invitation-invited = uitgenodigd
account-invitation-booked = geboekt
account-invitation-vaccinated = gevaccineerd
account-invitation-cancelled = geannuleerd
requires-identity-unknown = Gebruik "eid" of laat het weg.
case-identified = Indiener geïdentificeerd met
case-identified-eid = eID of itsme (rijksregisternummer gecontroleerd)
case-identified-password = enkel e-mailadres en wachtwoord
case-identified-counter = een medewerker, aan het loket of telefonisch
case-identified-api = de API (een token van een medewerker)
case-identified-unknown = niet bijgehouden (van voor dit bijgehouden werd)
login-staff-directory = Medewerkers melden zich aan met hun stadsaccount, niet met een wachtwoord hier. Kies "Medewerkers: aanmelden met je stadsaccount".
login-staff-sso = Medewerkers: aanmelden met je stadsaccount
oidc-no-role-text = Je account in de gebruikersdirectory van de stad zit in geen groep die toegang geeft tot Loket, dus je bent niet aangemeld (en een sessie die je hier had, is beëindigd). Vraag je leidinggevende of ICT om je aan de juiste groep toe te voegen.

# Need to know: de diensten van een medewerkersaccount.
field-departments = Diensten
admin-departments-intro = Een dossierbehandelaar of medewerker van een dienst ziet enkel de dossiers en doorverwijzingen van deze diensten, tenzij hij de rol "Alle diensten" heeft.
admin-departments-none = Geen diensten toegewezen.
err-department-unknown = { $field }: kies diensten uit de lijst.
err-department-not-staff = { $field }: enkel medewerkersaccounts horen bij een dienst.

# De pagina's met verzonden e-mail verbergen links die nog werken.
mail-link-hidden-until = [link verborgen tot hij vervalt op { $until }]
mail-link-hidden = [link verborgen: hij bevat een ondertekende sleutel]

## Lijsten in pagina's (één paginering onder elke lijst die groeit)
pager-nav = Pagina's
pager-prev = Vorige pagina
pager-next = Volgende pagina
pager-total = { $count } in totaal
pager-more-than = Meer dan { $count }
picker-more = Meer dan { $count } gevonden: typ meer om de zoekopdracht te verfijnen.
pager-csv = Downloaden als CSV (zelfde filters)
field-cursor = Paginalink
field-limit = Rijen per pagina
err-cursor-invalid = { $field }: deze paginalink is onleesbaar (misschien van een andere lijst of afgebroken). Begin opnieuw bij de eerste pagina.
err-limit-invalid = { $field }: geef een geheel getal van 1 tot { $value }.
err-range-reversed = { $field }: de einddatum ligt voor de begindatum. Kies een einddatum op of na de begindatum.
err-range-too-long = { $field }: de periode is langer dan { $value } dagen (beide dagen meegeteld). Kies een einddatum dichter bij de begindatum, of vraag de periode in delen op.
