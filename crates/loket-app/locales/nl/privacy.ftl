# De gegevens van een persoon: "Mijn gegevens", het opzoeken door de privacyverantwoordelijke en de export (loket-web privacy/export.rs, loket-app privacy/export.rs).
role-privacy-officer = Functionaris voor gegevensbescherming
my-data-title = Mijn gegevens
my-data-intro = Deze pagina toont wat Loket over u bijhoudt. Download alles als bestand om te bewaren of mee te nemen (AVG, artikels 15 en 20).
my-data-held = Wat we over u bijhouden
my-data-download = Downloaden
my-data-download-intro = Het JSON-bestand is voor computers (de sleutels staan uitgelegd op de privacypagina); de PDF is om te lezen. Beide bevatten dezelfde gegevens, uw rijksregisternummer volledig.
my-data-json = Downloaden als JSON
my-data-pdf = Downloaden als PDF
my-data-left-out = Niet opgenomen: interne notities van medewerkers bij uw dossiers en doorverwijzingen, wachtwoorden en aanmeldgeheimen. Vraag het aan de functionaris voor gegevensbescherming als u interne notities wilt inzien; die worden dan eerst nagekeken op gegevens van anderen.
my-data-rights = Uw rechten en hoe u ze gebruikt
officer-title = Functionaris voor gegevensbescherming
officer-intro = Zoek een persoon op e-mailadres of rijksregisternummer om te zien wat Loket over hem of haar bijhoudt en om het te downloaden. Elke opzoeking die een persoon toont en elke download komt in het toegangslogboek.
officer-hint-one = Vul één van de twee velden in.
officer-find = Zoeken
officer-none = Geen persoon gevonden met dit e-mailadres of rijksregisternummer.
officer-account = Account
officer-disabled = uitgeschakeld
officer-logged = Deze opzoeking staat in het toegangslogboek; elke download ook.
err-privacy-lookup-required = { $field }: vul een e-mailadres of een rijksregisternummer in.
err-privacy-lookup-one = { $field }: vul een e-mailadres of een rijksregisternummer in, niet allebei.
export-pdf-title = Gegevens over { $name }
export-pdf-intro = Gemaakt op { $when } (Europe/Brussels), formaatversie { $version }. Opgeladen bestanden staan hier opgesomd; download ze op de pagina's van uw dossiers.
export-none = Geen.
export-account = Account
export-cases = Dossiers
export-case = Dossier
export-history = Verloop van dossier
export-files = Bestanden van dossier
export-appointments = Afspraken
export-contact = Contactmomenten
export-vaccination = Vaccinatie
export-vac-invitations = Vaccinatie-uitnodigingen
export-vac-reserve = Reservelijst vaccinatie
export-letters = Brieven
export-access = Medewerkers die uw dossier inzagen
export-col-field = Veld
export-col-value = Waarde
export-col-when = Wanneer
export-col-what = Wat
export-col-text = Tekst
export-col-file = Bestand
export-col-where = Waar
export-col-reference = Referentie
export-col-campaign = Campagne
export-col-who = Wie
export-col-purpose = Doel
export-col-record = Gegeven
export-col-part = Onderdeel
export-col-count = Aantal
export-name = Naam
export-email = E-mailadres
export-national-number = Rijksregisternummer
export-address = Adres
export-phone = Telefoon
export-language = Taal
export-roles = Rollen
export-sign-in = Aanmeldwijzen
export-created = Account aangemaakt
export-confirmed = E-mailadres bevestigd
export-disabled = Account uitgeschakeld
export-service = Dienst
export-status = Status
export-channel = Kanaal
export-submitted = Ingediend
export-due = Uiterste datum
export-closed = Afgesloten
export-file-uploaded = opgeladen
export-file-issued = uitgereikt door de stad
export-forward = Doorverwezen naar
export-message = Bericht
export-invitation = Uitnodiging
export-booking = Afspraak
export-visit = Bezoek, lot
export-reserve = Reservelijst
officer-find-person = Een persoon zoeken en de gegevens exporteren
account-my-data = Bekijk wat Loket over u bijhoudt, en download het
# Verzoeken over gegevensbescherming (loket-web privacy/requests.rs, loket-app privacy/requests.rs).
requests-title = Verzoeken over gegevensbescherming
requests-intro = Verzoeken van personen om hun gegevens in te zien, te wissen, te beperken of te verbeteren (AVG, artikels 15 tot 18). Elk verzoek moet binnen een maand na ontvangst beantwoord zijn; te late verzoeken zijn gemarkeerd. Open verzoeken staan eerst, op uiterste datum.
requests-none = Nog geen verzoeken geregistreerd.
requests-count = { $total } verzoeken, { $open } nog open
request-title = Verzoek over gegevensbescherming
request-new-title = Een verzoek registreren
request-new-intro = Een verzoek van { $name }. De uiterste datum is een maand na de dag van ontvangst.
request-record = Het verzoek registreren
request-col-deadline = Uiterste datum
request-col-person = Persoon
request-col-kind = Verzoek
request-col-received = Ontvangen
request-col-status = Status
request-overdue = te laat
request-kind-access = Inzage (art. 15)
request-kind-erasure = Wissen (art. 17)
request-kind-restriction = Beperking (art. 18)
request-kind-rectification = Verbetering (art. 16)
request-status-open = Open
request-status-in-progress = In behandeling
request-status-done = Afgehandeld
request-status-refused = Geweigerd
request-step-title = Volgende stap
request-step-intro = Wanneer het verzoek afgehandeld of geweigerd is, krijgt de persoon meteen bericht, per e-mail of, zonder e-mailadres, per brief, met de tekst hieronder. Verbeteringen gebeuren op de gewone bewerkpagina's.
request-step-submit = De stap bewaren
request-told-mail = De persoon kreeg bericht per e-mail.
request-told-letter = De persoon krijgt bericht per brief (in de volgende printreeks).
request-told-nobody = De persoon heeft geen e-mail- of postadres in Loket: breng hem of haar op een andere manier op de hoogte.
request-reference = Verzoek
field-request-kind = Verzoek
field-request-legal-basis = Rechtsgrond
hint-request-legal-basis = Het artikel en, als het van toepassing is, de grond, bv. Art. 17(1)(a).
field-request-received = Ontvangen op
hint-request-received = De dag waarop het verzoek binnenkwam, hoogstens een jaar geleden.
field-request-note = Notitie (intern)
field-request-status = Nieuwe status
field-request-outcome = Uitkomst
hint-request-outcome = Wat er gebeurde, of waarom het verzoek geweigerd wordt (verplicht bij weigering). De persoon krijgt deze tekst.
err-privacy-kind = { $field }: kies het soort verzoek.
err-privacy-received-range = { $field }: de dag moet vandaag of in het voorbije jaar liggen.
err-privacy-step = { $field }: kies een van de aangeboden volgende stappen.
err-privacy-step-conflict = { $field }: iemand anders wijzigde dit verzoek intussen. Bekijk het opnieuw.
request-outcome-done-subject = Uw verzoek over gegevensbescherming: afgehandeld
request-outcome-done-body =
    Beste { $name },

    Uw verzoek ({ $kind }) dat we ontvingen op { $received } is afgehandeld.

    { $outcome }

    Bent u het er niet mee eens, neem dan contact op met onze functionaris voor gegevensbescherming of dien een klacht in bij de Gegevensbeschermingsautoriteit (www.gegevensbeschermingsautoriteit.be).

    { $city }
request-outcome-refused-subject = Uw verzoek over gegevensbescherming: geweigerd
request-outcome-refused-body =
    Beste { $name },

    We kunnen uw verzoek ({ $kind }) dat we ontvingen op { $received } niet inwilligen, om deze reden:

    { $outcome }

    U kunt een klacht indienen bij de Gegevensbeschermingsautoriteit (www.gegevensbeschermingsautoriteit.be) of naar de rechter stappen.

    { $city }
# Wissing en beperking uitgevoerd (loket-web privacy/requests.rs).
request-done-erased = De wissing is uitgevoerd: de gegevens van de persoon zijn gewist of, waar een wettelijke termijn ze nog vraagt, geanonimiseerd en beperkt bewaard. Het verzoek is afgehandeld.
request-done-restricted = De verwerking is beperkt: enkel de privacyfunctionaris ziet de dossiers van de persoon.
request-done-lifted = De beperking is opgeheven: medewerkers zien de dossiers van de persoon weer.
officer-restricted-title = Beperkte dossiers (enkel de privacyfunctionaris ziet ze)
restricted-badge = beperkt
erasure-title = De wissing uitvoeren
erasure-intro = In één stap schakelt Loket de account voorgoed uit en wist het de naam, contactgegevens, het rijksregisternummer, vrije tekst, opgeladen bestanden en mails van de persoon. Dossiers die een wettelijke termijn nog vraagt, blijven geanonimiseerd en beperkt bewaard. Het verzoek gaat daarna naar afgehandeld en de persoon krijgt de tekst hieronder. Dit kan niet ongedaan gemaakt worden.
hint-erasure-outcome = De persoon krijgt deze tekst (per e-mail, die uit Loket gewist wordt zodra ze verstuurd is, of per brief).
field-erasure-confirm = Ik bevestig dat de gegevens van deze persoon nu gewist moeten worden.
field-request-confirm = Bevestiging
erasure-submit = De wissing uitvoeren
err-erasure-confirm-required = { $field }: vink het vakje aan om de wissing te bevestigen.
restriction-title = Beperking van de verwerking
restriction-intro = Zolang de verwerking beperkt is, ziet enkel de privacyfunctionaris de dossiers van de persoon: voor andere medewerkers bestaan ze niet, in lijsten, pagina's, tellingen en de API. Er wordt niets geanonimiseerd.
restriction-submit = De verwerking beperken
restriction-lift = De beperking opheffen
err-privacy-wrong-kind = { $field }: deze actie hoort niet bij dit soort verzoek.
err-privacy-request-closed = { $field }: het verzoek is al afgehandeld of geweigerd.
