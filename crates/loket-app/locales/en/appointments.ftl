# Counter appointments.
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday

nav-appointments = My appointments
appt-book-title = Book an appointment
appt-mine-title = My appointments
appt-detail-title = Your appointment
appt-reschedule-title = Change the time
appt-staff-title = Appointments of the day
appt-staff-new-title = Book for a resident
appt-admin-title = Appointment settings

appt-field-service = Service
appt-field-location = Location
appt-field-start = Time
appt-field-resident-email = The resident's e-mail address
appt-field-date = Date
appt-field-appointment = Appointment
appt-field-horizon-days = How many days ahead one may book
appt-field-lead-minutes = Minimum notice (minutes)
appt-field-max-per-service = Future appointments per resident and service
appt-field-no-show-flag-after = Flag after this many no-shows (0 = never)
appt-field-loc-slug = Short name of the location
appt-field-slug = Short name
appt-field-name-nl = Name (Dutch)
appt-field-name-en = Name (English)
appt-field-slot-minutes = Length of an appointment (minutes)
appt-field-name = Name
appt-field-address = Address
appt-field-hours = Opening hours
appt-field-hours-1 = Opening hours Monday
appt-field-hours-2 = Opening hours Tuesday
appt-field-hours-3 = Opening hours Wednesday
appt-field-hours-4 = Opening hours Thursday
appt-field-hours-5 = Opening hours Friday
appt-field-hours-6 = Opening hours Saturday
appt-field-hours-7 = Opening hours Sunday
appt-field-closed = Closed days
appt-field-desk = Desk name

appt-show-slots = Show free times
appt-just-taken = Someone else just took this time. Choose another; the nearest free times are below.
appt-nearest = Nearest free times
appt-no-slots = There are no free times this week. Look at the next week.
appt-free = { $count } free
appt-weeks = Weeks
appt-prev-week = Previous week
appt-next-week = Next week
appt-book-button = Confirm the appointment
appt-none = You have no appointments yet.
appt-none-day = No appointments on this day.
appt-col-when = When
appt-col-status = Status
appt-col-code = Appointment code
appt-col-resident = Resident
appt-col-actions = Actions
appt-booked-notice = Your appointment is booked. A confirmation with a calendar file is on its way by e-mail.
appt-moved-notice = Your appointment has moved. A new confirmation is on its way by e-mail.
appt-cancel-button = Cancel the appointment
appt-status-booked = Booked
appt-status-cancelled = Cancelled
appt-status-no-show = Did not come
appt-status-served = Served
appt-show = Show
appt-flag-no-shows = did not come { $count } times
appt-no-show-button = Did not come
appt-admin-rules = Booking rules
appt-save = Save
appt-admin-services = Counter services
appt-admin-service-add = Add or change a counter service
appt-slug-hint = Lowercase letters, digits and dashes, for example identity-card.
appt-admin-locations = Locations
appt-admin-location-add = Add a location
appt-hours-hint = Per day, for example 09:00-12:30, 13:30-16:00. Empty means closed.
appt-closed-hint = One day per line, with a reason if you like, for example: 2026-12-25 Christmas
appt-admin-desks = Desks
appt-no-desks = This location has no desks yet. Without a desk nobody can book.
appt-admin-desk-add = Add or change a desk
appt-desk-hint = Tick the services this desk handles. The number of desks for a service is the number of places per time.

appt-ics-summary = Appointment: { $service }
appt-ics-description = Appointment code { $code }. Change or cancel: { $link }

mail-appt-booked-subject = Your appointment with { $city }: { $service } on { $at }
mail-appt-booked-body =
    Dear { $name },

    Your appointment is confirmed.

    Service: { $service }
    When: { $at }
    Where: { $place }
    Appointment code: { $code }

    Bring your appointment code. A calendar file is attached.
    To change or cancel, no sign-in needed:
    { $link }

    Kind regards,
    { $city }
mail-appt-rescheduled-subject = Your appointment with { $city } has moved to { $at }
mail-appt-rescheduled-body =
    Dear { $name },

    Your appointment has moved.

    Service: { $service }
    New time: { $at }
    Where: { $place }
    Appointment code: { $code }

    The attached calendar file replaces the previous one.
    Change or cancel: { $link }

    Kind regards,
    { $city }
mail-appt-cancelled-subject = Your appointment with { $city } on { $at } is cancelled
mail-appt-cancelled-body =
    Dear { $name },

    Your appointment for { $service } on { $at } is cancelled.
    The attached file removes it from your calendar.

    Kind regards,
    { $city }
mail-appt-reminder-subject = Reminder: your appointment with { $city } tomorrow ({ $at })
mail-appt-reminder-body =
    Dear { $name },

    You have an appointment tomorrow.

    Service: { $service }
    When: { $at }
    Where: { $place }
    Appointment code: { $code }

    Cannot come? Please cancel, so someone else gets your place:
    { $link }

    Kind regards,
    { $city }

err-appt-hours-invalid = { $field }: write the hours as 09:00-12:30, 13:30-16:00; each end after its start.
err-appt-hours-overlap = { $field }: these periods overlap. End each period before the next begins.
err-appt-slot-past = { $field }: this time has passed. Choose a time in the future.
err-appt-slot-too-soon = { $field }: this time is too soon. Book at least { $value } minutes ahead.
err-appt-slot-too-far = { $field }: this time is too far ahead. Book at most { $value } days ahead.
err-appt-slot-closed-day = { $field }: the counter is closed that day. Choose another day.
err-appt-slot-outside-hours = { $field }: this time is outside the opening hours or the time grid. Choose a time from the list.
err-appt-slot-invalid = { $field }: choose a time from the list.
err-appt-slot-full = { $field }: this time has just filled up. Choose one of the free times.
err-appt-limit-reached = { $field }: you already hold { $value } future appointment(s) for this service. Change or cancel that one first.
err-appt-not-active = { $field }: this appointment is no longer booked (cancelled or over).
err-appt-same-slot = { $field }: this is the time you already have. Choose another time.
err-appt-not-yet-due = { $field }: the appointment has not started yet; mark it from its start time on.
err-appt-range-1-365 = { $field }: enter a number from 1 to 365.
err-appt-range-0-10080 = { $field }: enter a number from 0 to 10080.
err-appt-range-1-20 = { $field }: enter a number from 1 to 20.
err-appt-range-0-20 = { $field }: enter a number from 0 to 20.
err-appt-slug-invalid = { $field }: use lowercase letters, digits and dashes (at most 40).
err-appt-slot-minutes = { $field }: enter a length from 5 to 240 minutes.
err-appt-service-unknown = { $field }: this counter service does not exist. Choose one from the list.
err-appt-location-unknown = { $field }: this location does not exist. Choose one from the list.
err-appt-no-desk = { $field }: no desk at this location handles this service. Choose another location.
err-appt-channel = { $field }: choose phone or counter.
err-appt-staff-only = { $field }: only staff book for someone else. Leave this field out.
err-appt-whole-number = { $field }: enter a whole number.
err-appt-closed-invalid = { $field }: write one date per line like 2026-12-25, optionally followed by a reason.
appt-qr-alt = QR code with your appointment code
appt-qr-caption = Scan this QR code at the check-in kiosk at the entrance, or type the appointment code.
