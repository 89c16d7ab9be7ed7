# Services and cases

nav-services = Online services
catalogue-title = Online services
catalogue-search = Search a service
catalogue-none = No service found. Try another word, or call the contact centre.
service-days = { $days } working days
service-free = Free
service-fee = Fee
service-time = Handling time
service-start = Start an application
service-start-login = Sign in to start
service-help = Can't do it online? Call the contact centre or book an appointment at the counter: we submit the same application together with you.
apply-title = Application
draft-saved = Your draft is saved ({ $at }). You can continue later.
upload-current = Uploaded: { $name }. Choose another file to replace it.
case-files = Files
err-file-empty = { $field }: this file is empty.
err-file-too-large = { $field }: this file is larger than 10 MB.
err-file-type = { $field }: choose a PDF, JPEG or PNG.
err-file-type-mismatch = { $field }: this file's content does not match its name or type. Choose a real PDF, JPEG or PNG.
optional = optional
choose = Make a choice
apply-review = Check
apply-save = Save as draft
confirm-title = Check your application
confirm-intro = Check your details. Is everything right? Then submit your application. Want to change something? Choose 'Change'.
confirm-submit = Submit application
confirm-change = Change
my-cases-title = My cases
my-cases-none = You have no cases yet.
case-title = Case
case-number = Case number
case-service = Service
case-status = Status
case-submitted = Submitted on
case-due = Ready by
case-data = Your details
case-data-staff = Application details
case-timeline = History
case-received = Your application was submitted with case number { $number }. You get a confirmation by e-mail.
case-answer = Answer our question
case-message = Message to the city
case-resident = Resident
case-channel = Channel
case-unassign = Unassign me
case-assign-me = Assign to me
case-decide = Next step
case-step = Step
case-reason-needed = reason required
case-take-step = Take the step
case-message-resident = Message to the resident
case-note = Internal note
case-add-note = Add note
field-body = Your message
field-reason = Reason or explanation
field-note = Note
hint-reason = The resident sees this text in the case and in the e-mail.
hint-note = Staff only; the resident never sees this.
event-internal = internal
event-message-in = Message from the resident
event-message-out = Message from the city
event-note = Internal note
event-assigned = Assigned
channel-web = online
channel-counter = at the counter
channel-phone = by phone
channel-post = by post
all = All
queue-title = Work queue
queue-overdue = { $count } cases past their due date
queue-mine = Only my cases
queue-only-overdue = Only overdue
queue-closed = Include closed cases
queue-assignee = Handler
queue-late = late
queue-me = me
queue-other = colleague
address-street = Street
address-number = House number
address-box = Box
address-postal-code = Postal code
address-city = Town

err-date-invalid = { $field }: enter a date like 2026-12-01.
err-date-too-far = { $field }: this date is too far in the future.
err-date-too-early = { $field }: this date is too far in the past.
err-text-too-long = { $field }: this text is too long.
err-text-invalid = { $field }: this text contains invalid characters.
err-too-many = { $field }: that is too many.
err-choice-unknown = { $field }: choose one of the options.
err-number-invalid = { $field }: enter a whole number.
err-number-too-small = { $field }: this number is too small.
err-number-too-large = { $field }: this number is too large.
err-number-range = { $field }: this number is outside the allowed range.
err-amount-invalid = { $field }: enter an amount in euro, like 1,250.00.
err-amount-too-large = { $field }: this amount is above the maximum.
err-file-required = { $field }: add this document.
err-house-number-invalid = { $field }: a house number starts with a digit.
err-postal-code-outside-city = { $field }: this postal code is not in the city (3000, 3001, 3010, 3012, 3018).
err-transition-unknown = { $field }: choose one of the steps.
err-transition-not-allowed = { $field }: this step is not possible from the current status. Nothing was changed.
err-case-changed = { $field }: someone else just changed the case. Nothing was changed; look at the new status.
err-service-unknown = { $field }: this service does not exist. Get the list with GET /api/v1/services.
err-resident-unknown = { $field }: there is no resident account with this e-mail address.
err-channel-assisted = { $field }: choose counter, phone or post for a request on behalf of a resident.
err-channel-unknown = { $field }: choose web, counter, phone or post.
err-key-invalid = { $field }: use lower-case letters, digits, - and _, and each key only once.
err-fields-required = { $field }: a service has at least one field.
err-options-required = { $field }: a choice list has at least one option.
err-state-unknown = { $field }: that status does not exist in the workflow.
err-document-kind-unknown = { $field }: choose decision or permit.
err-from-final-state = { $field }: no step can leave a final status.

mail-case-received-subject = Case { $number }: your application was received
mail-case-received-body =
    Dear { $name },

    We received your application "{ $service }". Your case number is { $number }.
    Status: { $status }. { $explanation }

    Follow your case: { $link }

    { $city }
mail-case-status-subject = Case { $number }: { $status }
mail-case-status-body =
    Dear { $name },

    There is news in your case { $number } ("{ $service }").
    Status: { $status }. { $explanation }
    Explanation: { $reason }

    See your case: { $link }

    { $city }

case-documents = Documents
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
doc-place = Leuven
doc-fact = Item
doc-value = Value
doc-valid-from = Valid from
doc-valid-until = Valid until
doc-verify = Check this document with the QR code or at { $url } (code { $code }).
doc-qr-alt = QR code leading to this document's check page
doc-logo-alt = Logo of { $city }
doc-closing = Kind regards, { $city }
doc-reason = Explanation: { $reason }
doc-receipt-title = Receipt: { $service }
doc-receipt-text = We received your application "{ $service }" under case number { $number }. We handle it by { $due } at the latest. Follow your case online under 'My cases'.
doc-receipt-label = Receipt
doc-receipt-file = receipt
doc-decision-title = Decision: { $service }
doc-decision-text = A decision was taken on your application "{ $service }" (case { $number }). Decision: { $status }.
doc-decision-label = Decision letter
doc-decision-file = decision
doc-permit-title = Residents' parking permit
doc-permit-text = Your application "{ $service }" is approved. This document is your parking permit. A parking warden checks it with the QR code.
doc-permit-label = Parking permit
doc-permit-file = parking-permit
verify-title = Check a document
verify-intro = Check whether a parking permit or decision of the city is genuine and valid. Scan the QR code or type the code on the document. We show no personal data.
verify-code = Check code
verify-hint = 16 characters, for example 7KQ2-9XHM-3TPV-R8DA.
verify-submit = Check
verify-valid = Valid
verify-invalid = Not valid (any more)
verify-unknown = Unknown code: this document was not issued by the city, or the code was mistyped.
verify-kind = Document
verify-issued = Issued on
err-amount-above-maximum = { $field }: this is more than the rules allow. You can ask for at most € { $value }.
err-address-outside-zones = { $field }: this address is in no residents' parking zone. Check the street name and postal code; if you live outside the zones, you need no residents' permit.
err-rule-invalid = { $field }: this rule names a field that does not exist or has the wrong type.
payments-title = Premium payments
payments-intro = Approved premiums that are not paid yet. Create a payment file (SEPA, pain.001) and upload it to the banking application. The cases then move to "Payment on its way".
payments-ready = Ready to pay
payments-none = No approved premium is waiting for payment.
payments-payee = Payee
payments-account = Account
payments-amount = Amount
payments-total = Total
payments-count = Number
field-execution-date = Execution date
payments-date-hint = A working day, today or later, like 2026-12-01.
payments-create = Create the payment file
payments-created = Payment file created: { $count } transfers, in total
payments-download = Download the payment file
payments-files = Payment files
payments-no-files = There are no payment files yet.
payments-created-at = Created on
payments-file = File
err-date-in-past = { $field }: this date is in the past. Choose today or later.
err-date-weekend = { $field }: this is a weekend day. Choose a working day.
err-nothing-to-pay = There is nothing to pay: no approved premium is waiting for payment.
err-payment-already-exported = One of these premiums is meanwhile in another payment file. Reload the page and try again.
