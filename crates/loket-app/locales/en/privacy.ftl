# A person's data: "My data", the privacy officer's look-up and the export (loket-web privacy/export.rs, loket-app privacy/export.rs).
role-privacy-officer = Privacy officer
my-data-title = My data
my-data-intro = This page shows what Loket holds about you. Download all of it as a file to keep or to take elsewhere (GDPR articles 15 and 20).
my-data-held = What we hold about you
my-data-download = Download
my-data-download-intro = The JSON file is for computers (its keys are explained on the privacy page); the PDF is for reading. Both hold the same data, your national register number in full.
my-data-json = Download as JSON
my-data-pdf = Download as PDF
my-data-left-out = Not included: internal notes of staff on your cases and forwards, passwords and sign-in secrets. Ask the privacy officer if you want to see internal notes; they are then reviewed for other people's data first.
my-data-rights = Your rights and how to use them
officer-title = Privacy officer
officer-intro = Find a person by e-mail address or national register number to see what Loket holds about them and to download it. Every look-up that shows a person and every download is written to the access log.
officer-hint-one = Fill in one of the two fields.
officer-find = Find
officer-none = No person found with this e-mail address or national register number.
officer-account = Account
officer-disabled = disabled
officer-logged = This look-up was written to the access log; so is each download.
err-privacy-lookup-required = { $field }: fill in an e-mail address or a national register number.
err-privacy-lookup-one = { $field }: fill in an e-mail address or a national register number, not both.
export-pdf-title = Data held about { $name }
export-pdf-intro = Made on { $when } (Europe/Brussels), format version { $version }. Uploaded files are listed here; download them from your case pages.
export-none = None.
export-account = Account
export-cases = Cases
export-case = Case
export-history = History of case
export-files = Files of case
export-appointments = Appointments
export-contact = Contact moments
export-vaccination = Vaccination
export-vac-invitations = Vaccination invitations
export-vac-reserve = Vaccination reserve list
export-letters = Letters
export-access = Staff who read your file
export-col-field = Field
export-col-value = Value
export-col-when = When
export-col-what = What
export-col-text = Text
export-col-file = File
export-col-where = Where
export-col-reference = Reference
export-col-campaign = Campaign
export-col-who = Who
export-col-purpose = Purpose
export-col-record = Record
export-col-part = Part
export-col-count = Records
export-name = Name
export-email = E-mail address
export-national-number = National register number
export-address = Address
export-phone = Phone
export-language = Language
export-roles = Roles
export-sign-in = Sign-in methods
export-created = Account created
export-confirmed = E-mail address confirmed
export-disabled = Account disabled
export-service = Service
export-status = Status
export-channel = Channel
export-submitted = Submitted
export-due = Due
export-closed = Closed
export-file-uploaded = uploaded
export-file-issued = issued by the city
export-forward = Forwarded to
export-message = Message
export-invitation = Invitation
export-booking = Appointment
export-visit = Visit, lot
export-reserve = Reserve list
officer-find-person = Find a person and export their data
account-my-data = See what Loket holds about you, and download it
# Data-protection requests (loket-web privacy/requests.rs, loket-app privacy/requests.rs).
requests-title = Data-protection requests
requests-intro = Requests of people to see, erase, restrict or correct their data (GDPR articles 15 to 18). Each must be answered within one month of receipt; overdue requests are marked. Open requests come first, by deadline.
requests-none = No requests recorded yet.
requests-count = { $total } requests, { $open } still open
request-title = Data-protection request
request-new-title = Record a request
request-new-intro = A request of { $name }. The deadline is one month after the day it was received.
request-record = Record the request
request-col-deadline = Deadline
request-col-person = Person
request-col-kind = Request
request-col-received = Received
request-col-status = Status
request-overdue = overdue
request-kind-access = Access (art. 15)
request-kind-erasure = Erasure (art. 17)
request-kind-restriction = Restriction (art. 18)
request-kind-rectification = Rectification (art. 16)
request-status-open = Open
request-status-in-progress = In progress
request-status-done = Done
request-status-refused = Refused
request-step-title = Next step
request-step-intro = When the request is done or refused, the person is told at once, by e-mail or, without an e-mail address, by letter, with the text below. Rectifications are carried out on the normal edit pages.
request-step-submit = Save the step
request-told-mail = The person was told by e-mail.
request-told-letter = The person will be told by letter (in the next print batch).
request-told-nobody = The person has no e-mail or postal address in Loket: tell them another way.
request-reference = Request
field-request-kind = Request
field-request-legal-basis = Legal basis
hint-request-legal-basis = The article and, if it applies, the ground, e.g. Art. 17(1)(a).
field-request-received = Received on
hint-request-received = The day the request came in, at most a year ago.
field-request-note = Note (internal)
field-request-status = New status
field-request-outcome = Outcome
hint-request-outcome = What was done, or why the request is refused (required when refused). The person receives this text.
err-privacy-kind = { $field }: choose the kind of request.
err-privacy-received-range = { $field }: the day must be today or in the past year.
err-privacy-step = { $field }: choose one of the next steps offered.
err-privacy-step-conflict = { $field }: someone else changed this request meanwhile. Look at it again.
request-outcome-done-subject = Your data-protection request: done
request-outcome-done-body =
    Dear { $name },

    Your request ({ $kind }) that we received on { $received } has been handled.

    { $outcome }

    If you disagree, you may contact our data protection officer or lodge a complaint with the Data Protection Authority (www.dataprotectionauthority.be).

    { $city }
request-outcome-refused-subject = Your data-protection request: refused
request-outcome-refused-body =
    Dear { $name },

    We cannot grant your request ({ $kind }) that we received on { $received }, for this reason:

    { $outcome }

    You may lodge a complaint with the Data Protection Authority (www.dataprotectionauthority.be) or go to court.

    { $city }
# Erasure and restriction carried out (loket-web privacy/requests.rs).
request-done-erased = The erasure was carried out: the person's data is erased or, where a legal period still requires it, anonymised and kept restricted. The request is done.
request-done-restricted = Processing is restricted: only the privacy officer sees the person's cases.
request-done-lifted = The restriction is lifted: staff see the person's cases again.
officer-restricted-title = Restricted cases (only the privacy officer sees them)
restricted-badge = restricted
erasure-title = Carry out the erasure
erasure-intro = In one step, Loket disables the account for good and erases the person's name, contact data, national register number, free text, uploaded files and mail. Cases a legal period still requires stay, anonymised and restricted. The request then goes to done and the person is told with the text below. This cannot be undone.
hint-erasure-outcome = The person receives this text (by e-mail, erased from Loket as soon as it is sent, or by letter).
field-erasure-confirm = I confirm that this person's data must be erased now.
field-request-confirm = Confirmation
erasure-submit = Carry out the erasure
err-erasure-confirm-required = { $field }: tick the box to confirm the erasure.
restriction-title = Restriction of processing
restriction-intro = While processing is restricted, only the privacy officer sees the person's cases: for other staff, in lists, pages, counts and the API, they do not exist. Nothing is anonymised.
restriction-submit = Restrict processing
restriction-lift = Lift the restriction
err-privacy-wrong-kind = { $field }: this action does not belong to this kind of request.
err-privacy-request-closed = { $field }: the request is already done or refused.
