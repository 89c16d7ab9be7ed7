# The vaccination centre.
vac-landing-title = Vaccination: book an appointment
vac-landing-intro = With the code in your invitation and your date of birth you choose a time at the vaccination centre yourself. You need no account.
vac-landing-none = No vaccination campaign is running now.
vac-waiting-title = Waiting room
vac-waiting-opens = Booking opens at { $at }. You are already in the queue.
vac-waiting-number = Your place in the queue: { $number }.
vac-waiting-ahead = { $count } people before you.
vac-waiting-at = Your turn is expected around { $at }.
vac-waiting-keep = Keep this page open: it refreshes itself and takes you on when it is your turn. First come, first served.
vac-waiting-refresh = Check again
vac-login-title = Sign in with your invitation
vac-login-button = Continue
vac-field-code = Invitation code
vac-field-code-hint = 12 characters, for example K7QM-3XHD-A9W2. Dashes and capitals do not matter.
vac-field-birth-date = Date of birth
vac-field-birth-date-hint = For example 1985-07-30.
vac-reserve-link = No invitation? Sign up for the reserve list.
vac-book-title = Your vaccination appointment
vac-booked-at = You have an appointment on { $at }.
vac-ics-download = Add the appointment to your calendar (iCalendar)
vac-cancel-button = Cancel the appointment
vac-move-title = Choose another time
vac-no-slots = There are no free times left.
vac-days = Days
vac-slots-of = Free times on { $at }
vac-book-button = Book
vac-move-button = Move to this time
vac-reserve-title = Reserve list
vac-reserve-intro = Can you come at short notice? People on the reserve list get an e-mail as soon as a place is free, and then have 30 minutes to confirm.
vac-reserve-button = Join the reserve list
vac-field-national-number = National register number
vac-field-national-number-hint = 11 digits, on your identity card.
vac-field-name = Name
vac-field-email = E-mail address
vac-field-phone = Phone (optional)
vac-field-group = Target group
vac-offer-title = A free place for you
vac-offer-at = A place is free on { $at }.
vac-offer-due = Confirm before { $due }, or the place goes to the next person on the list.
vac-offer-accept = Yes, I will come
vac-offer-taken = Your appointment is booked for { $at }. You will get a confirmation by e-mail.
vac-offer-code = Your code: { $code }.
vac-offer-gone = This offer is no longer valid. You will get a new e-mail when a place frees up again.
vac-ics-summary = Vaccination: { $service }
vac-ics-description = Your vaccination ({ $service }) at { $place }. Bring your identity card. Code: { $code }.

# Coordinator
vac-list-title = Vaccination campaigns
vac-list-none = There are no campaigns yet.
vac-work = Work stations
vac-new-campaign = New campaign
vac-field-slug = Short name (in the link)
vac-field-slug-hint = Lower-case letters, digits and dashes, for example booster-autumn.
vac-field-vaccine = Vaccine
vac-field-location = Location (vaccination centre)
vac-field-lines = Vaccination lines
vac-field-per-line = Places per line per time slot
vac-field-per-line-hint = How many people one line vaccinates in one time slot.
vac-field-slot-minutes = Time slot (minutes)
vac-field-observation-minutes = Observation (minutes)
vac-field-admit-per-minute = Waiting room: visitors let in per minute
vac-field-admit-per-minute-hint = When the campaign opens, the waiting room lets this many visitors a minute through to the booking pages.
vac-field-opens-at = Booking opens at
vac-field-days = The centre's days
vac-field-days-hint = One day per line: the date and opening hours, for example 2026-12-01 08:00-20:00.
vac-field-groups = Target groups, in order of priority
vac-field-groups-hint = One target group per line, the first first (for example 80+, care staff, 65-79).
vac-field-status = Status
vac-col-capacity = Places per slot
vac-create-button = Create the campaign
vac-campaign-title = Campaign
vac-settings = Settings
vac-per-slot = places per time slot
vac-public-page = Residents' page
vac-invitations = Invitations
vac-status-invited = invited
vac-status-booked = booked
vac-status-vaccinated = vaccinated
vac-status-cancelled = cancelled
vac-imported = { $count } invitations imported.
vac-imported-mail = { $count } sent by e-mail.
vac-imported-letters = { $count } wait for a letter.
vac-import-refused = The file was not imported. Correct these lines and try again:
vac-import-line = Line { $line }, column { $column }:
vac-import-file = CSV file of the people to invite
vac-import-hint = Columns: national_number, name, birth_date, street, postal_code, city and optionally email, phone, group. The whole file is imported, or nothing.
vac-import-text = Or paste the CSV text here
vac-import-button = Import invitations
vac-letters-title = Letters
vac-letters-waiting = { $count } invitations without an e-mail address wait for a letter.
vac-letters-button = Make a print batch
vac-letters-count = { $count } letters
vac-letters-batches-title = Print batches
vac-letters-batches-open = All print batches
vac-letters-batches-none = No print batch has been made yet.
vac-letters-batch = Batch
vac-search = Search
vac-search-label = Name, code or national register number
vac-field-delivery = Sent by
vac-reserve-empty = Nobody is on the reserve list.
vac-signed-up = Signed up
vac-offered-slot = Offered time
vac-offers-button = Offer free places now
vac-reserve-open = Open the reserve list
vac-reserve-status-waiting = waiting
vac-reserve-status-offered = place offered
vac-reserve-status-booked = booked
vac-reserve-status-expired = offer expired
vac-reserve-status-withdrawn = withdrawn
vac-mobile-title = Mobile teams
vac-field-team = Team
vac-field-day = Day
vac-field-time = Time
vac-field-address = Address
vac-plan-button = Plan the visit
vac-conflicts = Conflicts from syncing
vac-conflicts-none = No open conflicts.
vac-resolve-duplicate = Recorded twice (do not report)
vac-resolve-both = Vaccinated twice (report)
vac-notice-offers = The free places were offered to the reserve list.
vac-notice-resolved = The conflict is settled.
vac-notice-planned = The visit is planned.
vac-notice-letters = The print batch is ready.
vac-export = Export for the vaccination registry (CSV)
vac-back-campaign = Back to the campaign
vac-invitation-title = Invitee
vac-booked = Appointment
vac-visit = Visit
vac-book-for = Book for this person
vac-channel = How are you helping?
vac-channel-phone = On the phone
vac-channel-counter = At the counter
vac-pick-slot = Time
vac-letter-title = Invitation to your vaccination
vac-letter-reference = Your code
vac-letter-p1 = Dear { $name },
vac-letter-p2 = { $city } invites you to your vaccination ({ $service }). Choose a time at { $link } with the code { $code } and your date of birth. You can also scan the QR code below.
vac-letter-p3 = No computer, or need help? Call the contact centre or come to the counter: we book the appointment together with you.
vac-letter-fact = Item
vac-letter-value = Value
vac-letter-site = Website
vac-letter-qr = Scan this code with your smartphone to book straight away.
vac-letter-qr-alt = QR code with the link to book, code { $code }
vac-letter-closing = Kind regards, the vaccination centre of { $city }
vac-dashboard-title = Vaccination centre dashboard
vac-live = live
vac-fig-booked = Appointments
vac-fig-arrived = Arrived
vac-fig-not-booked = Without appointment
vac-fig-vaccinated = Vaccinated
vac-fig-no-shows = No-shows
vac-fig-wasted = Unused places
vac-per-station = People per station
vac-stage = Stage
vac-people = People
vac-avg-wait = Average wait per station
vac-station = Station
vac-seconds = Seconds
vac-chart-lines = Vaccinations per line
vac-equipment = ICT equipment at the centre
vac-equipment-none = No equipment is at location "Vaccinatiecentrum".
vac-report-title = Day report
vac-report-summary = Summary
vac-report-figure = Figure
vac-report-value = Count
vac-report-lines = Vaccinations per line
vac-report-hours = Vaccinations per line and hour
vac-report-hour = Hour
vac-show = Show

# Centre
vac-check-in-title = Check-in
vac-scan-label = Scan the invitation's QR code (or type the code)
vac-scan-label-code = Scan the label (or type the code)
vac-scan-hint = The scanner fills in the field and presses Enter.
vac-look-up = Look up
vac-arrival = Arrival
vac-arrival-early = early
vac-arrival-on-time = on time
vac-arrival-late = late
vac-arrival-not-booked = no appointment today
vac-check-identity = Check the identity card and confirm with Enter.
vac-confirm-button = Identity checked: check in
vac-not-this-person = Not this person
vac-checked-in = { $name } is checked in with number { $number }.
vac-go-line = To line { $number }.
vac-label-pdf = Label (PDF)
vac-label-zpl = Label (Zebra printer)
vac-label-title = Vaccination label
vac-label-born = Born
vac-label-number = Number
vac-label-code-alt = Barcode of visit { $code }
vac-field-line = Line
vac-station-title = Station
vac-station-registration = Registration
vac-station-vaccination = Vaccination line
vac-station-observation = Observation
vac-station-exit = Exit
vac-field-lot = The vaccine's lot number
vac-field-lot-hint = Stays filled in for the next person.
vac-scan-button = Record
vac-scanned-registration = registered. Next: vaccination.
vac-scanned-vaccination = vaccinated. Next: the observation room.
vac-scanned-observation = in the observation room.
vac-scanned-exit = left. Goodbye!
vac-stage-checked-in = checked in
vac-stage-registered = registered
vac-stage-vaccinated = vaccinated
vac-stage-observing = in observation
vac-stage-left = left
vac-observation-title = Observation room
vac-observation-minutes = Everyone stays { $minutes } minutes after the vaccination.
vac-observation-empty = Nobody is in observation.
vac-time-left = Time left
vac-may-leave = You may leave
vac-stay = Please stay
vac-mobile-none = No visits are planned for this team on this day.
vac-mobile-planned = planned
vac-mobile-arrived = arrived
vac-mobile-vaccinated = vaccinated
vac-record-arrival = Arrived
vac-record-vaccinated = Vaccinated
vac-offline = No connection: records are kept on the device
vac-online = Connected
vac-pending = waiting to be sent
vac-synced = sent
vac-conflict = conflict: already recorded by another team

# Mail
mail-vac-invite-subject = Invitation to your vaccination
mail-vac-invite-body = Dear { $name },

    { $city } invites you to your vaccination ({ $service }).
    Choose a time: { $link }
    Your code: { $code } (with your date of birth).

    No computer, or need help? Call the contact centre or come to the counter.

    Kind regards,
    { $city }
mail-vac-booked-subject = Your vaccination appointment on { $at }
mail-vac-booked-body = Dear { $name },

    Your appointment for { $service } is booked for { $at } at { $place }.
    Bring your identity card and your invitation (code { $code }).
    Move or cancel: { $link }

    { $city }
mail-vac-moved-subject = Your vaccination appointment moved to { $at }
mail-vac-moved-body = Dear { $name },

    Your appointment for { $service } moved to { $at } at { $place }.
    Manage your appointment: { $link }

    { $city }
mail-vac-cancelled-subject = Your vaccination appointment is cancelled
mail-vac-cancelled-body = Dear { $name },

    Your appointment for { $service } on { $at } is cancelled. With your code { $code } you can choose a new time: { $link }

    { $city }
mail-vac-reminder-subject = Reminder: your vaccination tomorrow at { $at }
mail-vac-reminder-body = Dear { $name },

    Tomorrow, { $at }, you are expected at { $place } for { $service }. Bring your identity card and your code { $code }.
    Cannot come? Please cancel, so someone else gets your place: { $link }

    { $city }
mail-vac-offer-subject = A vaccination place is free on { $at }
mail-vac-offer-body = Dear { $name },

    A place has come free for { $service } on { $at }.
    Would you like to come? Confirm before { $due } at { $link }
    After that the place goes to the next person on the reserve list.

    { $city }

# Errors
err-vac-code-length = { $field }: the code has 12 characters (for example K7QM-3XHD-A9W2). Check it on your invitation.
err-vac-code-symbol = { $field }: the code holds a character it cannot contain. Use only digits and letters (no U).
err-vac-code-typo = { $field }: this code is not right; a character was probably mistyped. Check the code on your invitation.
err-vac-code-unknown = { $field }: we do not know this code. Check it on your invitation.
err-vac-code-cancelled = { $field }: this invitation was cancelled. Call the contact centre if that is wrong.
err-vac-code-used = { $field }: this invitation was already used for a vaccination.
err-vac-code-other-campaign = { $field }: this code belongs to another campaign.
err-vac-code-locked = { $field }: too many wrong attempts. Try again in { $value } minutes.
err-vac-birth-date-wrong = { $field }: this date of birth does not belong to the code. { $value } attempts left.
err-vac-birth-date-invalid = { $field }: give a valid date as YYYY-MM-DD, for example 1985-07-30.
err-vac-birth-date-nrn = { $field }: the date of birth does not match the national register number ({ $value }).
err-vac-number-range = { $field }: give a number between { $value }.
err-vac-groups-invalid = { $field }: give 1 to 20 target groups, one per line, of at most 60 characters.
err-vac-groups-repeated = { $field }: "{ $value }" is in the list twice.
err-vac-day-invalid = { $field }: "{ $value }" is not a day with opening hours. Write for example 2026-12-01 08:00-20:00.
err-vac-day-repeated = { $field }: { $value } is in the list twice.
err-vac-phone-invalid = { $field }: give a phone number of 8 to 15 digits.
err-vac-group-unknown = { $field }: choose a target group from the campaign's list.
err-vac-already-invited = { $field }: this person is already invited to this campaign (line { $value }). Nothing was imported.
err-vac-csv-column-unknown = { $field }: unknown column. Use national_number, name, birth_date, street, postal_code, city, email, phone, group.
err-vac-already-booked = { $field }: this invitation already has an appointment. Move it instead of booking a new one.
err-vac-booking-not-active = { $field }: there is no current appointment to change.
err-vac-same-slot = { $field }: this is already the time of your appointment.
err-vac-slot-pick = { $field }: choose a time from the list.
err-vac-offer-gone = { $field }: this offer expired or was used already.
err-vac-checked-in-already = { $field }: this person has already checked in today.
err-vac-label-unknown = { $field }: we do not know this label. Scan again or type the code under the barcode.
err-vac-scan-twice = { $field }: this label was already scanned here.
err-vac-scan-order = { $field }: this person is not ready for this station yet (now: { $value }). Send them to the previous station first.
err-vac-scan-wrong-line = { $field }: this person belongs to line { $value }. Send them there.
err-vac-scan-too-soon = { $field }: the observation is not over yet. { $value } minutes left.
err-vac-station-unknown = { $field }: choose registration, vaccination, observation or exit.
err-vac-line-invalid = { $field }: give the number of one of this campaign's vaccination lines.
err-vac-lot-required = { $field }: fill in the vaccine's lot number (at most 40 characters).
err-vac-opens-invalid = { $field }: give a date and time, for example 2026-12-01T09:00.
err-vac-time-invalid = { $field }: give a time as HH:MM, for example 14:30.
err-vac-ticket-invalid = { $field }: this waiting-room ticket is not valid. Ask for a new ticket.
err-vac-sync-visit-unknown = { $field }: this visit is not planned for this team. Nothing was stored.
err-vac-sync-id-reused = { $field }: this record id was already used for another record. Nothing was stored.
err-vac-sync-id-invalid = { $field }: the record id must have 8 to 64 letters, digits or dashes.
err-vac-sync-kind = { $field }: choose arrival or vaccinated.
err-vac-sync-time = { $field }: this time is in the future or more than 30 days ago.
err-vac-sync-batch-size = { $field }: send 1 to { $value } records at a time.
err-vac-sync-malformed = { $field }: we cannot read this data. Nothing was stored.
err-vac-resolution-invalid = { $field }: choose "recorded twice" or "vaccinated twice".
err-vac-conflict-closed = { $field }: this conflict is already settled.

# Field names in error messages
# The vaccination centre's own labels come before the shared field-* ones.
field-vac-code = Code
field-vac-start = Time slot
field-vac-ticket = Waiting-room ticket
field-birth-date = Date of birth
field-group = Target group
field-lot = Lot number
field-team = Team
field-at = Time
field-address = Address
field-vaccine = Vaccine
field-lines = Vaccination lines
field-per-line = Places per line
field-slot-minutes = Time slot
field-observation-minutes = Observation
field-admit-per-minute = Visitors let in per minute
field-opens-at = Booking opens at
field-days = The centre's days
field-groups = Target groups
field-file = File
field-resolution = Settlement
field-offer = Offer
field-invitation = Invitation
field-station = Station
field-line = Line
field-records = Records
mail-vac-reserve-confirm-subject = Confirm your sign-up for the reserve list
mail-vac-reserve-confirm-body = Dear { $name },

    Someone signed you up with this e-mail address for the reserve list of { $service } at { $city }.
    Confirm the sign-up through this link (valid for 24 hours):

    { $link }

    If you can be vaccinated in this campaign, you will then receive a message as soon as a place comes free.
    Didn't sign up? Then you can ignore this e-mail.

    { $city }
vac-reserve-sent = Thank you. We sent an e-mail to the address you gave: confirm your sign-up with the link in it. If you can be vaccinated in this campaign, you will receive a message.
vac-reserve-confirm-title = Confirm your sign-up
vac-reserve-confirm-intro = Press the button to confirm your sign-up for the reserve list.
vac-reserve-confirm-button = Confirm sign-up
vac-reserve-confirmed = Thank you, your sign-up is confirmed. If you can be vaccinated in this campaign, you will receive a message.
vac-reserve-link-gone = This link is no longer valid: it was used already or has expired. Sign up again if needed.
err-vac-ticket-used = { $field }: this waiting-room ticket was used for a booking already. Ask for a new ticket.
