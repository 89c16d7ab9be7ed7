# The contact centre: knowledge base, contact moments, forwards.
contact-kb-title = Questions and answers
contact-kb-intro = Search for the answer to your question. If you cannot find it, ask the city.
contact-search-label = Search for
contact-search-button = Search
contact-search-live-hint = Results appear while you type.
contact-results-for = Results for “{ $value }”
contact-all-articles = All articles
contact-no-results = No articles found. Try another word.
contact-ask-link = Ask the city a question
contact-back-to-kb = Back to questions and answers
contact-updated-at = Last updated on { $at }.
contact-agent-kb-title = Knowledge base
contact-new-article-title = New article
contact-edit-article-title = Edit article
contact-expired = Expired
contact-not-yet = Not valid yet
contact-review-due = Review due
contact-popular-title = Most viewed this week
contact-popular-none = No views this week yet.
contact-col-views = Views
contact-col-version = Version
contact-col-saved = Saved on
contact-col-by = By
contact-col-reference = Reference
contact-col-when = When
contact-col-due = Due
contact-version-n = Version { $number }
contact-versions-title = Versions
contact-restore-button = Restore this version
contact-save-button = Save
contact-show-button = Show
contact-hint-slug = Lower-case letters, digits and dashes, e.g. residents-parking-card.
contact-hint-markdown = Markdown: # heading, *emphasis*, [link](https://…), lists with -.
contact-hint-tags = Separated by commas.
contact-hint-email = We send a confirmation and our answer to this address.
contact-hint-resident-email = The e-mail address of the resident's account (leave empty if the resident has no account).
contact-hint-articles = The short names of the articles used, separated by commas.
contact-hint-duration = In minutes.
field-contact-slug = Short name
field-contact-department = Department
field-contact-title = Title
field-contact-title-nl = Title (Dutch)
field-contact-title-en = Title (English)
field-contact-body-nl = Text (Dutch)
field-contact-body-en = Text (English)
field-contact-tags = Keywords
field-contact-valid-from = Valid from
field-contact-valid-until = Valid until (inclusive)
field-contact-review-on = Review on
field-contact-name = Name
field-contact-email = E-mail address
field-contact-subject = Subject
field-contact-question = Question
field-contact-answer = Answer
field-contact-channel = Channel
field-contact-outcome = Outcome
field-contact-duration = Duration (minutes)
field-contact-articles = Articles used
field-contact-resident-email = Resident (e-mail address of the account)
field-contact-contact-name = Name (no account)
field-contact-contact-email = E-mail address (no account)
field-contact-status = Status
field-contact-note = Note for the department
contact-ask-title = Ask your question
contact-ask-intro = Your question goes to the city's contact centre. You get a confirmation by e-mail.
contact-ask-button = Send question
contact-asked-title = Your question has been sent
contact-asked-text = Thank you. Your question has reference { $code }. You get a confirmation by e-mail.
contact-mail-asked-subject = Your question to the city
contact-mail-asked-body = Dear { $name },

    We have received your question “{ $value }”. Its reference is { $code }. Reply to this e-mail without changing the subject if you want to add something.

    Kind regards,
    The contact centre
contact-mail-answer-subject = Answer to your question
contact-mail-answer-body = Dear { $name },

    To your question with reference { $code } we answer:

    { $value }

    Kind regards,
    The city
contact-moments-title = Contact moments
contact-moments-none = No contact moments.
contact-new-moment-title = Log a contact
contact-moment-title = Contact moment
contact-find-resident = Find a resident
contact-start-case = Start a case for this resident
contact-forward-title = Forward to a department
contact-forward-button = Forward
contact-forwards-title = Forwarded questions
contact-forwards-none = No forwarded questions.
contact-answer-button = Send answer
contact-overdue = Overdue
contact-forward-open = Open
contact-forward-answered = Answered
contact-channel-phone = Phone
contact-channel-email = E-mail
contact-channel-web = Web form
contact-channel-counter = Counter
contact-channel-chat = Chat
contact-channel-letter = Letter
contact-outcome-answered = Answered
contact-outcome-forwarded = Forwarded
contact-outcome-case_started = Case started
contact-outcome-appointment_booked = Appointment booked
contact-outcome-call_back = Call back
contact-status-intake = New (web)
contact-status-open = Open
contact-status-forwarded = Forwarded
contact-status-closed = Closed
err-contact-date-invalid = { $field }: enter a date as YYYY-MM-DD.
err-contact-slug-invalid = { $field }: use 3 to 80 lower-case letters, digits or dashes.
err-contact-slug-taken = { $field }: this short name is already used. Choose another.
err-contact-too-long = { $field } is too long. Make the text shorter.
err-contact-until-before-from = { $field } is before the start date. Choose a later date.
err-contact-channel-invalid = { $field }: choose a channel from the list.
err-contact-outcome-invalid = { $field }: choose an outcome from the list.
err-contact-question-empty = { $field } is empty. Write your question.
err-contact-answer-needed = { $field } is empty. Write the answer.
err-contact-duration-invalid = { $field }: enter a number of minutes from 0 to 600.
err-contact-department-unknown = { $field }: this department does not exist. Choose one from the list.
err-contact-resident-unknown = { $field }: there is no resident with this e-mail address. Look the resident up first.
err-contact-article-unknown = { $field }: there is no article “{ $value }”. Check the short name.
err-contact-forward-closed = This question has been answered already; a second answer is not possible.
err-contact-moment-closed = This contact moment is closed and can no longer be forwarded.
contact-history-title = History
contact-history-case = Case
contact-history-appointment = Appointment
contact-history-none = No contacts, cases or appointments yet.
contact-history-kind = Kind
contact-history-what = What
contact-history-file = The resident's file
contact-history-link = The resident's history

# From a call to a case or an appointment
contact-linked-case = Case started
contact-linked-appointment = Appointment booked
contact-book-appointment = Book an appointment for this caller
contact-appointment-title = Book an appointment from a contact

# Forwarding from the log form; the service-level clock paused
contact-hint-department = Only for the outcome “forwarded to a department”: the question goes to this department's queue.
contact-overdue-count = Overdue: { $count }
contact-waiting-since = waiting for the resident since { $value } (clock paused)
contact-paused-days = clock paused { $count } working days
contact-waiting-question = Asked the resident
field-contact-waiting-question = Question to the resident
field-contact-forward = Forward
contact-hint-waiting-question = Sent by e-mail. The clock stops until the resident answers.
contact-pause-button = Ask the resident and pause the clock
contact-resume-button = The resident answered: resume the clock
contact-forward-waiting = Waiting for the resident
err-contact-waiting-question-needed = { $field } is empty. Write what you need from the resident.
err-contact-forward-waiting = This question is waiting for the resident already.
err-contact-forward-not-waiting = The clock of this question is not paused.
contact-mail-waiting-subject = We need more information about your question { $code }
contact-mail-waiting-body = Dear { $name },

    To answer your question { $code } we need more information:

    { $value }

    Reply to this e-mail and keep the reference in the subject.

# Article pick-by-search on the log form
contact-article-search-label = Search the knowledge base
contact-article-search-hint = Tick the articles you used. Results appear while you type; without JavaScript, press Search.
contact-picked-articles = Articles picked
contact-articles-by-name = Other articles by short name
contact-messages-open = All messages
contact-messages-none = No messages yet.
contact-messages-title = Messages
contact-message-in = From the resident
contact-message-out = To the resident

# Report
contact-report-title = Contact centre report
field-contact-report-from = From
field-contact-report-to = Until
err-contact-period-too-long = { $field }: a report covers at most 92 days. Choose a shorter period.
contact-report-contacts = Contacts
contact-report-total = { $count } contacts in this period
contact-report-first-contact = { $value }% answered at first contact
contact-report-chart-title = Contacts per day by channel
contact-report-chart-desc = A stacked bar per day; each colour is a channel. The same figures are in the table below.
contact-report-chart-table = The table “Contacts per day and channel” below holds the same figures.
contact-report-per-day = Contacts per day and channel
contact-report-per-channel = Contacts per channel
contact-report-forwards = Forwards per department
contact-report-articles = The { $count } articles used most
contact-report-gaps = Gaps in the knowledge base
contact-report-empty-searches = The { $count } searches that most often found no article
contact-report-without-article = Contacts answered without an article
contact-report-without-article-count = { $count } contacts in this period have no linked article.
contact-report-without-article-shown = The first { $count } of them, oldest first:
contact-report-mail-in = E-mail in
contact-col-source = Source
contact-col-last-ok = Last read without error
contact-col-last-error = Last error
contact-mail-failing = Failing
contact-mail-never = never
contact-report-rejects = E-mails that could not be read
contact-report-rejects-latest = The last ten e-mails that could not be read
contact-report-rejects-all = All e-mails that could not be read
contact-report-rejects-none = Every e-mail could be read.
contact-report-none = None in this period.
contact-col-day = Day
contact-col-total = Total
contact-col-first-contact = Answered at first contact
contact-col-forwards = Forwarded
contact-col-uses = Used
contact-col-query = Search
contact-col-times = Times
contact-col-file = File
contact-col-reason = Reason
contact-report-link = Report
contact-find-and-start-case = Find the caller and start a case

# Letters (for residents without e-mail)
letter-kind-contact = Contact centre
contact-letter-answer = Dear { $name },

    To your question with reference { $code } we answer:

    { $value }
contact-letter-waiting = Dear { $name },

    To answer your question { $code } we need more information:

    { $value }

    Call us or come to the counter, and mention the reference.
contact-log-for-resident = Log a contact for this resident
contact-for-resident = For resident { $value }
contact-sender-unverified = Sender not verified: this mail named another contact's reference, without the code from our mail and from another address. It is therefore a new contact, linked to no resident. Check who sent it before acting on it.
