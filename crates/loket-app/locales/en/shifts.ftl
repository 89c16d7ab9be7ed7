# Staff shifts of the vaccination centre.
shift-title = My vaccination-centre shifts
shift-planner-title = Shift planning
shift-shift-title = Shift
shift-roles-title = Roles, qualifications and rules
shift-coverage-title = Coverage
shift-people-title = Qualifications of staff
shift-nav-label = Shift planning
shift-days-label = Days with shifts
shift-volunteer-intro = Sign up for an open shift that your qualifications allow. A shift opens at the stated time; first come, first served.
shift-my-qualifications = Your qualifications
shift-no-qualifications = none
shift-mine-title = My shifts
shift-mine-none = You have not signed up for any shift yet.
shift-open-title = Open shifts
shift-open-none = There are no open shifts for you now.
shift-col-day = Day
shift-col-time = Time
shift-col-role = Role
shift-col-places = Places free
shift-col-action = Action
shift-col-filled = Filled
shift-col-release = Sign-up opens
shift-col-qualification = Qualification needed
shift-col-name = Name
shift-col-how = How
shift-col-needed = Needed
shift-col-missing = Missing
shift-col-status = State
shift-places = { $count } of { $value }
shift-signup-button = Sign up
shift-cancel-button = Cancel my place
shift-opens-at = Opens on { $value }
shift-done-signup = You are signed up. The shift is in your calendar feed.
shift-done-cancel = Your place is cancelled and free again.
shift-done-feed = A new calendar link was made. The old link no longer works.
shift-done-created = The shifts were created.
shift-feed-title = Calendar feed
shift-feed-intro = Subscribe to this secret link in your calendar: your shifts appear there by themselves. Share the link with nobody.
shift-feed-url = Secret link of your calendar feed
shift-feed-regenerate = Make a new link (the old one stops working)
shift-feed-name = Vaccination-centre shifts
shift-feed-summary = Vaccination-centre shift: { $service }
shift-feed-location = Vaccination centre
shift-day-title = Shifts on { $day }
shift-day-none = No shifts in this period.
shift-cancelled = Cancelled
shift-level-full = full
shift-level-short = short
shift-level-gap = large gap
shift-new-title = Create shifts
shift-no-roles = Create a role first.
shift-end-hint = An end before the start falls on the next day (a night shift).
shift-release-hint = From this moment volunteers can sign up. With a repeat it moves along by a day per day.
shift-repeat-hint = Create the same pattern for this many consecutive days (1 to 31).
shift-create-button = Create shifts
shift-no-qualification = none
shift-people-on = Staff signed up
shift-people-none = Nobody yet.
shift-how-assigned = assigned by the planner
shift-how-self = signed up themselves
shift-breaks-now = Breaks a rule now:
shift-override = Rule overridden
shift-assign-title = Assign a staff member
shift-assign-button = Assign
shift-assign-override-button = Assign anyway, with this reason
shift-override-hint = This assignment breaks a working-time rule (see above). Give a reason to override the rule; the reason is kept in the audit log.
shift-change-title = Change the times or headcount
shift-change-intro = Everyone signed up for this shift gets an e-mail when its times change.
shift-change-button = Change
shift-cancel-title = Cancel the shift
shift-cancel-intro = Everyone signed up for this shift gets an e-mail.
shift-cancel-shift-button = Cancel the shift
shift-roles-list = Roles
shift-role-new = New role
shift-role-add = Add the role
shift-code-hint = Lower-case letters, digits and hyphens, for example ict-support.
shift-qualifications-title = Qualifications
shift-qualification-add = Add the qualification
shift-rules-title = Working-time rules
shift-rules-intro = By default: at most 10 hours of work in any 24 hours, at least 11 hours of rest between two shifts, and never two shifts at once.
shift-rules-save = Save the rules
shift-coverage-summary = { $count } of { $value } places are filled in these two weeks.
shift-coverage-from = From
shift-coverage-nav = Other weeks
shift-coverage-window = From { $from } to { $to }
shift-coverage-earlier = 14 days earlier
shift-coverage-later = 14 days later
shift-show = Show
shift-coverage-per-day = Per day and role
shift-gaps-title = Shifts with open places
shift-gaps-none = Every shift is fully staffed.
shift-people-search = Search a staff member by name or e-mail address
shift-people-search-hint = At least two characters.
shift-people-found-none = No staff members found.
shift-qual-grant = Give
shift-qual-revoke = Take away
field-shift = Shift
field-shift-role = Role
field-shift-headcount = People needed
field-shift-release-day = Sign-up opens on (day)
field-shift-release-time = Sign-up opens at (time)
field-shift-repeat = Number of days
field-shift-role-code = Code
field-shift-qualification = Qualification needed
field-shift-qualification-code = Code of the qualification
field-shift-q-name-nl = Name of the qualification (Dutch)
field-shift-q-name-en = Name of the qualification (English)
field-shift-override-reason = Reason to override the rule
field-shift-max-work-hours = At most hours of work per period
field-shift-window-hours = Length of the period (hours)
field-shift-min-rest-hours = At least hours of rest between two shifts
err-shift-rule-overlap = { $field }: this shift overlaps another shift of the same person ({ $value }). Choose a shift at another time.
err-shift-rule-max-work = { $field }: together with { $value } this is more than the hours of work allowed within the period of the working-time rules (by default 10 hours in 24). Choose a shift on another day.
err-shift-rule-max-work-alone = { $field }: this shift alone is longer than the hours of work allowed within the period of the working-time rules (by default 10 hours in 24). Make the shift shorter.
err-shift-rule-min-rest = { $field }: there is too little rest between this shift and { $value } for the working-time rules (by default at least 11 hours). Choose a shift with more rest in between.
err-shift-not-released = { $field }: sign-up for this shift opens on { $value }. Come back then.
err-shift-qualification-missing = { $field }: this role needs the qualification { $value }. Ask the planner to give it to you.
err-shift-full = { $field }: this shift is already full. Choose another shift.
err-shift-already-signed-up = { $field }: this person is already signed up for this shift.
err-shift-not-signed-up = { $field }: you are not signed up for this shift.
err-shift-cancelled = { $field }: this shift was cancelled.
err-shift-past = { $field }: this shift has already started or ended.
err-shift-time-invalid = { $field }: give a time like 08:00 that exists on that day.
err-shift-length = { $field }: a shift lasts from 15 minutes to 24 hours.
err-shift-headcount = { $field }: give a number from 1 to 200.
err-shift-headcount-below-filled = { $field }: more people are already signed up. Give at least the number signed up.
err-shift-repeat = { $field }: give a number of days from 1 to 31.
err-shift-release-invalid = { $field }: give a day and a time like 18:00.
err-shift-release-after-start = { $field }: sign-up must open before the shift starts.
err-shift-day-invalid = { $field }: give a day like 2026-12-02.
err-shift-role-unknown = { $field }: choose a role from the list.
err-shift-qualification-unknown = { $field }: choose a qualification from the list.
err-shift-code-invalid = { $field }: use 2 to 40 lower-case letters, digits or hyphens.
err-shift-code-taken = { $field }: this code exists already. Choose another.
err-shift-name-invalid = { $field }: give a name of at most 80 characters.
err-shift-reason-required = { $field }: give a reason of 5 to 500 characters.
err-shift-person-unknown = { $field }: there is no staff member with this e-mail address.
err-shift-setting-range = { $field }: give hours within the limits (work 1 to 24, period 1 to 168 and at least the work, rest 0 to 48).
mail-shift-assigned-subject = You are scheduled: { $service } on { $at }
mail-shift-assigned-body =
    Dear { $name },

    The vaccination-centre planner has scheduled you as { $service } on { $at }.

    Your shifts: { $url }
mail-shift-reminder-subject = Reminder: { $service } shift on { $at }
mail-shift-reminder-body =
    Dear { $name },

    Tomorrow (or within 24 hours) you work at the vaccination centre as { $service }: { $at }.

    Your shifts: { $url }
mail-shift-changed-subject = Changed: your { $service } shift is now { $value }
mail-shift-changed-body =
    Dear { $name },

    Your shift as { $service } on { $at } has changed. The new times: { $value }.

    Does it no longer suit you? Cancel your place: { $url }
mail-shift-cancelled-subject = Cancelled: your { $service } shift on { $at }
mail-shift-cancelled-body =
    Dear { $name },

    Your shift as { $service } on { $at } was cancelled. You need not come.

    Other open shifts: { $url }
